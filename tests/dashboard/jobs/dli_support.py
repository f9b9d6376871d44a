"""Helpers for the DLI jobs tests: queues as the queue poll keeps them, and a job's snapshot brought up
to date from DLI the way the poller does it (through the poller's own sync once DLI's job sync exists)."""

from __future__ import annotations

from django.utils import timezone

from csapi import vocab


def short(emulator) -> str:
    """The demo seed's prefix of the first tenant's DLI names (queues ``<short>_flink_prod``, ...)."""
    return emulator.account.domain.split("-")[0]


def load_queues(credential):
    """The credential's queues as Queue rows, listed from DLI (what the queue poll writes)."""
    from dashboard.clusters.models import Queue
    from dashboard.teams.cs import client_for

    with client_for(credential) as client:
        listed = client.queues.list(queue_type="all")
    rows = []
    for q in listed:
        rows.append(
            Queue.objects.create(
                credential=credential,
                team=credential.team,
                queue_name=q["queue_name"],
                queue_type=q.get("queue_type") or "",
                cu_count=q.get("cu_count"),
                used_cu=q.get("used_cu"),
                engine=q.get("engine") or "",
                raw=dict(q),
                fingerprint="",
            )
        )
    return rows


def refresh_job(job):
    """Bring the job's snapshot up to date with DLI (status, savepoint, restarts)."""
    from dashboard.polling.models import kinds_of

    if "jobs" in kinds_of("dli"):
        from dashboard.polling.services import sync

        assert sync(job.credential_id, "jobs").ok
        job.refresh_from_db()
        return job
    from dashboard.jobs import services
    from dashboard.jobs.models import Job
    from dashboard.teams.cs import client_for

    with client_for(job.credential) as client:
        found = client.jobs.get(job.job_id)
    status = str(found.get("status") or job.status)
    if vocab.job_status(status).name != job.status:
        services._set_status(job, status, str(found.get("status_desc") or ""))
    Job.objects.filter(pk=job.pk).update(
        has_savepoint=bool(found.get("has_savepoint")),
        savepoint_path=found.get("savepoint_path") or job.savepoint_path,
        restart_times=found.get("restart_times"),
        last_seen=timezone.now(),
    )
    job.refresh_from_db()
    return job
