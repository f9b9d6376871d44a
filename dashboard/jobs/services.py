"""Writes for jobs and templates: one function per action.

Each function checks the role (operator), calls CS through ``client_for(credential)``, records the
outcome in the dashboard's action log (success, or failure with the readable CS error), updates the
snapshot optimistically and asks the poller for a refresh once the transaction commits. A CS failure
is re-raised (as the ``csapi.CSError`` it is) after it has been recorded, for the caller to show.

Nothing here reads a request: callers pass the resolved ``TeamAccess``, the acting user, the
credential or snapshot rows, and plain data (CS field names).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from csapi import CSError, vocab
from csapi.errors import OBS_ALREADY_AUTHORIZED
from dashboard.jobs.models import Job, JobDetails, JobStatusChange, SqlVersion, Template
from dashboard.jobs.selectors import job_key
from dashboard.polling.services import refresh_soon
from dashboard.teams.access import TeamAccess, require_role
from dashboard.teams.cs import client_for, error_text
from dashboard.teams.models import Credential, Role
from dashboard.teams.services import cs_action
from dashboard.teams.versions import changes_team, team_changed

logger = logging.getLogger(__name__)

#: Fields of an SQL job sent to CS (reference 5.1.5 / 5.1.6).
SQL_JOB_FIELDS = (
    "name",
    "desc",
    "template_id",
    "cluster_id",
    "sql_body",
    "run_mode",
    "spu_number",
    "parallel_number",
    "checkpoint_enabled",
    "checkpoint_mode",
    "checkpoint_interval",
    "obs_bucket",
    "log_enabled",
    "smn_topic",
    "restart_when_exception",
    "idle_state_retention",
    "job_type",
    "edge_group_ids",
    "tags",
    "sys_enterprise_project_id",
    "udf_jar_url",
    "dirty_data_strategy",
)
#: Fields of a JAR job sent to CS (reference 5.1.7 / 5.1.8), files aside.
JAR_JOB_FIELDS = (
    "name",
    "desc",
    "job_type",
    "cluster_id",
    "spu_number",
    "manager_spu",
    "parallel_number",
    "executor_number",
    "executor_spu",
    "log_enabled",
    "obs_bucket",
    "smn_topic",
    "jar_url",
    "config_url",
    "main_class",
    "args",
    "restart_when_exception",
    "tags",
    "sys_enterprise_project_id",
)


def _call(**kwargs) -> Any:
    """A job action's CS call (operator or above), recorded in the action log either way."""
    kwargs.setdefault("target_type", "job")
    return cs_action(min_role=Role.OPERATOR, **kwargs)


def _refresh(credential: Credential, kinds: Iterable[str] = ("jobs",)) -> None:
    try:
        refresh_soon(credential, list(kinds))
    except Exception:  # the scheduled poll catches up
        logger.warning("could not schedule a refresh for credential %s", credential.public_id)


def _key(credential: Credential, job_id: int) -> str:
    return f"{credential.public_id}:{job_id}"


