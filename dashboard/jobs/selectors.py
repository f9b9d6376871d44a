"""Reads for the jobs pages and API: querysets over snapshot tables, always scoped to a team first.

Nothing here calls CS or touches a request. Every page built on these runs a constant number of SQL
statements whatever the number of jobs: list selectors ``only()`` the columns a list shows and join
the credential in the same query; aggregates are single ``GROUP BY`` or ``aggregate`` queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from csapi import vocab
from dashboard.clusters.models import Cluster, Queue
from dashboard.jobs.models import AuditTrace, Job, JobStatusChange, MetricSample, SqlVersion, Template
from dashboard.teams.models import ActionLog, Credential, Service, Team

#: Columns a job list row shows (plus the credential's public id and name, joined).
LIST_COLUMNS = (
    "id",
    "team_id",
    "credential_id",
    "credential__public_id",
    "credential__name",
    "job_id",
    "name",
    "job_type",
    "status",
    "status_desc",
    "run_mode",
    "cluster_id",
    "cluster_name",
    "spu_number",
    "parallel_number",
    "start_time",
    "duration",
    "read_rate",
    "write_rate",
    "last_seen",
    "update_time",
    "deleted_at",
    "service",
    "queue_name",
)

#: Job types of both services, with labels (DLI's are a superset of CS's SQL types).
ALL_JOB_TYPES: dict[str, str] = {**vocab.JOB_TYPES, **vocab.DLI_JOB_TYPES}
#: The services a job list filters by.
SERVICES: dict[str, str] = {"cs": "CS", "dli": "DLI"}

#: Sort keys offered by the list (query value -> order_by fields; "-" prefix reverses).
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "job_id"),
    "status": ("status", "job_id"),
    "type": ("job_type", "job_id"),
    "start": ("start_time", "job_id"),
    "duration": ("duration", "job_id"),
    "spu": ("spu_number", "job_id"),
    "updated": ("update_time", "job_id"),
    "id": ("job_id",),
    # newest first; (team, create_time) is indexed and the row id breaks ties inside that index
    "created": ("create_time", "id"),
}
DEFAULT_SORT = "-created"
METRIC_POINTS = 120


@dataclass(frozen=True)
class JobFilters:
    """Parsed, validated list filters (anything unrecognised is dropped, never an error)."""

    status: str = ""  # a status group ("running") or a status name ("job_running")
    job_type: str = ""
    run_mode: str = ""
    cluster: int | None = None
    credential: UUID | None = None
    q: str = ""
    service: str = ""
    queue: str = ""
    sort: str = DEFAULT_SORT
    extra: dict[str, Any] = field(default_factory=dict)

    def counted(self) -> JobFilters:
        """The filters the status counts apply: all but the status (and the order, which counts ignore)."""
        return JobFilters(
            job_type=self.job_type,
            run_mode=self.run_mode,
            cluster=self.cluster,
            credential=self.credential,
            q=self.q,
            service=self.service,
            queue=self.queue,
        )

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> JobFilters:
        def one(key: str) -> str:
            value = params.get(key, "")
            if isinstance(value, list | tuple):
                value = value[-1] if value else ""
            return str(value or "").strip()[:200]

        status = one("status")
        if status not in vocab.JOB_STATUS_GROUPS and status not in vocab.JOB_STATUSES:
            status = ""
        job_type = one("type")
        if job_type not in ALL_JOB_TYPES:
            job_type = ""
        run_mode = one("mode")
        if run_mode not in vocab.RUN_MODES:
            run_mode = ""
        cluster_text = one("cluster")
        cluster = int(cluster_text) if cluster_text.isdigit() and len(cluster_text) < 19 else None
        try:
            credential = UUID(one("credential")) if one("credential") else None
        except ValueError:
            credential = None
        sort = one("sort") or DEFAULT_SORT
        if sort.lstrip("-") not in SORTS:
            sort = DEFAULT_SORT
        service = one("service")
        if service not in SERVICES:
            service = ""
        queue = one("queue")[:128]
        return cls(
            service=service,
            queue=queue,
            status=status,
            job_type=job_type,
            run_mode=run_mode,
            cluster=cluster,
            credential=credential,
            q=one("q")[:100],
            sort=sort,
        )

    def as_query(self, **override: Any) -> dict[str, str]:
        """The filters as query parameters (empty ones left out), with ``override`` applied."""
        values = {
            "status": self.status,
            "type": self.job_type,
            "mode": self.run_mode,
            "cluster": "" if self.cluster is None else str(self.cluster),
            "credential": "" if self.credential is None else str(self.credential),
            "q": self.q,
            "service": self.service,
            "queue": self.queue,
            "sort": "" if self.sort == DEFAULT_SORT else self.sort,
        }
        values.update({k: ("" if v is None else str(v)) for k, v in override.items()})
        return {k: v for k, v in values.items() if v}

    @property
    def active(self) -> bool:
        return bool(self.as_query(sort=""))


def _statuses_in_group(group: str) -> list[str]:
    return [s.name for s in vocab.JOB_STATUSES.values() if s.group == group]


def _status_names(status: str) -> list[str]:
    """The stored statuses a status filter keeps: a group's statuses and their aliases, or the one."""
    if status in vocab.JOB_STATUS_GROUPS:
        names = _statuses_in_group(status)
        return names + [a for a, target in vocab.JOB_STATUS_ALIASES.items() if target in names]
    return [status]


