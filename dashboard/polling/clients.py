"""The CS client a sync uses: built per sync from the credential (the secret is read by the worker)."""

from __future__ import annotations

import csapi
from dashboard.teams.cs import client_for
from dashboard.teams.models import Credential


def client(credential: Credential) -> csapi.CSClient:
    """A ``CSClient`` for ``credential``, with the shared IAM token cache (``dashboard.teams.cs``)."""
    return client_for(credential)
