"""Reads for the cluster pages: querysets scoped to a team, served from the poller's snapshots.

Every function takes the team first and runs a constant number of queries whatever the history size.
"""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from csapi import vocab
from dashboard.clusters.models import Cluster, HostMapping, Peering, Route
from dashboard.jobs.models import Job
from dashboard.teams.models import Credential, Team

__all__ = [
    "cluster_get",
    "cluster_jobs",
    "cluster_list",
    "credentials_for",
    "freshness",
    "host_mappings",
    "peering_get",
    "peering_list",
]


def credentials_for(team: Team) -> QuerySet[Credential]:
    return Credential.objects.for_team(team)


def freshness(team: Team, kinds=("clusters",)):
    """ "Last updated" and staleness of the team's cluster snapshots (from the poller)."""
    from dashboard.polling.selectors import freshness as polling_freshness

    return polling_freshness(team, kinds)


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
