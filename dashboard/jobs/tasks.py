"""Background work of the jobs pages: fetch what CS tells about one job only on request."""

from __future__ import annotations

from celery import shared_task

from dashboard.jobs import services


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90, serializer="json")
def fetch_job_details(job_pk: int) -> None:
    services.job_details_fetch(job_pk=job_pk)