def _status_q(status: str) -> Q:
    return Q(status__in=_status_names(status))


def job_queryset(team: Team) -> QuerySet[Job]:
    """The team's live jobs (not deleted in CS)."""
    return Job.objects.filter(team=team, deleted_at__isnull=True)


def job_list(
    team: Team | Iterable[Team] | QuerySet[Team], filters: JobFilters | None = None
) -> QuerySet[Job]:
    """The team's (or teams') live jobs with ``filters`` applied, sorted, with only the listed columns."""
    filters = filters or JobFilters()
    if isinstance(team, Team):
        qs = Job.objects.filter(team=team)
    else:
        qs = Job.objects.filter(team__in=team)
    qs = qs.filter(deleted_at__isnull=True)
    if filters.status:
        qs = qs.filter(_status_q(filters.status))
    if filters.job_type:
        qs = qs.filter(job_type=filters.job_type)
    if filters.run_mode:
        qs = qs.filter(run_mode=filters.run_mode)
    if filters.cluster is not None:
        qs = qs.filter(cluster_id=filters.cluster)
    if filters.credential is not None:
        qs = qs.filter(credential__public_id=filters.credential)
    if filters.q:
        qs = qs.filter(name__icontains=filters.q)
    if filters.service:
        qs = qs.filter(service=filters.service)
    if filters.queue:
        qs = qs.filter(queue_name=filters.queue)
    reverse = filters.sort.startswith("-")
    order = SORTS[filters.sort.lstrip("-")]
    order_by = [("-" + f) if reverse else f for f in order]
    columns = LIST_COLUMNS if isinstance(team, Team) else (*LIST_COLUMNS, "team__slug", "team__name")
    related = ("credential",) if isinstance(team, Team) else ("credential", "team")
    return qs.select_related(*related).only(*columns).order_by(*order_by)


@dataclass(frozen=True)
class StatusSummary:
    group: str
    label: str
    count: int


def job_status_counts(team: Team | QuerySet[Team], filters: JobFilters | None = None) -> dict[str, int]:
    """Live jobs per stored status (one GROUP BY query); ``filters`` other than status apply."""
    scoped = (filters or JobFilters()).counted()
    # COUNT(*): answered from the (team, status) index of live jobs, without reading the rows
    rows = job_list(team, scoped).order_by().values_list("status").annotate(n=Count("*"))
    return dict(rows)


def matching_count(counts: dict[str, int], status: str) -> int:
    """How many of ``counts`` (:func:`job_status_counts`) the status filter ``status`` keeps: the job
    list's total without a COUNT query of its own, and always the figure its status card shows."""
    if not status:
        return sum(counts.values())
    return sum(counts.get(name, 0) for name in set(_status_names(status)))


def job_status_summary(
    team: Team | QuerySet[Team], filters: JobFilters | None = None, *, counts: dict[str, int] | None = None
) -> list[StatusSummary]:
    """Live jobs per status group; ``filters`` other than status apply (``counts``: the
    :func:`job_status_counts` already read)."""
    if counts is None:
        counts = job_status_counts(team, filters)
    groups: dict[str, int] = dict.fromkeys(vocab.JOB_STATUS_GROUPS, 0)
    for status, n in counts.items():
        group = vocab.job_status(status).group
        if group in groups:
            groups[group] += n
    return [StatusSummary(g, label, groups[g]) for g, label in vocab.JOB_STATUS_GROUPS.items()]


