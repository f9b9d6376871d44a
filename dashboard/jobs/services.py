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
from dataclasses import dataclass, field
from datetime import timedelta
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from csapi import CSError, vocab
from csapi.dli import limits as dli_limits
from csapi.errors import OBS_ALREADY_AUTHORIZED, CSConflict
from dashboard.jobs.models import Job, JobDetails, JobStatusChange, Savepoint, SqlVersion, Template
from dashboard.jobs.rules import ActionRefused, job_refusal, require_job_action
from dashboard.jobs.runs import StatusChange, record_status_changes
from dashboard.jobs.selectors import job_key
from dashboard.polling.services import refresh_soon
from dashboard.teams.access import TeamAccess, require_role
from dashboard.teams.cs import client_for, error_text
from dashboard.teams.models import Credential, Role
from dashboard.teams.services import cs_action, signed_in
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


#: Fields of a DLI Flink SQL job the dashboard sends (D1 / D2, CreateFlinkSqlJobRequestBody).
DLI_SQL_JOB_FIELDS = (
    "name",
    "desc",
    "template_id",
    "queue_name",
    "sql_body",
    "run_mode",
    "cu_number",
    "manager_cu_number",
    "tm_cus",
    "tm_slot_num",
    "parallel_number",
    "flink_version",
    "checkpoint_enabled",
    "checkpoint_mode",
    "checkpoint_interval",
    "obs_bucket",
    "log_enabled",
    "smn_topic",
    "restart_when_exception",
    "resume_checkpoint",
    "resume_max_num",
    "idle_state_retention",
    "job_type",
    "dirty_data_strategy",
    "udf_jar_url",
    "tags",
)
#: Fields of a DLI Flink JAR job the dashboard sends (D3 / D4, CreateFlinkJarJobRequestBody).
DLI_JAR_JOB_FIELDS = (
    "name",
    "desc",
    "queue_name",
    "cu_number",
    "manager_cu_number",
    "tm_cus",
    "tm_slot_num",
    "parallel_number",
    "flink_version",
    "checkpoint_enabled",
    "checkpoint_mode",
    "checkpoint_interval",
    "obs_bucket",
    "log_enabled",
    "smn_topic",
    "restart_when_exception",
    "resume_checkpoint",
    "resume_max_num",
    "entrypoint",
    "dependency_jars",
    "dependency_files",
    "main_class",
    "entrypoint_args",
    "tags",
)
#: What a create or update request's fields are called in the ``Job`` snapshot (DLI's names aside).
_SNAPSHOT_NAMES = {"cu_number": "spu_number", "entrypoint": "jar_url", "entrypoint_args": "args"}


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
    """Optimistic status change of the snapshot, with its history entry and its run."""
    now = timezone.now()
    if job.status != status:
        JobStatusChange.objects.create(
            job=job, previous_status=job.status, status=status, status_desc=desc, observed_at=now
        )
        record_status_changes(
            [
                StatusChange(
                    job_pk=job.pk,
                    team_id=job.team_id,
                    credential_id=job.credential_id,
                    previous=job.status,
                    status=status,
                    desc=desc,
                    observed_at=now,
                    spu=job.spu_number,
                    cluster_id=job.cluster_id,
                    # a DLI run's place is its queue (billing per queue reads it here)
                    cluster_name=job.queue_name if job.service == "dli" else job.cluster_name,
                    username=job.username,
                )
            ]
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
    if credential.is_dli:
        return _snapshot_new_dli(credential, payload, status, now, job_id)
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


def dli_snapshot_fields(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The ``Job`` columns a DLI create or update request sets (before the poller lists the job)."""
    names = (
        "name",
        "desc",
        "queue_name",
        "cu_number",
        "manager_cu_number",
        "tm_cus",
        "tm_slot_num",
        "parallel_number",
        "flink_version",
        "sql_body",
        "checkpoint_enabled",
        "log_enabled",
        "resume_checkpoint",
        "resume_max_num",
        "entrypoint",
        "main_class",
        "entrypoint_args",
        "tags",
    )
    out = {_SNAPSHOT_NAMES.get(k, k): payload[k] for k in names if k in payload}
    if "tags" in out and isinstance(out["tags"], Mapping):
        out["tags"] = [{"key": str(k), "value": str(v)} for k, v in out["tags"].items()]
    return out


#: Fields of a DLI create or update request that DLI lists in the job's ``job_config`` (D6).
_DLI_CONFIG_FIELDS = (
    "cu_number",
    "manager_cu_number",
    "tm_cus",
    "tm_slot_num",
    "parallel_number",
    "flink_version",
    "checkpoint_enabled",
    "checkpoint_mode",
    "checkpoint_interval",
    "obs_bucket",
    "log_enabled",
    "smn_topic",
    "restart_when_exception",
    "resume_checkpoint",
    "resume_max_num",
    "idle_state_retention",
    "dirty_data_strategy",
    "udf_jar_url",
    "entrypoint",
    "dependency_jars",
    "dependency_files",
)


def dli_job_config(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The ``job_config`` a DLI create or update request sets, in DLI's listed form (checkpoint mode
    as words), until the poller writes what DLI lists."""
    out = {k: payload[k] for k in _DLI_CONFIG_FIELDS if k in payload}
    if "checkpoint_mode" in out:
        out["checkpoint_mode"] = (
            vocab.normalize_checkpoint_mode(out["checkpoint_mode"]) or out["checkpoint_mode"]
        )
    return out


def _snapshot_new_dli(
    credential: Credential, payload: Mapping[str, Any], status: str, now, job_id: int
) -> Job:
    values = {
        "service": "dli",
        "name": "",
        "desc": "",
        "sql_body": "",
        "jar_url": "",
        "main_class": "",
        "args": "",
        **dli_snapshot_fields(payload),
        "job_config": dli_job_config(payload),
        # DLI gives a SQL job created without a type its default type (JAR jobs name theirs)
        "job_type": str(payload.get("job_type") or vocab.DLI_DEFAULT_SQL_JOB_TYPE),
        "status": status,
        "status_desc": "",
        "run_mode": str(payload.get("run_mode") or ""),
        "create_time": now,
        "last_seen": now,
        "deleted_at": None,
        "fingerprint": "",  # the next poll rewrites the row with what DLI lists
        "raw": {},
    }
    values["name"] = str(values["name"])[:255]
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
        author=signed_in(user),
        note=note[:255],
    )


class SavedNotRun(Exception):
    """ "Save and run": the job was saved (created or updated) but CS refused to run it.

    ``job`` is the saved job, ``cause`` CS's refusal (or the dashboard's, if the job's state does not
    allow a run). Pages land on the saved job with the reason; the API answers the job and the error.
    """

    def __init__(self, job: Job, cause: Exception) -> None:
        super().__init__(str(cause))
        self.job, self.cause = job, cause


def _run_after_save(*, access: TeamAccess, user, job: Job) -> None:
    try:
        job_run(access=access, user=user, job=job)
    except (CSError, ActionRefused) as exc:
        raise SavedNotRun(job, exc) from exc


# ------------------------------------------------------------------------------------------ SQL jobs


@changes_team
def job_create_sql(
    *, access: TeamAccess, user, credential: Credential, data: Mapping[str, Any], run: bool = False
) -> Job:
    """Create a SQL job (CS 5.1.5, DLI D1); with ``run`` also start it. Returns the snapshot row."""
    body = _clean(data, DLI_SQL_JOB_FIELDS if credential.is_dli else SQL_JOB_FIELDS)
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
        _run_after_save(access=access, user=user, job=job)
    return job


@changes_team
def job_update_sql(*, access: TeamAccess, user, job: Job, data: Mapping[str, Any], run: bool = False) -> Job:
    """Update a SQL job (CS 5.1.6, DLI D2) and keep its SQL as a version; with ``run`` also start it."""
    require_role(access, Role.OPERATOR)
    require_job_action(job, "edit")
    credential = job.credential
    body = _clean(data, DLI_SQL_JOB_FIELDS if credential.is_dli else SQL_JOB_FIELDS)
    body.pop("template_id", None)
    body.pop("job_type", None)  # neither update takes a job type: CS's run mode decides it, DLI's stays
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
        fields = (
            {**dli_snapshot_fields(body), "job_config": {**(job.job_config or {}), **dli_job_config(body)}}
            if credential.is_dli
            else {
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
        )
        fields["last_seen"] = timezone.now()
        fields["fingerprint"] = ""
        Job.objects.filter(pk=job.pk).update(**fields)
        for k, v in fields.items():
            setattr(job, k, v)
        if "sql_body" in body:
            sql_version_record(job=job, user=user, sql_body=str(body["sql_body"]), note="updated")
        _refresh(credential)
    if run:
        _run_after_save(access=access, user=user, job=job)
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
    """Create a user-defined (JAR) job (CS 5.1.7, DLI D3).

    CS: ``jar``/``config`` are ``(filename, binary file)``, streamed. DLI takes no upload: its JAR is
    an ``entrypoint`` (an OBS path or a DLI package) named in ``data``.
    """
    body = _clean(data, DLI_JAR_JOB_FIELDS if credential.is_dli else JAR_JOB_FIELDS)
    body.setdefault("desc", "")
    name = str(body.get("name", ""))
    kwargs = body if credential.is_dli else _jar_kwargs(body, jar, config)
    answer = _call(
        access=access,
        user=user,
        credential=credential,
        action="job.create_jar",
        call=lambda c: c.jobs.create_jar(**kwargs),
        target_name=name,
        message=f"file {jar[0]}" if jar else str(body.get("jar_url") or body.get("entrypoint") or ""),
        id_from=lambda answer: _key(credential, answer.get("job_id")),
    )
    with transaction.atomic():
        extra = (
            {"job_type": vocab.FLINK_JAR_JOB} if credential.is_dli else {"run_mode": vocab.EXCLUSIVE_CLUSTER}
        )
        job = _snapshot_new(credential, {**body, **extra}, answer)
        _refresh(credential)
    if run:
        _run_after_save(access=access, user=user, job=job)
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
    run: bool = False,
) -> Job:
    """Update a user-defined job (CS 5.1.8, DLI D4); with ``run`` also start it."""
    require_role(access, Role.OPERATOR)
    require_job_action(job, "edit")
    dli = job.credential.is_dli
    body = _clean(data, DLI_JAR_JOB_FIELDS if dli else JAR_JOB_FIELDS)
    body.pop("job_type", None)
    kwargs = body if dli else _jar_kwargs(body, jar, config)
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
    fields = (
        {**dli_snapshot_fields(body), "job_config": {**(job.job_config or {}), **dli_job_config(body)}}
        if dli
        else {
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
    )
    fields.update(last_seen=timezone.now(), fingerprint="")
    Job.objects.filter(pk=job.pk).update(**fields)
    for k, v in fields.items():
        setattr(job, k, v)
    _refresh(job.credential)
    if run:
        _run_after_save(access=access, user=user, job=job)
    return job


# ------------------------------------------------------------------------------------------ run / stop / delete


@changes_team
def job_run(*, access: TeamAccess, user, job: Job, resume_savepoint: bool = False) -> Job:
    """Run a job (5.1.9), optionally resuming from its savepoint; the snapshot shows it submitting.

    Refused (``ActionRefused``) before CS is called when the job is running or on its way, or when
    there is no savepoint to resume from.
    """
    require_role(access, Role.OPERATOR)
    require_job_action(job, "resume" if resume_savepoint else "run")
    _call(
        access=access,
        user=user,
        credential=job.credential,
        action="job.run",
        call=lambda c: (
            dli_outcome(c.jobs.run([job.job_id], resume_savepoint=resume_savepoint or None))
            if job.credential.is_dli
            else c.jobs.run(job.job_id, resume_savepoint=resume_savepoint or None)
        ),
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
    """Stop a job (5.1.17), optionally creating a savepoint first (of a running job only)."""
    require_role(access, Role.OPERATOR)
    require_job_action(job, "stop")
    if trigger_savepoint:
        require_job_action(job, "savepoint")
    _call(
        access=access,
        user=user,
        credential=job.credential,
        action="job.stop",
        call=lambda c: (
            dli_outcome(c.jobs.stop([job.job_id], trigger_savepoint=trigger_savepoint or None))
            if job.credential.is_dli
            else c.jobs.stop(job.job_id, trigger_savepoint=trigger_savepoint or None)
        ),
        target_id=job_key(job),
        target_name=job.name,
        message="with savepoint" if trigger_savepoint else "",
    )
    with transaction.atomic():
        _set_status(job, vocab.JOB_SAVEPOINTING if trigger_savepoint else vocab.JOB_CANCELING)
        if trigger_savepoint:
            savepoint_record(job=job, user=user)
        _refresh(job.credential, ("jobs", "audit"))
    return job


def dli_outcome(results: list[Any]) -> list[Any]:
    """DLI answers a run, stop or delete per job (``is_success``); one job's refusal is its error."""
    refused = next((r for r in results if not r.ok), None)
    if refused is not None:
        raise CSConflict(_("DLI refused: %(reason)s") % {"reason": refused.message or _("no reason given")})
    return results


def savepoint_location(job: Job) -> str:
    """Where a job's savepoints go: DLI names the path; CS keeps them in the job's OBS bucket."""
    if job.savepoint_path:
        return job.savepoint_path
    config = job.job_config if isinstance(job.job_config, dict) else {}
    bucket = config.get("obs_bucket") or (job.raw or {}).get("obs_bucket") or ""
    return f"obs://{bucket}/" if bucket else ""


def savepoint_record(*, job: Job, user, location: str = "") -> Savepoint:
    """Remember who asked for a savepoint of ``job``, when, and where it goes (CS tells only that one
    exists; DLI takes the path)."""
    return Savepoint.objects.create(
        job=job,
        requested_by=signed_in(user),
        location=location or savepoint_location(job),
    )


def default_savepoint_path(job: Job) -> str:
    """Where a triggered savepoint of a DLI job goes unless the user says otherwise: the job's savepoint
    path, else a ``savepoint/`` folder of its OBS bucket."""
    if job.savepoint_path:
        return job.savepoint_path
    config = job.job_config if isinstance(job.job_config, dict) else {}
    bucket = config.get("obs_bucket") or ""
    return f"obs://{bucket}/jobs/savepoint/{job.job_id}/" if bucket else ""


def savepoint_refusal(job: Job) -> ActionRefused | None:
    """Why a savepoint of ``job`` cannot be asked for now (``None``: it can): CS makes savepoints only
    when stopping, and DLI only of a running job."""
    if not job.credential.is_dli:
        return ActionRefused(
            _("CS makes a savepoint only when it stops a job: use “Stop with savepoint”."),
            action="savepoint",
            reason="not_dli",
        )
    message = job_refusal(job, "savepoint")
    return None if message is None else ActionRefused(message, action="savepoint", reason="savepoint")


@changes_team
def job_trigger_savepoint(*, access: TeamAccess, user, job: Job, savepoint_path: str) -> Savepoint:
    """Make a savepoint of a running DLI job at ``savepoint_path`` (D13); the job keeps running.

    Refused before DLI is called for a CS job (CS makes savepoints only when stopping) and for a job
    that is not running.
    """
    require_role(access, Role.OPERATOR)
    refusal = savepoint_refusal(job)
    if refusal is not None:
        raise refusal
    _call(
        access=access,
        user=user,
        credential=job.credential,
        action="job.savepoint",
        call=lambda c: c.jobs.savepoint(job.job_id, savepoint_path),
        target_id=job_key(job),
        target_name=job.name,
        message=savepoint_path,
    )
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(has_savepoint=True, savepoint_path=savepoint_path)
        job.has_savepoint, job.savepoint_path = True, savepoint_path
        _set_status(job, vocab.JOB_SAVEPOINTING)  # as DLI shows it until the savepoint is made
        saved = savepoint_record(job=job, user=user, location=savepoint_path)
        _refresh(job.credential, ("jobs",))
    return saved


@changes_team
def job_delete(*, access: TeamAccess, user, job: Job) -> None:
    """Delete a job (5.1.19); the snapshot is marked deleted at once."""
    _call(
        access=access,
        user=user,
        credential=job.credential,
        action="job.delete",
        call=lambda c: c.jobs.delete_one(job.job_id) if job.credential.is_dli else c.jobs.delete(job.job_id),
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


@dataclass
class BatchOutcome:
    """What a batch action did to each job: done, skipped (its state does not allow the action, nothing
    was sent) or failed (CS refused it, with CS's reason)."""

    action: str
    done: list[Job] = field(default_factory=list)
    skipped: list[tuple[Job, str]] = field(default_factory=list)
    failed: list[tuple[Job, str]] = field(default_factory=list)


def _batch(
    *,
    access: TeamAccess,
    user,
    jobs: Iterable[Job],
    action: str,
    rule: str | tuple[str, ...],
    call: Callable[[Any, list[int]], Any],
    dli_call: Callable[[Any, list[int]], list[Any]],
    after: Callable[[list[Job]], None],
    outcome: str,
) -> BatchOutcome:
    """One batch call per credential for the jobs whose state allows ``rule``; the others are skipped.

    CS answers a batch all or nothing: when it refuses one, each job of that batch is sent alone, so
    every job it can act on is acted on and the refusal lands on the job it concerns. DLI answers per
    job (``dli_call`` returns one result per id, in order), in batches of at most ``BATCH_MAX`` ids.
    """
    require_role(access, Role.OPERATOR)
    result = BatchOutcome(outcome)
    rules = (rule,) if isinstance(rule, str) else rule
    allowed: list[Job] = []
    for job in jobs:
        refusal = next((r for r in (job_refusal(job, name) for name in rules) if r), None)
        if refusal:
            result.skipped.append((job, refusal))
        else:
            allowed.append(job)

    def send(group: list[Job]) -> str | None:
        credential = group[0].credential
        ids = [j.job_id for j in group]
        names = ", ".join(j.name for j in group)
        sender = dli_call if credential.is_dli else call
        try:
            answer = _call(
                access=access,
                user=user,
                credential=credential,
                action=action,
                call=lambda c, ids=ids: sender(c, ids),
                target_id=",".join(job_key(j) for j in group)[:128],
                target_name=names[:255],
                message=f"{len(group)} job(s): {names}",
            )
        except CSError as exc:
            return error_text(exc)
        done = group
        if credential.is_dli:
            done = []
            for job, item in zip(group, answer, strict=True):
                if item.ok:
                    done.append(job)
                else:
                    reason = item.message or _("no reason given")
                    result.failed.append((job, _("DLI refused: %(reason)s") % {"reason": reason}))
        with transaction.atomic():
            after(done)
            _refresh(credential, ("jobs", "audit"))
        result.done.extend(done)
        return None

    groups: list[list[Job]] = []
    for group in _by_credential(allowed).values():
        if group[0].credential.is_dli:
            step = dli_limits.BATCH_MAX
            groups.extend(group[i : i + step] for i in range(0, len(group), step))
        else:
            groups.append(group)
    for group in groups:
        error = send(group)
        if error is None:
            continue
        if len(group) == 1:
            result.failed.append((group[0], error))
            continue
        for job in group:  # find the job CS refused; act on the others
            single = send([job])
            if single is not None:
                result.failed.append((job, single))
    return result


@changes_team
def jobs_run_batch(
    *, access: TeamAccess, user, jobs: Iterable[Job], resume_savepoint: bool = False
) -> BatchOutcome:
    """Run jobs in batches (5.1.10), one call per credential."""
    return _batch(
        access=access,
        user=user,
        jobs=jobs,
        action="job.run_batch",
        rule="resume" if resume_savepoint else "run",
        call=lambda c, ids: c.jobs.run_batch(ids, resume_savepoint=resume_savepoint or None),
        dli_call=lambda c, ids: c.jobs.run(ids, resume_savepoint=resume_savepoint or None),
        after=lambda group: [_set_status(j, vocab.JOB_SUBMITTING) for j in group],
        outcome="run",
    )


@changes_team
def jobs_stop_batch(
    *, access: TeamAccess, user, jobs: Iterable[Job], trigger_savepoint: bool = False
) -> BatchOutcome:
    """Stop jobs in batches (5.1.18), one call per credential (with savepoints: running jobs only)."""
    status = vocab.JOB_SAVEPOINTING if trigger_savepoint else vocab.JOB_CANCELING

    def after(group: list[Job]) -> None:
        for job in group:
            _set_status(job, status)
            if trigger_savepoint:
                savepoint_record(job=job, user=user)

    return _batch(
        access=access,
        user=user,
        jobs=jobs,
        action="job.stop_batch",
        rule=("stop", "savepoint") if trigger_savepoint else "stop",
        call=lambda c, ids: c.jobs.stop_batch(ids, trigger_savepoint=trigger_savepoint or None),
        dli_call=lambda c, ids: c.jobs.stop(ids, trigger_savepoint=trigger_savepoint or None),
        after=after,
        outcome="stop",
    )


@changes_team
def jobs_delete_batch(*, access: TeamAccess, user, jobs: Iterable[Job]) -> BatchOutcome:
    """Delete jobs in batches (5.1.20), one call per credential (running jobs are stopped by CS)."""
    return _batch(
        access=access,
        user=user,
        jobs=jobs,
        action="job.delete_batch",
        rule="delete",
        call=lambda c, ids: c.jobs.delete_batch(ids),
        dli_call=lambda c, ids: c.jobs.delete(ids),
        after=lambda group: Job.objects.filter(pk__in=[j.pk for j in group]).update(
            deleted_at=timezone.now()
        ),
        outcome="delete",
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


def _plain(value: Any) -> Any:
    """A cloud answer as plain JSON values (result objects are mapping subclasses)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


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
            if job.credential.is_dli:  # DLI: the execution graph's summary (D7); no APIG sinks
                values["plan"] = _plain(client.jobs.execution_graph(job.job_id))
                values["apig_sinks"] = {}
            else:
                values["plan"] = dict(client.jobs.execute_graph(job.job_id))
                values["apig_sinks"] = dict(client.jobs.apig_sinks(job.job_id))
    except CSError as exc:
        values["error"] = error_text(exc)
        logger.info("details of job %s not fetched: %s", job.job_id, values["error"])
    details, _ = JobDetails.objects.update_or_create(job=job, defaults=values)
    team_changed(job.team_id)
    return details
