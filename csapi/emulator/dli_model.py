"""The emulator's DLI state: queues, elastic resource pools, Flink jobs, templates and exported files.

One :class:`DLIProject` hangs off each :class:`~csapi.emulator.model.Project` (``project.dli``), under
the project's lock, saved and loaded with it. As in the CS model, what changes with time is derived from
the clock, never stored as "the current status": a job keeps the *timeline* of its current run
(``[at, status, description]`` entries planned when an action happened), and its status, running
time, restart count, metrics and CU-hours at any instant follow from that timeline and the clock.

Times are epoch seconds (floats) here and epoch milliseconds on the wire.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, insort
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = [
    "ACTIVE",
    "CANCEL_SECONDS",
    "DLIJob",
    "DLIPool",
    "DLIProject",
    "DLIQueue",
    "DLITemplate",
    "SAVEPOINT_SECONDS",
    "SUBMIT_SECONDS",
]

#: Seconds a run spends in job_submitting, a stop in job_canceling, a savepoint in job_savepointing
#: (the CS emulator's phases: the same life cycle, now on DLI's status names).
SUBMIT_SECONDS = 5.0
CANCEL_SECONDS = 3.0
SAVEPOINT_SECONDS = 2.0
#: Statuses that hold their CUs on the queue (and so count as the queue's used_cu).
ACTIVE = frozenset({"job_submitting", "job_running", "job_savepointing", "job_canceling"})
#: Statuses from which a job may not be run again, nor updated (DLI.0007).
BUSY = frozenset({"job_submitting", "job_running", "job_savepointing", "job_canceling", "job_downloading"})
#: Statuses from which a stop is accepted.
STOPPABLE = frozenset({"job_submitting", "job_running", "job_running_exception", "job_downloading"})


def stable_fraction(*parts: Any) -> float:
    """A deterministic number in [0, 1) from ``parts`` (the same in every process)."""
    digest = hashlib.blake2b(repr(("dli", *parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class _Record:
    """JSON round trip of the dataclasses below."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class DLIQueue(_Record):
    queue_id: int
    queue_name: str
    owner: str
    cu_count: int
    create_time: float
    queue_type: str = "general"
    description: str = ""
    charging_mode: int = 1
    resource_id: str = ""
    enterprise_project_id: str = "0"
    elastic_resource_pool_name: str = ""
    cidr_in_vpc: str = "10.0.0.0/16"
    flink_versions: list[str] = field(default_factory=lambda: ["1.15", "1.17"])


@dataclass
class DLIPool(_Record):
    pool_id: int
    name: str
    owner: str
    max_cu: int
    min_cu: int
    create_time: float
    description: str = ""
    status: str = "AVAILABLE"
    queues: list[str] = field(default_factory=list)
    resource_id: str = ""
    charging_mode: int = 1
    enterprise_project_id: str = "0"
    cidr_in_vpc: str = "172.16.0.0/12"


@dataclass
class DLITemplate(_Record):
    template_id: int
    name: str
    desc: str
    sql_body: str
    job_type: str
    create_time: float
    update_time: float
    tags: list[dict[str, str]] = field(default_factory=list)


