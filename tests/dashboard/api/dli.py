"""DLI objects for the API and security tests: jobs created through the jobs service against the
emulator's DLI (which snapshots the row), and queue and quota rows written through the ORM for a DLI
credential as DLI lists them (over whatever a DLI poll already wrote)."""

from __future__ import annotations

from django.utils import timezone

from csapi import vocab
from dashboard.clusters.models import Queue
from dashboard.jobs import services
from dashboard.jobs.models import Job
from dashboard.teams.access import get_team_for_user
from dashboard.teams.cs import client_for
from dashboard.teams.models import AuthType, Credential, Role, Service
from dashboard.usage.models import ProjectQuota


def dli_credential_for(
    team, tenant, url: str, *, name: str = "emulator-dli-2", aksk: bool = True
) -> Credential:
    """A DLI credential of ``team`` on one of the emulator's tenants (AK/SK by default)."""
    credential = Credential(
        team=team,
        name=name,
        service=Service.DLI,
        region="cn-north-1",
        project_id=tenant.project_id,
        dli_endpoint=url,
        iam_endpoint=url,
        auth_type=AuthType.AKSK if aksk else AuthType.PASSWORD,
        access_key=tenant.ak if aksk else "",
        domain_name="" if aksk else tenant.domain,
        username="" if aksk else tenant.user,
    )
    credential.set_secret(tenant.sk if aksk else tenant.password)
    credential.save()
    return credential


def flink_queue(credential: Credential) -> str:
    """The name of a general-purpose queue the emulator's DLI has for ``credential``."""
    with client_for(credential) as dli:
        queues = dli.queues.list()
    return next(q["queue_name"] for q in queues if q.get("queue_type") == vocab.DLI_FLINK_QUEUE_TYPE)


def queue_rows(credential: Credential) -> list[Queue]:
    """The credential's DLI queues (as listed by the emulator) written as snapshot rows."""
    rows = []
    with client_for(credential) as dli:
        listed = dli.queues.list(queue_type="all")
    for q in listed:
        row, _created = Queue.objects.update_or_create(
            credential=credential,
            queue_name=q["queue_name"],
            defaults={
                "team": credential.team,
                "description": q.get("description") or "",
                "owner": q.get("owner") or "",
                "queue_type": q.get("queue_type") or "",
                "resource_mode": q.get("resource_mode"),
                "cu_count": q.get("cu_count"),
                "used_cu": q.get("used_cu"),
                "engine": q.get("engine") or "",
                "elastic_resource_pool": q.get("elastic_resource_pool_name") or "",
                "charging_mode": q.get("charging_mode"),
                "cu_price": "0.3500",
                "raw": dict(q),
                "fingerprint": "test",
                "deleted_at": None,
            },
        )
        rows.append(row)
    return rows


def quota_rows(credential: Credential) -> list[ProjectQuota]:
    """The credential's DLI project quotas (as the emulator answers them) written as snapshot rows."""
    with client_for(credential) as dli:
        quotas = dli.quotas.get()
    return [
        ProjectQuota.objects.update_or_create(
            credential=credential,
            type=q["type"],
            defaults={
                "team": credential.team,
                "quota": q.get("quota"),
                "used": q.get("used"),
                "min": q.get("min"),
                "max": q.get("max"),
                "raw": dict(q),
                "fingerprint": "test",
                "deleted_at": None,
            },
        )[0]
        for q in quotas["resources"]
    ]


def create_sql_job(user, credential: Credential, *, name: str, **fields) -> Job:
    """A DLI SQL job created through the jobs service (DLI is called; the service snapshots the row)."""
    access = get_team_for_user(user, credential.team.slug, Role.OPERATOR)
    data = {
        "name": name,
        "sql_body": "INSERT INTO sink SELECT * FROM source;",
        "queue_name": flink_queue(credential),
        "cu_number": 2,
        "parallel_number": 1,
        "obs_bucket": "dli-test-bucket",
        **fields,
    }
    return services.job_create_sql(access=access, user=user, credential=credential, data=data)


def observe(job: Job) -> Job:
    """Write DLI's present status of ``job`` into its row, as the next poll would."""
    with client_for(job.credential) as dli:
        listed = dli.jobs.get(job.job_id)
    Job.objects.filter(pk=job.pk).update(
        status=listed["status"],
        has_savepoint=bool(listed.get("has_savepoint")),
        savepoint_path=listed.get("savepoint_path") or job.savepoint_path,
        restart_times=listed.get("restart_times"),
        job_config=dict(listed.get("job_config") or {}),
        last_seen=timezone.now(),
    )
    job.refresh_from_db()
    return job


def running_job(user, credential: Credential, emulator, *, name: str) -> Job:
    """A DLI job created, run and seen running."""
    job = create_sql_job(user, credential, name=name)
    access = get_team_for_user(user, credential.team.slug, Role.OPERATOR)
    services.job_run(access=access, user=user, job=job)
    emulator.advance(120)
    job = observe(job)
    assert job.status == vocab.JOB_RUNNING, job.status
    return job
