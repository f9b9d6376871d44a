"""The emulator's DLI service: every Flink job operation D1-D23, on the CS emulator's port.

Routes are ``/v1.0/{project_id}/streaming/...``, ``/v1.0/{project_id}/queues...``,
``/v3/{project_id}/elastic-resource-pools`` and ``/v3/{project_id}/quotas`` (:data:`RULES`, mounted by
:mod:`csapi.emulator.app` beside CS's). Everything but the operations themselves is shared with CS:
the IAM tokens and AK/SK verification, the clock, the fault injection, the request counters and the
state file. Answers have the shapes of the SDK's response models (``huaweicloudsdkdli.v1.model``:
``is_success`` a string where the model says ``str``, a boolean where it says ``bool``), errors DLI's
``{"error_code": "DLI.xxxx", "error_msg": ...}`` with the HTTP status of DLI's error table
(:mod:`csapi.dli.errors`), request rules those of :mod:`csapi.dli.validation`.

Behaviour (derived from the clock, see :mod:`csapi.emulator.dli_model`): a run goes ``job_submitting``
-> ``job_running``, or -> ``job_submit_fail`` when its queue lacks free CUs; a stop goes through
``job_canceling`` (after ``job_savepointing`` when asked for a savepoint: its path is recorded and
``has_savepoint`` becomes true); a triggered savepoint passes ``job_savepointing`` and the job runs on;
a job with ``restart_when_exception`` restarts after exceptions (``restart_times``) where another fails
(``job_running_exception``); running jobs accumulate metrics and CU-hours; queues lend their CUs to
the jobs that run on them; ``show_quota`` counts what is used; a project holds at most 100 templates.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from csapi import vocab
from csapi.dli import errors as codes
from csapi.dli import limits, validation
from csapi.dli.errors import DLI_ERROR_CODES
from csapi.validation import Violation, as_bool, as_int

from .dli_model import (
    ACTIVE,
    BUSY,
    CANCEL_SECONDS,
    SAVEPOINT_SECONDS,
    STOPPABLE,
    SUBMIT_SECONDS,
    DLIJob,
    DLIProject,
    DLITemplate,
    stable_fraction,
)
from .errors import ApiError

if TYPE_CHECKING:  # pragma: no cover
    from werkzeug.wrappers import Request

    from .app import Emulator
    from .model import Project, User

__all__ = ["DLIError", "DLIOps", "RULES", "handle", "is_dli_endpoint", "translate_auth_error"]

_P1 = "/v1.0/<project_id>"
_P3 = "/v3/<project_id>"
#: (rule, methods, endpoint): D1-D23.
RULES: list[tuple[str, list[str], str]] = [
    (f"{_P1}/streaming/sql-jobs", ["POST"], "dli_create_sql_job"),
    (f"{_P1}/streaming/sql-jobs/<job_id>", ["PUT"], "dli_update_sql_job"),
    (f"{_P1}/streaming/flink-jobs", ["POST"], "dli_create_jar_job"),
    (f"{_P1}/streaming/flink-jobs/<job_id>", ["PUT"], "dli_update_jar_job"),
    (f"{_P1}/streaming/jobs", ["GET"], "dli_list_jobs"),
    (f"{_P1}/streaming/jobs/run", ["POST"], "dli_run_jobs"),
    (f"{_P1}/streaming/jobs/stop", ["POST"], "dli_stop_jobs"),
    (f"{_P1}/streaming/jobs/delete", ["POST"], "dli_delete_jobs"),
    (f"{_P1}/streaming/jobs/metrics", ["POST"], "dli_metrics"),
    (f"{_P1}/streaming/jobs/export", ["POST"], "dli_export_jobs"),
    (f"{_P1}/streaming/jobs/import", ["POST"], "dli_import_jobs"),
    (f"{_P1}/streaming/jobs/<job_id>", ["GET"], "dli_show_job"),
    (f"{_P1}/streaming/jobs/<job_id>", ["DELETE"], "dli_delete_job"),
    (f"{_P1}/streaming/jobs/<job_id>/execute-graph", ["GET"], "dli_execute_graph"),
    (f"{_P1}/streaming/jobs/<job_id>/savepoint", ["POST"], "dli_savepoint"),
    (f"{_P1}/streaming/job-templates", ["GET"], "dli_list_templates"),
    (f"{_P1}/streaming/job-templates", ["POST"], "dli_create_template"),
    (f"{_P1}/streaming/job-templates/<template_id>", ["PUT"], "dli_update_template"),
    (f"{_P1}/streaming/job-templates/<template_id>", ["DELETE"], "dli_delete_template"),
    (f"{_P1}/queues", ["GET"], "dli_list_queues"),
    (f"{_P1}/queues/<queue_name>", ["GET"], "dli_show_queue"),
    (f"{_P3}/elastic-resource-pools", ["GET"], "dli_list_pools"),
    (f"{_P3}/quotas", ["GET"], "dli_show_quota"),
]

#: Path prefixes of DLI (for the fault answers' body form).
DLI_PATH_MARKERS = ("/streaming/", "/queues", "/elastic-resource-pools", "/quotas")


def is_dli_endpoint(endpoint: str | None) -> bool:
    return bool(endpoint) and endpoint.startswith("dli_")  # type: ignore[union-attr]


def is_dli_path(path: str) -> bool:
    return any(marker in path for marker in DLI_PATH_MARKERS) and not path.startswith("/_emulator")


class DLIError(ApiError):
    """A DLI error answer: a code of DLI's table, its HTTP status, ``{"error_code", "error_msg"}``."""

    def __init__(self, code: str, message: str | None = None, *, status: int | None = None) -> None:
        spec = DLI_ERROR_CODES.get(code)
        if spec is None:
            raise KeyError(f"unknown DLI error code {code}")
        super().__init__(code, message or spec.description, status=status or spec.http_status, gateway=True)


