"""Background work of the team pages: on-demand cloud calls, run outside the web request."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from dashboard.teams import services


@shared_task(
    name="dashboard.teams.tasks.run_cloud_call",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=int(settings.CS_INTERACTIVE_DEADLINE) + 15,
    time_limit=int(settings.CS_INTERACTIVE_DEADLINE) + 30,
)
def run_cloud_call(call_id: int) -> None:
    """Run one queued cloud call (an id only: the worker reads everything else from the database)."""
    services.cloud_call_run(call_id=int(call_id))
