"""The CS operations of one project: request rules, state changes, audit traces and wire shapes.

One :class:`ProjectOps` is made per request, for the caller's project and IAM user, at one instant
of the emulator's clock. Every method returns the JSON body CS answers with (see the reference's
examples) or raises :class:`~csapi.emulator.errors.ApiError` with the documented error code.
Request rules come from :mod:`csapi.validation`; the rules that need state (uniqueness, existence,
quotas, statuses) are here.
"""

from __future__ import annotations

import uuid
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from csapi import limits, validation, vocab
from csapi.validation import Violation, as_bool, as_int

from . import model
from .errors import ApiError
from .model import (
    ACTIVE_JOB_STATUSES,
    CANCEL_SECONDS,
    CLUSTER_CREATE_SECONDS,
    CLUSTER_DELETE_SECONDS,
    CLUSTER_GONE,
    CLUSTER_START_SECONDS,
    CLUSTER_STOP_SECONDS,
    NOT_RUNNABLE,
    NOT_UPDATABLE,
    PRICE_PER_SPU_HOUR,
    SAVEPOINT_SECONDS,
    SHARED_CLUSTER_ID,
    STOPPABLE,
    SUBMIT_SECONDS,
    AuditTrace,
    Cluster,
    Host,
    Job,
    Peering,
    Project,
    Route,
    Template,
    User,
    stable_fraction,
)
from .sqlinfo import apig_sinks, execute_plan

if TYPE_CHECKING:  # pragma: no cover
    from .app import Emulator

__all__ = ["ProjectOps", "TENANT_CLUSTER_SPU_TOTAL"]

#: The account-level quota behind CS.20004 ("The total number of available SPUs for all clusters is
#: {0}"): the maximum_spu_quota of all of a tenant's clusters together.
TENANT_CLUSTER_SPU_TOTAL = 1000

_FAIL_SUBMIT_DESC = (
    "Failed to submit the job: the JobManager could not be started in time. "
    "Check the job configuration and try again."
)
_FAIL_RUNNING_DESC = (
    "The job failed while running: TaskManager lost (container killed). Check the job logs in OBS."
)


def _ms(seconds: float | None) -> int:
    return int(round(seconds * 1000)) if seconds else 0