def _raise(violations: list[Violation]) -> None:
    if violations:
        raise DLIError(violations[0].code, violations[0].message)


#: CS's authentication answers -> DLI's (the gateway's own codes, APIGW.*, pass as they are).
_AUTH = {
    "CS.10006": ("DLI.0013", 401, "The project ID in the URL is not the token's or the AK/SK's project."),
    "CS.10007": ("APIGW.0307", 401, "The token must be updated."),
    "CS.10008": ("APIGW.0301", 401, "Incorrect IAM authentication information: no token or signature."),
    "CS.10010": ("DLI.0013", 401, "The user or project of the token does not exist."),
}


def translate_auth_error(err: ApiError) -> ApiError:
    """The DLI answer for an authentication failure the shared verifier reported in CS's terms."""
    if err.gateway:
        return err
    code, status, message = _AUTH.get(err.code, ("DLI.0013", 401, "User authentication errors occur."))
    if code.startswith("DLI."):
        return DLIError(code, message, status=status)
    return ApiError(code, message, status=status, gateway=True)


def _ms(seconds: float | None) -> int:
    return int(round(seconds * 1000)) if seconds else 0


def _true(flag: bool = True) -> str:
    """``is_success`` where the SDK's model declares a string."""
    return "true" if flag else "false"


# Fields of a job that requests may set, and their defaults' source: the job dataclass.
_SQL_FIELDS = (
    "name",
    "desc",
    "queue_name",
    "sql_body",
    "run_mode",
    "cu_number",
    "manager_cu_number",
    "parallel_number",
    "tm_cus",
    "tm_slot_num",
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
    "edge_group_ids",
    "tags",
    "runtime_config",
    "flink_version",
)
_JAR_FIELDS = (
    "name",
    "desc",
    "queue_name",
    "cu_number",
    "manager_cu_number",
    "parallel_number",
    "tm_cus",
    "tm_slot_num",
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
    "main_class",
    "entrypoint_args",
    "dependency_jars",
    "dependency_files",
    "tags",
    "runtime_config",
    "flink_version",
    "checkpoint_path",
)
_INT_FIELDS = frozenset(
    {
        "cu_number",
        "manager_cu_number",
        "parallel_number",
        "tm_cus",
        "tm_slot_num",
        "checkpoint_mode",
        "checkpoint_interval",
        "resume_max_num",
        "idle_state_retention",
    }
)
_BOOL_FIELDS = frozenset({"checkpoint_enabled", "log_enabled", "restart_when_exception", "resume_checkpoint"})
#: What an export writes of a job (and an import reads back).
_EXPORTED = tuple(dict.fromkeys(("name", "job_type", "run_mode", "sql_body", *_SQL_FIELDS, *_JAR_FIELDS)))

_FAIL_RUNNING_DESC = (
    "The job failed while running: TaskManager lost (container killed). Check the job logs in OBS."
)


