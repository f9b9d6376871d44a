"""Copy a CS job to DLI: what of a CS job DLI's job forms can take, and what they cannot.

CS was folded into DLI; a CS SQL job becomes a DLI Flink SQL job of the same statement. The mapping:

- SPUs -> CUs (one SPU and one CU are both one vCPU with 4 GB). DLI counts the JobManager inside the
  job's CUs and allows a parallelism of at most 4 x (CUs - JobManager CUs), where CS allowed 4 x SPUs:
  when the parallelism would not fit, the CUs are raised just enough, and the note says so.
- The cluster (shared or exclusive) -> a DLI queue the user picks: DLI has no run modes.
- The job type stays ``flink_sql_job``: CS's statements are Stream SQL (``CREATE SOURCE STREAM``),
  which DLI runs as that type; DLI's default (Flink OpenSource SQL) is another dialect.
- The status is not carried: the DLI job is created as a draft; the CS job is left as it is.
- Checkpoints, OBS bucket, log upload, SMN topic, restart on exception, idle state retention, dirty
  data and an ``obs://`` UDF JAR are carried as they are, within DLI's limits.
- What DLI's form has no place for (edge groups, the cluster, tags CS kept in another form, ...) is
  listed, so the user knows what to redo by hand.

A CS Flink JAR job becomes a DLI JAR job whose entrypoint is the JAR's OBS path (a JAR uploaded to CS
is not carried: DLI takes none); Spark Streaming jobs have no DLI counterpart.

Nothing here calls a cloud or reads a request: :func:`plan_copy` works on the job's snapshot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from csapi import vocab
from csapi.dli import limits
from csapi.dli.validation import OBS_OBJECT, is_obs_object_or_package
from dashboard.jobs.dli_forms import parse_tags, tags_text
from dashboard.jobs.models import Job


@dataclass
class CopyPlan:
    """The DLI SQL form's initial values for a CS job, and what could not be carried over."""

    job: Job
    initial: dict[str, Any] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    refusal: str | None = None

    @property
    def possible(self) -> bool:
        return self.refusal is None


def copy_refusal(job: Job) -> str | None:
    """Why a job cannot be copied to DLI, or None."""
    if job.service == "dli":
        return _("%(name)s is a DLI job already.") % {"name": job.name}
    if job.job_type == vocab.SPARK_STREAMING_JAR_JOB:
        return _("%(name)s is a Spark Streaming job: DLI's stream jobs are Flink jobs only.") % {
            "name": job.name
        }
    return None


def is_jar(job: Job) -> bool:
    """Whether the job's copy is a DLI JAR job (else a DLI SQL job)."""
    return job.job_type in vocab.JAR_JOB_TYPES


