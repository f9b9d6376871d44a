"""Celery tasks of the alerts: thin interfaces that take ids and call the services.

``deliver_notification`` sends one notification row (acks_late: a killed worker's message is
redelivered, and the row's claim makes a second run harmless); ``sweep`` runs from beat to recover
lost deliveries and to evaluate what no poll evaluates (reminders, silences that ended, credentials
the poller paused).
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from dashboard.alerts import delivery, services


@shared_task(
    name="dashboard.alerts.tasks.deliver_notification",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    # Ended before its claim runs out, so the sweep never resends a message that is still being sent.
    soft_time_limit=max(1, settings.ALERT_DELIVERY_LEASE - 5),
    time_limit=settings.ALERT_DELIVERY_LEASE,
)
def deliver_notification(notification_id: int) -> str:
    return delivery.deliver(int(notification_id))


@shared_task(name="dashboard.alerts.tasks.sweep", ignore_result=True)
def sweep() -> int:
    services.alerts_tick()
    return delivery.sweep()