def job_filter_choices(
    team: Team, credentials: Iterable[Credential] | None = None
) -> dict[str, list[tuple[str, str]]]:
    """Choices for the list filters: the team's credentials, its CS clusters and its DLI queues (one
    small query per service the team has credentials of; none for the credentials when the page
    already has the team's ``credentials``)."""
    if credentials is None:
        credentials = Credential.objects.filter(team=team).only("public_id", "name", "service")
    credentials = list(credentials)
    services = {c.service for c in credentials}
    clusters = (
        [
            (str(cid), name or str(cid))
            for cid, name in Cluster.objects.filter(team=team, deleted_at__isnull=True)
            .order_by("name")
            .values_list("cluster_id", "name")
        ]
        if Service.CS in services
        else []
    )
    queues = (
        [
            (name, name)
            for name in Queue.objects.filter(team=team, deleted_at__isnull=True)
            .order_by("queue_name")
            .values_list("queue_name", flat=True)
            .distinct()
        ]
        if Service.DLI in services
        else []
    )
    return {
        **job_filter_choices_static(),
        "credentials": [(str(c.public_id), c.name) for c in credentials],
        "clusters": clusters,
        "queues": queues,
    }


def job_filter_choices_static() -> dict[str, list[tuple[str, str]]]:
    """Filter choices that come from the vocabulary alone (no query)."""
    return {
        "statuses": [(s.name, s.label) for s in vocab.JOB_STATUSES.values()],
        "groups": list(vocab.JOB_STATUS_GROUPS.items()),
        "types": list(ALL_JOB_TYPES.items()),
        "services": list(SERVICES.items()),
        "queues": [],
        "modes": list(vocab.RUN_MODES.items()),
        "credentials": [],
        "clusters": [],
    }


# ------------------------------------------------------------------------------------------ one job


def team_credential(team: Team, credential_id: UUID | str) -> Credential:
    """The team's credential with this public id, or 404 (another team's credential is not found)."""
    credential = Credential.objects.filter(team=team, public_id=credential_id).first()
    if credential is None:
        raise Http404("No such credential")
    return credential


def job_get(team: Team, credential_id: UUID | str, job_id: int, *, include_deleted: bool = False) -> Job:
    """One job of the team by (credential public id, CS job id), or 404."""
    qs = Job.objects.filter(team=team, credential__public_id=credential_id, job_id=job_id)
    if not include_deleted:
        qs = qs.filter(deleted_at__isnull=True)
    job = qs.select_related("credential", "details").first()
    if job is None:
        raise Http404("No such job")
    return job


def job_figures_stamp(team: Team, credential_id: UUID | str, job_id: int) -> Any:
    """When the job's figures last changed (``metrics_at``; None for no figures or no such job): what a
    cached job page keys on instead of the team's ``figures_version``."""
    return (
        Job.objects.filter(team=team, credential__public_id=credential_id, job_id=job_id)
        .values_list("metrics_at", flat=True)
        .first()
    )


def jobs_by_keys(team: Team, keys: Iterable[str]) -> list[Job]:
    """Live jobs of the team named by ``"<credential uuid>:<job id>"`` keys (bad keys are skipped)."""
    wanted: dict[UUID, set[int]] = {}
    for key in keys:
        cred, _, job = str(key).partition(":")
        try:
            wanted.setdefault(UUID(cred), set()).add(int(job))
        except ValueError:
            continue
    if not wanted:
        return []
    q = Q()
    for cred, ids in wanted.items():
        q |= Q(credential__public_id=cred, job_id__in=sorted(ids))
    return list(job_queryset(team).filter(q).select_related("credential").order_by("name", "job_id")[:500])


def job_status_history(job: Job, limit: int = 50) -> list[JobStatusChange]:
    return list(JobStatusChange.objects.filter(job=job).order_by("-observed_at", "-id")[:limit])


#: What a chart and the API show of a metric sample.
SAMPLE_FIGURES = ("sampled_at", "records_in", "records_out", "corrupted_records", "read_rate", "write_rate")


