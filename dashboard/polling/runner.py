"""Running a sync: one kind of one credential, under its lock, with its outcome in poll health.

:func:`sync` is what the Celery task and the management command call, with ids only. Around the kind's
own ``sync_<kind>`` (``dashboard.polling.kinds``) it takes the lock, records success or failure
(backoff, readable error, a credential CS rejected marked as needing attention), prunes the kind's
time series when due, and then decides whether the team's pages changed: only when the sync wrote
rows, or changed what pages show of poll health (:class:`health.Shown`); new figures of running jobs
alone change only the team's ``figures_version`` (``dashboard.teams.versions``). A steady cycle in
which nothing changed in CS therefore leaves the team's version, and with it every cached page, alone.
The bump is ``team_changed_on_commit``: a page rendered before the writes commit is never cached
under the new version.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone

import csapi
from dashboard.polling import clients, retention
from dashboard.polling.health import (
    Shown,
    health_row,
    mark_needs_attention,
    readable_error,
    record_failure,
    record_success,
)
from dashboard.polling.kinds import Synced
from dashboard.polling.kinds.audit import sync_audit
from dashboard.polling.kinds.clusters import sync_clusters
from dashboard.polling.kinds.jobs import sync_jobs
from dashboard.polling.kinds.metrics import sync_metrics
from dashboard.polling.kinds.queues import sync_queues
from dashboard.polling.kinds.templates import sync_templates
from dashboard.polling.kinds.usage import sync_overview, sync_quotas
from dashboard.polling.lock import poll_lock
from dashboard.polling.models import Kind, PollHealth, kinds_of
from dashboard.teams.cs import error_record
from dashboard.teams.models import Credential
from dashboard.teams.versions import figures_changed_on_commit, team_changed_on_commit

logger = logging.getLogger(__name__)

KINDS: tuple[str, ...] = tuple(Kind.values)

SYNCS: dict[str, Callable[..., Synced]] = {
    Kind.JOBS: sync_jobs,
    Kind.METRICS: sync_metrics,
    Kind.AUDIT: sync_audit,
    Kind.CLUSTERS: sync_clusters,
    Kind.QUOTAS: sync_quotas,
    Kind.TEMPLATES: sync_templates,
    Kind.OVERVIEW: sync_overview,
    Kind.QUEUES: sync_queues,
}

#: The order of :func:`sync_all`: clusters and queues before jobs (a job's cluster name may come from them).
ORDER = (
    Kind.CLUSTERS,
    Kind.QUEUES,
    Kind.JOBS,
    Kind.METRICS,
    Kind.AUDIT,
    Kind.QUOTAS,
    Kind.TEMPLATES,
    Kind.OVERVIEW,
)


@dataclass
class SyncResult:
    kind: str
    ok: bool
    items: int = 0
    skipped: str = ""
    error: str = ""
    written: int = 0  # rows written (snapshots, history, samples, prunes)
    changed: bool = False  # the team's pages changed: its version was bumped


def sync(credential_id: int, kind: str) -> SyncResult:
    """Run one sync of ``kind`` for a credential under its lock, and record how it went."""
    if kind not in SYNCS:
        raise ValueError(f"unknown poll kind {kind!r}")
    credential = Credential.objects.select_related("team").filter(pk=credential_id).first()
    if credential is None:
        return _skipped(credential_id, kind, "credential deleted")
    if kind not in kinds_of(credential.service):
        return _skipped(credential_id, kind, f"not polled on {credential.get_service_display()}")
    if credential.needs_attention:
        return _skipped(credential_id, kind, "credential needs attention")
    with poll_lock(credential_id, kind) as acquired:
        if not acquired:
            return _skipped(credential_id, kind, "already running")
        return _attempt(credential, kind)


def _skipped(credential_id: int, kind: str, reason: str) -> SyncResult:
    logger.info("poll kind=%s credential=%s outcome=skipped reason=%r", kind, credential_id, reason)
    return SyncResult(kind, ok=False, skipped=reason)


def _attempt(credential: Credential, kind: str) -> SyncResult:
    """One sync of ``kind`` for ``credential`` (its lock held), with its outcome in poll health."""
    credential_id = credential.pk
    health = health_row(credential_id, kind)
    shown = Shown.of(health, credential)
    started_at = time.time()
    started = time.monotonic()
    health.last_attempt = timezone.now()
    health.save(update_fields=["last_attempt"])
    synced = Synced()  # counted as the sync goes: a failure half-way still counts what was committed
    try:
        with clients.client(credential) as client:
            SYNCS[kind](credential, client=client, synced=synced)
    except csapi.CSAuthError as exc:
        error = readable_error(exc)
        logger.warning(
            "poll %s of credential %s: authentication failed: %s", kind, credential.public_id, error
        )
        mark_needs_attention(credential, error, error_record(exc))
        record_failure(
            health, error=error, record=error_record(exc), started=started, finished=timezone.now()
        )
        # Polling of this credential pauses on needs_attention; once a lead fixes it, it is due at once.
        PollHealth.objects.filter(credential_id=credential_id).update(next_attempt=timezone.now())
        result = SyncResult(kind, ok=False, error=error, written=synced.written)
    except Exception as exc:  # every failure is recorded; the next cycle retries after the backoff
        error = readable_error(exc)
        if isinstance(exc, csapi.CSError):
            logger.warning("poll %s of credential %s failed: %s", kind, credential.public_id, error)
        else:
            logger.exception("poll %s of credential %s failed", kind, credential.public_id)
        record_failure(
            health,
            error=error,
            record=error_record(exc),
            started=started,
            finished=timezone.now(),
            retry_after=getattr(exc, "retry_after", None),
        )
        result = SyncResult(kind, ok=False, error=error, written=synced.written)
    else:
        written = synced.written + _prune(credential, health)
        record_success(health, items=synced.items, started=started, finished=timezone.now())
        result = SyncResult(kind, ok=True, items=synced.items, written=written)
    health_changed = Shown.of(health, credential) != shown
    result.changed = bool(result.written) or health_changed
    if result.written > synced.figures or health_changed:
        team_changed_on_commit(credential.team_id)
    if synced.figures:
        figures_changed_on_commit(credential.team_id)
    _evaluate_alerts(credential_id, kind, ok=result.ok, started_at=health.last_attempt)
    logger.info(
        "poll kind=%s credential=%s outcome=%s items=%d written=%d changed=%s started=%.6f finished=%.6f",
        kind,
        credential_id,
        "ok" if result.ok else "failed",
        result.items,
        result.written,
        result.changed,
        started_at,
        time.time(),
    )
    return result


def _evaluate_alerts(credential_id: int, kind: str, *, ok: bool, started_at) -> None:
    """Alert rules read what this sync wrote (``dashboard.alerts``); they never raise into polling."""
    from dashboard.alerts.services import evaluate_after_sync

    evaluate_after_sync(credential_id=credential_id, kind=kind, ok=ok, started_at=started_at)


def _prune(credential: Credential, health: PollHealth) -> int:
    """The kind's retention, when due; a failure to prune is logged and retried, never a failed sync."""
    try:
        return retention.prune_if_due(credential, health)
    except Exception:
        logger.exception("pruning %s of credential %s failed", health.kind, credential.public_id)
        return 0


def sync_all(credential_id: int, kinds: Iterable[str] | None = None) -> dict[str, SyncResult]:
    """Run every kind of the credential's service (or those of ``kinds`` among them) now, in :data:`ORDER`."""
    service = Credential.objects.filter(pk=credential_id).values_list("service", flat=True).first()
    if service is None:
        return {}
    own = set(kinds_of(service))
    wanted = own if kinds is None else own & set(kinds)
    return {kind: sync(credential_id, kind) for kind in ORDER if kind in wanted}
