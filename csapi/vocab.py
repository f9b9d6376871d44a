"""The CS vocabulary: every enumerated value the CS API reference uses.

Defined once here and used by the client, the emulator, the dashboard forms and templates.
Section numbers refer to the Cloud Stream Service API reference (cs-api-reference.txt).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "APIG_SINK_FIELDS",
    "AUDIT_EVENTS",
    "AUDIT_RESOURCE_TYPES",
    "CHECKPOINT_MODES",
    "CHECKPOINT_MODE_ALIASES",
    "CHECKPOINT_MODE_BY_INT",
    "CHECKPOINT_MODE_TO_INT",
    "CLUSTER_HEALTH",
    "CLUSTER_STATUSES",
    "CLUSTER_STATUS_BY_NAME",
    "CLUSTER_JOB_STATUS_FILTERS",
    "ClusterStatus",
    "DIRTY_DATA_IGNORE",
    "DIRTY_DATA_RAISE",
    "DIRTY_DATA_SAVE",
    "DIRTY_DATA_STRATEGIES",
    "JAR_JOB_TYPES",
    "JOB_LIST_STATUS_FILTERS",
    "JOB_STATUSES",
    "JOB_STATUS_ALIASES",
    "JOB_STATUS_GROUPS",
    "JOB_TYPES",
    "JobStatus",
    "LIST_ORDERS",
    "NO_STATUS",
    "PEERING_STATUSES",
    "ROUTE_TYPES",
    "RUN_MODES",
    "RUN_MODE_JOB_TYPES",
    "SQL_JOB_TYPES",
    "BOOLEAN_CHOICES",
    "checkpoint_mode_int",
    "cluster_status",
    "dirty_data_strategy",
    "job_status",
    "job_type_allowed",
    "normalize_checkpoint_mode",
    "parse_dirty_data_strategy",
]

#: Every label people read, as written here (English). The dashboard shows each through its catalogue:
#: ``makemessages`` collects the arguments of ``gettext_noop``, so csapi itself stays Django-free.
LABELS: set[str] = set()


def gettext_noop(message: str) -> str:
    """Mark ``message`` as a label to translate where it is shown; it is returned as it is."""
    LABELS.add(message)
    return message


# --------------------------------------------------------------------------- job statuses

#: Job status names: code says ``vocab.JOB_RUNNING``, never the string.
JOB_INIT = "job_init"
JOB_SUBMITTING = "job_submitting"
JOB_SUBMIT_FAIL = "job_submit_fail"
JOB_RUNNING = "job_running"
JOB_RUNNING_EXCEPTION = "job_running_exception"
JOB_DOWNLOADING = "job_downloading"
JOB_IDLE = "job_idle"
JOB_CANCELING = "job_canceling"
JOB_CANCEL_SUCCESS = "job_cancel_success"
JOB_CANCEL_FAIL = "job_cancel_fail"
JOB_SAVEPOINTING = "job_savepointing"
JOB_ARREARAGE_STOPPED = "job_arrearage_stopped"
JOB_ARREARAGE_RECOVERING = "job_arrearage_recovering"
JOB_FINISH = "job_finish"

#: Status groups (badges, filters, the summary cards).
GROUP_RUNNING = "running"
GROUP_TRANSITIONAL = "transitional"
GROUP_FAILED = "failed"
GROUP_STOPPED = "stopped"
GROUP_IDLE = "idle"
GROUP_DRAFT = "draft"
GROUP_UNKNOWN = "unknown"

JobStatusGroup = Literal["running", "transitional", "failed", "stopped", "idle", "draft", "unknown"]

#: The groups a job status falls into, with labels (for filters and badges).
JOB_STATUS_GROUPS: dict[str, str] = {
    "running": gettext_noop("Running"),
    "transitional": gettext_noop("In progress"),
    "failed": gettext_noop("Failed"),
    "stopped": gettext_noop("Stopped"),
    "idle": gettext_noop("Idle"),
    "draft": gettext_noop("Draft"),
}


@dataclass(frozen=True, slots=True)
class JobStatus:
    """One job status: its API name, a human label and the group it belongs to."""

    name: str
    label: str
    group: str
    known: bool = True

    @property
    def is_running(self) -> bool:
        return self.group == "running"

    @property
    def is_failed(self) -> bool:
        return self.group == "failed"

    @property
    def is_transitional(self) -> bool:
        return self.group == "transitional"


def _js(name: str, label: str, group: str) -> tuple[str, JobStatus]:
    return name, JobStatus(name, label, group)


#: Every job status. Names: 5.3.8 (table 5-115: job_init ... job_cancel_fail); the remaining names
#: carry the labels of the 5.1.12 list (Idle, Finished, Stopped due to arrears, Restoring (recharged
#: jobs), Creating savepoint) in the same naming scheme; job_downloading is a status CS reports while
#: it fetches a JAR before submission.
JOB_STATUSES: dict[str, JobStatus] = dict(
    [
        _js("job_init", gettext_noop("Draft"), "draft"),
        _js("job_submitting", gettext_noop("Submitting"), "transitional"),
        _js("job_submit_fail", gettext_noop("Submission failed"), "failed"),
        _js("job_running", gettext_noop("Running"), "running"),
        _js("job_running_exception", gettext_noop("Running exception"), "failed"),
        _js("job_downloading", gettext_noop("Downloading"), "transitional"),
        _js("job_idle", gettext_noop("Idle"), "idle"),
        _js("job_canceling", gettext_noop("Stopping"), "transitional"),
        _js("job_cancel_success", gettext_noop("Stopped"), "stopped"),
        _js("job_cancel_fail", gettext_noop("Stopping failed"), "failed"),
        _js("job_savepointing", gettext_noop("Creating savepoint"), "transitional"),
        _js("job_arrearage_stopped", gettext_noop("Stopped due to arrears"), "stopped"),
        _js("job_arrearage_recovering", gettext_noop("Restoring (recharged jobs)"), "transitional"),
        _js("job_finish", gettext_noop("Finished"), "stopped"),
    ]
)

#: Statuses of a job that runs (metrics are polled, cost accrues).
RUNNING_STATUSES: tuple[str, ...] = (JOB_RUNNING,)
#: Statuses from which a job is on its way somewhere else (the page refreshes sooner).
TRANSITIONAL_STATUSES: tuple[str, ...] = tuple(
    name for name, status in JOB_STATUSES.items() if status.group == "transitional"
)

#: Other spellings seen in the reference (5.1.5 and 5.1.7 example responses say "running").
JOB_STATUS_ALIASES: dict[str, str] = {
    "running": "job_running",
    "init": "job_init",
    "draft": "job_init",
    "submitting": "job_submitting",
    "finished": "job_finish",
    "job_finished": "job_finish",
    "stopped": "job_cancel_success",
}

#: Values of the ``status`` filter of the cluster job list (5.3.8, table 5-115).
CLUSTER_JOB_STATUS_FILTERS: tuple[str, ...] = (
    "job_init",
    "job_submitting",
    "job_submit_fail",
    "job_running",
    "job_running_exception",
    "job_canceling",
    "job_cancel_success",
    "job_cancel_fail",
)

#: Values of the ``status`` filter of the job list (5.1.11, table 5-37): any job status, with labels.
JOB_LIST_STATUS_FILTERS: tuple[tuple[str, str], ...] = tuple((s.name, s.label) for s in JOB_STATUSES.values())


#: The entry of a job without a status (a table, so that its label is translated like the others).
NO_STATUS: dict[str, JobStatus] = {"": JobStatus("", gettext_noop("Unknown"), GROUP_UNKNOWN, known=False)}


def job_status(name: str | None) -> JobStatus:
    """The :class:`JobStatus` for ``name``; an entry with group ``"unknown"`` for names CS may add."""
    if not name:
        return NO_STATUS[""]
    found = JOB_STATUSES.get(name)
    if found is not None:
        return found
    alias = JOB_STATUS_ALIASES.get(name.strip().lower())
    if alias is not None:
        return JOB_STATUSES[alias]
    label = name.removeprefix("job_").replace("_", " ").strip().capitalize() or name
    return JobStatus(name, label, "unknown", known=False)


# --------------------------------------------------------------------------- cluster statuses

ClusterHealth = Literal["healthy", "transitional", "failed", "stopped", "unknown"]

#: Cluster health values with labels.
CLUSTER_HEALTH: dict[str, str] = {
    "healthy": gettext_noop("Healthy"),
    "transitional": gettext_noop("In progress"),
    "failed": gettext_noop("Failed"),
    "stopped": gettext_noop("Stopped"),
}


@dataclass(frozen=True, slots=True)
class ClusterStatus:
    """One cluster status code of table 5-94."""

    code: int
    name: str
    label: str
    health: str
    description: str = ""
    known: bool = True


def _cs(code: int, name: str, label: str, health: str, description: str) -> tuple[int, ClusterStatus]:
    return code, ClusterStatus(code, name, label, health, description)


#: Table 5-94 (cluster status codes). Names: the seven listed in 5.3.4 (cluster_creating,
#: cluster_create_fail, cluster_create_success, cluster_starting, cluster_running, cluster_deleting,
#: cluster_delete_fail); the others follow the same scheme. Labels: the 5.3.2 status list.
CLUSTER_STATUSES: dict[int, ClusterStatus] = dict(
    [
        _cs(
            1,
            "cluster_creating",
            gettext_noop("Creating"),
            "transitional",
            gettext_noop("A cluster is being created."),
        ),
        _cs(
            2,
            "cluster_create_fail",
            gettext_noop("ECS creation failed"),
            "failed",
            gettext_noop("A cluster fails to be created."),
        ),
        _cs(
            3,
            "cluster_create_success",
            gettext_noop("Ready to start"),
            "transitional",
            gettext_noop("A cluster is created successfully."),
        ),
        _cs(
            4,
            "cluster_starting",
            gettext_noop("Starting"),
            "transitional",
            gettext_noop("A cluster is starting."),
        ),
        _cs(5, "cluster_running", gettext_noop("Running"), "healthy", gettext_noop("A cluster is running.")),
        _cs(
            6,
            "cluster_running_exception",
            gettext_noop("Running with exception"),
            "failed",
            gettext_noop("A cluster is abnormal but still running."),
        ),
        _cs(
            7,
            "cluster_stopped_exception",
            gettext_noop("Stopped with exception"),
            "failed",
            gettext_noop("A cluster is abnormal and has stopped."),
        ),
        _cs(
            8,
            "cluster_idle",
            gettext_noop("Idle"),
            "healthy",
            gettext_noop("A cluster is in the idle state."),
        ),
        _cs(
            9,
            "cluster_stopping",
            gettext_noop("Stopping"),
            "transitional",
            gettext_noop("A cluster is being stopped."),
        ),
        _cs(
            10,
            "cluster_stop_fail",
            gettext_noop("Stop failed"),
            "failed",
            gettext_noop("A cluster fails to be stopped."),
        ),
        _cs(
            11, "cluster_stopped", gettext_noop("Stopped"), "stopped", gettext_noop("A cluster has stopped.")
        ),
        _cs(
            12,
            "cluster_stop_success",
            gettext_noop("Stopped"),
            "stopped",
            gettext_noop("A cluster is stopped successfully."),
        ),
        _cs(
            13,
            "cluster_arrearage_stopped",
            gettext_noop("Arrears stopped"),
            "stopped",
            gettext_noop("A cluster stops because the tenant account is in arrears."),
        ),
        _cs(
            14,
            "cluster_arrearage_recovering",
            gettext_noop("Restoring (recharged cluster)"),
            "transitional",
            gettext_noop("A cluster that stops due to arrears is restored after the account is recharged."),
        ),
        _cs(
            15,
            "cluster_arrearage_deleted",
            gettext_noop("Deleted (arrears)"),
            "stopped",
            gettext_noop(
                "A cluster is deleted because the tenant account is in arrears and not recharged within the "
                "validity period."
            ),
        ),
        _cs(
            16,
            "cluster_deleting",
            gettext_noop("Deleting"),
            "transitional",
            gettext_noop("A cluster is being deleted."),
        ),
        _cs(
            17,
            "cluster_delete_fail",
            gettext_noop("Deletion failed"),
            "failed",
            gettext_noop("A cluster fails to be deleted."),
        ),
        _cs(
            18,
            "cluster_upgrading",
            gettext_noop("Upgrading"),
            "transitional",
            gettext_noop("A cluster is being upgraded."),
        ),
        _cs(
            19,
            "cluster_upgrade_fail",
            gettext_noop("Upgrade failed"),
            "failed",
            gettext_noop("A cluster fails to be upgraded."),
        ),
        _cs(
            20,
            "cluster_scaling",
            gettext_noop("Expanding capacity"),
            "transitional",
            gettext_noop("Capacity expansion of a cluster is in progress."),
        ),
        _cs(
            25,
            "cluster_arrearage_stopping",
            gettext_noop("Arrears, stopping"),
            "transitional",
            gettext_noop("A cluster is being stopped because the tenant account is in arrears."),
        ),
        _cs(
            26,
            "cluster_arrearage_stop_fail",
            gettext_noop("Arrears, stop failed"),
            "failed",
            gettext_noop("A cluster fails to stop because the tenant account is in arrears."),
        ),
        _cs(
            27,
            "cluster_arrearage_recover_fail",
            gettext_noop("Thaw recovery failed"),
            "failed",
            gettext_noop(
                "A cluster that stops due to arrears fails to be restored after the account is recharged."
            ),
        ),
        _cs(
            28,
            "cluster_restarting",
            gettext_noop("Restarting"),
            "transitional",
            gettext_noop("The tenant manually restarts the cluster."),
        ),
        _cs(
            29,
            "cluster_deleted",
            gettext_noop("Deleted"),
            "stopped",
            gettext_noop("A cluster is deleted because the tenant has stopped the service."),
        ),
    ]
)

CLUSTER_STATUS_BY_NAME: dict[str, ClusterStatus] = {s.name: s for s in CLUSTER_STATUSES.values()}


def cluster_status(code: int | str | None) -> ClusterStatus:
    """The :class:`ClusterStatus` for a status code (int or numeric string) or a status name.

    Unknown codes give an entry with health ``"unknown"`` rather than an error.
    """
    if code is None or code == "":
        return ClusterStatus(0, "", "Unknown", "unknown", known=False)
    if isinstance(code, str):
        by_name = CLUSTER_STATUS_BY_NAME.get(code)
        if by_name is not None:
            return by_name
        try:
            num = int(code)
        except ValueError:
            return ClusterStatus(0, code, code.replace("_", " ").capitalize(), "unknown", known=False)
    else:
        num = int(code)
    found = CLUSTER_STATUSES.get(num)
    if found is not None:
        return found
    return ClusterStatus(num, f"cluster_status_{num}", f"Status {num}", "unknown", known=False)


# --------------------------------------------------------------------------- what can be done when
# One place for which action a job or cluster status allows: the emulator refuses the others with CS's
# codes, the dashboard offers only the allowed ones and refuses the rest before calling CS.

#: Statuses from which a job may not be run again nor updated (CS.13006, CS.12003).
JOB_BUSY_STATUSES: frozenset[str] = frozenset(
    {JOB_SUBMITTING, JOB_RUNNING, JOB_CANCELING, JOB_SAVEPOINTING, JOB_DOWNLOADING, JOB_ARREARAGE_RECOVERING}
)
#: Statuses in which a DLI job holds its CUs on its queue (what DLI counts as the queue's used CUs).
DLI_CU_HOLDING_STATUSES: tuple[str, ...] = (JOB_SUBMITTING, JOB_RUNNING, JOB_SAVEPOINTING, JOB_CANCELING)
#: Statuses from which a job may be stopped (the others: CS.15002).
JOB_STOPPABLE_STATUSES: frozenset[str] = frozenset(
    {JOB_SUBMITTING, JOB_RUNNING, JOB_RUNNING_EXCEPTION, JOB_DOWNLOADING}
)
#: A stop makes a savepoint only of a job that runs (5.1.17 triggerSavePoint).
JOB_SAVEPOINT_STATUSES: frozenset[str] = frozenset({JOB_RUNNING})

JOB_ACTIONS = ("run", "edit", "stop", "delete", "resume", "savepoint")


def job_action_refusal(action: str, status: str | None, *, has_savepoint: bool = False) -> str | None:
    """Why ``action`` cannot be done to a job in ``status``, as a reason key, or ``None`` when it can.

    Keys: ``busy`` (running or on its way: run/edit wait for it to stop), ``not_stoppable`` (nothing
    runs to stop), ``not_running`` (a savepoint needs a running job), ``no_savepoint`` (nothing to
    resume from). Delete is always possible (a running job is stopped first).
    """
    if action not in JOB_ACTIONS:
        raise ValueError(f"unknown job action {action!r}")
    name = job_status(status).name if status else ""
    if action in ("run", "edit") and name in JOB_BUSY_STATUSES:
        return "busy"
    if action == "resume":
        if name in JOB_BUSY_STATUSES:
            return "busy"
        return None if has_savepoint else "no_savepoint"
    if action == "stop" and name not in JOB_STOPPABLE_STATUSES:
        return "not_stoppable"
    if action == "savepoint" and name not in JOB_SAVEPOINT_STATUSES:
        return "not_running"
    return None


#: Cluster status codes (table 5-94) the cluster actions need.
CLUSTER_RUNNING = 5
CLUSTER_DELETING = 16
#: Only pay-per-use clusters that stopped (or stopped for arrears) restart (CS.20021).
CLUSTER_RESTARTABLE: frozenset[int] = frozenset({11, 12, 13})
CLUSTER_ACTIONS = ("update", "stop", "restart", "delete", "use")


def cluster_action_refusal(action: str, code: int | None) -> str | None:
    """Why ``action`` cannot be done to a cluster with status ``code``, or ``None`` when it can.

    ``update``, ``stop`` (terminate) and ``use`` (run jobs in it) need a running cluster (CS.20015,
    CS.20026, CS.13008); ``restart`` a stopped one (CS.20021); ``delete`` anything not being deleted
    (CS.21011). Keys: ``not_running``, ``not_stopped``, ``deleting``.
    """
    if action not in CLUSTER_ACTIONS:
        raise ValueError(f"unknown cluster action {action!r}")
    if code == CLUSTER_DELETING:
        return "deleting"
    if action in ("update", "stop", "use") and code != CLUSTER_RUNNING:
        return "not_running"
    if action == "restart" and code not in CLUSTER_RESTARTABLE:
        return "not_stopped"
    return None


# --------------------------------------------------------------------------- run modes and job types

#: Run mode and job type names: code says ``vocab.FLINK_SQL_JOB``, never the string.
SHARED_CLUSTER = "shared_cluster"
EXCLUSIVE_CLUSTER = "exclusive_cluster"
EDGE_NODE = "edge_node"
FLINK_SQL_JOB = "flink_sql_job"
FLINK_SQL_EDGE_JOB = "flink_sql_edge_job"
FLINK_JAR_JOB = "flink_jar_job"
SPARK_STREAMING_JAR_JOB = "spark_streaming_jar_job"

#: Job running modes (5.1.5 table 5-15).
RUN_MODES: dict[str, str] = {
    "shared_cluster": gettext_noop("Shared cluster"),
    "exclusive_cluster": gettext_noop("Exclusive cluster"),
    "edge_node": gettext_noop("Edge node"),
}

#: Job types (5.1.5 table 5-15 for SQL jobs, 5.1.7 table 5-22 for user-defined jobs).
JOB_TYPES: dict[str, str] = {
    "flink_sql_job": gettext_noop("Flink SQL job"),
    "flink_sql_edge_job": gettext_noop("Flink SQL edge job"),
    "flink_jar_job": gettext_noop("User-defined Flink job"),
    "spark_streaming_jar_job": gettext_noop("User-defined Spark Streaming job"),
}

SQL_JOB_TYPES: tuple[str, ...] = ("flink_sql_job", "flink_sql_edge_job")
JAR_JOB_TYPES: tuple[str, ...] = ("flink_jar_job", "spark_streaming_jar_job")

#: Job types allowed per run mode: 5.1.5 (edge_node -> flink_sql_edge_job; shared/exclusive ->
#: flink_sql_job) and 5.1.7 / CS.13009 (user-defined jobs run in exclusive clusters only).
RUN_MODE_JOB_TYPES: dict[str, tuple[str, ...]] = {
    "shared_cluster": ("flink_sql_job",),
    "exclusive_cluster": ("flink_sql_job", "flink_jar_job", "spark_streaming_jar_job"),
    "edge_node": ("flink_sql_edge_job",),
}


def job_type_allowed(run_mode: str, job_type: str) -> bool:
    """Whether ``job_type`` may run in ``run_mode`` (a mismatch is CS.11024)."""
    return job_type in RUN_MODE_JOB_TYPES.get(run_mode, ())


# --------------------------------------------------------------------------- checkpoints

#: Checkpoint (snapshot) modes. The reference is inconsistent: the examples send and return
#: "exactly_once" (4, 5.1.5, 5.1.11), tables say "ExactlyOnce"/"AtLeastOnce" (5.1.11, 5.1.12) and
#: 5.1.6 gives the ints 1 (exactly once) and 2 (at least once). All forms are accepted.
CHECKPOINT_MODES: dict[str, str] = {
    "exactly_once": gettext_noop("Exactly once"),
    "at_least_once": gettext_noop("At least once"),
}
CHECKPOINT_MODE_TO_INT: dict[str, int] = {"exactly_once": 1, "at_least_once": 2}
CHECKPOINT_MODE_BY_INT: dict[int, str] = {1: "exactly_once", 2: "at_least_once"}
CHECKPOINT_MODE_ALIASES: dict[str, str] = {
    "exactly_once": "exactly_once",
    "exactlyonce": "exactly_once",
    "exactly-once": "exactly_once",
    "1": "exactly_once",
    "at_least_once": "at_least_once",
    "atleastonce": "at_least_once",
    "at-least-once": "at_least_once",
    "2": "at_least_once",
}


def normalize_checkpoint_mode(value: Any) -> str | None:
    """``"exactly_once"``/``"at_least_once"`` for any documented form (1, 2, "1", "ExactlyOnce", ...).

    ``None`` and ``""`` give ``None``; anything else unrecognised also gives ``None``.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return CHECKPOINT_MODE_BY_INT.get(value)
    if isinstance(value, str):
        return CHECKPOINT_MODE_ALIASES.get(value.strip().lower())
    return None


