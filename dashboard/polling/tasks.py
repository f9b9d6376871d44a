"""Celery tasks of the poller: thin interfaces that take ids and call the sync services.

``poll_due`` runs from beat (see ``CELERY_BEAT_SCHEDULE`` and :mod:`dashboard.polling.schedule`);
``sync_task`` runs one sync of one kind for one credential. Syncs are idempotent, so ``acks_late``
with redelivery on worker loss loses nothing and duplicates nothing.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from dashboard.polling import schedule, services


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
    result = services.sync(int(credential_id), str(kind))
    return {"kind": result.kind, "ok": result.ok, "items": result.items, "skipped": result.skipped}
