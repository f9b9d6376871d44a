"""Build a CS client from a team credential: the only place a credential secret is decrypted."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from csapi import AKSKAuth, CSClient, TokenAuth
from dashboard.teams.models import AuthType, Credential


def client_for(credential: Credential) -> CSClient:
    """A ``CSClient`` for ``credential``. IAM tokens are cached in the Django cache, shared by all processes."""
    if credential.auth_type == AuthType.AKSK:
        auth = AKSKAuth(credential.access_key, credential.get_secret())
    else:
        auth = TokenAuth(
            credential.effective_iam_endpoint,
            credential.domain_name,
            credential.username,
            credential.get_secret(),
            credential.project_id,
            cache=cache,
        )
    return CSClient(
        credential.effective_cs_endpoint,
        credential.project_id,
        auth,
        timeout=settings.CS_HTTP_TIMEOUT,
        retries=settings.CS_HTTP_RETRIES,
        vpc_endpoint=credential.effective_vpc_endpoint,
    )