def _plan_jar(job: Job, plan: CopyPlan, credential_key: str, queue_name: str) -> CopyPlan:
    """A CS Flink JAR job as DLI's JAR job form: the JAR must already be on OBS (DLI takes no upload)."""
    cfg = job.job_config if isinstance(job.job_config, dict) else {}
    raw = job.raw if isinstance(job.raw, dict) else {}
    initial: dict[str, Any] = {"credential": credential_key, "queue_name": queue_name}
    name = job.name or ""
    if len(name) > limits.JOB_NAME_MAX_CHARS or not limits.JOB_NAME_PATTERN.match(name or "-"):
        plan.dropped.append(
            _("The name %(name)s does not fit DLI's rules: give the job a name.") % {"name": name}
        )
        name = ""
    initial["name"] = name
    initial["desc"] = (job.desc or "")[: limits.JOB_DESC_MAX_CHARS]
    jar = (job.jar_url or "").strip()
    if jar and OBS_OBJECT.match(jar):
        initial["entrypoint"] = jar
    else:
        initial["entrypoint"] = ""
        plan.dropped.append(
            _(
                "The JAR uploaded to CS is not carried: put it on OBS or in DLI's packages and name it as the entrypoint."
            )
        )
    initial["main_class"] = job.main_class or ""
    initial["entrypoint_args"] = job.args or ""
    config_url = (cfg.get("config_url") or raw.get("config_url") or "").strip()
    if config_url and OBS_OBJECT.match(config_url):
        initial["dependency_files"] = config_url
        plan.notes.append(
            _("The configuration file %(url)s becomes a dependency file.") % {"url": config_url}
        )
    elif config_url:
        plan.dropped.append(_("The configuration file is not on OBS and is not carried."))
    spu = job.spu_number or limits.CU_DEFAULT
    manager = raw.get("manager_spu", cfg.get("manager_spu")) or limits.MANAGER_CU_DEFAULT
    initial.update(cu_number=spu, manager_cu_number=manager, parallel_number=job.parallel_number or 1)
    plan.notes.append(
        _("%(spu)d SPUs (%(manager)d for the JobManager) become as many CUs.")
        % {"spu": spu, "manager": manager}
    )
    _placement(job, initial, plan)
    for key in ("obs_bucket", "smn_topic"):
        initial[key] = cfg.get(key) or ""
    initial["log_enabled"] = bool(cfg.get("log_enabled", job.log_enabled))
    initial["restart_when_exception"] = bool(cfg.get("restart_when_exception"))
    _tags(raw.get("tags", cfg.get("tags")), initial, plan)
    _status(job, plan)
    plan.initial = initial
    return plan


def plan_copy(job: Job, *, credential_key: str = "", queue_name: str = "") -> CopyPlan:
    """What DLI's SQL (or, for a Flink JAR job, JAR) job form starts with for the CS job ``job``."""
    plan = CopyPlan(job=job, refusal=copy_refusal(job))
    if plan.refusal:
        return plan
    if is_jar(job):
        return _plan_jar(job, plan, credential_key, queue_name)
    cfg = job.job_config if isinstance(job.job_config, dict) else {}
    raw = job.raw if isinstance(job.raw, dict) else {}
    initial: dict[str, Any] = {"credential": credential_key, "queue_name": queue_name}

    name = job.name or ""
    if len(name) > limits.JOB_NAME_MAX_CHARS or not limits.JOB_NAME_PATTERN.match(name or "-"):
        plan.dropped.append(
            _("The name %(name)s does not fit DLI's rules: give the job a name.") % {"name": name}
        )
        name = ""
    initial["name"] = name
    desc = job.desc or ""
    if len(desc) > limits.JOB_DESC_MAX_CHARS:
        plan.notes.append(
            _("The description is cut to DLI's %(n)d characters.") % {"n": limits.JOB_DESC_MAX_CHARS}
        )
        desc = desc[: limits.JOB_DESC_MAX_CHARS]
    initial["desc"] = desc
    initial["sql_body"] = job.sql_body or ""
    initial["job_type"] = job.job_type if job.job_type in vocab.DLI_SQL_JOB_TYPES else vocab.FLINK_SQL_JOB
    plan.notes.append(
        _(
            "The job type stays “%(type)s”: the statement keeps CS's Stream SQL; DLI's default, Flink "
            "OpenSource SQL, is another dialect."
        )
        % {"type": vocab.DLI_JOB_TYPES.get(initial["job_type"], initial["job_type"])}
    )

    _sizes(job, initial, plan)
    _placement(job, initial, plan)
    _checkpoints(cfg, job, initial, plan)
    for key in ("obs_bucket", "smn_topic"):
        initial[key] = cfg.get(key) or ""
    initial["log_enabled"] = bool(cfg.get("log_enabled", job.log_enabled))
    initial["restart_when_exception"] = bool(cfg.get("restart_when_exception"))
    retention = cfg.get("idle_state_retention")
    initial["idle_state_retention"] = retention if isinstance(retention, int) and retention > 0 else None
    dirty = vocab.parse_dirty_data_strategy(cfg.get("dirty_data_strategy"))
    initial["dirty_data_kind"] = dirty[0] if dirty else ""
    initial["dirty_data_path"] = (dirty[1] or "") if dirty else ""
    udf = (cfg.get("udf_jar_url") or "").strip()
    if udf and not is_obs_object_or_package(udf):
        plan.dropped.append(
            _("The UDF JAR %(url)s is not an obs:// path: upload it to OBS or to DLI's packages.")
            % {"url": udf}
        )
        udf = ""
    initial["udf_jar_url"] = udf
    _tags(raw.get("tags", cfg.get("tags")), initial, plan)
    _status(job, plan)
    plan.initial = initial
    return plan