class DLIOps:
    """The DLI operations of one project for one caller at one instant of the emulator's clock."""

    def __init__(self, emu: Emulator, project: Project, user: User) -> None:
        self.emu = emu
        self.project = project
        self.p: DLIProject = project.dli
        self.user = user
        self.now = emu.clock.now()

    # ================================================================= helpers
    def _job(self, job_id: Any) -> DLIJob:
        number = as_int(job_id)
        job = self.p.jobs.get(number) if number is not None else None
        if job is None:
            raise DLIError(codes.JOB_NOT_FOUND, f"The job {job_id} does not exist.")
        return job

    def _template(self, template_id: Any) -> DLITemplate:
        number = as_int(template_id)
        template = self.p.templates.get(number) if number is not None else None
        if template is None:
            raise DLIError(codes.NOT_FOUND, f"There is no template with ID {template_id}.")
        return template

    def _queue_check(self, name: Any) -> None:
        if name in (None, ""):
            return
        queue = self.p.queues.get(str(name))
        if queue is None:
            raise DLIError(codes.NOT_FOUND, f"There is no queue named {name}")
        if queue.queue_type != "general":
            raise DLIError(
                codes.INVALID_PARAMETER, f"Flink jobs run on general-purpose queues; {name} is a SQL queue."
            )

    def _next_id(self, kind: str) -> int:
        return self.emu.next_id(kind)

    def _set_fields(self, job: DLIJob, body: Mapping[str, Any], allowed: Iterable[str]) -> None:
        for key in allowed:
            if key == "name" or body.get(key) is None:
                continue
            value = body[key]
            if key in _INT_FIELDS:
                value = vocab.dli_checkpoint_mode(value) if key == "checkpoint_mode" else as_int(value)
            elif key in _BOOL_FIELDS:
                value = bool(as_bool(value))
            elif key in ("edge_group_ids", "dependency_jars", "dependency_files"):
                value = [str(v) for v in value]
            elif key == "tags":
                value = [{"key": t["key"], "value": t["value"]} for t in value]
            else:
                value = str(value)
            setattr(job, key, value)

    # ================================================================= wire forms
    def job_config(self, job: DLIJob) -> dict[str, Any]:
        return {
            "checkpoint_enabled": job.checkpoint_enabled,
            "checkpoint_mode": vocab.CHECKPOINT_MODE_BY_INT.get(job.checkpoint_mode, "exactly_once"),
            "checkpoint_interval": job.checkpoint_interval,
            "log_enabled": job.log_enabled,
            "obs_bucket": job.obs_bucket,
            "smn_topic": job.smn_topic,
            "edge_group_ids": list(job.edge_group_ids),
            "root_id": job.root_id,
            "manager_cu_number": job.manager_cu_number,
            "cu_number": job.cu_number,
            "parallel_number": job.parallel_number,
            "restart_when_exception": job.restart_when_exception,
            "idle_state_retention": job.idle_state_retention,
            "udf_jar_url": job.udf_jar_url,
            "dirty_data_strategy": job.dirty_data_strategy,
            "entrypoint": job.entrypoint,
            "dependency_jars": list(job.dependency_jars),
            "dependency_files": list(job.dependency_files),
            "resume_checkpoint": job.resume_checkpoint,
            "resume_max_num": job.resume_max_num,
            "runtime_config": job.runtime_config,
            "tm_cus": job.tm_cus,
            "tm_slot_num": job.tm_slot_num
            or max(1, job.parallel_number * job.tm_cus // max(1, job.cu_number - job.manager_cu_number)),
            "flink_version": job.flink_version,
            "checkpoint_path": job.checkpoint_path,
            "real_cu_number": job.cu_number,
            "graph_editor_enabled": False,
        }

    def job_brief(self, job: DLIJob) -> dict[str, Any]:
        now = self.now
        status, desc = job.status_at(now)
        since = job.running_since(now)
        out = {
            "job_id": job.job_id,
            "name": job.name,
            "desc": job.desc,
            "user_name": job.user_name,
            "job_type": job.job_type,
            "status": status,
            "status_desc": desc,
            "create_time": _ms(job.create_time),
            "start_time": _ms(since) if since else 0,
            "duration": job.duration_ms(now),
            "root_id": job.root_id,
            "update_time": _ms(job.update_time),
            "graph_editor_enabled": False,
            "has_savepoint": job.has_savepoint(now),
            "queue_name": job.queue_name,
            "restart_times": job.restart_times(now),
        }
        if job.has_savepoint(now):
            out["savepoint_path"] = job.savepoint_path
        if job.edge_group_ids:
            out["edge_group_ids"] = list(job.edge_group_ids)
        return out

    def job_detail(self, job: DLIJob) -> dict[str, Any]:
        out = self.job_brief(job)
        out.update(
            user_id=job.user_id,
            project_id=job.project_id,
            sql_body=job.sql_body,
            run_mode=job.run_mode,
            main_class=job.main_class,
            entrypoint_args=job.entrypoint_args,
            job_config=self.job_config(job),
        )
        return out

    def queue_wire(self, queue, used: Mapping[str, int]) -> dict[str, Any]:
        return {
            "queue_id": queue.queue_id,
            "queue_name": queue.queue_name,
            "description": queue.description,
            "owner": queue.owner,
            "create_time": _ms(queue.create_time),
            "queue_type": queue.queue_type,
            "cu_count": queue.cu_count,
            "used_cu": float(used.get(queue.queue_name, 0)),
            "charging_mode": queue.charging_mode,
            "resource_id": queue.resource_id,
            "enterprise_project_id": queue.enterprise_project_id,
            "cidr_in_vpc": queue.cidr_in_vpc,
            "resource_mode": 1,
            "is_restarting": False,
            "feature": "basic",
            "queue_resource_type": "vm",
            "cu_spec": queue.cu_count,
            "cu_scale_out_limit": queue.cu_count,
            "cu_scale_in_limit": 0,
            "elastic_resource_pool_name": queue.elastic_resource_pool_name,
            "engine": "spark" if queue.queue_type == "sql" else "flink",
            "support_opensource_flink_versions": list(queue.flink_versions),
            "support_flink_sql_versions": list(queue.flink_versions),
            "default_flink_sql_version": queue.flink_versions[-1] if queue.flink_versions else "",
            "support_flink_jar_versions": list(queue.flink_versions),
            "default_flink_jar_version": queue.flink_versions[-1] if queue.flink_versions else "",
        }

    # ================================================================= D1-D4: create and update
    def create_sql_job(self, body: Any) -> dict[str, Any]:
        _raise(validation.validate_sql_job(body))
        return self._create(body, _SQL_FIELDS, body.get("job_type") or vocab.DLI_DEFAULT_SQL_JOB_TYPE)

    def create_jar_job(self, body: Any) -> dict[str, Any]:
        _raise(validation.validate_jar_job(body))
        return self._create(body, _JAR_FIELDS, "flink_jar_job")

    def _create(self, body: Mapping[str, Any], allowed: tuple[str, ...], job_type: str) -> dict[str, Any]:
        name = body["name"]
        if name in self.p.job_names:
            raise DLIError(codes.OBJECT_EXISTS, f"The job name {name} already exists.")
        self._queue_check(body.get("queue_name"))
        job = DLIJob(
            job_id=self._next_id("dli_job"),
            name=name,
            job_type=job_type,
            user_id=self.user.user_id,
            user_name=self.user.name,
            project_id=self.project.project_id,
            create_time=self.now,
            update_time=self.now,
        )
        self._set_fields(job, body, allowed)
        if job_type != "flink_jar_job" and not job.sql_body and body.get("template_id") is not None:
            job.sql_body = self._template(body["template_id"]).sql_body
        self.p.add_job(job)
        message = (
            "A DLI job is created successfully."
            if job_type != "flink_jar_job"
            else "A Flink job is created successfully."
        )
        return {
            "is_success": _true(),
            "message": message,
            "job": {"job_id": job.job_id, "status_name": "job_init", "status_desc": ""},
        }

    def update_sql_job(self, job_id: Any, body: Any) -> dict[str, Any]:
        job = self._job(job_id)
        if not job.is_sql():
            raise DLIError(codes.NOT_SUPPORTED, f"The job {job.job_id} is a JAR job; update it as one.")
        _raise(validation.validate_sql_job(body, update=True, current=self._current(job)))
        return self._update(job, body, _SQL_FIELDS)

    def update_jar_job(self, job_id: Any, body: Any) -> dict[str, Any]:
        job = self._job(job_id)
        if job.is_sql():
            raise DLIError(codes.NOT_SUPPORTED, f"The job {job.job_id} is a SQL job; update it as one.")
        _raise(validation.validate_jar_job(body, update=True, current=self._current(job)))
        return self._update(job, body, _JAR_FIELDS)

    @staticmethod
    def _current(job: DLIJob) -> dict[str, Any]:
        return {
            "cu_number": job.cu_number,
            "manager_cu_number": job.manager_cu_number,
            "parallel_number": job.parallel_number,
        }

    def _update(self, job: DLIJob, body: Mapping[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
        status = job.status(self.now)
        if status in BUSY:
            raise DLIError(
                codes.NOT_SUPPORTED, f"The job {job.job_id} is {status}; stop it before updating it."
            )
        name = body.get("name")
        if name is not None and name != job.name:
            if name in self.p.job_names:
                raise DLIError(codes.OBJECT_EXISTS, f"The job name {name} already exists.")
        self._queue_check(body.get("queue_name"))
        if name is not None and name != job.name:
            self.p.rename_job(job, name)
        self._set_fields(job, body, allowed)
        job.update_time = self.now
        return {
            "is_success": _true(),
            "message": "The job is updated successfully.",
            "job": {"update_time": _ms(job.update_time)},
        }

    # ================================================================= D5-D7: queries
    def list_jobs(self, params: Mapping[str, Any]) -> dict[str, Any]:
        _raise(validation.validate_list_query(params))
        limit = as_int(params.get("limit"))
        limit = limits.LIST_LIMIT_DEFAULT if limit is None else limit
        offset = as_int(params.get("offset")) or 0
        detail = bool(as_bool(params.get("show_detail")))
        ids = self.p.job_ids
        order_desc = params.get("order", "desc") != "asc"
        match = self._job_filter(params)
        if match is None:
            total = len(ids)
            if order_desc:
                start, stop = max(0, total - offset - limit), max(0, total - offset)
                page_ids = ids[start:stop][::-1]
            else:
                page_ids = ids[offset : offset + limit]
            page = [self.p.jobs[i] for i in page_ids]
        else:
            ordered = reversed(ids) if order_desc else iter(ids)
            matched = [self.p.jobs[i] for i in ordered if match(self.p.jobs[i])]
            total = len(matched)
            page = matched[offset : offset + limit]
        form = self.job_detail if detail else self.job_brief
        return {
            "is_success": _true(),
            "message": "Querying of the job list succeeds.",
            "job_list": {"total_count": total, "jobs": [form(j) for j in page]},
        }

    def _job_filter(self, params: Mapping[str, Any]):
        name = str(params.get("name") or "").strip().lower()
        status = str(params.get("status") or "").strip()
        queue = str(params.get("queue_name") or "").strip()
        user = str(params.get("user_name") or "").strip()
        job_type = str(params.get("job_type") or "").strip()
        root = as_int(params.get("root_job_id")) if params.get("root_job_id") not in (None, "") else None
        tags = {}
        for pair in str(params.get("tags") or "").split(","):
            if "=" in pair:
                key, _, value = pair.partition("=")
                tags[key.strip()] = value.strip()
        if not (name or status or queue or user or job_type or tags) and root is None:
            return None
        now = self.now

        def match(job: DLIJob) -> bool:
            if name and name not in job.name.lower():
                return False
            if queue and job.queue_name != queue:
                return False
            if user and job.user_name != user:
                return False
            if job_type and job.job_type != job_type:
                return False
            if root is not None and job.root_id != root:
                return False
            if tags:
                have = {t["key"]: t["value"] for t in job.tags}
                if any(have.get(k) != v for k, v in tags.items()):
                    return False
            return not status or job.status(now) == status

        return match

    def show_job(self, job_id: Any) -> dict[str, Any]:
        job = self._job(job_id)
        return {
            "is_success": _true(),
            "message": "Querying of the job details succeeds.",
            "job_detail": self.job_detail(job),
        }

    def execute_graph(self, job_id: Any) -> dict[str, Any]:
        job = self._job(job_id)
        if not job.run_count:
            raise DLIError(
                codes.NOT_SUPPORTED, f"The job {job.job_id} has never run and has no execution graph."
            )
        status = job.status(self.now)
        state = {
            "job_running": "RUNNING",
            "job_savepointing": "RUNNING",
            "job_submitting": "CREATED",
            "job_canceling": "CANCELLING",
            "job_cancel_success": "CANCELED",
            "job_finish": "FINISHED",
        }.get(status, "FAILED")
        since = job.running_since(self.now)
        ended = job.timeline[-1][0] if state in ("CANCELED", "FINISHED", "FAILED") and job.timeline else None
        return {
            "is_success": _true(),
            "message": "Querying the job execution graph succeeds.",
            "execute_graph": {
                "jid": uuid.uuid5(uuid.NAMESPACE_OID, f"{job.job_id}/{job.run_count}").hex,
                "name": job.name,
                # Flink's REST names, as the SDK's FlinkJobExecutionGraph maps them
                "isStoppable": state == "RUNNING",
                "state": state,
                "start-time": _ms(since) if since else _ms(job.run_start),
                "end-time": _ms(ended) if ended else -1,
                "duration": job.duration_ms(self.now),
            },
        }

    # ================================================================= D8-D11: run, stop, delete
    def run_jobs(self, body: Any) -> list[dict[str, Any]]:
        _raise(validation.validate_job_ids(body))
        resume = bool(as_bool(body.get("resume_savepoint")))
        used = self.p.queue_used_cu(self.now)
        results = []
        for job_id in body["job_ids"]:
            job = self.p.jobs.get(job_id)
            if job is None:
                results.append({"is_success": _true(False), "message": f"The job {job_id} does not exist."})
                continue
            status = job.status(self.now)
            if status in BUSY:
                results.append(
                    {
                        "is_success": _true(False),
                        "message": f"The job {job_id} is {status} and cannot be run.",
                    }
                )
                continue
            if resume and not job.has_savepoint(self.now):
                results.append(
                    {
                        "is_success": _true(False),
                        "message": f"The job {job_id} has no savepoint to resume from.",
                    }
                )
                continue
            if job.is_sql() and not job.sql_body.strip():
                results.append(
                    {"is_success": _true(False), "message": f"The job {job_id} has no SQL statement."}
                )
                continue
            if not job.is_sql() and not job.entrypoint:
                results.append(
                    {"is_success": _true(False), "message": f"The job {job_id} has no entrypoint JAR."}
                )
                continue
            self._start(job, resume, used)
            results.append(
                {
                    "is_success": _true(),
                    "message": "The request for submitting DLI jobs is delivered successfully.",
                }
            )
        return results

    def _start(self, job: DLIJob, resume: bool, used: dict[str, int]) -> None:
        now = self.now
        job.prior_running_seconds += job.current_running_seconds(now)
        job.prior_restarts = job.restart_times(now)
        job.restart_from = job.restart_period = 0.0
        job.run_count += 1
        job.run_start = now
        queue = self.p.queues.get(job.queue_name)
        free = (queue.cu_count - used.get(job.queue_name, 0)) if queue is not None else 0
        timeline: list[list[Any]] = [[now, "job_submitting", ""]]
        if queue is None:
            timeline.append(
                [
                    now + SUBMIT_SECONDS,
                    "job_submit_fail",
                    f"The queue {job.queue_name or '(none)'} does not exist.",
                ]
            )
        elif free < job.cu_number:
            timeline.append(
                [
                    now + SUBMIT_SECONDS,
                    "job_submit_fail",
                    f"The queue {queue.queue_name} has {max(0, free)} free CUs; the job needs {job.cu_number}.",
                ]
            )
        else:
            used[job.queue_name] = used.get(job.queue_name, 0) + job.cu_number
            desc = f"Restored from savepoint {job.savepoint_path}." if resume else ""
            timeline.append([now + SUBMIT_SECONDS, "job_running", desc])
            outcome = self.emu.next_outcome()
            if outcome is None and self.emu.failure_rate:
                fraction = stable_fraction(self.emu.random_seed, "run", job.job_id, job.run_count)
                outcome = "job_running_exception" if fraction < self.emu.failure_rate else "job_running"
            if outcome == "job_running_exception":
                after = 60 + 3540 * stable_fraction(
                    self.emu.random_seed, "fail-after", job.job_id, job.run_count
                )
                if job.restart_when_exception:
                    job.restart_from = now + SUBMIT_SECONDS + after
                    job.restart_period = after
                else:
                    timeline.append(
                        [now + SUBMIT_SECONDS + after, "job_running_exception", _FAIL_RUNNING_DESC]
                    )
        job.timeline = timeline

    def stop_jobs(self, body: Any) -> list[dict[str, Any]]:
        _raise(validation.validate_job_ids(body))
        savepoint = bool(as_bool(body.get("trigger_savepoint")))
        results = []
        for job_id in body["job_ids"]:
            job = self.p.jobs.get(job_id)
            if job is None:
                results.append({"is_success": _true(False), "message": f"The job {job_id} does not exist."})
                continue
            status = job.status(self.now)
            if status not in STOPPABLE:
                results.append(
                    {
                        "is_success": _true(False),
                        "message": f"The job {job_id} is {status} and cannot be stopped.",
                    }
                )
                continue
            self._cancel(job, savepoint and status == "job_running")
            results.append(
                {
                    "is_success": _true(),
                    "message": "The request for stopping DLI jobs is delivered successfully.",
                }
            )
        return results

    def _savepoint_path(self, job: DLIJob, base: str | None = None) -> str:
        root = (base or job.obs_bucket or f"dli-savepoints-{self.project.project_id[:8]}").strip().rstrip("/")
        root = root if root.startswith("obs://") else f"obs://{root}"
        return f"{root}/{job.job_id}/savepoint-{_ms(self.now)}"

    def _cancel(self, job: DLIJob, savepoint: bool) -> None:
        now = self.now
        kept = [entry for entry in job.timeline if entry[0] <= now]
        offset = 0.0
        if savepoint:
            kept.append([now, "job_savepointing", "Creating a savepoint before stopping."])
            offset = SAVEPOINT_SECONDS
            job.savepoint_path = self._savepoint_path(job)
            job.savepoint_at = now + SAVEPOINT_SECONDS
        kept.append([now + offset, "job_canceling", ""])
        kept.append([now + offset + CANCEL_SECONDS, "job_cancel_success", ""])
        job.timeline = kept

    def delete_jobs(self, body: Any) -> list[dict[str, Any]]:
        _raise(validation.validate_job_ids(body))
        results = []
        for job_id in body["job_ids"]:
            if job_id not in self.p.jobs:
                results.append({"is_success": _true(False), "message": f"The job {job_id} does not exist."})
                continue
            self._delete(job_id)
            results.append({"is_success": _true(), "message": "The job is deleted successfully."})
        return results

    def _delete(self, job_id: int) -> None:
        job = self.p.remove_job(job_id)
        self.p.deleted_cu_hours += job.cu_hours(self.now)

    def delete_job(self, job_id: Any) -> dict[str, Any]:
        job = self._job(job_id)
        self._delete(job.job_id)
        return {"is_success": _true(), "message": "The job is deleted successfully."}

    # ================================================================= D12-D15
    def metrics(self, body: Any) -> dict[str, Any]:
        _raise(validation.validate_job_ids(body))
        jobs = [
            {"job_id": job.job_id, "metrics": job.metrics(self.now)}
            for job in (self.p.jobs.get(i) for i in body["job_ids"])
            if job is not None
        ]
        return {"is_success": True, "message": "Querying job metrics succeeds.", "metrics": {"jobs": jobs}}

    def savepoint(self, job_id: Any, body: Any) -> dict[str, Any]:
        job = self._job(job_id)
        _raise(validation.validate_savepoint(body))
        status = job.status(self.now)
        if status != "job_running":
            raise DLIError(
                codes.NOT_SUPPORTED,
                f"The job {job.job_id} is {status}; only a running job takes a savepoint.",
            )
        now = self.now
        job.timeline = [entry for entry in job.timeline if entry[0] <= now] + [
            [now, "job_savepointing", "Creating a savepoint."],
            [now + SAVEPOINT_SECONDS, "job_running", ""],
        ]
        job.savepoint_path = self._savepoint_path(job, body["savepoint_path"])
        job.savepoint_at = now + SAVEPOINT_SECONDS
        message = json.dumps({"is_success": "true", "message": "api.msg.deal_savepoint_success"})
        return {"is_success": _true(), "message": message}

    def export_jobs(self, body: Any) -> dict[str, Any]:
        _raise(validation.validate_export(body))
        if as_bool(body.get("is_selected")):
            jobs = [self._job(i) for i in body["job_selected"]]
        else:
            jobs = [self.p.jobs[i] for i in self.p.job_ids]
        directory = str(body["obs_dir"]).rstrip("/")
        path = f"{directory}/dli-flink-jobs-{_ms(self.now)}.zip"
        self.p.obs_files[path] = [{"job_id": j.job_id, **{k: getattr(j, k) for k in _EXPORTED}} for j in jobs]
        return {"is_success": _true(), "message": f"{len(jobs)} jobs are exported.", "zip_file": [path]}

    def import_jobs(self, body: Any) -> dict[str, Any]:
        _raise(validation.validate_import(body))
        where = str(body["zip_file"]).rstrip("/")
        files = [p for p in sorted(self.p.obs_files) if p == where or p.startswith(where + "/")]
        if not files:
            raise DLIError(codes.NOT_FOUND, f"There is no job file at {where}.")
        cover = bool(as_bool(body.get("is_cover")))
        mapping = []
        for path in files:
            for saved in self.p.obs_files[path]:
                existing = self.p.job_names.get(saved["name"])
                if existing is not None and not cover:
                    mapping.append(
                        {
                            "old_job_id": saved["job_id"],
                            "new_job_id": existing,
                            "remark": "Skipped: a job with this name exists.",
                        }
                    )
                    continue
                if existing is not None:
                    job = self.p.jobs[existing]
                    if job.status(self.now) in BUSY:
                        mapping.append(
                            {
                                "old_job_id": saved["job_id"],
                                "new_job_id": existing,
                                "remark": "Skipped: the job with this name is running.",
                            }
                        )
                        continue
                    remark = "Covered the job with this name."
                else:
                    job = DLIJob(
                        job_id=self._next_id("dli_job"),
                        name=saved["name"],
                        job_type=saved["job_type"],
                        user_id=self.user.user_id,
                        user_name=self.user.name,
                        project_id=self.project.project_id,
                        create_time=self.now,
                        update_time=self.now,
                    )
                    self.p.add_job(job)
                    remark = "Imported."
                for key in _EXPORTED:
                    if key != "name" and key in saved:
                        setattr(job, key, saved[key])
                job.update_time = self.now
                mapping.append({"old_job_id": saved["job_id"], "new_job_id": job.job_id, "remark": remark})
        return {
            "is_success": _true(),
            "message": f"{len(mapping)} jobs are processed.",
            "job_mapping": mapping,
        }

    # ================================================================= D16-D19: templates
    def list_templates(self, params: Mapping[str, Any]) -> dict[str, Any]:
        _raise(validation.validate_list_query(params))
        limit = as_int(params.get("limit"))
        limit = limits.LIST_LIMIT_DEFAULT if limit is None else limit
        offset = as_int(params.get("offset")) or 0
        name = str(params.get("name") or "").strip().lower()
        ordered = sorted(
            self.p.templates.values(),
            key=lambda t: t.template_id,
            reverse=params.get("order", "desc") != "asc",
        )
        matched = [t for t in ordered if not name or name in t.name.lower()]
        templates = [
            {
                "template_id": t.template_id,
                "name": t.name,
                "desc": t.desc,
                "create_time": _ms(t.create_time),
                "update_time": _ms(t.update_time),
                "sql_body": t.sql_body,
                "job_type": t.job_type,
            }
            for t in matched[offset : offset + limit]
        ]
        return {
            "is_success": True,
            "message": "Querying of the template list succeeds.",
            "template_list": {"total_count": len(matched), "templates": templates},
        }

    def create_template(self, body: Any) -> dict[str, Any]:
        _raise(validation.validate_template(body))
        _raise(validation.validate_template_count(len(self.p.templates)))
        if any(t.name == body["name"] for t in self.p.templates.values()):
            raise DLIError(codes.OBJECT_EXISTS, f"The template name {body['name']} already exists.")
        template = DLITemplate(
            template_id=self._next_id("dli_template"),
            name=body["name"],
            desc=body.get("desc") or "",
            sql_body=body.get("sql_body") or "",
            job_type=body.get("job_type") or "flink_sql_job",
            create_time=self.now,
            update_time=self.now,
            tags=[dict(t) for t in body.get("tags") or []],
        )
        self.p.templates[template.template_id] = template
        return {
            "is_success": True,
            "message": "A template is created successfully.",
            "template": {
                "template_id": template.template_id,
                "name": template.name,
                "desc": template.desc,
                "create_time": _ms(template.create_time),
                "job_type": template.job_type,
            },
        }

    def update_template(self, template_id: Any, body: Any) -> dict[str, Any]:
        template = self._template(template_id)
        _raise(validation.validate_template(body, update=True))
        name = body.get("name")
        if (
            name is not None
            and name != template.name
            and any(t.name == name for t in self.p.templates.values())
        ):
            raise DLIError(codes.OBJECT_EXISTS, f"The template name {name} already exists.")
        for key in ("name", "desc", "sql_body"):
            if body.get(key) is not None:
                setattr(template, key, body[key])
        template.update_time = self.now
        return {"is_success": True, "message": "The template is updated successfully."}

    def delete_template(self, template_id: Any) -> dict[str, Any]:
        template = self._template(template_id)
        del self.p.templates[template.template_id]
        return {
            "is_success": True,
            "message": "The template is deleted successfully.",
            "template": {"template_id": template.template_id},
        }

    # ================================================================= D20-D23: resources
    def list_queues(self, params: Mapping[str, Any]) -> dict[str, Any]:
        queue_type = params.get("queue_type") or "sql"
        if queue_type not in vocab.DLI_QUEUE_TYPES:
            raise DLIError(
                codes.INVALID_PARAMETER, f"queue_type is one of {', '.join(vocab.DLI_QUEUE_TYPES)}."
            )
        used = self.p.queue_used_cu(self.now)
        queues = [
            self.queue_wire(q, used)
            for q in sorted(self.p.queues.values(), key=lambda q: q.queue_id)
            if queue_type == "all" or q.queue_type == queue_type
        ]
        return {"is_success": True, "message": "", "queues": queues}

    def show_queue(self, queue_name: str) -> dict[str, Any]:
        queue = self.p.queues.get(queue_name)
        if queue is None:
            raise DLIError(codes.NOT_FOUND, f"There is no queue named {queue_name}")
        wire = self.queue_wire(queue, self.p.queue_used_cu(self.now))
        keep = (
            "queue_id description owner create_time resource_id enterprise_project_id cu_spec cu_scale_out_limit "
            "cu_scale_in_limit elastic_resource_pool_name support_flink_sql_versions default_flink_sql_version "
            "support_flink_jar_versions default_flink_jar_version"
        ).split()
        body: dict[str, Any] = {"is_success": True, "message": ""}
        body.update({k: wire[k] for k in keep})
        # show_queue's four camelCase names (ShowQueueResponse.attribute_map), unlike the queue list's
        body.update(
            queueName=queue.queue_name,
            queueType=queue.queue_type,
            cuCount=queue.cu_count,
            chargingMode=queue.charging_mode,
        )
        body["resource_mode"] = 1
        body["resource_type"] = "vm"
        return body

    def list_pools(self, params: Mapping[str, Any]) -> dict[str, Any]:
        _raise(
            validation.validate_list_query(
                {k: params[k] for k in ("limit", "offset") if k in params},
                limit_max=limits.POOL_LIST_LIMIT_MAX,
            )
        )
        limit = as_int(params.get("limit"))
        limit = limits.POOL_LIST_LIMIT_MAX if limit is None else limit
        offset = as_int(params.get("offset")) or 0
        name = str(params.get("name") or "").strip().lower()
        status = str(params.get("status") or "").strip()
        used = self.p.queue_used_cu(self.now)
        matched = [
            p
            for p in sorted(self.p.pools.values(), key=lambda p: p.pool_id)
            if (not name or name in p.name.lower()) and (not status or p.status == status)
        ]
        pools = []
        for pool in matched[offset : offset + limit]:
            current = sum(self.p.queues[q].cu_count for q in pool.queues if q in self.p.queues)
            pools.append(
                {
                    "elastic_resource_pool_name": pool.name,
                    "id": pool.pool_id,
                    "update_time": _ms(pool.create_time),
                    "queues": list(pool.queues),
                    "owner": pool.owner,
                    "description": pool.description,
                    "max_cu": pool.max_cu,
                    "min_cu": pool.min_cu,
                    "actual_cu": max(pool.min_cu, current),
                    "current_cu": sum(used.get(q, 0) for q in pool.queues),
                    "cidr_in_vpc": pool.cidr_in_vpc,
                    "create_time": _ms(pool.create_time),
                    "status": pool.status,
                    "resource_id": pool.resource_id,
                    "fail_reason": "",
                    "enterprise_project_id": pool.enterprise_project_id,
                    "prepay_cu": 0,
                    "charging_mode": pool.charging_mode,
                    "manager": "CCE",
                    "label": {},
                    "ipv6_enable": False,
                }
            )
        return {"is_success": True, "message": "", "count": len(matched), "elastic_resource_pools": pools}

    def show_quota(self) -> dict[str, Any]:
        used_cu = sum(self.p.queue_used_cu(self.now).values())
        return {
            "is_success": True,
            "quotas": {
                "resources": [
                    {"type": "CU", "min": 0, "max": 100000, "quota": self.p.cu_quota, "used": used_cu},
                    {
                        "type": "QUEUE",
                        "min": 0,
                        "max": 1000,
                        "quota": self.p.queue_quota,
                        "used": len(self.p.queues),
                    },
                    {
                        "type": "ELASTIC_RESOURCE_POOL",
                        "min": 0,
                        "max": 1000,
                        "quota": self.p.pool_quota,
                        "used": len(self.p.pools),
                    },
                ]
            },
        }


def _json(request: Request) -> Any:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise DLIError(codes.INVALID_PARAMETER, "The request body is not valid JSON.") from exc


def handle(ops: DLIOps, endpoint: str, request: Request, values: dict[str, str]) -> tuple[Any, int]:
    """The (body, HTTP status) of one DLI operation."""
    q = {k: v for k, v in request.args.items()}
    body = _json(request) if request.method in ("POST", "PUT") else None
    match endpoint:
        case "dli_create_sql_job":
            return ops.create_sql_job(body), 200
        case "dli_update_sql_job":
            return ops.update_sql_job(values["job_id"], body), 200
        case "dli_create_jar_job":
            return ops.create_jar_job(body), 200
        case "dli_update_jar_job":
            return ops.update_jar_job(values["job_id"], body), 200
        case "dli_list_jobs":
            return ops.list_jobs(q), 200
        case "dli_show_job":
            return ops.show_job(values["job_id"]), 200
        case "dli_execute_graph":
            return ops.execute_graph(values["job_id"]), 200
        case "dli_run_jobs":
            return ops.run_jobs(body), 200
        case "dli_stop_jobs":
            return ops.stop_jobs(body), 200
        case "dli_delete_jobs":
            return ops.delete_jobs(body), 200
        case "dli_delete_job":
            return ops.delete_job(values["job_id"]), 200
        case "dli_metrics":
            return ops.metrics(body), 200
        case "dli_savepoint":
            return ops.savepoint(values["job_id"], body), 200
        case "dli_export_jobs":
            return ops.export_jobs(body), 200
        case "dli_import_jobs":
            return ops.import_jobs(body), 200
        case "dli_list_templates":
            return ops.list_templates(q), 200
        case "dli_create_template":
            return ops.create_template(body), 200
        case "dli_update_template":
            return ops.update_template(values["template_id"], body), 200
        case "dli_delete_template":
            return ops.delete_template(values["template_id"]), 200
        case "dli_list_queues":
            return ops.list_queues(q), 200
        case "dli_show_queue":
            return ops.show_queue(values["queue_name"]), 200
        case "dli_list_pools":
            return ops.list_pools(q), 200
        case "dli_show_quota":
            return ops.show_quota(), 200
    raise DLIError(codes.NOT_SUPPORTED, f"{request.method} {request.path} is not a DLI API.")


def summary(dli: DLIProject, now: float) -> dict[str, Any]:
    """What the control API's state shows of a project's DLI resources."""
    statuses: dict[str, int] = {}
    for job in dli.jobs.values():
        status = job.status(now)
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "queues": len(dli.queues),
        "pools": len(dli.pools),
        "jobs": len(dli.jobs),
        "job_statuses": statuses,
        "templates": len(dli.templates),
        "used_cu": sum(dli.queue_used_cu(now).values()),
        "cu_hours": round(dli.cu_hours(now), 3),
        "active_jobs": sum(1 for j in dli.jobs.values() if j.timeline and j.status(now) in ACTIVE),
    }
