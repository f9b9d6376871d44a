"""What is due: the scheduler behind the beat entry ``poll_due``.

Beat runs a single task every ``POLL_DUE_EVERY`` seconds rather than one entry per credential and
kind. Why: credentials come and go at run time (beat's schedule is static), and each sync's next
run depends on its outcome (interval after a success, exponential backoff after a failure, nothing
while a credential needs attention). Keeping ``next_attempt`` in ``PollHealth`` makes intervals
and backoff data that the sync itself writes, survives restarts, and is visible on pages and in
the admin. ``poll_due`` claims the due rows and enqueues one ``sync_task`` per (credential, kind).

A claim is a lease, which is also how work a killed worker took with it gets done: its syncs never
set their next attempt, so once the lease ends they are due and enqueued again, for any worker.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from dashboard.polling.models import PollHealth, kinds_of
from dashboard.teams.models import Credential

logger = logging.getLogger(__name__)


def pollable_credentials():
    """Credentials the poller works for: with a secret, and not waiting for a lead to fix them."""
    return Credential.objects.filter(needs_attention=False).exclude(secret_encrypted="")


def ensure_health_rows(now: datetime | None = None) -> None:
    """One PollHealth row per pollable credential and kind of its service (new ones are due at once)."""
    services = dict(pollable_credentials().values_list("pk", "service"))
    ids = list(services)
    if not ids:
        return
    have = set(PollHealth.objects.filter(credential_id__in=ids).values_list("credential_id", "kind"))
    now = now or timezone.now()
    missing = [
        PollHealth(credential_id=cid, kind=kind, next_attempt=now)
        for cid in ids
        for kind in kinds_of(services[cid])
        if (cid, kind) not in have
    ]
    if missing:
        PollHealth.objects.bulk_create(missing, ignore_conflicts=True)


def lease_seconds(kind: str) -> float:
    """How long a claimed sync may take to start before it is enqueued again (lost-task recovery)."""
    return max(2 * float(settings.POLL_INTERVALS.get(kind, 60)), 60.0)


def claim_due(now: datetime | None = None) -> list[tuple[int, str, float]]:
    """Claim the syncs whose ``next_attempt`` has come: a list of (credential id, kind, lease seconds).

    Each claim is a conditional UPDATE that moves ``next_attempt`` forward by the lease, so a second
    scheduler (or the next tick) does not enqueue the same sync again while it waits in the queue.
    The sync sets the real next attempt when it finishes.
    """
    now = now or timezone.now()
    ensure_health_rows(now)
    due = (
        PollHealth.objects.filter(next_attempt__lte=now, credential__needs_attention=False)
        .exclude(credential__secret_encrypted="")
        .order_by("next_attempt")
        .values_list("pk", "credential_id", "kind")
    )
    claimed = []
    for pk, credential_id, kind in due:
        lease = lease_seconds(kind)
        won = PollHealth.objects.filter(pk=pk, next_attempt__lte=now).update(
            next_attempt=now + timedelta(seconds=lease)
        )
        if won:
            claimed.append((credential_id, kind, lease))
    return claimed


def enqueue_due(now: datetime | None = None) -> int:
    """Enqueue one sync task per due (credential, kind); returns how many were enqueued."""
    from dashboard.polling.tasks import sync_task

    count = 0
    for credential_id, kind, lease in claim_due(now):
        # A task still queued when its lease ends is dropped: by then a newer one is queued.
        sync_task.apply_async((credential_id, kind), expires=lease)
        count += 1
    return count