def _raise(violations: list[Violation]) -> None:
    if violations:
        v = violations[0]
        raise ApiError(v.code, v.message)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class ProjectOps:
    """The operations of one project for one caller at one instant."""

    def __init__(self, emu: Emulator, project: Project, user: User, *, ip: str = "127.0.0.1") -> None:
        self.emu = emu
        self.p = project
        self.user = user
        self.ip = ip
        self.now = emu.clock.now()

    # ================================================================= helpers
    def ok(self, message_id: str, message: str, payload: Any = None) -> dict[str, Any]:
        body: dict[str, Any] = {"message_id": message_id, "message": message}
        if payload is not None:
            body["payload"] = payload
        body["current_time"] = _ms(self.now)
        return body

    def trace(
        self,
        resource_type: str,
        resource_id: Any,
        resource_name: str,
        event: str,
        result: str,
        *,
        rating: str = "normal",
    ) -> None:
        self.p.audit.append(
            AuditTrace(
                resource_type=resource_type,
                resource_id=str(resource_id),
                resource_name=resource_name,
                event_name=event,
                event_type="ApiAction",
                event_rating=rating,
                op_user=self.user.name,
                op_time=self.now,
                op_ip=self.ip,
                op_result=result,
            )
        )

    def _job(self, job_id: Any, not_found: str) -> Job:
        number = as_int(job_id)
        if number is None or number < limits.JOB_ID_MIN:
            raise ApiError("CS.12001")
        job = self.p.jobs.get(number)
        if job is None:
            raise ApiError(not_found, f"The job {number} does not exist.")
        return job

    def _cluster(self, cluster_id: Any, code: str = "CS.20005") -> Cluster:
        number = as_int(cluster_id)
        cluster = self.p.clusters.get(number) if number is not None else None
        if cluster is None or cluster.gone(self.now):
            raise ApiError(code, f"The cluster {cluster_id} does not exist.")
        return cluster

    def _template(self, template_id: Any) -> Template:
        number = as_int(template_id)
        template = self.p.templates.get(number) if number is not None else None
        if template is None:
            raise ApiError("CS.18005", f"The template {template_id} does not exist.")
        return template

    def _spu_tallies(self) -> tuple[dict[str, int], dict[int, int]]:
        """SPUs held by active jobs per user and per cluster, in one pass (cached for read paths)."""
        cached = getattr(self, "_tallies", None)
        if cached is not None:
            return cached
        by_user: dict[str, int] = {}
        by_cluster: dict[int, int] = {}
        now = self.now
        for job in self.p.jobs.values():
            if job.timeline and job.status(now) in ACTIVE_JOB_STATUSES:
                by_user[job.user_id] = by_user.get(job.user_id, 0) + job.spu_number
                by_cluster[job.cluster_id] = by_cluster.get(job.cluster_id, 0) + job.spu_number
        self._tallies = (by_user, by_cluster)
        return self._tallies

    def _user_spu_used(self, user_id: str) -> int:
        now = self.now
        return sum(
            j.spu_number
            for j in self.p.jobs.values()
            if j.user_id == user_id and j.timeline and j.status(now) in ACTIVE_JOB_STATUSES
        )

    def _cluster_spu_used(self, cluster_id: int) -> int:
        now = self.now
        return sum(
            j.spu_number
            for j in self.p.jobs.values()
            if j.cluster_id == cluster_id and j.timeline and j.status(now) in ACTIVE_JOB_STATUSES
        )

    def _check_buckets(self, merged: Mapping[str, Any]) -> None:
        bucket = _text(merged.get("obs_bucket")).strip()
        uses = as_bool(merged.get("checkpoint_enabled")) or as_bool(merged.get("log_enabled"))
        if bucket and uses:
            name = bucket.split("/", 1)[0].removeprefix("obs://").split("/", 1)[0]
            if name not in self.p.obs_buckets:
                raise ApiError(
                    "CS.11016", f"Permission to access the OBS bucket {name} has not been granted to CS."
                )

    # ================================================================= job wire forms
    # The fields of a job's wire forms that do not depend on the clock are built once per state of the
    # job (``Job.wire_cache`` is dropped by any assignment to the job); a request copies them and fills
    # in status, status_desc and duration, in place so that the key order stays the documented one.
    @staticmethod
    def _brief_fields(job: Job) -> dict[str, Any]:
        return {
            "job_id": job.job_id,
            "name": job.name,
            "desc": job.desc,
            "user_name": job.user_name,
            "job_type": job.job_type,
            "status": None,
            "status_desc": None,
            "create_time": _ms(job.create_time),
            "start_time": _ms(job.run_start),
            "duration": None,
            "root_id": job.root_id,
            "graph_editor_enabled": False,
            "cluster_id": job.cluster_id,
            "run_mode": job.run_mode,
            "spu_number": job.spu_number,
            "parallel_number": job.parallel_number,
        }

    def _wire(self, job: Job) -> dict[str, Any]:
        cache = job.wire_cache
        if cache is None:
            cache = {}
            job.wire_cache = cache
        return cache

    def job_brief(self, job: Job) -> dict[str, Any]:
        cache = self._wire(job)
        fixed = cache.get("brief")
        if fixed is None:
            fixed = cache["brief"] = self._brief_fields(job)
        body = fixed.copy()
        body["status"], body["status_desc"] = job.status_at(self.now)
        body["duration"] = job.duration_ms(self.now)
        return body

    def job_config(self, job: Job) -> dict[str, Any]:
        config: dict[str, Any] = {
            "checkpoint_enabled": job.checkpoint_enabled,
            "checkpoint_mode": job.checkpoint_mode,
            "checkpoint_interval": job.checkpoint_interval,
            "log_enabled": job.log_enabled,
            "obs_bucket": job.obs_bucket,
            "smn_topic": job.smn_topic,
            "root_id": job.root_id,
            "edge_group_ids": job.edge_group_ids,
            "restart_when_exception": job.restart_when_exception,
            "idle_state_retention": job.idle_state_retention,
            "dirty_data_strategy": job.dirty_data_strategy,
            "udf_jar_url": job.udf_jar_url,
        }
        if not job.is_sql():
            config.update(
                manager_spu=job.manager_spu,
                executor_number=job.executor_number,
                executor_spu=job.executor_spu,
                config_url=job.config_url,
            )
        return config

    def job_detail(self, job: Job) -> dict[str, Any]:
        cache = self._wire(job)
        fixed = cache.get("detail")
        if fixed is None:
            fixed = self._brief_fields(job)
            fixed.update(
                username=job.user_name,
                user_id=job.user_id,
                project_id=job.project_id,
                sql_body=job.sql_body,
                job_config=self.job_config(job),
                jar_url=job.jar_url,
                main_class=job.main_class,
                args=job.args,
                execution_graph="",
                update_time=_ms(job.update_time),
                tags=job.tags,
                sys_enterprise_project_id=job.sys_enterprise_project_id,
            )
            if not job.is_sql():
                fixed.update(
                    manager_spu=job.manager_spu,
                    executor_number=job.executor_number,
                    executor_spu=job.executor_spu,
                )
            cache["detail"] = fixed
        body = fixed.copy()
        body["status"], body["status_desc"] = job.status_at(self.now)
        body["duration"] = job.duration_ms(self.now)
        body["job_config"] = fixed["job_config"].copy()
        return body

    # ================================================================= registration, OBS, overview
    def user_register(self) -> dict[str, Any]:
        self.p.registered = True
        return self.ok("CS.10001", "Registration succeeds.")

    def obs_authorize(self, body: Any) -> dict[str, Any]:
        _raise(validation.validate_obs_buckets(body))
        buckets = body["buckets"] if isinstance(body, Mapping) else body
        already = [b for b in buckets if b in self.p.obs_buckets]
        if already:
            raise ApiError("CS.19005", f"The OBS bucket {already[0]} is already authorized.")
        self.p.obs_buckets.update(buckets)
        return self.ok("CS.10001", "Authorization succeeds.")

    def overview(self) -> dict[str, Any]:
        now = self.now
        total_cost = self.p.deleted_cost
        running = finished = exception = 0
        running_charge = running_spu = 0.0
        running_hours = 0.0
        for job in self.p.jobs.values():
            charge = job.charge(now) if (job.prior_running_seconds or job.timeline) else 0.0
            total_cost += charge
            if not job.timeline:
                continue
            status = vocab.job_status(job.status(now))
            if status.name == "job_running":
                running += 1
                running_charge += charge
                running_spu += job.spu_number
                running_hours += job.running_seconds(now) / 3600.0
            elif status.group == "stopped":
                finished += 1
            elif status.group == "failed":
                exception += 1
        c_total = c_running = c_exception = c_other = 0
        c_charge = c_spu = c_hours = 0.0
        for cluster in self.p.clusters.values():
            charge = cluster.charge(now)
            total_cost += charge
            if cluster.gone(now):
                continue
            c_total += 1
            health = vocab.cluster_status(cluster.status(now)).health
            if health == "healthy":
                c_running += 1
                c_charge += charge
                c_spu += cluster.manager_node_spu
                c_hours += cluster.running_seconds(now) / 3600.0
            elif health == "failed":
                c_exception += 1
            else:
                c_other += 1
        payload = {
            "total_cost": round(total_cost, 4),
            "job_overview": {
                "total_jobs": len(self.p.jobs),
                "running_jobs_count": running,
                "finished_job_count": finished,
                "exception_job_count": exception,
                "running_job_charge": round(running_charge, 4),
                "running_job_price": round(running_spu * PRICE_PER_SPU_HOUR, 4),
                "running_job_total_spu": int(running_spu),
                "running_job_total_time": round(running_hours, 4),
                "billing_unit": model.BILLING_UNIT,
                "time_unit": "HOUR",
            },
            "cluster_overview": {
                "total_clusters": c_total,
                "running_cluster_count": c_running,
                "exception_cluster_count": c_exception,
                "other_cluster_count": c_other,
                "running_cluster_charge": round(c_charge, 4),
                "running_cluster_price": round(c_spu * PRICE_PER_SPU_HOUR, 4),
                "running_cluster_total_spu": int(c_spu),
                "running_cluster_total_time": round(c_hours, 4),
                "billing_unit": model.BILLING_UNIT,
                "time_unit": "HOUR",
            },
        }
        return self.ok("CS.10001", "Querying summary statistics succeeds.", payload)

    # ================================================================= SQL jobs
    def _sql_fields(self, job: Job, data: Mapping[str, Any]) -> None:
        def present(key: str) -> bool:
            return key in data and data[key] is not None

        for key in (
            "name",
            "desc",
            "sql_body",
            "run_mode",
            "obs_bucket",
            "smn_topic",
            "edge_group_ids",
            "tags",
            "sys_enterprise_project_id",
            "udf_jar_url",
        ):
            if present(key) and key != "name":
                setattr(job, key, _text(data[key]))
        for key in ("spu_number", "parallel_number", "checkpoint_interval", "idle_state_retention"):
            if present(key) and data[key] != "":
                setattr(job, key, as_int(data[key]))
        for key in ("checkpoint_enabled", "log_enabled", "restart_when_exception"):
            if present(key):
                setattr(job, key, bool(as_bool(data[key])))
        if present("checkpoint_mode") and data["checkpoint_mode"] != "":
            job.checkpoint_mode = (
                vocab.normalize_checkpoint_mode(data["checkpoint_mode"]) or job.checkpoint_mode
            )
        if present("dirty_data_strategy") and data["dirty_data_strategy"] != "":
            job.dirty_data_strategy = _text(data["dirty_data_strategy"])
        if job.run_mode == "exclusive_cluster" and present("cluster_id"):
            job.cluster_id = as_int(data["cluster_id"]) or job.cluster_id
        elif job.run_mode != "exclusive_cluster":
            job.cluster_id = SHARED_CLUSTER_ID
        if job.run_mode == "edge_node":
            job.job_type = "flink_sql_edge_job"
        elif job.job_type == "flink_sql_edge_job":
            job.job_type = "flink_sql_job"
        job.reset_sql_info()

    def _check_job_cluster(self, run_mode: str, cluster_id: Any) -> None:
        if run_mode == "exclusive_cluster":
            self._cluster(cluster_id)

    def _drafts(self) -> int:
        return sum(1 for j in self.p.jobs.values() if not j.timeline)

    def create_sql_job(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, Mapping):
            raise ApiError("CS.10004")
        _raise(validation.validate_sql_job(body))
        name = body["name"]
        if name in self.p.job_names:
            raise ApiError("CS.11004", f"The job name {name} already exists.")
        if self._drafts() >= limits.DRAFT_JOBS_MAX:
            raise ApiError("CS.11003")
        self._check_job_cluster(body["run_mode"], body.get("cluster_id"))
        self._check_buckets(body)
        data = dict(body)
        if data.get("template_id") not in (None, "") and not data.get("sql_body"):
            data["sql_body"] = self._template(data["template_id"]).sql_body
        job = Job(
            job_id=self.emu.next_id("job"),
            name=name,
            job_type="flink_sql_job",
            run_mode=body["run_mode"],
            user_id=self.user.user_id,
            user_name=self.user.name,
            project_id=self.p.project_id,
            create_time=self.now,
            update_time=self.now,
            template_id=as_int(data.get("template_id")),
        )
        self._sql_fields(job, data)
        self.p.add_job(job)
        self.trace(
            "job",
            job.job_id,
            job.name,
            "createJob",
            "CS.12000::CREATE_JOB_SUCCESS:: A CS job is created successfully.",
        )
        return self.ok(
            "CS.12000",
            "A CS job is created successfully.",
            {"job_id": job.job_id, "status_name": "job_init", "status_desc": ""},
        )

    def _update_guard(self, job: Job) -> None:
        status = job.status(self.now)
        if status in NOT_UPDATABLE:
            raise ApiError("CS.12003", f"The job {job.job_id} is {status} and cannot be updated.")

    def _rename(self, job: Job, name: Any) -> None:
        if name is None or name == job.name:
            return
        other = self.p.job_names.get(name)
        if other is not None and other != job.job_id:
            raise ApiError("CS.12006", f"The job name {name} already exists.")
        self.p.rename_job(job, name)

    def _current_sql(self, job: Job) -> dict[str, Any]:
        return {
            "run_mode": job.run_mode,
            "job_type": job.job_type,
            "cluster_id": job.cluster_id,
            "spu_number": job.spu_number,
            "parallel_number": job.parallel_number,
            "checkpoint_enabled": job.checkpoint_enabled,
            "checkpoint_mode": job.checkpoint_mode,
            "checkpoint_interval": job.checkpoint_interval,
            "obs_bucket": job.obs_bucket,
            "log_enabled": job.log_enabled,
            "edge_group_ids": job.edge_group_ids,
            "udf_jar_url": job.udf_jar_url,
        }

    def update_sql_job(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, Mapping):
            raise ApiError("CS.10004")
        if as_int(body.get("job_id")) is None or as_int(body.get("job_id")) < 1:
            raise ApiError("CS.12001")
        job = self._job(body["job_id"], "CS.12004")
        if not job.is_sql():
            raise ApiError("CS.12005", f"The job {job.job_id} is a user-defined job; update it as one.")
        current = self._current_sql(job)
        if "run_mode" in body and body["run_mode"] != job.run_mode and "job_type" not in body:
            current.pop("job_type")
        _raise(validation.validate_sql_job(body, update=True, current=current))
        self._update_guard(job)
        merged = {**current, **{k: v for k, v in body.items() if v is not None}}
        self._check_job_cluster(merged["run_mode"], merged.get("cluster_id"))
        self._check_buckets(merged)
        self._rename(job, body.get("name"))
        self._sql_fields(job, body)
        job.update_time = self.now
        self.trace(
            "job",
            job.job_id,
            job.name,
            "updateJob",
            "CS.12000::UPDATE_JOB_SUCCESS:: The job is updated successfully.",
        )
        return self.ok("CS.10001", "The job is updated successfully.", {"update_time": _ms(job.update_time)})

    # ================================================================= JAR jobs
    def _store_files(self, job: Job, files: Mapping[str, tuple[str | None, bytes]]) -> None:
        if "jar" in files:
            filename, content = files["jar"]
            job.jar_url = f"cs-{job.job_type.split('_')[0]}-jar/{job.job_id}/{filename or 'job.jar'}"
            job.jar_size = len(content)
        if "config" in files:
            filename, _content = files["config"]
            job.config_url = f"cs-config/{job.job_id}/{filename or 'config'}"

    def _jar_fields(self, job: Job, form: Mapping[str, Any]) -> None:
        def present(key: str) -> bool:
            return key in form and form[key] is not None

        for key in (
            "desc",
            "obs_bucket",
            "smn_topic",
            "jar_url",
            "config_url",
            "main_class",
            "args",
            "tags",
            "sys_enterprise_project_id",
        ):
            if present(key):
                setattr(job, key, _text(form[key]))
        for key in (
            "cluster_id",
            "manager_spu",
            "spu_number",
            "parallel_number",
            "executor_number",
            "executor_spu",
        ):
            if present(key) and form[key] != "":
                setattr(job, key, as_int(form[key]))
        for key in ("log_enabled", "restart_when_exception"):
            if present(key):
                setattr(job, key, bool(as_bool(form[key])))
        if job.job_type == "spark_streaming_jar_job":
            job.spu_number = job.executor_spu * job.executor_number + job.manager_spu
            job.parallel_number = job.executor_number
        job.run_mode = "exclusive_cluster"

    def create_jar_job(
        self, form: Mapping[str, Any], files: Mapping[str, tuple[str | None, bytes]]
    ) -> dict[str, Any]:
        _raise(validation.validate_jar_job(form, files=files))
        name = form["name"]
        if name in self.p.job_names:
            raise ApiError("CS.11004", f"The job name {name} already exists.")
        if self._drafts() >= limits.DRAFT_JOBS_MAX:
            raise ApiError("CS.11003")
        self._cluster(form["cluster_id"])
        self._check_buckets(form)
        job = Job(
            job_id=self.emu.next_id("job"),
            name=name,
            job_type=form["job_type"],
            run_mode="exclusive_cluster",
            user_id=self.user.user_id,
            user_name=self.user.name,
            project_id=self.p.project_id,
            create_time=self.now,
            update_time=self.now,
        )
        self._jar_fields(job, form)
        self._store_files(job, files)
        self.p.add_job(job)
        self.trace(
            "job",
            job.job_id,
            job.name,
            "createJob",
            "CS.12000::CREATE_JOB_SUCCESS:: A job is created successfully.",
        )
        return self.ok(
            "CS.10001",
            "A job is created successfully.",
            {"job_id": job.job_id, "status_name": "job_init", "status_desc": ""},
        )

    def update_jar_job(
        self, form: Mapping[str, Any], files: Mapping[str, tuple[str | None, bytes]]
    ) -> dict[str, Any]:
        if as_int(form.get("job_id")) is None or as_int(form.get("job_id")) < 1:
            raise ApiError("CS.12001")
        job = self._job(form["job_id"], "CS.12004")
        if job.is_sql():
            raise ApiError("CS.12005", f"The job {job.job_id} is a SQL job; update it as one.")
        current = {
            "job_type": job.job_type,
            "cluster_id": job.cluster_id,
            "manager_spu": job.manager_spu,
            "spu_number": job.spu_number,
            "parallel_number": job.parallel_number,
            "executor_number": job.executor_number,
            "executor_spu": job.executor_spu,
            "log_enabled": job.log_enabled,
            "obs_bucket": job.obs_bucket,
        }
        form = {k: v for k, v in form.items() if k != "job_type"}
        _raise(validation.validate_jar_job(form, update=True, current=current, files=files))
        self._update_guard(job)
        if "cluster_id" in form:
            self._cluster(form["cluster_id"])
        merged = {**current, **form}
        self._check_buckets(merged)
        self._rename(job, form.get("name"))
        self._jar_fields(job, form)
        self._store_files(job, files)
        job.update_time = self.now
        self.trace(
            "job",
            job.job_id,
            job.name,
            "updateJob",
            "CS.12000::UPDATE_JOB_SUCCESS:: The job is updated successfully.",
        )
        return self.ok("CS.10001", "The job is updated successfully.", {"update_time": _ms(job.update_time)})

    # ================================================================= run / stop / delete
    def _run_checks(
        self, job: Job, resume: bool, tally_user: dict[str, int], tally_cluster: dict[int, int]
    ) -> None:
        status = job.status(self.now)
        if status in NOT_RUNNABLE:
            raise ApiError("CS.13006", f"The job {job.job_id} is {status} and cannot be run.")
        if job.is_sql():
            if not job.sql_body.strip():
                raise ApiError("CS.13005", f"The job {job.job_id} has no SQL statement.")
            if job.run_mode == "shared_cluster":
                types = job.sql_info.stream_types
                if "kafka" in types:
                    raise ApiError("CS.13014")
        else:
            if not job.jar_url:
                raise ApiError("CS.13013", f"The job {job.job_id} has no JAR file.")
            if job.run_mode == "shared_cluster":
                raise ApiError("CS.13009")
        if job.run_mode == "exclusive_cluster":
            cluster = self.p.clusters.get(job.cluster_id)
            if cluster is None or cluster.gone(self.now) or cluster.status(self.now) != 5:
                raise ApiError("CS.13008", f"The cluster {job.cluster_id} is not running.")
            owner = self.p.users.get(job.user_id)
            if owner is not None and cluster.cluster_id not in owner.clusters:
                raise ApiError(
                    "CS.13011", f"The user {owner.name} may not use the cluster {cluster.cluster_id}."
                )
            used = tally_cluster.setdefault(cluster.cluster_id, self._cluster_spu_used(cluster.cluster_id))
            if used + job.spu_number > cluster.maximum_spu_quota:
                raise ApiError(
                    "CS.13002",
                    f"The cluster {cluster.cluster_id} has {cluster.maximum_spu_quota - used} "
                    f"SPUs left; the job needs {job.spu_number}.",
                )
            tally_cluster[cluster.cluster_id] = used + job.spu_number
        owner = self.p.users.get(job.user_id)
        if owner is not None:
            used = tally_user.setdefault(owner.user_id, self._user_spu_used(owner.user_id))
            if used + job.spu_number > owner.spu_quota:
                raise ApiError(
                    "CS.13001",
                    f"The user {owner.name} uses {used} of {owner.spu_quota} SPUs; "
                    f"the job needs {job.spu_number}.",
                )
            tally_user[owner.user_id] = used + job.spu_number
        if resume and not job.savepoints:
            raise ApiError("CS.13017", f"The job {job.job_id} has no savepoint.")

    def _start(self, job: Job, resume: bool) -> None:
        now = self.now
        job.prior_running_seconds += job.current_running_seconds(now)
        job.run_count += 1
        job.run_start = now
        outcome = self.emu.next_outcome()
        if outcome is None:
            fraction = stable_fraction(self.emu.random_seed, "run", job.job_id, job.run_count)
            rate = self.emu.failure_rate
            outcome = (
                "job_submit_fail"
                if fraction < rate / 2
                else "job_running_exception"
                if fraction < rate
                else "job_running"
            )
        desc = f"Restored from savepoint {self.savepoint_path(job, job.savepoints[-1])}." if resume else ""
        timeline: list[list[Any]] = [[now, "job_submitting", ""]]
        if outcome == "job_submit_fail":
            timeline.append([now + SUBMIT_SECONDS, "job_submit_fail", _FAIL_SUBMIT_DESC])
        else:
            timeline.append([now + SUBMIT_SECONDS, "job_running", desc])
            if outcome == "job_running_exception":
                after = 60 + 3540 * stable_fraction(
                    self.emu.random_seed, "fail-after", job.job_id, job.run_count
                )
                timeline.append([now + SUBMIT_SECONDS + after, "job_running_exception", _FAIL_RUNNING_DESC])
        job.timeline = timeline

    def savepoint_path(self, job: Job, at: float) -> str:
        bucket = job.obs_bucket or f"cs-savepoints-{self.p.project_id[:8]}"
        return f"obs://{bucket}/savepoints/{job.job_id}/savepoint-{_ms(at)}"

    def run_jobs(self, job_ids: Iterable[Any], *, resume: bool, batch: bool) -> dict[str, Any]:
        jobs = [self._job(j, "CS.13007") for j in job_ids]
        tally_user: dict[str, int] = {}
        tally_cluster: dict[int, int] = {}
        for job in jobs:
            self._run_checks(job, resume, tally_user, tally_cluster)
        for job in jobs:
            self._start(job, resume)
            self.trace(
                "job",
                job.job_id,
                job.name,
                "startJob",
                "CS.14000::RUN_JOB_SUCCESS:: The request for submitting CS jobs is delivered successfully.",
            )
        return self.ok("CS.14000", "The request for submitting CS jobs is delivered successfully.")

    def _cancel(self, job: Job, savepoint: bool) -> None:
        now = self.now
        status = job.status(now)
        job.prior_running_seconds += job.current_running_seconds(now)
        # keep the run's history up to now, then plan the cancel
        timeline = [entry for entry in job.timeline if entry[0] <= now]
        for entry in timeline:
            if entry[1] == "job_running":
                entry[1] = "job_running"
        offset = 0.0
        if savepoint and status == "job_running":
            job.savepoints.append(now + SAVEPOINT_SECONDS)
            timeline = [[now, "job_savepointing", "Creating a savepoint."]]
            offset = SAVEPOINT_SECONDS
        else:
            timeline = []
        timeline.append([now + offset, "job_canceling", ""])
        timeline.append([now + offset + CANCEL_SECONDS, "job_cancel_success", ""])
        job.timeline = timeline

    def stop_jobs(self, job_ids: Iterable[Any], *, savepoint: bool, batch: bool) -> dict[str, Any]:
        jobs = [self._job(j, "CS.16001" if batch else "CS.15001") for j in job_ids]
        for job in jobs:
            status = job.status(self.now)
            if status not in STOPPABLE:
                raise ApiError("CS.15002", f"The job {job.job_id} is {status} and cannot be stopped.")
        for job in jobs:
            self._cancel(job, savepoint)
            self.trace(
                "job",
                job.job_id,
                job.name,
                "stopJob",
                "CS.16000::STOP_JOB_SUCCESS:: The CS job stops successfully.",
            )
        if batch:
            return self.ok("CS.16000", "The CS job stops successfully.")
        return self.ok("CS.15000", "The request for stopping the CS job is delivered successfully.")

    def delete_jobs(self, job_ids: Iterable[Any]) -> dict[str, Any]:
        jobs = [self._job(j, "CS.17001") for j in job_ids]
        for job in jobs:
            self.p.deleted_cost += job.charge(self.now)
            self.p.remove_job(job.job_id)
            self.trace(
                "job",
                job.job_id,
                job.name,
                "deleteJob",
                "CS.18000::DELETE_JOB_SUCCESS:: The CS job is deleted successfully.",
            )
        return self.ok("CS.18000", "The CS job is deleted successfully.")

    # ================================================================= job queries
    def _iter_ids(
        self, ids: list[int], cursor: int | None, desc: bool, forward: bool
    ) -> tuple[Iterator[int], bool]:
        """Ids in the order the page is read in, and whether that order must be reversed for display."""
        down = desc == forward  # desc+next / asc+previous read toward smaller ids
        if cursor is None:
            return (reversed(ids) if desc else iter(ids)), False
        if down:
            pos = bisect_left(ids, cursor)
            return (ids[i] for i in range(pos - 1, -1, -1)), not desc
        pos = bisect_right(ids, cursor)
        return (ids[i] for i in range(pos, len(ids))), desc

    def _page(
        self,
        ids: list[int],
        get: Callable[[int], Any],
        params: Mapping[str, Any],
        match: Callable[[Any], bool] | None,
        default_limit: int,
        default_order: str = "desc",
        total_hint: int | None = None,
    ) -> tuple[int, list[Any]]:
        limit = as_int(params.get("limit")) or default_limit
        order = params.get("order") or default_order
        forward = as_bool(params.get("next")) if params.get("next") not in (None, "") else True
        cursor = as_int(params.get("cursor")) if params.get("cursor") not in (None, "") else None
        iterator, reverse = self._iter_ids(ids, cursor, order != "asc", bool(forward))
        page: list[Any] = []
        for key in iterator:
            item = get(key)
            if match is None or match(item):
                page.append(item)
                if len(page) >= limit:
                    break
        if reverse:
            page.reverse()
        if match is None:
            total = total_hint if total_hint is not None else len(ids)
        else:
            total = sum(1 for key in ids if match(get(key)))
        return total, page

    def _job_filter(
        self, params: Mapping[str, Any], cluster_id: int | None = None
    ) -> Callable[[Job], bool] | None:
        name = _text(params.get("name")).strip().lower()
        status = _text(params.get("status")).strip()
        job_type = _text(params.get("job_type")).strip()
        root = as_int(params.get("root_job_id")) if params.get("root_job_id") not in (None, "") else None
        if cluster_id is None and params.get("cluster_id") not in (None, ""):
            cluster_id = as_int(params.get("cluster_id"))
        if status:
            status = vocab.job_status(status).name or status
        if not (name or status or job_type or root is not None or cluster_id is not None):
            return None
        now = self.now

        def match(job: Job) -> bool:
            if cluster_id is not None and job.cluster_id != cluster_id:
                return False
            if name and name not in job.name.lower():
                return False
            if job_type and job.job_type != job_type:
                return False
            if root is not None and job.root_id != root:
                return False
            return not status or job.status(now) == status

        return match

    def list_jobs(self, params: Mapping[str, Any], *, cluster_id: int | None = None) -> dict[str, Any]:
        _raise(validation.validate_list_query(params, limit_code="CS.10003", cursor_code="CS.12001"))
        if cluster_id is not None:
            self._cluster(cluster_id)
        detail = bool(as_bool(params.get("show_detail")))
        default_limit = (
            limits.CLUSTER_JOBS_LIMIT_DEFAULT if cluster_id is not None else limits.LIST_PAGE_SIZE_DEFAULT
        )
        total, page = self._page(
            self.p.job_ids,
            self.p.jobs.__getitem__,
            params,
            self._job_filter(params, cluster_id),
            default_limit,
        )
        form = self.job_detail if detail else self.job_brief
        return self.ok(
            "CS.23000",
            "Querying of the job list succeeds.",
            {"total": total, "jobs": [form(j) for j in page]},
        )

    def get_job(self, job_id: Any) -> dict[str, Any]:
        job = self._job(job_id, "CS.12004")
        return self.ok("CS.10001", "The query of job details succeeds.", self.job_detail(job))

    def execute_graph(self, job_id: Any) -> dict[str, Any]:
        job = self._job(job_id, "CS.12004")
        if not job.is_sql():
            raise ApiError(
                "CS.14001", f"The job {job.job_id} is a user-defined job and has no execution plan."
            )
        return self.ok(
            "CS.10001",
            "Querying the job execution plan succeeds.",
            {"execute_plan_items": execute_plan(job.sql_info, job.parallel_number)},
        )

    def apig_sinks(self, job_id: Any) -> dict[str, Any]:
        job = self._job(job_id, "CS.12004")
        if not job.is_sql():
            raise ApiError("CS.11098", f"The job {job.job_id} is a user-defined job and has no APIG sinks.")
        return self.ok(
            "CS.10001",
            "Querying the APIG address of the job succeeds.",
            apig_sinks(job.sql_info, job.job_id, self.p.app_id or self.p.project_id, self.p.region),
        )

    def metrics(self, body: Any) -> dict[str, Any]:
        _raise(validation.validate_metrics_request(body))
        jobs = []
        for value in body["job_ids"]:
            job = self.p.jobs.get(as_int(value))
            if job is not None:
                jobs.append({"job_id": job.job_id, "metrics": job.metrics(self.now)})
        return self.ok("CS.10001", "Querying job monitoring information succeeds.", {"jobs": jobs})

    def audit_logs(self, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        _raise(validation.validate_audit_query(params))
        limit = as_int(params.get("limit")) or 10
        page_number = as_int(params.get("page_number")) or 1
        rtype = _text(params.get("resource_type")).strip()
        rid = _text(params.get("resource_id")).strip()
        cursor = _text(params.get("cursor")).strip()
        matched = [
            t
            for t in reversed(self.p.audit)
            if (not rtype or t.resource_type == rtype)
            and (not rid or t.resource_id == rid)
            and (not cursor or t.resource_id == cursor)
        ]
        start = (page_number - 1) * limit
        traces = [t.wire() for t in matched[start : start + limit]]
        return [
            self.ok("CS.10001", "Querying audit logs succeeds.", {"total": len(matched), "traces": traces})
        ]

    # ================================================================= templates
    def create_template(self, body: Any) -> dict[str, Any]:
        _raise(validation.validate_template(body))
        if len(self.p.templates) >= limits.TEMPLATES_MAX:
            raise ApiError("CS.18003")
        if any(t.name == body["name"] for t in self.p.templates.values()):
            raise ApiError("CS.18002", f"The template name {body['name']} already exists.")
        template = Template(
            template_id=self.emu.next_id("template"),
            name=body["name"],
            desc=_text(body.get("desc")),
            sql_body=_text(body.get("sql_body")),
            create_time=self.now,
            update_time=self.now,
            job_type=_text(body.get("job_type")) or "flink_sql_job",
        )
        self.p.templates[template.template_id] = template
        self.trace(
            "template",
            template.template_id,
            template.name,
            "createTemplate",
            "CS.18010::CREATE_TEMPLATE_SUCCESS:: The template is created successfully.",
        )
        return self.ok(
            "CS.10001",
            "The template is created successfully.",
            {
                "template_id": template.template_id,
                "name": template.name,
                "desc": template.desc,
                "create_time": _ms(template.create_time),
                "is_success": True,
            },
        )

    def update_template(self, body: Any) -> dict[str, Any]:
        _raise(validation.validate_template(body, update=True))
        template = self._template(body.get("id", body.get("template_id")))
        name = body.get("name")
        if name and any(
            t.name == name and t.template_id != template.template_id for t in self.p.templates.values()
        ):
            raise ApiError("CS.18002", f"The template name {name} already exists.")
        for key in ("name", "desc", "sql_body"):
            if body.get(key) is not None:
                setattr(template, key, _text(body[key]))
        template.update_time = self.now
        self.trace(
            "template",
            template.template_id,
            template.name,
            "updateTemplate",
            "CS.18014::UPDATE_TEMPLATE_SUCCESS:: The template is updated successfully.",
        )
        return self.ok("CS.18014", "The template is updated successfully.")

    def delete_template(self, template_id: Any) -> dict[str, Any]:
        template = self._template(template_id)
        del self.p.templates[template.template_id]
        self.trace(
            "template",
            template.template_id,
            template.name,
            "deleteTemplate",
            "CS.18013::DELETE_TEMPLATE_SUCCESS:: The template is deleted successfully.",
        )
        return self.ok(
            "CS.18013",
            "The template is deleted successfully.",
            {"template_id": template.template_id, "is_success": True},
        )

    def list_templates(self, params: Mapping[str, Any]) -> dict[str, Any]:
        _raise(validation.validate_list_query(params, limit_code="CS.10003", cursor_code="CS.18005"))
        ids = sorted(self.p.templates)
        total, page = self._page(
            ids, self.p.templates.__getitem__, params, None, limits.LIST_PAGE_SIZE_DEFAULT
        )
        return self.ok(
            "CS.18011",
            "The template list is obtained successfully.",
            {
                "total": total,
                "templates": [
                    {
                        "template_id": t.template_id,
                        "name": t.name,
                        "desc": t.desc,
                        "create_time": _ms(t.create_time),
                        "update_time": _ms(t.update_time),
                        "sql_body": t.sql_body,
                        "job_type": t.job_type,
                    }
                    for t in page
                ],
            },
        )

    # ================================================================= clusters
    def cluster_wire(self, cluster: Cluster) -> dict[str, Any]:
        code, desc = cluster.status_at(self.now)
        status = vocab.cluster_status(code)
        return {
            "cluster_id": cluster.cluster_id,
            "name": cluster.name,
            "desc": cluster.desc,
            "status_code": code,
            "status_name": status.name,
            "status_desc": desc or status.name,
            "spu_used": self._spu_tallies()[1].get(cluster.cluster_id, 0),
            "maximum_spu_quota": cluster.maximum_spu_quota,
            "region_id": cluster.region_id,
            "error_reason": "",
            "created_at": _ms(cluster.created_at),
            "vpc_cidr": cluster.vpc_cidr,
            "subnet_cidr": cluster.subnet_cidr,
            "subnet_gateway": cluster.subnet_gateway,
            "manager_node_spu": str(cluster.manager_node_spu),
            "sys_enterprise_project_id": cluster.sys_enterprise_project_id,
            "sys_enterprise_project_name": "default" if cluster.sys_enterprise_project_id == "0" else "",
            "is_arm_arch": cluster.is_arm_arch,
        }

    def _tenant_cluster_spu(self, exclude: int | None = None) -> int:
        return sum(c.maximum_spu_quota for cid, c in self.p.live_clusters(self.now).items() if cid != exclude)

    def create_cluster(self, body: Any) -> dict[str, Any]:
        _raise(validation.validate_cluster(body))
        live = self.p.live_clusters(self.now)
        if any(c.name == body["name"] for c in live.values()):
            raise ApiError("CS.20006", f"The cluster name {body['name']} already exists.")
        quota = as_int(body.get("maximum_spu_quota")) or 100
        left = TENANT_CLUSTER_SPU_TOTAL - self._tenant_cluster_spu()
        if quota > left:
            raise ApiError("CS.20004", args=(max(left, 0),))
        cluster = Cluster(
            cluster_id=self.emu.next_id("cluster"),
            name=body["name"],
            desc=_text(body.get("desc")),
            owner_id=self.user.user_id,
            maximum_spu_quota=quota,
            created_at=self.now,
            vpc_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"vpc/{self.p.project_id}/{body['name']}/{self.now}")),
            vpc_cidr=_text(body.get("vpc_cidr")) or "172.16.0.0/23",
            subnet_cidr=_text(body.get("subnet_cidr")) or _text(body.get("vpc_cidr")) or "172.16.0.0/23",
            subnet_gateway=_text(body.get("subnet_gateway")) or "172.16.0.1",
            manager_node_spu=as_int(body.get("manager_node_spec") or body.get("manager_node_spu")) or 2,
            region_id=self.p.region,
            tags=_text(body.get("tags")),
            sys_enterprise_project_id=_text(body.get("sys_enterprise_project_id")) or "0",
            is_arm_arch=bool(as_bool(body.get("is_arm_arch"))),
        )
        cluster.plan(
            self.now,
            [
                (0, 1, ""),
                (CLUSTER_CREATE_SECONDS, 3, ""),
                (CLUSTER_CREATE_SECONDS + 1, 4, ""),
                (CLUSTER_CREATE_SECONDS + CLUSTER_START_SECONDS, 5, ""),
            ],
        )
        self.p.clusters[cluster.cluster_id] = cluster
        if cluster.cluster_id not in self.user.clusters:
            self.user.clusters.append(cluster.cluster_id)
        self.trace(
            "cluster",
            cluster.cluster_id,
            cluster.name,
            "createCluster",
            "CS.21000::CREATE_CLUSTER_SUCCESS:: The cluster is created successfully.",
        )
        return self.ok(
            "CS.21000",
            f"Cluster {cluster.cluster_id} is created successfully.",
            {"cluster_id": str(cluster.cluster_id)},
        )

    def get_cluster(self, cluster_id: Any) -> dict[str, Any]:
        cluster = self._cluster(cluster_id)
        return self.ok("CS.21010", "Querying the cluster information succeeds.", self.cluster_wire(cluster))

    def list_clusters(self, params: Mapping[str, Any]) -> dict[str, Any]:
        _raise(validation.validate_list_query(params, limit_code="CS.21031", cursor_code="CS.21031"))
        name = _text(params.get("name")).strip().lower()
        status = _text(params.get("status")).strip()
        code = vocab.cluster_status(status).code if status else None
        now = self.now
        live = self.p.live_clusters(now)

        def match(cluster: Cluster) -> bool:
            if name and name not in cluster.name.lower():
                return False
            return code is None or cluster.status(now) == code

        total, page = self._page(
            sorted(live),
            live.__getitem__,
            params,
            match if (name or code is not None) else None,
            limits.CLUSTER_LIST_LIMIT_DEFAULT,
        )
        return self.ok(
            "CS.20040",
            "Querying of the cluster list succeeds.",
            {"total": total, "clusters": [self.cluster_wire(c) for c in page]},
        )

    def update_cluster(self, cluster_id: Any, body: Any) -> dict[str, Any]:
        cluster = self._cluster(cluster_id)
        _raise(validation.validate_cluster(body, update=True))
        if vocab.cluster_action_refusal("update", cluster.status(self.now)):
            raise ApiError("CS.20015")
        name = body.get("name")
        if name and any(
            c.name == name and c.cluster_id != cluster.cluster_id
            for c in self.p.live_clusters(self.now).values()
        ):
            raise ApiError("CS.20006", f"The cluster name {name} already exists.")
        if body.get("maximum_spu_quota") not in (None, ""):
            quota = as_int(body["maximum_spu_quota"])
            used = self._cluster_spu_used(cluster.cluster_id)
            if quota < used:
                raise ApiError("CS.20007", args=(used,))
            left = TENANT_CLUSTER_SPU_TOTAL - self._tenant_cluster_spu(exclude=cluster.cluster_id)
            if quota > left:
                raise ApiError("CS.20004", args=(max(left, 0),))
            cluster.maximum_spu_quota = quota
        for key in ("name", "desc", "tags", "sys_enterprise_project_id"):
            if body.get(key) is not None:
                setattr(cluster, key, _text(body[key]))
        if body.get("manager_node_spu") not in (None, ""):
            cluster.manager_node_spu = as_int(body["manager_node_spu"]) or cluster.manager_node_spu
        self.trace(
            "cluster",
            cluster.cluster_id,
            cluster.name,
            "updateCluster",
            "CS.21030::UPDATE_CLUSTER_SUCCESS:: The cluster is updated successfully.",
        )
        return self.ok("CS.21030", f"Cluster {cluster.cluster_id} is updated successfully.")

    def _stop_cluster_jobs(self, cluster: Cluster, immediate: bool) -> None:
        now = self.now
        for job in self.p.jobs.values():
            if (
                job.cluster_id == cluster.cluster_id
                and job.timeline
                and job.status(now) in ACTIVE_JOB_STATUSES
            ):
                job.prior_running_seconds += job.current_running_seconds(now)
                if immediate:
                    job.timeline = [
                        [
                            now,
                            "job_cancel_success",
                            f"Stopped because cluster {cluster.cluster_id} was deleted.",
                        ]
                    ]
                else:
                    job.timeline = [
                        [now, "job_canceling", ""],
                        [
                            now + CANCEL_SECONDS,
                            "job_cancel_success",
                            f"Stopped because cluster {cluster.cluster_id} was stopped.",
                        ],
                    ]

    def stop_cluster(self, cluster_id: Any) -> dict[str, Any]:
        cluster = self._cluster(cluster_id)
        if vocab.cluster_action_refusal("stop", cluster.status(self.now)):
            raise ApiError("CS.20026")
        self._stop_cluster_jobs(cluster, immediate=False)
        cluster.plan(self.now, [(0, 9, ""), (CLUSTER_STOP_SECONDS, 11, "")])
        self.trace(
            "cluster",
            cluster.cluster_id,
            cluster.name,
            "stopCluster",
            "CS.20050::STOP_CLUSTER_SUCCESS:: Cluster is stopping.",
        )
        return self.ok("CS.20050", "Cluster is stopping.")

    def restart_cluster(self, cluster_id: Any) -> dict[str, Any]:
        cluster = self._cluster(cluster_id)
        if vocab.cluster_action_refusal("restart", cluster.status(self.now)):
            raise ApiError("CS.20021")
        cluster.plan(self.now, [(0, 28, ""), (5, 4, ""), (5 + CLUSTER_START_SECONDS, 5, "")])
        self.trace(
            "cluster",
            cluster.cluster_id,
            cluster.name,
            "restartCluster",
            "CS.20049::RESTART_CLUSTER_SUCCESS:: Cluster is restarting.",
        )
        return self.ok("CS.20049", "Cluster is restarting.")

    def delete_cluster(self, cluster_id: Any) -> dict[str, Any]:
        cluster = self._cluster(cluster_id)
        if vocab.cluster_action_refusal("delete", cluster.status(self.now)):
            raise ApiError("CS.21011", f"The cluster {cluster.cluster_id} is already being deleted.")
        self._stop_cluster_jobs(cluster, immediate=True)
        cluster.plan(self.now, [(0, 16, ""), (CLUSTER_DELETE_SECONDS, CLUSTER_GONE, "")])
        for user in self.p.users.values():
            if cluster.cluster_id in user.clusters:
                user.clusters.remove(cluster.cluster_id)
        self.trace(
            "cluster",
            cluster.cluster_id,
            cluster.name,
            "deleteCluster",
            "CS.21020::DELETE_CLUSTER_SUCCESS:: The cluster is being deleted.",
        )
        return self.ok("CS.21020", f"Cluster {cluster.cluster_id} is being deleted.")

    # ================================================================= host mappings
    def _hostname_taken(self, cluster: Cluster, hostname: str, exclude: int | None = None) -> bool:
        key = hostname.lower()
        return any(h.hostname.lower() == key and h.id != exclude for h in cluster.hosts.values())

    def _add_hosts(self, cluster: Cluster, pairs: list[tuple[str, str]]) -> list[int]:
        for _ip, hostname in pairs:
            if self._hostname_taken(cluster, hostname):
                raise ApiError("CS.22002", f"The domain name {hostname} already exists.")
        if len(cluster.hosts) + len(pairs) > limits.HOST_MAPPINGS_MAX:
            raise ApiError(
                "CS.22007",
                f"The cluster has {len(cluster.hosts)} IP-domain mappings; adding "
                f"{len(pairs)} would exceed {limits.HOST_MAPPINGS_MAX:,}.",
            )
        ids = []
        for ip, hostname in pairs:
            host = Host(id=self.emu.next_id("host"), ip=ip, hostname=hostname)
            cluster.hosts[host.id] = host
            ids.append(host.id)
        return ids

    def add_hosts(self, cluster_id: Any, body: Any) -> list[dict[str, Any]]:
        cluster = self._cluster(cluster_id)
        _raise(validation.validate_hosts_add(body))
        pairs = [(_text(i["ip"]).strip(), _text(i["hostname"]).strip()) for i in body["hosts_info"]]
        ids = self._add_hosts(cluster, pairs)
        self.trace(
            "cluster",
            cluster.cluster_id,
            cluster.name,
            "addHosts",
            "CS.22018::ADD_HOSTS_SUCCESS:: Host information is added successfully.",
        )
        return [
            self.ok(
                "CS.22018", "Host information is added successfully.", {"host_id": ids[0], "host_ids": ids}
            )
        ]

    def add_hosts_file(
        self, cluster_id: Any, files: Mapping[str, tuple[str | None, bytes]]
    ) -> list[dict[str, Any]]:
        cluster = self._cluster(cluster_id)
        if "hosts_file" not in files:
            raise ApiError("CS.22005", "No hosts_file was uploaded.")
        pairs, violations = validation.parse_hosts_file(files["hosts_file"][1])
        _raise(violations)
        ids = self._add_hosts(cluster, pairs)
        self.trace(
            "cluster",
            cluster.cluster_id,
            cluster.name,
            "addHostsFile",
            "CS.22018::ADD_HOSTS_SUCCESS:: Host information is added successfully.",
        )
        return [
            self.ok(
                "CS.22018", "Host information is added successfully.", {"host_id": ids[0], "host_ids": ids}
            )
        ]

    def update_host(self, cluster_id: Any, host_id: Any, body: Any) -> dict[str, Any]:
        cluster = self._cluster(cluster_id)
        host = cluster.hosts.get(as_int(host_id) or -1)
        if host is None:
            raise ApiError("CS.22003", f"The domain name ID {host_id} does not exist.")
        info = body.get("hosts_info") if isinstance(body, Mapping) else None
        if isinstance(info, list) and len(info) == 1:
            info = info[0]
        _raise(validation.validate_host_mapping(info))
        hostname = _text(info["hostname"]).strip()
        if self._hostname_taken(cluster, hostname, exclude=host.id):
            raise ApiError("CS.22002", f"The domain name {hostname} already exists.")
        host.ip, host.hostname = _text(info["ip"]).strip(), hostname
        self.trace(
            "cluster",
            cluster.cluster_id,
            cluster.name,
            "updateHost",
            "CS.22019::UPDATE_HOST_SUCCESS:: Host information is updated successfully.",
        )
        return self.ok("CS.22019", "Host information is updated successfully.")

    def list_hosts(self, cluster_id: Any, params: Mapping[str, Any]) -> dict[str, Any]:
        cluster = self._cluster(cluster_id)
        _raise(validation.validate_list_query(params, limit_code="CS.10003", cursor_code="CS.22003"))
        query = _text(params.get("query_string")).strip().lower()

        def match(host: Host) -> bool:
            return query in host.ip.lower() or query in host.hostname.lower()

        total, page = self._page(
            sorted(cluster.hosts),
            cluster.hosts.__getitem__,
            params,
            match if query else None,
            limits.LIST_PAGE_SIZE_DEFAULT,
        )
        return self.ok(
            "CS.22017",
            "Querying of the host list succeeds.",
            {
                "hosts_info": [{"id": h.id, "info": {"hostname": h.hostname, "ip": h.ip}} for h in page],
                "total": total,
            },
        )

    def delete_hosts(self, cluster_id: Any, body: Any) -> list[dict[str, Any]]:
        cluster = self._cluster(cluster_id)
        _raise(validation.validate_hosts_delete(body))
        ids = [as_int(i) for i in body["hosts_id"]]
        missing = [i for i in ids if i not in cluster.hosts]
        if missing:
            raise ApiError("CS.22003", f"The domain name ID {missing[0]} does not exist.")
        for i in ids:
            cluster.hosts.pop(i, None)
        self.trace(
            "cluster",
            cluster.cluster_id,
            cluster.name,
            "deleteHosts",
            "CS.22020::DELETE_HOSTS_SUCCESS:: Host information is deleted successfully.",
        )
        return [self.ok("CS.22020", "Host information is deleted successfully.")]

    # ================================================================= user quotas
    def quota_wire(self, user: User) -> dict[str, Any]:
        live = self.p.live_clusters(self.now)
        return {
            "user_id": user.user_id,
            "user_name": user.name,
            "spu_used": self._spu_tallies()[0].get(user.user_id, 0),
            "spu_quota": user.spu_quota,
            "clusters": [{"id": cid, "name": live[cid].name} for cid in user.clusters if cid in live],
        }

    def list_quotas(self, params: Mapping[str, Any]) -> dict[str, Any]:
        _raise(validation.validate_list_query(params, limit_code="CS.21095", cursor_code=""))
        name = _text(params.get("name")).strip().lower()
        users = sorted(self.p.users.values(), key=lambda u: u.user_id)
        if name:
            live = self.p.live_clusters(self.now)
            users = [
                u
                for u in users
                if name in u.name.lower()
                or any(name in live[c].name.lower() for c in u.clusters if c in live)
            ]
        limit = as_int(params.get("limit")) or limits.LIST_PAGE_SIZE_DEFAULT
        desc = (params.get("order") or "asc") == "desc"
        forward = as_bool(params.get("next")) if params.get("next") not in (None, "") else True
        cursor = _text(params.get("cursor")).strip()
        ordered = list(reversed(users)) if desc else users
        if cursor:
            keys = [u.user_id for u in ordered]
            pos = (
                keys.index(cursor)
                if cursor in keys
                else next((i for i, k in enumerate(keys) if (k < cursor if desc else k > cursor)), len(keys))
            )
            if forward:
                start = pos + 1 if cursor in keys else pos
                page = ordered[start : start + limit]
            else:
                page = ordered[max(0, pos - limit) : pos]
        else:
            page = ordered[:limit]
        return self.ok(
            "CS.21093",
            "Querying of the user quota list succeeds.",
            {"total": len(users), "users": [self.quota_wire(u) for u in page]},
        )

    def _quota_user(self, user_id: Any) -> User:
        user = self.p.users.get(_text(user_id))
        if user is None:
            raise ApiError("CS.21092", f"The user ID {user_id} does not exist.")
        return user

    def get_quota(self, user_id: Any) -> dict[str, Any]:
        return self.ok(
            "CS.10001", "Querying of the user quota succeeds.", self.quota_wire(self._quota_user(user_id))
        )

    def update_quota(self, user_id: Any, body: Any) -> dict[str, Any]:
        user = self._quota_user(user_id)
        _raise(validation.validate_user_quota(body))
        if body.get("spu_quota") is not None:
            quota = as_int(body["spu_quota"])
            used = self._user_spu_used(user.user_id)
            if quota < used:
                raise ApiError("CS.21091", args=(used,))
        if body.get("clusters") is not None:
            clusters = [as_int(c) for c in body["clusters"]]
            for cid in clusters:
                self._cluster(cid)
            user.clusters = list(dict.fromkeys(clusters))
        if body.get("spu_quota") is not None:
            user.spu_quota = as_int(body["spu_quota"])
        return self.ok("CS.10001", "Updating the user quota succeeds.")

    # ================================================================= VPC peering and routes
    def _peering(self, cluster: Cluster, peering_id: Any) -> Peering:
        peering = self.p.peerings.get(_text(peering_id))
        if peering is None or peering.cluster_id != cluster.cluster_id:
            raise ApiError("CS.22103", f"The VPC peering connection {peering_id} does not exist.")
        return peering

    def create_peering(self, cluster_id: Any, body: Any) -> dict[str, Any]:
        cluster = self._cluster(cluster_id)
        _raise(validation.validate_peering(body))
        vpc_id = _text(body["vpc_id"]).strip()
        if vpc_id == cluster.vpc_id or any(
            p.accept_vpc_id == vpc_id and p.cluster_id == cluster.cluster_id for p in self.p.peerings.values()
        ):
            raise ApiError("CS.22102", f"A VPC peering connection to {vpc_id} already exists.")
        peering = Peering(
            id=str(uuid.uuid4()),
            name=_text(body["name"]).strip(),
            cluster_id=cluster.cluster_id,
            project_id=self.p.project_id,
            request_vpc_id=cluster.vpc_id,
            accept_vpc_id=vpc_id,
            accept_tenant_id=_text(body.get("accept_tenant_id")).strip() or self.p.project_id,
            vpc_cidr=cluster.vpc_cidr,
            subnet_cidr=cluster.subnet_cidr,
            created_at=self.now,
        )
        self.p.peerings[peering.id] = peering
        self.trace(
            "cluster",
            cluster.cluster_id,
            cluster.name,
            "createPeering",
            "CS.22100::CREATE_PEERING_SUCCESS:: The VPC peering connection is created successfully.",
        )
        return {"peering": peering.wire()}

    def list_peerings(self, cluster_id: Any) -> dict[str, Any]:
        cluster = self._cluster(cluster_id)
        return {
            "peerings": [
                p.wire(with_cidrs=True)
                for p in self.p.peerings.values()
                if p.cluster_id == cluster.cluster_id
            ]
        }

    def get_peering(self, cluster_id: Any, peering_id: Any) -> dict[str, Any]:
        return {"peering": self._peering(self._cluster(cluster_id), peering_id).wire()}

    def delete_peering(self, cluster_id: Any, peering_id: Any) -> None:
        cluster = self._cluster(cluster_id)
        peering = self._peering(cluster, peering_id)
        del self.p.peerings[peering.id]
        self.trace(
            "cluster",
            cluster.cluster_id,
            cluster.name,
            "deletePeering",
            "CS.22100::DELETE_PEERING_SUCCESS:: The VPC peering connection is deleted.",
        )

    def create_local_route(self, cluster_id: Any, peering_id: Any, body: Any) -> dict[str, Any]:
        cluster = self._cluster(cluster_id)
        peering = self._peering(cluster, peering_id)
        if peering.status != "ACTIVE":
            raise ApiError("CS.22105")
        _raise(validation.validate_route(body))
        route = self._add_route(
            peering, _text(body["destination"]).strip(), peering.request_vpc_id, self.p.project_id, "local"
        )
        return {"route": route.wire()}

    def _add_route(self, peering: Peering, destination: str, vpc_id: str, tenant_id: str, side: str) -> Route:
        if any(r.destination == destination and r.vpc_id == vpc_id for r in peering.routes.values()):
            raise ApiError("CS.22106", f"A route to {destination} already exists in VPC {vpc_id}.")
        route = Route(
            id=str(uuid.uuid4()),
            type="peering",
            nexthop=peering.id,
            destination=destination,
            vpc_id=vpc_id,
            tenant_id=tenant_id,
            side=side,
        )
        peering.routes[route.id] = route
        return route

    def list_routes(self, cluster_id: Any, peering_id: Any) -> dict[str, Any]:
        peering = self._peering(self._cluster(cluster_id), peering_id)
        return {"routes": [r.wire() for r in peering.routes.values()]}

    def delete_route(self, cluster_id: Any, peering_id: Any, route_id: Any) -> None:
        peering = self._peering(self._cluster(cluster_id), peering_id)
        if _text(route_id) not in peering.routes:
            raise ApiError("CS.22107", f"The route {route_id} does not exist.")
        del peering.routes[_text(route_id)]