def _clean(data: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    return {k: data[k] for k in fields if data.get(k) is not None and data.get(k) != ""}


def _set_status(job: Job, status: str, desc: str = "") -> None:
    """Optimistic status change of the snapshot, with its history entry."""
    now = timezone.now()
    if job.status != status:
        JobStatusChange.objects.create(
            job=job, previous_status=job.status, status=status, status_desc=desc, observed_at=now
        )
    Job.objects.filter(pk=job.pk).update(status=status, status_desc=desc, last_seen=now)
    job.status, job.status_desc, job.last_seen = status, desc, now


def _snapshot_new(credential: Credential, payload: Mapping[str, Any], answer: Mapping[str, Any]) -> Job:
    """Write the snapshot of a job CS just created, before the poller lists it."""
    now = timezone.now()
    job_id = int(answer["job_id"])
    status = str(answer.get("status_name") or vocab.JOB_INIT)

    if not vocab.job_status(status).known:
        status = vocab.job_status(status).name
    alias = vocab.JOB_STATUS_ALIASES.get(status.lower())
    status = alias or status
    values = {
        "name": str(payload.get("name", ""))[:255],
        "desc": str(payload.get("desc") or ""),
        "job_type": str(payload.get("job_type") or ""),
        "status": status,
        "status_desc": str(answer.get("status_desc") or ""),
        "run_mode": str(
            payload.get("run_mode") or (vocab.EXCLUSIVE_CLUSTER if payload.get("cluster_id") else "")
        ),
        "cluster_id": payload.get("cluster_id"),
        "spu_number": payload.get("spu_number"),
        "parallel_number": payload.get("parallel_number"),
        "sql_body": str(payload.get("sql_body") or ""),
        "checkpoint_enabled": payload.get("checkpoint_enabled"),
        "log_enabled": payload.get("log_enabled"),
        "jar_url": str(payload.get("jar_url") or ""),
        "main_class": str(payload.get("main_class") or ""),
        "args": str(payload.get("args") or ""),
        "create_time": now,
        "last_seen": now,
        "deleted_at": None,
        "fingerprint": "",  # the next poll rewrites the row with what CS lists
        "raw": {},
    }
    job, created = Job.objects.update_or_create(
        credential=credential, job_id=job_id, defaults={**values, "team_id": credential.team_id}
    )
    if created:
        JobStatusChange.objects.create(job=job, previous_status="", status=status, observed_at=now)
    return job


def sql_version_record(*, job: Job, user, sql_body: str, note: str = "") -> SqlVersion | None:
    """Keep ``sql_body`` as a version of the job's SQL unless it equals the latest version."""
    latest = (
        SqlVersion.objects.filter(team_id=job.team_id, credential_id=job.credential_id, job_id=job.job_id)
        .order_by("-created_at", "-id")
        .values_list("sql_body", flat=True)
        .first()
    )
    if latest == sql_body:
        return None
    return SqlVersion.objects.create(
        team_id=job.team_id,
        credential_id=job.credential_id,
        job_id=job.job_id,
        job_name=job.name,
        sql_body=sql_body,
        author=user if getattr(user, "is_authenticated", False) else None,
        note=note[:255],
    )


# ------------------------------------------------------------------------------------------ SQL jobs


@changes_team
def job_create_sql(
    *, access: TeamAccess, user, credential: Credential, data: Mapping[str, Any], run: bool = False
) -> Job:
    """Create a SQL job (5.1.5); with ``run`` also start it (5.1.9). Returns the snapshot row."""
    body = _clean(data, SQL_JOB_FIELDS)
    name = str(body.get("name", ""))
    answer = _call(
        access=access,
        user=user,
        credential=credential,
        action="job.create_sql",
        call=lambda c: c.jobs.create_sql(**body),
        target_name=name,
        id_from=lambda answer: _key(credential, answer.get("job_id")),
    )
    with transaction.atomic():
        job = _snapshot_new(credential, body, answer)
        if body.get("sql_body"):
            sql_version_record(job=job, user=user, sql_body=str(body["sql_body"]), note="created")
        _refresh(credential)
    if run:
        job_run(access=access, user=user, job=job)
    return job


@changes_team
def job_update_sql(*, access: TeamAccess, user, job: Job, data: Mapping[str, Any], run: bool = False) -> Job:
    """Update a SQL job (5.1.6) and keep its SQL as a version; with ``run`` also start it."""
    body = _clean(data, SQL_JOB_FIELDS)
    body.pop("template_id", None)
    body.pop("job_type", None)  # 5.1.6 has no job_type: the run mode decides it
    credential = job.credential
    _call(
        access=access,
        user=user,
        credential=credential,
        action="job.update_sql",
        call=lambda c: c.jobs.update_sql(job.job_id, **body),
        target_id=job_key(job),
        target_name=job.name,
    )
    with transaction.atomic():
        fields = {
            k: body[k]
            for k in (
                "name",
                "desc",
                "run_mode",
                "cluster_id",
                "spu_number",
                "parallel_number",
                "sql_body",
                "checkpoint_enabled",
                "log_enabled",
            )
            if k in body
        }
        fields["last_seen"] = timezone.now()
        fields["fingerprint"] = ""
        Job.objects.filter(pk=job.pk).update(**fields)
        for k, v in fields.items():
            setattr(job, k, v)
        if "sql_body" in body:
            sql_version_record(job=job, user=user, sql_body=str(body["sql_body"]), note="updated")
        _refresh(credential)
    if run:
        job_run(access=access, user=user, job=job)
    return job


# ------------------------------------------------------------------------------------------ JAR jobs


FileArg = tuple[str, IO[bytes]] | None


def _jar_kwargs(body: dict[str, Any], jar: FileArg, config: FileArg) -> dict[str, Any]:
    kwargs = dict(body)
    if jar is not None:
        kwargs["jar_filename"], kwargs["jar"] = jar
    if config is not None:
        kwargs["config_filename"], kwargs["config"] = config
    return kwargs


@changes_team
def job_create_jar(
    *,
    access: TeamAccess,
    user,
    credential: Credential,
    data: Mapping[str, Any],
    jar: FileArg = None,
    config: FileArg = None,
    run: bool = False,
) -> Job:
    """Create a user-defined (JAR) job (5.1.7); ``jar``/``config`` are ``(filename, binary file)``, streamed."""
    body = _clean(data, JAR_JOB_FIELDS)
    body.setdefault("desc", "")
    name = str(body.get("name", ""))
    kwargs = _jar_kwargs(body, jar, config)
    answer = _call(
        access=access,
        user=user,
        credential=credential,
        action="job.create_jar",
        call=lambda c: c.jobs.create_jar(**kwargs),
        target_name=name,
        message=f"file {jar[0]}" if jar else str(body.get("jar_url", "")),
        id_from=lambda answer: _key(credential, answer.get("job_id")),
    )
    with transaction.atomic():
        job = _snapshot_new(credential, {**body, "run_mode": vocab.EXCLUSIVE_CLUSTER}, answer)
        _refresh(credential)
    if run:
        job_run(access=access, user=user, job=job)
    return job


@changes_team
def job_update_jar(
    *,
    access: TeamAccess,
    user,
    job: Job,
    data: Mapping[str, Any],
    jar: FileArg = None,
    config: FileArg = None,
) -> Job:
    """Update a user-defined job (5.1.8)."""
    body = _clean(data, JAR_JOB_FIELDS)
    body.pop("job_type", None)
    kwargs = _jar_kwargs(body, jar, config)
    _call(
        access=access,
        user=user,
        credential=job.credential,
        action="job.update_jar",
        call=lambda c: c.jobs.update_jar(job.job_id, **kwargs),
        target_id=job_key(job),
        target_name=job.name,
        message=f"file {jar[0]}" if jar else "",
    )
    fields = {
        k: body[k]
        for k in (
            "name",
            "desc",
            "cluster_id",
            "spu_number",
            "parallel_number",
            "jar_url",
            "main_class",
            "args",
            "log_enabled",
        )
        if k in body
    }
    fields.update(last_seen=timezone.now(), fingerprint="")
    Job.objects.filter(pk=job.pk).update(**fields)
    for k, v in fields.items():
        setattr(job, k, v)
    _refresh(job.credential)
    return job


# ------------------------------------------------------------------------------------------ run / stop / delete


@changes_team
def job_run(*, access: TeamAccess, user, job: Job, resume_savepoint: bool = False) -> Job:
    """Run a job (5.1.9), optionally resuming from its savepoint; the snapshot shows it submitting."""
    _call(
        access=access,
        user=user,
        credential=job.credential,
        action="job.run",
        call=lambda c: c.jobs.run(job.job_id, resume_savepoint=resume_savepoint or None),
        target_id=job_key(job),
        target_name=job.name,
        message="resume from savepoint" if resume_savepoint else "",
    )
    with transaction.atomic():
        _set_status(job, vocab.JOB_SUBMITTING)
        _refresh(job.credential, ("jobs", "audit"))
    return job


@changes_team
def job_stop(*, access: TeamAccess, user, job: Job, trigger_savepoint: bool = False) -> Job:
    """Stop a job (5.1.17), optionally creating a savepoint first."""
    _call(
        access=access,
        user=user,
        credential=job.credential,
        action="job.stop",
        call=lambda c: c.jobs.stop(job.job_id, trigger_savepoint=trigger_savepoint or None),
        target_id=job_key(job),
        target_name=job.name,
        message="with savepoint" if trigger_savepoint else "",
    )
    with transaction.atomic():
        _set_status(job, vocab.JOB_SAVEPOINTING if trigger_savepoint else vocab.JOB_CANCELING)
        _refresh(job.credential, ("jobs", "audit"))
    return job


@changes_team
def job_delete(*, access: TeamAccess, user, job: Job) -> None:
    """Delete a job (5.1.19); the snapshot is marked deleted at once."""
    _call(
        access=access,
        user=user,
        credential=job.credential,
        action="job.delete",
        call=lambda c: c.jobs.delete(job.job_id),
        target_id=job_key(job),
        target_name=job.name,
    )
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(deleted_at=timezone.now())
        _refresh(job.credential, ("jobs", "audit"))


def _by_credential(jobs: Iterable[Job]) -> dict[int, list[Job]]:
    groups: dict[int, list[Job]] = defaultdict(list)
    for job in jobs:
        groups[job.credential_id].append(job)
    return groups


def _batch(
    *,
    access: TeamAccess,
    user,
    jobs: Iterable[Job],
    action: str,
    call: Callable[[Any, list[int]], Any],
    after: Callable[[list[Job]], None],
) -> list[tuple[list[Job], str]]:
    """One batch call per credential. Returns the failures as (jobs, readable error)."""
    require_role(access, Role.OPERATOR)
    failures: list[tuple[list[Job], str]] = []
    for group in _by_credential(jobs).values():
        credential = group[0].credential
        ids = [j.job_id for j in group]
        names = ", ".join(j.name for j in group)
        try:
            _call(
                access=access,
                user=user,
                credential=credential,
                action=action,
                call=lambda c, ids=ids: call(c, ids),
                target_id=",".join(job_key(j) for j in group)[:128],
                target_name=names[:255],
                message=f"{len(group)} job(s): {names}",
            )
        except CSError as exc:
            failures.append((group, error_text(exc)))
            continue
        with transaction.atomic():
            after(group)
            _refresh(credential, ("jobs", "audit"))
    return failures


@changes_team
def jobs_run_batch(
    *, access: TeamAccess, user, jobs: Iterable[Job], resume_savepoint: bool = False
) -> list[tuple[list[Job], str]]:
    """Run jobs in batches (5.1.10), one call per credential; returns failures."""
    return _batch(
        access=access,
        user=user,
        jobs=jobs,
        action="job.run_batch",
        call=lambda c, ids: c.jobs.run_batch(ids, resume_savepoint=resume_savepoint or None),
        after=lambda group: [_set_status(j, vocab.JOB_SUBMITTING) for j in group],
    )


@changes_team
def jobs_stop_batch(
    *, access: TeamAccess, user, jobs: Iterable[Job], trigger_savepoint: bool = False
) -> list[tuple[list[Job], str]]:
    """Stop jobs in batches (5.1.18), one call per credential; returns failures."""
    status = vocab.JOB_SAVEPOINTING if trigger_savepoint else vocab.JOB_CANCELING
    return _batch(
        access=access,
        user=user,
        jobs=jobs,
        action="job.stop_batch",
        call=lambda c, ids: c.jobs.stop_batch(ids, trigger_savepoint=trigger_savepoint or None),
        after=lambda group: [_set_status(j, status) for j in group],
    )


@changes_team
def jobs_delete_batch(*, access: TeamAccess, user, jobs: Iterable[Job]) -> list[tuple[list[Job], str]]:
    """Delete jobs in batches (5.1.20), one call per credential; returns failures."""
    return _batch(
        access=access,
        user=user,
        jobs=jobs,
        action="job.delete_batch",
        call=lambda c, ids: c.jobs.delete_batch(ids),
        after=lambda group: Job.objects.filter(pk__in=[j.pk for j in group]).update(
            deleted_at=timezone.now()
        ),
    )


@changes_team
def obs_authorize(*, access: TeamAccess, user, credential: Credential, buckets: Iterable[str]) -> None:
    """Grant CS access to OBS buckets (5.1.2) from a job form, so the job can be submitted again."""
    names = sorted({b.strip() for b in buckets if b and b.strip()})
    _call(
        access=access,
        user=user,
        credential=credential,
        action="credential.authorize_obs",
        call=lambda c: c.account.authorize_obs(names),
        target_type="credential",
        target_id=str(credential.public_id),
        target_name=credential.name,
        message=", ".join(names),
    )


@changes_team
def obs_authorize_bucket_of(*, access: TeamAccess, user, credential: Credential, obs_path: str) -> None:
    """Authorize the bucket of a job's OBS path before the job is submitted again (5.1.2).

    A bucket CS already had rights on (CS.19005) is fine; an empty path asks nothing of CS.
    """
    bucket = bucket_name(obs_path)
    if not bucket:
        return
    try:
        obs_authorize(access=access, user=user, credential=credential, buckets=[bucket])
    except CSError as exc:
        if exc.code != OBS_ALREADY_AUTHORIZED:
            raise


def bucket_name(obs_path: str) -> str:
    """The bucket of an OBS path ("obs://bucket/dir", "bucket/dir" or "bucket")."""
    text = (obs_path or "").strip().removeprefix("obs://").lstrip("/")
    return text.split("/", 1)[0]


# ------------------------------------------------------------------------------------------ templates


@changes_team
def template_create(*, access: TeamAccess, user, credential: Credential, data: Mapping[str, Any]) -> Template:
    """Create a template (5.2.1) and its snapshot."""
    body = {k: data[k] for k in ("name", "desc", "sql_body") if data.get(k) is not None}
    answer = _call(
        access=access,
        user=user,
        credential=credential,
        action="template.create",
        call=lambda c: c.templates.create(**body),
        target_type="template",
        target_name=str(body.get("name", "")),
        id_from=lambda answer: f"{credential.public_id}:{answer.get('template_id')}",
    )
    now = timezone.now()
    template, _ = Template.objects.update_or_create(
        credential=credential,
        template_id=int(answer["template_id"]),
        defaults={
            "team_id": credential.team_id,
            "name": body.get("name", ""),
            "desc": body.get("desc", ""),
            "sql_body": body.get("sql_body", ""),
            "job_type": str(answer.get("job_type") or ""),
            "create_time": now,
            "update_time": now,
            "last_seen": now,
            "deleted_at": None,
            "fingerprint": "",
        },
    )
    _refresh(credential, ("templates",))
    return template


@changes_team
def template_update(*, access: TeamAccess, user, template: Template, data: Mapping[str, Any]) -> Template:
    """Update a template (5.2.2) and its snapshot."""
    body = {k: data[k] for k in ("name", "desc", "sql_body") if data.get(k) is not None}
    _call(
        access=access,
        user=user,
        credential=template.credential,
        action="template.update",
        call=lambda c: c.templates.update(template.template_id, **body),
        target_type="template",
        target_id=f"{template.credential.public_id}:{template.template_id}",
        target_name=template.name,
    )
    body.update(update_time=timezone.now(), last_seen=timezone.now(), fingerprint="")
    Template.objects.filter(pk=template.pk).update(**body)
    for k, v in body.items():
        setattr(template, k, v)
    _refresh(template.credential, ("templates",))
    return template


@changes_team
def template_delete(*, access: TeamAccess, user, template: Template) -> None:
    """Delete a template (5.2.3); the snapshot is marked deleted at once."""
    _call(
        access=access,
        user=user,
        credential=template.credential,
        action="template.delete",
        call=lambda c: c.templates.delete(template.template_id),
        target_type="template",
        target_id=f"{template.credential.public_id}:{template.template_id}",
        target_name=template.name,
    )
    Template.objects.filter(pk=template.pk).update(deleted_at=timezone.now())
    _refresh(template.credential, ("templates",))


# ------------------------------------------------------------------------------------ job details

DETAILS_RETRY_AFTER = timedelta(minutes=5)


def job_details_due(job: Job) -> bool:
    """Whether the stored plan and APIG sinks are missing or older than the job's last update."""
    try:
        details = job.details
    except JobDetails.DoesNotExist:
        return True
    if details.error:
        return details.fetched_at < timezone.now() - DETAILS_RETRY_AFTER
    return bool(job.update_time and details.fetched_at < job.update_time)


def job_details_request(job: Job) -> bool:
    """Enqueue one background fetch of the job's details (at most one per job per minute)."""
    from django.core.cache import cache

    from dashboard.jobs.tasks import fetch_job_details

    if not cache.add(f"jobs:details:{job.pk}", 1, 60):
        return False
    job_pk = job.pk

    def enqueue() -> None:
        try:
            fetch_job_details.delay(job_pk)
        except Exception:  # the broker is down: the next visit after the minute asks again
            logger.warning("could not enqueue fetching the details of job %s", job_pk)

    transaction.on_commit(enqueue)
    return True


def job_details_fetch(*, job_pk: int) -> JobDetails | None:
    """Fetch and store the execution plan and APIG sinks of a SQL job (reference 5.1.13, 5.1.16)."""
    job = Job.objects.select_related("credential").filter(pk=job_pk, deleted_at__isnull=True).first()
    if job is None or job.credential.needs_attention:
        return None
    values: dict[str, Any] = {"error": "", "fetched_at": timezone.now()}
    try:
        with client_for(job.credential) as client:
            values["plan"] = dict(client.jobs.execute_graph(job.job_id))
            values["apig_sinks"] = dict(client.jobs.apig_sinks(job.job_id))
    except CSError as exc:
        values["error"] = error_text(exc)
        logger.info("details of job %s not fetched: %s", job.job_id, values["error"])
    details, _ = JobDetails.objects.update_or_create(job=job, defaults=values)
    team_changed(job.team_id)
    return details