def checkpoint_mode_int(value: Any) -> int | None:
    """The int form (1 or 2) of any documented checkpoint mode form."""
    mode = normalize_checkpoint_mode(value)
    return CHECKPOINT_MODE_TO_INT[mode] if mode else None


# --------------------------------------------------------------------------- dirty data

#: Dirty data strategies (5.1.5 table 5-15): "0" ignore, "1" trigger a job exception,
#: "2:{obs path}" save dirty records to that OBS path.
DIRTY_DATA_IGNORE = "0"
DIRTY_DATA_RAISE = "1"
DIRTY_DATA_SAVE = "2"
DIRTY_DATA_STRATEGIES: dict[str, str] = {
    DIRTY_DATA_IGNORE: gettext_noop("Ignore"),
    DIRTY_DATA_RAISE: gettext_noop("Trigger a job exception"),
    DIRTY_DATA_SAVE: gettext_noop("Save to OBS"),
}


def parse_dirty_data_strategy(value: Any) -> tuple[str, str | None] | None:
    """Split a dirty data strategy into (kind, obs_path); ``None`` if it is not valid.

    ``"0"`` -> ("0", None), ``"1"`` -> ("1", None), ``"2:bucket/dir"`` -> ("2", "bucket/dir").
    """
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    if text in (DIRTY_DATA_IGNORE, DIRTY_DATA_RAISE):
        return text, None
    if text.startswith(DIRTY_DATA_SAVE + ":"):
        path = text[2:].strip()
        if path:
            return DIRTY_DATA_SAVE, path
    return None


