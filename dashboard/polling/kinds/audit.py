"""Audit traces (5.1.14): newest first, 50 a page, down to those a finished sync already read."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

import csapi
from dashboard.jobs.models import AuditTrace
from dashboard.polling import bulk
from dashboard.polling.clients import client as _client
from dashboard.polling.coerce import plain, text, timestamp
from dashboard.polling.conf import retention_cutoff
from dashboard.polling.health import health_row
from dashboard.polling.kinds import Synced
from dashboard.polling.models import Kind, PollHealth
from dashboard.teams.models import Credential

#: The resource types of ``vocab.AUDIT_RESOURCE_TYPES`` in the order event names are matched against
#: them: a template or cluster event may name jobs too (``createJobTemplate``), never the reverse.
_MATCH_ORDER = ("template", "cluster", "job")


def resource_type(event_name: str) -> str:
    """The resource type an event names (``createJob`` -> ``job``), for traces that do not say."""
    lowered = event_name.lower()
    for kind in _MATCH_ORDER:
        if kind in lowered:
            return kind
    return ""


def audit_key(trace: Mapping[str, Any]) -> str:
    """CS gives traces no id: the key is a hash of the whole trace as received.

    Stored keys de-duplicate traces across syncs, so this encoding never changes.
    """
    encoded = json.dumps(trace, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def trace_row(credential: Credential, key: str, trace: Mapping[str, Any], now: datetime) -> AuditTrace:
    op_result = text(trace.get("op_result"))
    return AuditTrace(
        credential_id=credential.pk,
        team_id=credential.team_id,
        key=key,
        resource_type=text(trace.get("resource_type"), 32) or resource_type(text(trace.get("event_name"))),
        resource_id=text(trace.get("resource_id"), 64),
        resource_name=text(trace.get("resource_name"), 255),
        event_name=text(trace.get("event_name"), 128),
        event_type=text(trace.get("event_type"), 64),
        event_rating=text(trace.get("event_rating"), 32),
        op_user=text(trace.get("op_user"), 128),
        op_time=timestamp(trace.get("op_time")),
        op_ip=text(trace.get("op_ip"), 64),
        op_result=op_result,
        result_code=op_result.split("::", 1)[0][:32] if "::" in op_result else "",
        raw=plain(trace),
        first_seen=now,
    )


def store_traces(credential: Credential, page: Iterable[Mapping[str, Any]], now: datetime) -> int:
    """Insert the traces of ``page`` not stored yet; returns how many were new.

    Traces older than the retention are left out: pruning would remove them again (and the two would
    take turns, writing on every cycle).
    """
    cutoff = retention_cutoff(now)
    traces: dict[str, Mapping[str, Any]] = {}
    for trace in page:
        when = timestamp(trace.get("op_time"))
        if when is None or when >= cutoff:
            traces.setdefault(audit_key(trace), trace)
    if not traces:
        return 0
    known = set(
        AuditTrace.objects.filter(credential=credential, key__in=list(traces)).values_list("key", flat=True)
    )
    fresh = [trace_row(credential, key, trace, now) for key, trace in traces.items() if key not in known]
    if fresh:
        cols = bulk.columns(AuditTrace)
        bulk.insert(cols, bulk.model_rows(cols, fresh), conflict=("credential", "key"), ignore_conflicts=True)
    return len(fresh)


def sync_audit(
    credential: Credential, *, client: csapi.CSClient | None = None, synced: Synced | None = None
) -> Synced:
    """Fetch new audit traces (newest first, 50 a page) down to those a finished sync already read.

    A sync stops at a page that brings nothing new and reaches back to ``complete_through``: the
    newest trace time when the last *finished* sync began. A sync cut off half-way (a CS fault, a
    killed worker) does not move that mark, so the next one reads on past the pages it had stored
    instead of stopping at them and losing the older traces it never reached. At most
    ``POLL_AUDIT_MAX_PAGES`` pages are read. Traces are de-duplicated by key (``ON CONFLICT DO
    NOTHING`` on the credential's keys), so a retried or overlapping sync adds no duplicates.
    """
    client = client or _client(credential)
    synced = synced or Synced()
    now = timezone.now()
    health = health_row(credential.pk, Kind.AUDIT)
    mark = health.complete_through
    newest: datetime | None = None
    pager = client.audit_logs.iter(max_pages=max(1, settings.POLL_AUDIT_MAX_PAGES))
    for page in pager.pages():
        synced.items += len(page)
        times = [t for t in (timestamp(trace.get("op_time")) for trace in page) if t is not None]
        if times and newest is None:
            newest = max(times)
        fresh = store_traces(credential, page, now)
        synced.written += fresh
        if not fresh and mark is not None and times and min(times) <= mark:
            break  # newest first: everything from here down was read by a finished sync
    if newest is not None and newest != mark:
        PollHealth.objects.filter(pk=health.pk).update(complete_through=newest)
    return synced
