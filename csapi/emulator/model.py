"""The emulator's state: tenants, users, jobs, clusters, templates, hosts, peerings, audit traces.

All state is plain dataclasses with JSON-compatible fields (so it can be saved to a file). What
changes with time is never stored as "the current status": a job or a cluster keeps a short
*timeline* of ``(at, status, description)`` entries planned when an action happened, and its status,
running time, records and cost at any instant are derived from that timeline and the clock. Reading
a status is O(1) per object, which keeps list pages fast with tens of thousands of jobs.

Times are epoch seconds (floats) inside the model and epoch milliseconds on the wire.
"""

from __future__ import annotations

import hashlib
import threading
from bisect import bisect_left, insort
from dataclasses import dataclass, field, fields
from typing import Any

from csapi import vocab

from .sqlinfo import SqlInfo, parse_sql

__all__ = [
    "AuditTrace",
    "Cluster",
    "Host",
    "Job",
    "Peering",
    "Project",
    "Route",
    "Template",
    "User",
    "PRICE_PER_SPU_HOUR",
    "SHARED_CLUSTER_ID",
    "stable_fraction",
]

#: Seconds a run spends in job_submitting before it runs (or fails to submit).
SUBMIT_SECONDS = 5.0
#: Seconds a stop spends in job_canceling.
CANCEL_SECONDS = 3.0
#: Seconds a savepoint takes before cancelling starts (stop with triggerSavePoint=true).
SAVEPOINT_SECONDS = 2.0
#: Cluster phases (seconds).
CLUSTER_CREATE_SECONDS = 20.0
CLUSTER_START_SECONDS = 10.0
CLUSTER_STOP_SECONDS = 10.0
CLUSTER_DELETE_SECONDS = 10.0
#: Price of one SPU for one hour (CNY); jobs pay for their SPUs while running, exclusive clusters for
#: their management node SPUs while running.
PRICE_PER_SPU_HOUR = 0.5
BILLING_UNIT = "CNY"
#: The id CS reports as cluster_id for jobs in the shared cluster (reference examples).
SHARED_CLUSTER_ID = 100000
#: Pseudo status code of a cluster that finished deleting (it is gone).
CLUSTER_GONE = 0

RUNNING = "job_running"
ACTIVE_JOB_STATUSES = frozenset({"job_submitting", "job_running", "job_savepointing", "job_canceling"})
#: Statuses in which a job may not be run again (CS.13006).
NOT_RUNNABLE = frozenset(
    {
        "job_submitting",
        "job_running",
        "job_canceling",
        "job_savepointing",
        "job_downloading",
        "job_arrearage_recovering",
    }
)
#: Statuses in which a job may be stopped (others: CS.15002).
STOPPABLE = frozenset({"job_submitting", "job_running", "job_running_exception", "job_downloading"})
#: Statuses in which a job may not be updated (CS.12003).
NOT_UPDATABLE = NOT_RUNNABLE