def dirty_data_strategy(kind: str, obs_path: str | None = None) -> str:
    """Build the wire form of a dirty data strategy (see :func:`parse_dirty_data_strategy`)."""
    if kind == DIRTY_DATA_SAVE:
        if not obs_path:
            raise ValueError("saving dirty data needs an OBS path")
        return f"{DIRTY_DATA_SAVE}:{obs_path}"
    if kind not in (DIRTY_DATA_IGNORE, DIRTY_DATA_RAISE):
        raise ValueError(f"unknown dirty data strategy {kind!r}")
    return kind


# --------------------------------------------------------------------------- lists, audit, network

#: ``order`` values of the list operations (5.1.11, 5.2.4, 5.3.4, 5.3.8, 5.3.11, 5.3.14).
LIST_ORDERS: dict[str, str] = {"desc": gettext_noop("Newest first"), "asc": gettext_noop("Oldest first")}

#: Select-box choices for boolean query parameters (show_detail, next, resumeSavePoint, ...).
BOOLEAN_CHOICES: tuple[tuple[str, str], ...] = (("true", gettext_noop("Yes")), ("false", gettext_noop("No")))

#: Audit log resource types (5.1.14 table 5-47, CS.24002).
AUDIT_RESOURCE_TYPES: dict[str, str] = {
    "job": gettext_noop("Job"),
    "template": gettext_noop("Template"),
    "cluster": gettext_noop("Cluster"),
}