def job_metric_samples(job: Job, limit: int = METRIC_POINTS) -> list[Any]:
    """The most recent samples, oldest first (for charts): rows with the attributes of
    ``SAMPLE_FIGURES``, not model instances (a chart reads 120 of them)."""
    rows = list(
        MetricSample.objects.filter(job=job)
        .order_by("-sampled_at")
        .values_list(*SAMPLE_FIGURES, named=True)[:limit]
    )
    rows.reverse()
    return rows


def job_audit_traces(job: Job, limit: int = 25) -> list[AuditTrace]:
    """CS audit traces of this job (by resource id, within the job's credential)."""
    return list(
        AuditTrace.objects.filter(
            team_id=job.team_id, credential_id=job.credential_id, resource_id=str(job.job_id)
        ).order_by("-op_time", "-id")[:limit]
    )


def job_action_log(job: Job, limit: int = 25) -> list[ActionLog]:
    """The dashboard's own log of actions on this job (who did what)."""
    return list(
        ActionLog.objects.filter(team_id=job.team_id, target_type="job", target_id=job_key(job))
        .select_related("user")
        .order_by("-created_at", "-id")[:limit]
    )


def job_key(job: Job) -> str:
    """The public key of a job across credentials: ``"<credential uuid>:<job id>"``."""
    return f"{job.credential.public_id}:{job.job_id}"


def sql_versions(job: Job, limit: int = 50) -> list[SqlVersion]:
    """Saved SQL versions of the job, newest first."""
    return list(
        SqlVersion.objects.filter(team_id=job.team_id, credential_id=job.credential_id, job_id=job.job_id)
        .select_related("author")
        .order_by("-created_at", "-id")[:limit]
    )


# ------------------------------------------------------------------------------------------ others


def team_clusters(team: Team, credential: Credential | None = None) -> QuerySet[Cluster]:
    """The team's exclusive clusters that can take jobs (running), for pickers; optionally of one
    credential. A cluster that is starting, stopped or being deleted is not offered."""
    qs = Cluster.objects.filter(team=team, deleted_at__isnull=True, status_code=vocab.CLUSTER_RUNNING)
    if credential is not None:
        qs = qs.filter(credential=credential)
    return (
        qs.select_related("credential")
        .only(
            "id",
            "cluster_id",
            "name",
            "status_code",
            "status_name",
            "credential__public_id",
            "credential__name",
            "maximum_spu_quota",
            "spu_used",
        )
        .order_by("name", "cluster_id")
    )


def team_queues(team: Team, credential: Credential | None = None) -> QuerySet[Queue]:
    """The team's DLI queues that take Flink jobs (general-purpose), for the queue picker; optionally of
    one credential. As the last queue poll saw them: the picker shows their free CUs."""
    qs = Queue.objects.filter(team=team, deleted_at__isnull=True).exclude(queue_type="sql")
    if credential is not None:
        qs = qs.filter(credential=credential)
    return qs.select_related("credential").order_by("queue_name", "credential__name")


def template_list(team: Team) -> QuerySet[Template]:
    """The team's live templates."""
    return (
        Template.objects.filter(team=team, deleted_at__isnull=True)
        .select_related("credential")
        .order_by("name", "template_id")
    )


def template_get(team: Team, credential_id: UUID | str, template_id: int) -> Template:
    template = (
        template_list(team).filter(credential__public_id=credential_id, template_id=template_id).first()
    )
    if template is None:
        raise Http404("No such template")
    return template


def template_counts(team: Team) -> dict[int, int]:
    """Live templates per credential pk of the team (CS allows at most 100 per project)."""
    return dict(
        Template.objects.filter(team=team, deleted_at__isnull=True)
        .order_by()
        .values_list("credential_id")
        .annotate(n=Count("id"))
    )


def job_runs(job: Job, limit: int = 20) -> list:
    """The runs the dashboard has seen of ``job``, newest first."""
    from dashboard.jobs.models import JobRun

    return list(JobRun.objects.filter(job=job).order_by("-started_at", "-id")[:limit])


def job_latest_savepoint(job: Job):
    """The newest savepoint asked for from the dashboard, with who asked (or None)."""
    from dashboard.jobs.models import Savepoint

    return (
        Savepoint.objects.filter(job=job)
        .select_related("requested_by")
        .order_by("-requested_at", "-id")
        .first()
    )
