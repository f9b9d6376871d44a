"""Reads for the cluster pages: querysets scoped to a team, served from the poller's snapshots.

Every function takes the team first and runs a constant number of queries whatever the history size.
"""

from __future__ import annotations

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Window
from django.db.models.functions import Coalesce, RowNumber

from csapi import vocab
from dashboard.clusters.models import Cluster, HostMapping, Peering, Queue, Route
from dashboard.jobs.models import Job
from dashboard.teams.models import Credential, Service, Team
from dashboard.teams.selectors import team_services

__all__ = [
    "cluster_get",
    "cluster_jobs",
    "cluster_list",
    "credentials_for",
    "freshness",
    "host_mappings",
    "peering_get",
    "peering_list",
    "queue_get",
    "queue_list",
    "team_has_queues",
]


def credentials_for(team: Team) -> QuerySet[Credential]:
    return Credential.objects.for_team(team)


def freshness(team: Team, kinds=("clusters",)):
    """ "Last updated" and staleness of the team's cluster snapshots (from the poller)."""
    from dashboard.polling.selectors import freshness as polled

    return polled(team, kinds)


def _running_jobs_subquery() -> Subquery:
    jobs = (
        Job.objects.filter(
            credential_id=OuterRef("credential_id"),
            cluster_id=OuterRef("cluster_id"),
            status__in=vocab.RUNNING_STATUSES,
            deleted_at__isnull=True,
        )
        .order_by()
        .values("cluster_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(jobs, output_field=IntegerField()), Value(0))


def cluster_list(team: Team, *, query: str = "", health: str = "") -> list[Cluster]:
    """The team's live clusters, each with ``running_jobs`` (jobs running in it); one query."""

    qs = (
        Cluster.objects.for_team(team)
        .live()
        .select_related("credential")
        .annotate(running_jobs=_running_jobs_subquery())
        .order_by("name", "cluster_id")
    )
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(desc__icontains=query))
    if health:
        codes = [code for code, status in vocab.CLUSTER_STATUSES.items() if status.health == health]
        qs = qs.filter(status_code__in=codes)
    return list(qs)


def cluster_get(team: Team, credential_id, cluster_id: int) -> Cluster | None:
    """A live cluster of ``team`` by credential public id and CS cluster id (None if not the team's)."""
    return (
        Cluster.objects.for_team(team)
        .live()
        .select_related("credential")
        .annotate(running_jobs=_running_jobs_subquery())
        .filter(credential__public_id=credential_id, cluster_id=cluster_id)
        .first()
    )


def cluster_jobs(team: Team, cluster: Cluster, *, limit: int = 200) -> list[Job]:
    """Jobs of the team placed in ``cluster`` (running first)."""
    return list(
        Job.objects.for_team(team)
        .live()
        .filter(credential_id=cluster.credential_id, cluster_id=cluster.cluster_id)
        .order_by("status", "-job_id")[:limit]
    )


def host_mappings(team: Team, cluster: Cluster, *, query: str = "") -> QuerySet[HostMapping]:
    """The cluster's IP-domain mappings; ``query`` matches every word in the hostname or IP (fuzzy)."""
    qs = HostMapping.objects.filter(cluster__team=team, cluster=cluster)
    for word in query.split():
        qs = qs.filter(Q(hostname__icontains=word) | Q(ip__icontains=word))
    return qs.order_by("hostname", "host_id")


def peering_list(team: Team, cluster: Cluster) -> list[Peering]:
    """The cluster's VPC peering connections with their routes (two queries)."""
    return list(
        Peering.objects.filter(cluster__team=team, cluster=cluster).prefetch_related(
            Prefetch("routes", queryset=Route.objects.order_by("destination", "route_id"))
        )
    )


def peering_get(team: Team, cluster: Cluster, peering_id: str) -> Peering | None:
    return (
        Peering.objects.filter(cluster__team=team, cluster=cluster, peering_id=peering_id)
        .prefetch_related(Prefetch("routes", queryset=Route.objects.order_by("destination", "route_id")))
        .first()
    )


# -------------------------------------------------------------------------------------------- queues
#: Jobs shown under each queue on the queues page (the rest are counted).
QUEUE_JOBS_SHOWN = 20


def team_has_queues(team: Team) -> bool:
    """Whether the team has a DLI credential, and so a queues page (one query)."""
    return Service.DLI in team_services(team)


def queue_list(team: Team, *, jobs_shown: int = QUEUE_JOBS_SHOWN) -> list[Queue]:
    """The live queues of the team's DLI credentials, each with ``jobs`` (its live jobs from the job
    snapshot, those holding CUs first, at most ``jobs_shown``) and ``job_count``. Three queries whatever
    the number of queues and jobs: the queues, the jobs counted per queue, the first jobs per queue."""
    queues = list(
        Queue.objects.filter(team=team, credential__service=Service.DLI)
        .live()
        .select_related("credential")
        .order_by("credential__name", "queue_name")
    )
    for queue in queues:
        queue.jobs, queue.job_count = [], 0
    if not queues:
        return queues
    by_key = {(q.credential_id, q.queue_name): q for q in queues}
    jobs = (
        Job.objects.for_team(team)
        .live()
        .filter(service=Service.DLI, credential_id__in={q.credential_id for q in queues})
        .exclude(queue_name="")
    )
    for credential_id, queue_name, n in (
        jobs.order_by().values_list("credential_id", "queue_name").annotate(n=Count("id"))
    ):
        queue = by_key.get((credential_id, queue_name))
        if queue is not None:
            queue.job_count = n
    holding_first = Case(
        When(status__in=vocab.DLI_CU_HOLDING_STATUSES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    first = (
        jobs.annotate(
            _n=Window(
                RowNumber(),
                partition_by=[F("credential_id"), F("queue_name")],
                order_by=[holding_first.asc(), F("job_id").desc()],
            )
        )
        .filter(_n__lte=jobs_shown)
        .only("job_id", "name", "status", "spu_number", "credential_id", "queue_name", "job_type")
        .order_by("credential_id", "queue_name", "_n")
    )
    for job in first:
        queue = by_key.get((job.credential_id, job.queue_name))
        if queue is not None:
            queue.jobs.append(job)
    return queues


def queue_get(team: Team, credential_id, queue_name: str) -> Queue | None:
    """A live queue of ``team`` by its credential's public id and its name (None if not the team's)."""
    return (
        Queue.objects.filter(team=team, credential__public_id=credential_id, queue_name=queue_name)
        .live()
        .select_related("credential")
        .first()
    )