#: CS's audit event names (``event_name`` of its traces, reference 5.4) in words; an event CS adds
#: later is shown by its name.
AUDIT_EVENTS: dict[str, str] = {
    "createJob": gettext_noop("Job created"),
    "updateJob": gettext_noop("Job changed"),
    "startJob": gettext_noop("Job started"),
    "stopJob": gettext_noop("Job stopped"),
    "deleteJob": gettext_noop("Job deleted"),
    "createTemplate": gettext_noop("Template created"),
    "updateTemplate": gettext_noop("Template changed"),
    "deleteTemplate": gettext_noop("Template deleted"),
    "createCluster": gettext_noop("Cluster created"),
    "updateCluster": gettext_noop("Cluster changed"),
    "stopCluster": gettext_noop("Cluster stopped"),
    "restartCluster": gettext_noop("Cluster restarted"),
    "deleteCluster": gettext_noop("Cluster deleted"),
    "addHosts": gettext_noop("Hosts added"),
    "addHostsFile": gettext_noop("Hosts file uploaded"),
    "updateHost": gettext_noop("Host changed"),
    "deleteHosts": gettext_noop("Hosts deleted"),
    "createPeering": gettext_noop("VPC peering created"),
    "deletePeering": gettext_noop("VPC peering deleted"),
}

