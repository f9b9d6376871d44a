"""Celery tasks of the poller: thin interfaces that take ids and call the runner, and :func:`refresh_soon`,
which enqueues them after a user's action.

``poll_due`` runs from beat (see ``CELERY_BEAT_SCHEDULE`` and :mod:`dashboard.polling.schedule`);
``sync_task`` runs one sync of one kind for one credential. Syncs are idempotent and hold a lock per
credential and kind, so ``acks_late`` with redelivery on worker loss loses nothing and duplicates
nothing, however many workers share the queue.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from celery import shared_task
from django.conf import settings
from django.db import transaction

from dashboard.polling import runner, schedule
from dashboard.polling.models import Kind
from dashboard.teams.models import Credential

logger = logging.getLogger(__name__)


@shared_task(name="dashboard.polling.tasks.poll_due", ignore_result=True)
def poll_due() -> int:
    """Enqueue the syncs that are due (intervals and backoff live in PollHealth.next_attempt)."""
    return schedule.enqueue_due()


@shared_task(
    name="dashboard.polling.tasks.sync_task",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=settings.POLL_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.POLL_TASK_TIME_LIMIT,
)
def sync_task(credential_id: int, kind: str) -> dict:
    """Sync ``kind`` of one credential (ids only: the secret is read from the database by the worker)."""
    result = runner.sync(int(credential_id), str(kind))
    return {
        "kind": result.kind,
        "ok": result.ok,
        "items": result.items,
        "written": result.written,
        "skipped": result.skipped,
    }


def refresh_soon(credential: Credential, kinds: Iterable[str] | str = (Kind.JOBS,)) -> None:
    """After a user action: sync ``kinds`` of ``credential`` as soon as the current transaction commits."""
    wanted = [kinds] if isinstance(kinds, str) else list(kinds)
    unknown = [k for k in wanted if k not in runner.SYNCS]
    if unknown:
        raise ValueError(f"unknown poll kinds: {', '.join(unknown)}")
    credential_id = credential.pk

    def enqueue() -> None:
        for kind in wanted:
            try:
                sync_task.delay(credential_id, kind)
            except Exception:  # the broker is down: the scheduled poll catches up
                logger.warning("could not enqueue a refresh of %s for credential %s", kind, credential_id)

    transaction.on_commit(enqueue)
