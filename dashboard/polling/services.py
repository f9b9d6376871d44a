"""The poller's entry points, for the rest of the product: the names other apps, tests and benchmarks
import from ``dashboard.polling.services``.

The poller copies CS state into the dashboard's snapshot tables, idempotently; its parts live in
their own modules, re-exported here:

- :mod:`~dashboard.polling.runner`: :func:`sync` of one kind of one credential (lock, health,
  retention, the team's version), :func:`sync_all`, ``SYNCS``, ``KINDS``, :class:`SyncResult`;
- :mod:`~dashboard.polling.kinds`: one module per kind of data (``sync_jobs``, ``sync_metrics``, ...);
- :mod:`~dashboard.polling.coerce`: CS values as columns, and fingerprints;
- :mod:`~dashboard.polling.snapshots`: the upsert of small complete sets;
- :mod:`~dashboard.polling.lock`, :mod:`~dashboard.polling.health`, :mod:`~dashboard.polling.retention`;
- :mod:`~dashboard.polling.schedule` (what is due) and :mod:`~dashboard.polling.tasks` (Celery,
  :func:`refresh_soon`).
"""

from __future__ import annotations

from dashboard.polling.clients import client as _client
from dashboard.polling.coerce import fingerprint
from dashboard.polling.coerce import timestamp as _ts
from dashboard.polling.health import backoff_seconds, mark_needs_attention, readable_error
from dashboard.polling.kinds import Synced
from dashboard.polling.kinds.audit import audit_key, sync_audit
from dashboard.polling.kinds.clusters import sync_clusters
from dashboard.polling.kinds.jobs import job_pages, job_values, sync_jobs
from dashboard.polling.kinds.metrics import sync_metrics
from dashboard.polling.kinds.templates import sync_templates
from dashboard.polling.kinds.usage import sync_overview, sync_quotas
from dashboard.polling.lock import poll_lock
from dashboard.polling.retention import prune
from dashboard.polling.runner import KINDS, SYNCS, SyncResult, sync, sync_all
from dashboard.polling.schedule import ensure_health_rows, pollable_credentials
from dashboard.polling.tasks import refresh_soon

__all__ = [
    "KINDS",
    "SYNCS",
    "SyncResult",
    "Synced",
    "_client",
    "_ts",
    "audit_key",
    "backoff_seconds",
    "ensure_health_rows",
    "fingerprint",
    "job_pages",
    "job_values",
    "mark_needs_attention",
    "poll_lock",
    "pollable_credentials",
    "prune",
    "readable_error",
    "refresh_soon",
    "sync",
    "sync_all",
    "sync_audit",
    "sync_clusters",
    "sync_jobs",
    "sync_metrics",
    "sync_overview",
    "sync_quotas",
    "sync_templates",
]