#: APIG sink fields of a SQL job (reference 5.1.16), in words; another field is shown by its key.
APIG_SINK_FIELDS: dict[str, str] = {
    "app_id": gettext_noop("App ID"),
    "sink_name": gettext_noop("Sink"),
    "url": gettext_noop("Sink URL"),
}

#: VPC peering connection statuses (5.3.17 table 5-151).
PEERING_STATUSES: dict[str, str] = {
    "PENDING_ACCEPTANCE": gettext_noop("Awaiting acceptance"),
    "REJECTED": gettext_noop("Rejected"),
    "EXPIRED": gettext_noop("Expired"),
    "DELETED": gettext_noop("Deleted"),
    "ACTIVE": gettext_noop("Active"),
}

#: Route types (5.3.23 table 5-169: "Currently, the value can only be peering").
ROUTE_TYPES: tuple[str, ...] = ("peering",)


# =========================================================================== DLI (Data Lake Insight)
# The successor of CS: DLI Flink jobs. Everything below is DLI's vocabulary in the dashboard's terms;
# what DLI shares with CS (statuses, checkpoint modes, dirty data, run modes) is not repeated but named
# from the definitions above. Sources: the DLI API reference (dli_02_*) and the request/response models
# of Huawei's SDK (huaweicloudsdkdli.v1.model).