@dataclass
class DLIJob(_Record):
    job_id: int
    name: str
    job_type: str
    user_id: str
    user_name: str
    project_id: str
    create_time: float
    update_time: float
    desc: str = ""
    queue_name: str = ""
    run_mode: str = "shared_cluster"
    sql_body: str = ""
    cu_number: int = 2
    manager_cu_number: int = 1
    parallel_number: int = 1
    tm_cus: int = 1
    tm_slot_num: int = 0
    checkpoint_enabled: bool = False
    checkpoint_mode: int = 1
    checkpoint_interval: int = 10
    obs_bucket: str = ""
    log_enabled: bool = False
    smn_topic: str = ""
    restart_when_exception: bool = False
    resume_checkpoint: bool = False
    resume_max_num: int = -1
    idle_state_retention: int = 3600
    dirty_data_strategy: str = "0"
    udf_jar_url: str = ""
    edge_group_ids: list[str] = field(default_factory=list)
    tags: list[dict[str, str]] = field(default_factory=list)
    runtime_config: str = ""
    flink_version: str = "1.15"
    entrypoint: str = ""
    main_class: str = ""
    entrypoint_args: str = ""
    dependency_jars: list[str] = field(default_factory=list)
    dependency_files: list[str] = field(default_factory=list)
    checkpoint_path: str = ""
    root_id: int = -1
    # life cycle of the current run
    timeline: list[list[Any]] = field(default_factory=list)
    run_start: float = 0.0
    run_count: int = 0
    prior_running_seconds: float = 0.0
    #: restart_when_exception: the run's first exception and the period of the next ones (0: none)
    restart_from: float = 0.0
    restart_period: float = 0.0
    prior_restarts: int = 0
    #: the latest savepoint: its OBS path and the instant it completes (0: none)
    savepoint_path: str = ""
    savepoint_at: float = 0.0

    # -------------------------------------------------------------- derived from the clock
    def status_at(self, now: float) -> tuple[str, str]:
        timeline = self.timeline
        for i in range(len(timeline) - 1, -1, -1):
            at, status, desc = timeline[i]
            if at <= now:
                return status, desc
        return "job_init", ""

    def status(self, now: float) -> str:
        return self.status_at(now)[0]

    def running_since(self, now: float) -> float | None:
        """When the current run started running (the first ``job_running`` entry), if it has."""
        for at, status, _desc in self.timeline:
            if at > now:
                return None
            if status == "job_running":
                return at
        return None

    def _running_until(self, now: float) -> float:
        """When the current run stopped running (entered a status that is not running), or ``now``."""
        started = False
        for at, status, _desc in self.timeline:
            if at > now:
                break
            if status in ("job_running", "job_savepointing"):
                started = True
            elif started:
                return at
        return now

    def current_running_seconds(self, now: float) -> float:
        since = self.running_since(now)
        return 0.0 if since is None else max(0.0, self._running_until(now) - since)

    def running_seconds(self, now: float) -> float:
        return self.prior_running_seconds + self.current_running_seconds(now)

    def restart_times(self, now: float) -> int:
        """Restarts after exceptions so far: one per period since the first, while the run runs."""
        count = self.prior_restarts
        if self.restart_period > 0 and self.restart_from and now >= self.restart_from:
            until = min(now, self._running_until(now))
            if until >= self.restart_from:
                count += int((until - self.restart_from) // self.restart_period) + 1
        return count

    def has_savepoint(self, now: float) -> bool:
        return bool(self.savepoint_at) and self.savepoint_at <= now

    def duration_ms(self, now: float) -> int:
        """Milliseconds from the run's request to its end (a status that is not active), or to ``now``."""
        if not self.run_start:
            return 0
        end = now
        if self.timeline:
            at, status, _desc = self.timeline[-1]
            if at <= now and status not in ACTIVE:
                end = at
        return int(max(0.0, end - self.run_start) * 1000)

    def cu_hours(self, now: float) -> float:
        return self.cu_number * self.running_seconds(now) / 3600.0

    def is_sql(self) -> bool:
        return self.job_type != "flink_jar_job"

    def rate(self) -> float:
        """Records per second the job reads while running (depends on the job only)."""
        return round((50 + 950 * stable_fraction("rate", self.job_id)) * max(1, self.parallel_number), 1)

    def metrics(self, now: float) -> dict[str, Any]:
        """D12's ``Metric``: records read and written so far, and the current rates."""
        seconds = self.running_seconds(now)
        running = self.status(now) == "job_running"
        rate = self.rate()
        write_ratio = 0.5 + 0.45 * stable_fraction("write", self.job_id)
        read = int(rate * seconds)
        written = int(read * write_ratio)
        dirty = 0.0004 * stable_fraction("dirty", self.job_id)
        return {
            "sources": [
                {
                    "name": f"Source: {self.name}_source",
                    "records": read,
                    "corrupted_records": int(read * dirty),
                }
            ],
            "sinks": [{"name": f"Sink: {self.name}_sink", "records": written, "corrupted_records": 0}],
            "total_read_rate": rate if running else 0.0,
            "total_write_rate": round(rate * write_ratio, 1) if running else 0.0,
        }


@dataclass
class DLIProject:
    """One project's DLI resources."""

    queues: dict[str, DLIQueue] = field(default_factory=dict)
    pools: dict[str, DLIPool] = field(default_factory=dict)
    jobs: dict[int, DLIJob] = field(default_factory=dict)
    templates: dict[int, DLITemplate] = field(default_factory=dict)
    #: exported job files, by OBS path: the job definitions each holds
    obs_files: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: the project's quotas (D23): CUs its jobs may hold, queues and pools it may have
    cu_quota: int = 1000
    queue_quota: int = 20
    pool_quota: int = 10
    #: CU-hours of jobs deleted since (kept so that the project's use does not shrink)
    deleted_cu_hours: float = 0.0

    def __post_init__(self) -> None:
        self.job_ids: list[int] = sorted(self.jobs)
        self.job_names: dict[str, int] = {j.name: j.job_id for j in self.jobs.values()}

    # -------------------------------------------------------------- indexes
    def add_job(self, job: DLIJob) -> None:
        self.jobs[job.job_id] = job
        if not self.job_ids or job.job_id > self.job_ids[-1]:
            self.job_ids.append(job.job_id)
        else:
            insort(self.job_ids, job.job_id)
        self.job_names[job.name] = job.job_id

    def remove_job(self, job_id: int) -> DLIJob:
        job = self.jobs.pop(job_id)
        i = bisect_left(self.job_ids, job_id)
        if i < len(self.job_ids) and self.job_ids[i] == job_id:
            del self.job_ids[i]
        if self.job_names.get(job.name) == job_id:
            del self.job_names[job.name]
        return job

    def rename_job(self, job: DLIJob, name: str) -> None:
        if self.job_names.get(job.name) == job.job_id:
            del self.job_names[job.name]
        job.name = name
        self.job_names[name] = job.job_id

    def queue_used_cu(self, now: float) -> dict[str, int]:
        """CUs held per queue by the jobs that are active at ``now``."""
        used: dict[str, int] = {}
        for job in self.jobs.values():
            if job.timeline and job.status(now) in ACTIVE:
                used[job.queue_name] = used.get(job.queue_name, 0) + job.cu_number
        return used

    def cu_hours(self, now: float) -> float:
        return self.deleted_cu_hours + sum(j.cu_hours(now) for j in self.jobs.values() if j.run_count)

    # -------------------------------------------------------------- persistence
    def to_dict(self) -> dict[str, Any]:
        return {
            "queues": [q.to_dict() for q in self.queues.values()],
            "pools": [p.to_dict() for p in self.pools.values()],
            "jobs": [j.to_dict() for j in self.jobs.values()],
            "templates": [t.to_dict() for t in self.templates.values()],
            "obs_files": self.obs_files,
            "cu_quota": self.cu_quota,
            "queue_quota": self.queue_quota,
            "pool_quota": self.pool_quota,
            "deleted_cu_hours": self.deleted_cu_hours,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> DLIProject:
        data = data or {}
        return cls(
            queues={q["queue_name"]: DLIQueue.from_dict(q) for q in data.get("queues", [])},
            pools={p["name"]: DLIPool.from_dict(p) for p in data.get("pools", [])},
            jobs={j["job_id"]: DLIJob.from_dict(j) for j in data.get("jobs", [])},
            templates={t["template_id"]: DLITemplate.from_dict(t) for t in data.get("templates", [])},
            obs_files=dict(data.get("obs_files", {})),
            cu_quota=data.get("cu_quota", 1000),
            queue_quota=data.get("queue_quota", 20),
            pool_quota=data.get("pool_quota", 10),
            deleted_cu_hours=data.get("deleted_cu_hours", 0.0),
        )