def stable_fraction(*parts: Any) -> float:
    """A deterministic number in [0, 1) from ``parts`` (same input, same number, any process)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _to_ms(seconds: float | None) -> int:
    return int(round(seconds * 1000)) if seconds else 0


class _Record:
    """JSON round trip for the dataclasses below."""

    _transient: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = {}
        for f in fields(self):  # type: ignore[arg-type]
            if f.name in self._transient:
                continue
            value = getattr(self, f.name)
            if isinstance(value, dict) and value and isinstance(next(iter(value.values())), _Record):
                value = {str(k): v.to_dict() for k, v in value.items()}
            elif isinstance(value, set):
                value = sorted(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in names})


# ---------------------------------------------------------------------------------------------- users
@dataclass
class User(_Record):
    user_id: str
    name: str
    password: str
    ak: str
    sk: str
    spu_quota: int = 100
    clusters: list[int] = field(default_factory=list)


# ----------------------------------------------------------------------------------------------- jobs
@dataclass
class Job(_Record):
    job_id: int
    name: str
    job_type: str
    run_mode: str
    user_id: str
    user_name: str
    project_id: str
    create_time: float
    update_time: float
    desc: str = ""
    cluster_id: int = SHARED_CLUSTER_ID
    spu_number: int = 1
    parallel_number: int = 1
    manager_spu: int = 0
    executor_number: int = 0
    executor_spu: int = 0
    sql_body: str = ""
    template_id: int | None = None
    checkpoint_enabled: bool = False
    checkpoint_mode: str = "exactly_once"
    checkpoint_interval: int = 10
    obs_bucket: str = ""
    log_enabled: bool = False
    smn_topic: str = ""
    restart_when_exception: bool = False
    idle_state_retention: int = 0
    edge_group_ids: str = ""
    root_id: int = -1
    tags: str = ""
    sys_enterprise_project_id: str = ""
    udf_jar_url: str = ""
    dirty_data_strategy: str = "0"
    jar_url: str = ""
    jar_size: int = 0
    config_url: str = ""
    main_class: str = ""
    args: str = ""
    # life cycle
    timeline: list[list[Any]] = field(default_factory=list)  # [[at, status, desc], ...] of this run
    run_start: float = 0.0  # when the current/last run was requested (0: never run)
    prior_running_seconds: float = 0.0  # running time of earlier runs
    run_count: int = 0
    savepoints: list[float] = field(default_factory=list)
    _transient = ("_sql_info",)
    _sql_info: SqlInfo | None = None

    def __setattr__(self, name: str, value: Any) -> None:
        # Any assignment makes the cached wire forms stale (see ``wire_cache``).
        object.__setattr__(self, name, value)
        if name != "wire_cache":
            object.__setattr__(self, "wire_cache", None)

    #: The parts of the job's wire forms that depend on its fields only (not on the clock), kept by
    #: :class:`~csapi.emulator.service.ProjectOps` and dropped whenever a field is assigned.
    wire_cache = None  # not a dataclass field: never saved, never compared

    # -------------------------------------------------------------- derived values
    def status_at(self, now: float) -> tuple[str, str]:
        """(status, status_desc) at ``now``."""
        timeline = self.timeline
        for i in range(len(timeline) - 1, -1, -1):
            at, status, desc = timeline[i]
            if at <= now:
                return status, desc
        return "job_init", ""

    def status(self, now: float) -> str:
        return self.status_at(now)[0]

    def current_running_seconds(self, now: float) -> float:
        """Running time of the current (or last) run up to ``now``."""
        total = 0.0
        timeline = self.timeline
        for i, (at, status, _desc) in enumerate(timeline):
            if at > now:
                break
            if status == RUNNING:
                end = timeline[i + 1][0] if i + 1 < len(timeline) else now
                total += max(0.0, min(end, now) - at)
        return total

    def running_seconds(self, now: float) -> float:
        """Total running time over every run up to ``now``."""
        return self.prior_running_seconds + self.current_running_seconds(now)

    def running_since(self, now: float) -> float | None:
        timeline = self.timeline
        for i in range(len(timeline) - 1, -1, -1):
            at, status, _ = timeline[i]
            if at <= now:
                return at if status == RUNNING else None
        return None

    def run_end(self, now: float) -> float | None:
        """When the current run ended (entered a terminal status), if it has by ``now``."""
        if not self.timeline:
            return None
        at, status, _ = self.timeline[-1]
        if at <= now and status not in ACTIVE_JOB_STATUSES:
            return at
        return None

    def duration_ms(self, now: float) -> int:
        if not self.run_start:
            return 0
        end = self.run_end(now) or now
        return max(0, int((end - self.run_start) * 1000))

    @property
    def sql_info(self) -> SqlInfo:
        if self._sql_info is None:
            self._sql_info = parse_sql(self.sql_body)
        return self._sql_info

    def reset_sql_info(self) -> None:
        self._sql_info = None

    def is_sql(self) -> bool:
        return self.job_type in vocab.SQL_JOB_TYPES

    def charge(self, now: float) -> float:
        return self.spu_number * self.running_seconds(now) / 3600.0 * PRICE_PER_SPU_HOUR

    # -------------------------------------------------------------- metrics (5.1.15)
    def _rate(self) -> float:
        """Records per second this job reads while running (depends on the job only)."""
        return round((20 + 480 * stable_fraction("rate", self.job_id)) * max(1, self.parallel_number), 1)

    def _metric_constants(self) -> tuple[float, float, float, list[str], list[str]]:
        """(rate, write ratio, dirty ratio, source names, sink names): fixed for a state of the job."""
        cache = self.wire_cache
        constants = cache.get("metrics") if cache is not None else None
        if constants is not None:
            return constants
        if self.is_sql():
            info = self.sql_info  # may assign _sql_info, which drops wire_cache: read it afterwards
            source_names = [s.metric_name for s in info.sources]
            sink_names = [s.metric_name for s in info.sinks]
        else:
            source_names = [f"Source: {self.name}_source"]
            sink_names = [f"Sink: {self.name}_sink"]
        constants = (
            self._rate(),
            0.55 + 0.4 * stable_fraction("write", self.job_id),
            0.0005 * stable_fraction("dirty", self.job_id),
            source_names,
            sink_names,
        )
        if self.wire_cache is None:
            self.wire_cache = {}
        self.wire_cache["metrics"] = constants
        return constants

    def metrics(self, now: float) -> dict[str, Any]:
        seconds = self.running_seconds(now)
        running = self.status(now) == RUNNING
        rate, write_ratio, dirty_ratio, source_names, sink_names = self._metric_constants()
        read_total = int(rate * seconds)
        write_total = int(read_total * write_ratio)

        def split(total: int, names: list[str]) -> list[dict[str, Any]]:
            out = []
            n = len(names)
            for i, name in enumerate(names):
                share = total // n + (1 if i < total % n else 0)
                out.append({"name": name, "records": share, "corrupted_records": int(share * dirty_ratio)})
            return out

        return {
            "sources": split(read_total, source_names),
            "sinks": split(write_total, sink_names),
            "total_read_rate": rate if running else 0.0,
            "total_write_rate": round(rate * write_ratio, 1) if running else 0.0,
        }


# ------------------------------------------------------------------------------------------ templates
@dataclass
class Template(_Record):
    template_id: int
    name: str
    desc: str
    sql_body: str
    create_time: float
    update_time: float
    job_type: str = "flink_sql_job"


# ------------------------------------------------------------------------------------ hosts, peerings
@dataclass
class Host(_Record):
    id: int
    ip: str
    hostname: str


@dataclass
class Route(_Record):
    id: str
    type: str
    nexthop: str
    destination: str
    vpc_id: str
    tenant_id: str
    side: str = "local"

    def wire(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "nexthop": self.nexthop,
            "destination": self.destination,
            "vpc_id": self.vpc_id,
            "tenant_id": self.tenant_id,
            "id": self.id,
        }


@dataclass
class Peering(_Record):
    id: str
    name: str
    cluster_id: int
    project_id: str
    request_vpc_id: str
    accept_vpc_id: str
    accept_tenant_id: str
    status: str = "PENDING_ACCEPTANCE"
    vpc_cidr: str = ""
    subnet_cidr: str = ""
    created_at: float = 0.0
    routes: dict[str, Route] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Peering:
        data = dict(data)
        data["routes"] = {k: Route.from_dict(v) for k, v in (data.get("routes") or {}).items()}
        return super().from_dict(data)

    def wire(self, *, with_cidrs: bool = False) -> dict[str, Any]:
        request_info: dict[str, Any] = {"vpc_id": self.request_vpc_id, "tenant_id": self.project_id}
        if with_cidrs:
            request_info.update(vpc_cidr=self.vpc_cidr, subnet_cidr=self.subnet_cidr)
        return {
            "name": self.name,
            "id": self.id,
            "request_vpc_info": request_info,
            "accept_vpc_info": {"vpc_id": self.accept_vpc_id, "tenant_id": self.accept_tenant_id},
            "status": self.status,
        }


# ------------------------------------------------------------------------------------------- clusters
@dataclass
class Cluster(_Record):
    cluster_id: int
    name: str
    desc: str
    owner_id: str
    maximum_spu_quota: int
    created_at: float
    vpc_id: str
    vpc_cidr: str = "172.16.0.0/23"
    subnet_cidr: str = "172.16.0.0/23"
    subnet_gateway: str = "172.16.0.1"
    manager_node_spu: int = 2
    region_id: str = "cn-north-1"
    tags: str = ""
    sys_enterprise_project_id: str = "0"
    is_arm_arch: bool = False
    timeline: list[list[Any]] = field(default_factory=list)  # [[at, code, desc], ...]
    prior_running_seconds: float = 0.0
    hosts: dict[int, Host] = field(default_factory=dict)
    next_host_order: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cluster:
        data = dict(data)
        data["hosts"] = {int(k): Host.from_dict(v) for k, v in (data.get("hosts") or {}).items()}
        return super().from_dict(data)

    def status_at(self, now: float) -> tuple[int, str]:
        for i in range(len(self.timeline) - 1, -1, -1):
            at, code, desc = self.timeline[i]
            if at <= now:
                return int(code), desc
        return 1, ""

    def status(self, now: float) -> int:
        return self.status_at(now)[0]

    def gone(self, now: float) -> bool:
        return self.status(now) == CLUSTER_GONE

    def current_running_seconds(self, now: float) -> float:
        total = 0.0
        for i, (at, code, _d) in enumerate(self.timeline):
            if at > now:
                break
            if code == 5:
                end = self.timeline[i + 1][0] if i + 1 < len(self.timeline) else now
                total += max(0.0, min(end, now) - at)
        return total

    def running_seconds(self, now: float) -> float:
        return self.prior_running_seconds + self.current_running_seconds(now)

    def charge(self, now: float) -> float:
        return self.manager_node_spu * self.running_seconds(now) / 3600.0 * PRICE_PER_SPU_HOUR

    def plan(self, now: float, steps: list[tuple[float, int, str]]) -> None:
        """Replace the timeline by ``steps`` (offsets from ``now``), keeping earlier running time."""
        self.prior_running_seconds += self.current_running_seconds(now)
        self.timeline = [[now + offset, code, desc] for offset, code, desc in steps]


# ---------------------------------------------------------------------------------------------- audit
@dataclass
class AuditTrace(_Record):
    resource_type: str
    resource_id: str
    resource_name: str
    event_name: str
    event_type: str
    event_rating: str
    op_user: str
    op_time: float
    op_ip: str
    op_result: str

    def wire(self) -> dict[str, Any]:
        return {
            "resource_id": self.resource_id,
            "resource_name": self.resource_name,
            "event_name": self.event_name,
            "event_type": self.event_type,
            "event_rating": self.event_rating,
            "op_user": self.op_user,
            "op_time": _to_ms(self.op_time),
            "op_ip": self.op_ip,
            "op_result": self.op_result,
        }


# -------------------------------------------------------------------------------------------- project
@dataclass
class Project:
    """One tenant's project: its IAM identity and every CS resource in it."""

    project_id: str
    project_name: str
    domain_id: str
    domain_name: str
    region: str = "cn-north-1"
    registered: bool = True
    users: dict[str, User] = field(default_factory=dict)
    jobs: dict[int, Job] = field(default_factory=dict)
    templates: dict[int, Template] = field(default_factory=dict)
    clusters: dict[int, Cluster] = field(default_factory=dict)
    peerings: dict[str, Peering] = field(default_factory=dict)
    audit: list[AuditTrace] = field(default_factory=list)
    obs_buckets: set[str] = field(default_factory=set)
    deleted_cost: float = 0.0
    app_id: str = ""
    #: The project's DLI resources (csapi.emulator.dli_model.DLIProject), under the same lock.
    dli: Any = None

    def __post_init__(self) -> None:
        if self.dli is None:
            from .dli_model import DLIProject  # the DLI model imports nothing of CS's

            self.dli = DLIProject()
        self.lock = threading.RLock()
        self.job_ids: list[int] = sorted(self.jobs)
        self.job_names: dict[str, int] = {j.name: j.job_id for j in self.jobs.values()}

    # -------------------------------------------------------------- indexes
    def add_job(self, job: Job) -> None:
        self.jobs[job.job_id] = job
        if not self.job_ids or job.job_id > self.job_ids[-1]:
            self.job_ids.append(job.job_id)
        else:
            insort(self.job_ids, job.job_id)
        self.job_names[job.name] = job.job_id

    def remove_job(self, job_id: int) -> Job:
        job = self.jobs.pop(job_id)
        i = bisect_left(self.job_ids, job_id)
        if i < len(self.job_ids) and self.job_ids[i] == job_id:
            del self.job_ids[i]
        if self.job_names.get(job.name) == job_id:
            del self.job_names[job.name]
        return job

    def rename_job(self, job: Job, new_name: str) -> None:
        if self.job_names.get(job.name) == job.job_id:
            del self.job_names[job.name]
        job.name = new_name
        self.job_names[new_name] = job.job_id

    def user_by_name(self, name: str) -> User | None:
        for user in self.users.values():
            if user.name == name:
                return user
        return None

    def live_clusters(self, now: float) -> dict[int, Cluster]:
        return {cid: c for cid, c in self.clusters.items() if not c.gone(now)}

    # -------------------------------------------------------------- persistence
    def to_dict(self) -> dict[str, Any]:
        return {
            "project_id": self.project_id,
            "project_name": self.project_name,
            "domain_id": self.domain_id,
            "domain_name": self.domain_name,
            "region": self.region,
            "registered": self.registered,
            "users": {k: v.to_dict() for k, v in self.users.items()},
            "jobs": [j.to_dict() for j in self.jobs.values()],
            "templates": [t.to_dict() for t in self.templates.values()],
            "clusters": [c.to_dict() for c in self.clusters.values()],
            "peerings": [p.to_dict() for p in self.peerings.values()],
            "audit": [a.to_dict() for a in self.audit],
            "obs_buckets": sorted(self.obs_buckets),
            "deleted_cost": self.deleted_cost,
            "app_id": self.app_id,
            "dli": self.dli.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Project:
        project = cls(
            project_id=data["project_id"],
            project_name=data["project_name"],
            domain_id=data["domain_id"],
            domain_name=data["domain_name"],
            region=data.get("region", "cn-north-1"),
            registered=data.get("registered", True),
            users={k: User.from_dict(v) for k, v in data.get("users", {}).items()},
            jobs={j["job_id"]: Job.from_dict(j) for j in data.get("jobs", [])},
            templates={t["template_id"]: Template.from_dict(t) for t in data.get("templates", [])},
            clusters={c["cluster_id"]: Cluster.from_dict(c) for c in data.get("clusters", [])},
            peerings={p["id"]: Peering.from_dict(p) for p in data.get("peerings", [])},
            audit=[AuditTrace.from_dict(a) for a in data.get("audit", [])],
            obs_buckets=set(data.get("obs_buckets", [])),
            deleted_cost=data.get("deleted_cost", 0.0),
            app_id=data.get("app_id", ""),
        )
        from .dli_model import DLIProject

        project.dli = DLIProject.from_dict(data.get("dli"))
        return project