#: DLI's job statuses (ListFlinkJobsRequest.status, FlinkJob.status): CS's eight (the cluster job list,
#: CLUSTER_JOB_STATUS_FILTERS) and six more. Labels and groups are those of JOB_STATUSES.
DLI_JOB_STATUSES: tuple[str, ...] = (
    "job_init",
    "job_submitting",
    "job_submit_fail",
    "job_running",
    "job_running_exception",
    "job_downloading",
    "job_idle",
    "job_canceling",
    "job_cancel_success",
    "job_cancel_fail",
    "job_savepointing",
    "job_arrearage_stopped",
    "job_arrearage_recovering",
    "job_finish",
)
assert set(CLUSTER_JOB_STATUS_FILTERS) <= set(DLI_JOB_STATUSES) <= set(JOB_STATUSES)


def dli_job_status(name: str | None) -> JobStatus:
    """The :class:`JobStatus` of a DLI status name (the same entries as CS's; unknown names too)."""
    return job_status(name)


#: DLI's Flink job types (FlinkJob.job_type) with labels. flink_opensource_sql_job is DLI's default
#: for SQL jobs (CreateFlinkSqlJobRequestBody.job_type); the other labels are CS's where CS has them.
DLI_JOB_TYPES: dict[str, str] = {
    "flink_opensource_sql_job": gettext_noop("Flink OpenSource SQL job"),
    "flink_sql_job": JOB_TYPES["flink_sql_job"],
    "flink_sql_edge_job": JOB_TYPES["flink_sql_edge_job"],
    "flink_jar_job": JOB_TYPES["flink_jar_job"],
}
DLI_SQL_JOB_TYPES: tuple[str, ...] = ("flink_opensource_sql_job", "flink_sql_job", "flink_sql_edge_job")
DLI_JAR_JOB_TYPES: tuple[str, ...] = ("flink_jar_job",)
#: The type DLI gives a SQL job created without one (CreateFlinkSqlJobRequestBody.job_type).
DLI_DEFAULT_SQL_JOB_TYPE = "flink_opensource_sql_job"
#: Job types a SQL job template may have (CreateFlinkSqlJobTemplateRequestBody.job_type).
DLI_TEMPLATE_JOB_TYPES: tuple[str, ...] = ("flink_sql_job", "flink_opensource_sql_job")

