"""Delivering notifications: claim, send once, log the attempt, retry with backoff, recover the lost.

A notification row is claimed by a conditional UPDATE (pending or retrying and due -> sending, with a
lease), so a duplicate task (a broker redelivery, the sweep) finds nothing to do. Every try is a
``DeliveryAttempt`` row. A worker killed mid-send leaves its claim to run out; the sweep then marks
that attempt interrupted and sends again under the same idempotency key, which the webhook carries
as ``X-CSDash-Delivery`` and email as its Message-ID, so receivers see one message. Failures retry
with jittered exponential backoff up to ``ALERT_MAX_ATTEMPTS``; one channel's failures never hold
another's messages (each is its own task) nor the poller (delivery never runs in a sync).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.alerts import channels
from dashboard.alerts.messages import message_for
from dashboard.alerts.models import Channel, DeliveryAttempt, Notification, NotificationState
from dashboard.teams.versions import team_changed

logger = logging.getLogger(__name__)

DUE_STATES = (NotificationState.PENDING, NotificationState.RETRYING)


def retry_delay(attempt: int, *, rand: Callable[[], float] = random.random) -> float:
    """Seconds before try ``attempt + 1``: base x 2**(attempt-1), capped, with +-20 % jitter."""
    base = float(settings.ALERT_RETRY_BASE) * 2 ** max(0, min(attempt - 1, 16))
    return min(float(settings.ALERT_RETRY_MAX), base) * (0.8 + 0.4 * rand())


def deliver(notification_id: int) -> str:
    """Send one notification if it is due and nobody else holds it. Returns what happened."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, state__in=DUE_STATES, next_attempt_at__lte=now
    ).update(
        state=NotificationState.SENDING,
        claimed_until=now + timedelta(seconds=settings.ALERT_DELIVERY_LEASE),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return "not due"
    notification = Notification.objects.select_related("channel").get(pk=notification_id)
    attempt = DeliveryAttempt.objects.create(
        notification=notification, number=notification.attempts, started_at=now
    )
    error = ""
    try:
        if not notification.channel.enabled:
            raise channels.DeliveryError(_("The channel is switched off."))
        channels.send(notification.channel, message_for(notification.key, notification.payload))
    except channels.DeliveryError as exc:
        error = str(exc)[:1000]
    except Exception:  # a defect: logged for people, a plain sentence for the page
        logger.exception("alert notification %s could not be sent", notification.pk)
        error = _("The dashboard could not send this message (internal error).")
    finished = timezone.now()
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(finished_at=finished, ok=not error, error=error)
    channel_fields: dict
    if not error:
        Notification.objects.filter(pk=notification.pk).update(
            state=NotificationState.SENT, sent_at=finished, claimed_until=None, last_error=""
        )
        channel_fields = {"last_success_at": finished}
        outcome = "sent"
    else:
        if notification.attempts >= settings.ALERT_MAX_ATTEMPTS:
            state, delay, outcome = NotificationState.FAILED, 0.0, "failed"
        else:
            state, delay, outcome = NotificationState.RETRYING, retry_delay(notification.attempts), "retrying"
        Notification.objects.filter(pk=notification.pk).update(
            state=state,
            claimed_until=None,
            last_error=error,
            next_attempt_at=finished + timedelta(seconds=delay),
        )
        channel_fields = {"last_failure_at": finished, "last_error": error}
        if state == NotificationState.RETRYING:
            _enqueue(notification.pk, countdown=delay)
    Channel.objects.filter(pk=notification.channel_id).update(**channel_fields)
    team_changed(notification.team_id)
    return outcome


def _enqueue(notification_id: int, *, countdown: float = 0.0) -> None:
    from dashboard.alerts.tasks import deliver_notification

    try:
        deliver_notification.apply_async((notification_id,), countdown=countdown)
    except Exception:  # noqa: BLE001 - the broker is down: the sweep enqueues due rows
        logger.warning("could not enqueue alert notification %s; the sweep will", notification_id)


def sweep() -> int:
    """Recover what a lost task or a killed worker left: claims that ran out become due again (their
    attempt marked interrupted), and due rows that waited past a grace time are enqueued again."""
    now = timezone.now()
    expired = list(
        Notification.objects.filter(state=NotificationState.SENDING, claimed_until__lt=now).values_list(
            "pk", flat=True
        )
    )
    if expired:
        DeliveryAttempt.objects.filter(notification_id__in=expired, finished_at__isnull=True).update(
            finished_at=now, ok=False, error=_("Interrupted: the worker stopped while sending; sent again.")
        )
        Notification.objects.filter(
            pk__in=expired, state=NotificationState.SENDING, claimed_until__lt=now
        ).update(state=NotificationState.RETRYING, next_attempt_at=now, claimed_until=None)
    grace = now - timedelta(seconds=settings.ALERT_SWEEP_GRACE)
    due = list(
        Notification.objects.filter(state__in=DUE_STATES, next_attempt_at__lte=grace).values_list(
            "pk", flat=True
        )[:1000]
    )
    for pk in set(due) | set(expired):
        _enqueue(pk)
    return len(set(due) | set(expired))