def _sizes(job: Job, initial: dict[str, Any], plan: CopyPlan) -> None:
    spu = job.spu_number or limits.CU_DEFAULT
    parallel = job.parallel_number or limits.PARALLELISM_DEFAULT
    manager = limits.MANAGER_CU_DEFAULT
    cu = max(spu, manager + 1)
    needed = manager + math.ceil(parallel / limits.PARALLELISM_PER_CU)
    if needed > cu:
        plan.notes.append(
            _(
                "%(spu)d SPUs become %(cu)d CUs: DLI counts the JobManager's CU in the job, and a parallelism "
                "of %(par)d needs %(cu)d."
            )
            % {"spu": spu, "cu": needed, "par": parallel}
        )
        cu = needed
    else:
        plan.notes.append(_("%(spu)d SPUs become %(cu)d CUs.") % {"spu": spu, "cu": cu})
    if cu > limits.CU_MAX:
        plan.dropped.append(_("DLI runs a job on at most %(n)d CUs: reduce it.") % {"n": limits.CU_MAX})
    initial.update(cu_number=cu, manager_cu_number=manager, parallel_number=parallel)


def _placement(job: Job, initial: dict[str, Any], plan: CopyPlan) -> None:
    if job.run_mode == vocab.EXCLUSIVE_CLUSTER:
        where = job.cluster_name or str(job.cluster_id or "")
        plan.dropped.append(
            _("The exclusive cluster %(cluster)s has no DLI counterpart: pick a queue.") % {"cluster": where}
        )
    elif job.run_mode == vocab.EDGE_NODE:
        plan.dropped.append(
            _("Edge node jobs and their edge groups are not carried: DLI runs jobs on queues.")
        )
    else:
        plan.dropped.append(_("The shared cluster has no DLI counterpart: pick a queue."))


def _checkpoints(cfg: dict[str, Any], job: Job, initial: dict[str, Any], plan: CopyPlan) -> None:
    enabled = bool(cfg.get("checkpoint_enabled", job.checkpoint_enabled))
    initial["checkpoint_enabled"] = enabled
    initial["checkpoint_mode"] = vocab.normalize_checkpoint_mode(cfg.get("checkpoint_mode")) or "exactly_once"
    interval = cfg.get("checkpoint_interval")
    interval = interval if isinstance(interval, int) else limits.CHECKPOINT_INTERVAL_DEFAULT
    clamped = min(max(interval, limits.CHECKPOINT_INTERVAL_MIN), limits.CHECKPOINT_INTERVAL_MAX)
    if clamped != interval and enabled:
        plan.notes.append(
            _("The checkpoint interval of %(old)d s becomes %(new)d s, DLI's limit.")
            % {"old": interval, "new": clamped}
        )
    initial["checkpoint_interval"] = clamped


def _tags(value: Any, initial: dict[str, Any], plan: CopyPlan) -> None:
    text = ""
    if isinstance(value, str) and value.strip():
        tags, problem = parse_tags(value)
        if problem is None:
            text = tags_text(tags)
        else:
            plan.dropped.append(
                _("The tags “%(tags)s” are not key=value pairs: add them again.") % {"tags": value[:80]}
            )
    elif isinstance(value, list | dict) and value:
        text = tags_text(value)
    initial["tags"] = text


def _status(job: Job, plan: CopyPlan) -> None:
    status = vocab.job_status(job.status)
    plan.notes.append(
        _("The CS job is %(status)s and stays so on CS; the DLI job is created as a draft.")
        % {"status": str(status.label).lower()}
    )