# --------------------------------------------------------------------------- units and placement


@dataclass(frozen=True, slots=True)
class ComputeUnit:
    """A billing and sizing unit of a job: CS's SPU or DLI's CU."""

    key: str
    label: str
    description: str


#: The units jobs are sized in, per service. DLI: "One CU equals one vCPU and 4 GB" (dli_02_0228).
COMPUTE_UNITS: dict[str, ComputeUnit] = {
    "spu": ComputeUnit("spu", "SPU", "Stream processing units (CS)"),
    "cu": ComputeUnit("cu", "CU", "Compute units: one vCPU and 4 GB of memory each (DLI)"),
}

#: The time units of CS's billing overview (5.1.3 ``time_unit``), as words.
TIME_UNITS: dict[str, str] = {
    "MINUTE": gettext_noop("minute"),
    "HOUR": gettext_noop("hour"),
    "DAY": gettext_noop("day"),
    "MONTH": gettext_noop("month"),
}


def time_unit_label(value: str | None) -> str:
    """CS's time unit in words (``HOUR`` -> "hour"); an unknown unit as CS wrote it, in lower case."""
    return TIME_UNITS.get((value or "").strip().upper()) or (value or "").lower()


#: Where a job runs, per service: a CS cluster or a DLI queue.
PLACEMENTS: dict[str, str] = {"cluster": gettext_noop("Cluster"), "queue": gettext_noop("Queue")}

