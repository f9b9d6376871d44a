"""Custom job templates (CS 5.2.4, DLI D16; at most 100 per project): one small complete set per credential."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import timezone

import csapi
from csapi.dli import limits as dli_limits
from dashboard.jobs.models import Template
from dashboard.polling.clients import client as _client
from dashboard.polling.coerce import integer, text, timestamp
from dashboard.polling.kinds import Synced
from dashboard.polling.snapshots import keyed, upsert
from dashboard.teams.models import Credential


def template_values(t: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": text(t.get("name"), 255),
        "desc": text(t.get("desc")),
        "sql_body": text(t.get("sql_body")),
        "job_type": text(t.get("job_type"), 64),
        "create_time": timestamp(t.get("create_time")),
        "update_time": timestamp(t.get("update_time")),
    }


def sync_templates(
    credential: Credential, *, client: csapi.CSClient | None = None, synced: Synced | None = None
) -> Synced:
    """Snapshot the custom job templates; templates gone from CS are marked deleted.

    A DLI credential's Flink SQL templates (D16, ``DLITemplate`` with the same fields) land in the same
    rows; DLI pages them by offset, at most ``LIST_LIMIT_MAX`` a page.
    """
    client = client or _client(credential)
    synced = synced or Synced()
    page_size = settings.POLL_PAGE_SIZE
    if credential.is_dli:
        page_size = dli_limits.list_page_size(page_size)
    items = list(
        keyed(
            client.templates.iter(page_size=page_size),
            lambda t: integer(t.get("template_id")),
            template_values,
        )
    )
    synced.items = len(items)
    synced.written += upsert(
        Template,
        scope={"credential_id": credential.pk},
        extra={"team_id": credential.team_id},
        key_field="template_id",
        items=items,
        now=timezone.now(),
        soft_delete=True,
    ).written
    return synced