#: DLI queue types (ListQueuesRequest.queue_type): Flink jobs run on general-purpose queues.
DLI_QUEUE_TYPES: dict[str, str] = {
    "sql": gettext_noop("SQL queue"),
    "general": gettext_noop("General-purpose queue"),
    "all": gettext_noop("All queues"),
}
#: The queue type Flink jobs need, and so the one the client lists by default.
DLI_FLINK_QUEUE_TYPE = "general"

#: Savepoint actions (ExecuteFlinkJobSavepointRequestBody.action, dli_02_0392: "Options: TRIGGER").
DLI_SAVEPOINT_ACTIONS: tuple[str, ...] = ("TRIGGER",)

#: The show_quota type of a project's CUs (QuotaInfo.type).
DLI_QUOTA_CU = "CU"
#: Quota types of show_quota (QuotaInfo.type) the dashboard shows, with labels.
DLI_QUOTA_TYPES: dict[str, str] = {
    DLI_QUOTA_CU: gettext_noop("Compute units"),
    "QUEUE": gettext_noop("Queues"),
    "ELASTIC_RESOURCE_POOL": gettext_noop("Elastic resource pools"),
}

#: Elastic resource pool statuses (ElasticResourcePool.status) with labels.
DLI_POOL_STATUSES: dict[str, str] = {
    "AVAILABLE": gettext_noop("Available"),
    "SCALING": gettext_noop("Scaling"),
    "CREATING": gettext_noop("Creating"),
    "FAILED": gettext_noop("Creation failed"),
    "DELETING": gettext_noop("Deleting"),
}

# --------------------------------------------------------------------------- wire forms


def dli_is_success(value: Any) -> bool | None:
    """``is_success`` as a bool: DLI sends ``true``, ``"true"`` and, through the SDK's ``str()``
    coercion, ``"True"``; ``None`` when absent or unrecognisable."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "true":
            return True
        if text == "false":
            return False
    return None


def dli_checkpoint_mode(value: Any) -> int | None:
    """The request form of a checkpoint mode (DLI takes 1 ExactlyOnce / 2 AtLeastOnce)."""
    return checkpoint_mode_int(value)
