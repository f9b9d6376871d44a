"""Reads for the quota, billing and home pages, from the poller's snapshots.

Every function takes the team (or the user's teams) first and runs a constant number of queries
whatever the size of the history: time series are downsampled in the database (every n-th row per
credential, n chosen so that at most ``CHART_POINTS`` rows come back per credential).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Window
from django.db.models.functions import Cast, Coalesce, RowNumber

from csapi import vocab
from dashboard.jobs.models import Job
from dashboard.teams.models import Team
from dashboard.usage.models import OverviewSnapshot, UserQuota, UserQuotaSample

__all__ = [
    "CHART_POINTS",
    "JOB_COST_SORTS",
    "NEAR_QUOTA_RATIO",
    "QUOTA_SORTS",
    "billing_overview",
    "cost_series",
    "job_costs",
    "quota_get",
    "quota_rows",
    "quota_series",
    "quota_totals",
    "team_summaries",
]

#: A user at or above this share of their SPU quota is highlighted.
NEAR_QUOTA_RATIO = 0.8
#: At most this many points per credential in a time-series chart.
CHART_POINTS = 300
_MS_PER_HOUR = 3_600_000.0


# -------------------------------------------------------------------------------------------- quotas
def _usage_ratio():
    used = Cast(Coalesce(F("spu_used"), Value(0)), FloatField())
    return Case(
        When(spu_quota__gt=0, then=used / Cast(F("spu_quota"), FloatField())),
        When(spu_used__gt=0, then=Value(1e9)),
        default=Value(0.0),
        output_field=FloatField(),
    )


#: Sort keys of the quota table: query value -> ORDER BY fields.
QUOTA_SORTS: dict[str, tuple[str, ...]] = {
    "usage": ("usage", "spu_used", "user_name"),
    "used": ("spu_used", "user_name"),
    "quota": ("spu_quota", "user_name"),
    "user": ("user_name", "user_id"),
    "account": ("credential__name", "user_name"),
}


def _order(sort: str, sorts: dict[str, tuple[str, ...]], default: str) -> tuple[str, list[str]]:
    """``sort`` ("-usage", "user", ...) checked against ``sorts``; the canonical key and ORDER BY list."""
    desc = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in sorts:
        return _order(default, sorts, default)
    fields = [f"-{f}" if desc else f for f in sorts[key]]
    return ("-" if desc else "") + key, fields


def quota_rows(team: Team, *, sort: str = "-usage") -> tuple[str, list[UserQuota]]:
    """The tenant users' quotas of every credential of ``team`` with ``usage`` (used / quota) and
    ``near_quota`` (at or above :data:`NEAR_QUOTA_RATIO`); one query. Returns (sort applied, rows)."""
    sort, ordering = _order(sort, QUOTA_SORTS, "-usage")
    rows = list(
        UserQuota.objects.filter(team=team, deleted_at__isnull=True)
        .select_related("credential")
        .annotate(usage=_usage_ratio())
        .order_by(*ordering)
    )
    for row in rows:
        row.near_quota = row.usage >= NEAR_QUOTA_RATIO
        row.usage_percent = min(100, round(row.usage * 100)) if row.usage < 1e9 else 100
    return sort, rows


def quota_get(team: Team, credential_id, user_id: str) -> UserQuota | None:
    return (
        UserQuota.objects.filter(
            team=team, deleted_at__isnull=True, credential__public_id=credential_id, user_id=user_id
        )
        .select_related("credential")
        .first()
    )


@dataclass
class QuotaTotals:
    spu_used: int = 0
    spu_quota: int = 0
    users: int = 0
    near_quota: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.spu_used / self.spu_quota) if self.spu_quota else 0


def quota_totals(team: Team) -> QuotaTotals:
    """The team's SPUs in use against the sum of its users' quotas (one query)."""
    agg = UserQuota.objects.filter(team=team, deleted_at__isnull=True).aggregate(
        used=Sum("spu_used"),
        quota=Sum("spu_quota"),
        users=Count("id"),
    )
    return QuotaTotals(spu_used=agg["used"] or 0, spu_quota=agg["quota"] or 0, users=agg["users"] or 0)


# ------------------------------------------------------------------------------------- time series
def downsample(
    model, team: Team, time_field: str, fields: Iterable[str], points: int = CHART_POINTS
) -> list[dict]:
    """Rows of a per-credential time series ``model`` of ``team``, thinned in the database to at most
    ~``points`` per credential: every n-th row counted back from the newest, which is always kept.

    Two queries: the row count of each of the team's credentials (index-only counts), then the kept
    rows, numbered by a window function over the (credential, time) index.
    """
    from dashboard.teams.models import Credential

    per_credential = (
        model.objects.filter(credential_id=OuterRef("pk"))
        .order_by()
        .values("credential_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    counts = dict(
        Credential.objects.filter(team=team)
        .annotate(n=Subquery(per_credential, output_field=IntegerField()))
        .values_list("pk", "n")
    )
    most = max((n or 0 for n in counts.values()), default=0)
    if not most:
        return []
    step = max(1, math.ceil(most / points))
    qs = model.objects.filter(team=team, credential_id__in=list(counts))
    values = ["credential_id", "credential__name", time_field, *fields]
    if step == 1:
        return list(qs.order_by(time_field).values(*values))
    numbered = qs.annotate(
        _n=Window(RowNumber(), partition_by=[F("credential_id")], order_by=F(time_field).desc())
    ).annotate(
        # the % operator, not Mod(): SQLite runs Mod() as a Python function, once per row
        _keep=ExpressionWrapper((F("_n") - 1) % step, output_field=IntegerField())
    )
    return sorted(numbered.filter(_keep=0).values(*values), key=lambda r: r[time_field])


@dataclass
class Series:
    name: str
    points: list[tuple[datetime, float]] = field(default_factory=list)


def _by_credential(rows: list[dict], time_field: str, value: str) -> list[Series]:
    series: dict[int, Series] = {}
    for row in rows:
        s = series.setdefault(row["credential_id"], Series(row["credential__name"]))
        if row[value] is not None:
            s.points.append((row[time_field], float(row[value])))
    return list(series.values())


def quota_series(team: Team, *, points: int = CHART_POINTS) -> dict[str, list[Series]]:
    """SPUs used and the sum of quotas over time, one series per credential (UserQuotaSample)."""
    rows = downsample(UserQuotaSample, team, "sampled_at", ["spu_used", "spu_quota"], points)
    return {
        "used": _by_credential(rows, "sampled_at", "spu_used"),
        "quota": _by_credential(rows, "sampled_at", "spu_quota"),
    }


def cost_series(team: Team, *, points: int = CHART_POINTS) -> list[Series]:
    """Total cost over time, one series per credential (OverviewSnapshot)."""
    rows = downsample(OverviewSnapshot, team, "taken_at", ["total_cost"], points)
    return _by_credential(rows, "taken_at", "total_cost")


# ------------------------------------------------------------------------------------------- billing
def _latest_overviews(teams) -> QuerySet[OverviewSnapshot]:
    """The newest overview snapshot of each credential of ``teams`` (one query: an index seek per
    credential on (credential, taken_at), whatever the length of the history)."""
    from dashboard.teams.models import Credential

    newest = (
        OverviewSnapshot.objects.filter(credential_id=OuterRef("pk")).order_by("-taken_at").values("pk")[:1]
    )
    credentials = (
        Credential.objects.filter(team=teams)
        if isinstance(teams, Team)
        else (Credential.objects.filter(team__in=teams))
    )
    return OverviewSnapshot.objects.filter(
        pk__in=credentials.annotate(newest=Subquery(newest)).values("newest")
    )


_SUMMED = (
    "total_cost",
    "total_jobs",
    "running_jobs_count",
    "finished_job_count",
    "exception_job_count",
    "running_job_charge",
    "running_job_price",
    "running_job_total_spu",
    "running_job_total_time",
    "total_clusters",
    "running_cluster_count",
    "exception_cluster_count",
    "other_cluster_count",
    "running_cluster_charge",
    "running_cluster_price",
    "running_cluster_total_spu",
    "running_cluster_total_time",
)


@dataclass
class BillingOverview:
    snapshots: list[OverviewSnapshot]
    totals: dict[str, float]
    billing_unit: str
    time_unit: str
    taken_at: datetime | None

    @property
    def price_per_hour(self) -> float:
        return (self.totals.get("running_job_price") or 0) + (self.totals.get("running_cluster_price") or 0)

    @property
    def running_spu(self) -> int:
        return int(
            (self.totals.get("running_job_total_spu") or 0)
            + (self.totals.get("running_cluster_total_spu") or 0)
        )


def billing_overview(team: Team) -> BillingOverview:
    """The newest overview of each of the team's credentials and their sums (one query)."""
    snapshots = list(_latest_overviews(team).select_related("credential").order_by("credential__name"))
    totals = {name: sum((getattr(s, name) or 0) for s in snapshots) for name in _SUMMED}
    units = [s.billing_unit for s in snapshots if s.billing_unit]
    time_units = [s.time_unit for s in snapshots if s.time_unit]
    return BillingOverview(
        snapshots=snapshots,
        totals=totals,
        billing_unit=units[0] if units else "",
        time_unit=time_units[0] if time_units else "",
        taken_at=max((s.taken_at for s in snapshots), default=None),
    )


def _unit_price(price: str, spu: str) -> Subquery:
    """Price per SPU-hour implied by the newest overview of the job's credential that had SPUs running."""
    return Subquery(
        OverviewSnapshot.objects.filter(credential_id=OuterRef("credential_id"), **{f"{spu}__gt": 0})
        .order_by("-taken_at")
        .annotate(unit=Cast(F(price), FloatField()) / Cast(F(spu), FloatField()))
        .values("unit")[:1],
        output_field=FloatField(),
    )


#: Sort keys of the per-job cost table.
JOB_COST_SORTS: dict[str, tuple[str, ...]] = {
    "cost": ("est_cost", "job_id"),
    "hours": ("running_hours", "job_id"),
    "spu": ("spu_number", "job_id"),
    "name": ("name", "job_id"),
    "status": ("status", "job_id"),
    "account": ("credential__name", "job_id"),
    "price": ("unit_price", "job_id"),
}


def job_costs(team: Team, *, sort: str = "-cost") -> tuple[str, QuerySet[Job]]:
    """The team's jobs that have run, with ``running_hours``, ``unit_price`` (per SPU-hour, as the
    overview implies: running job price / running job SPUs, else the cluster figures) and ``est_cost``
    (SPUs x running hours x unit price), computed and sorted in the database. Lazy: slice or iterate."""
    sort, ordering = _order(sort, JOB_COST_SORTS, "-cost")
    hours = ExpressionWrapper(
        Cast(Coalesce(F("duration"), Value(0)), FloatField()) / _MS_PER_HOUR, output_field=FloatField()
    )
    unit = Coalesce(
        _unit_price("running_job_price", "running_job_total_spu"),
        _unit_price("running_cluster_price", "running_cluster_total_spu"),
        output_field=FloatField(),
    )
    qs = (
        Job.objects.for_team(team)
        .live()
        .filter(duration__gt=0)
        .annotate(running_hours=hours, unit_price=unit)
        .annotate(
            est_cost=ExpressionWrapper(
                Cast(Coalesce(F("spu_number"), Value(0)), FloatField())
                * F("running_hours")
                * F("unit_price"),
                output_field=FloatField(),
            )
        )
        .select_related("credential")
        .only(
            "job_id",
            "name",
            "status",
            "spu_number",
            "duration",
            "job_type",
            "credential__name",
            "credential__public_id",
            "cluster_name",
        )
    )
    nulls_last = [
        F(f[1:]).desc(nulls_last=True) if f.startswith("-") else F(f).asc(nulls_last=True) for f in ordering
    ]
    return sort, qs.order_by(*nulls_last)


def job_cost_csv_rows(team: Team, *, sort: str = "-cost") -> Iterator[list]:
    """The per-job cost table as CSV rows (header first), streamed from the database in chunks."""
    _, qs = job_costs(team, sort=sort)
    yield [
        "job_id",
        "name",
        "status",
        "job_type",
        "account",
        "spu",
        "running_hours",
        "unit_price_per_spu_hour",
        "estimated_cost",
    ]
    for job in qs.iterator(chunk_size=500):
        yield [
            job.job_id,
            job.name,
            job.status,
            job.job_type,
            job.credential.name,
            job.spu_number,
            f"{job.running_hours:.4f}",
            "" if job.unit_price is None else f"{job.unit_price:.4f}",
            "" if job.est_cost is None else f"{job.est_cost:.4f}",
        ]


# ---------------------------------------------------------------------------------------------- home
@dataclass
class TeamSummary:
    jobs_by_group: dict[str, int] = field(default_factory=dict)
    jobs_total: int = 0
    spu_used: int = 0
    spu_quota: int = 0
    cost: float | None = None
    billing_unit: str = ""

    @property
    def spu_percent(self) -> int:
        return round(100 * self.spu_used / self.spu_quota) if self.spu_quota else 0

    @property
    def job_groups(self) -> list[tuple[str, str, int]]:
        """(group, label, count) in the vocabulary's order, non-empty groups only."""
        labels = {**vocab.JOB_STATUS_GROUPS, "unknown": "Other"}
        return [(g, labels[g], self.jobs_by_group[g]) for g in labels if self.jobs_by_group.get(g)]


def team_summaries(teams: Iterable[Team]) -> dict[int, TeamSummary]:
    """Per team id: jobs by status group, SPUs in use against quota, cost so far. Three queries for all teams."""
    team_ids = [t.pk for t in teams]
    out: dict[int, TeamSummary] = defaultdict(TeamSummary)
    if not team_ids:
        return {}
    for team_id, status, n in (
        Job.objects.filter(team_id__in=team_ids, deleted_at__isnull=True)
        .order_by()
        .values_list("team_id", "status")
        .annotate(n=Count("id"))
    ):
        summary = out[team_id]
        group = vocab.job_status(status).group
        summary.jobs_by_group[group] = summary.jobs_by_group.get(group, 0) + n
        summary.jobs_total += n
    for team_id, used, quota in (
        UserQuota.objects.filter(team_id__in=team_ids, deleted_at__isnull=True)
        .order_by()
        .values_list("team_id")
        .annotate(used=Sum("spu_used"), quota=Sum("spu_quota"))
    ):
        out[team_id].spu_used, out[team_id].spu_quota = used or 0, quota or 0
    for team_id, cost, unit in (
        _latest_overviews(team_ids)
        .order_by()
        .values_list("team_id")
        .annotate(cost=Sum("total_cost"), unit=Max("billing_unit"))
    ):
        out[team_id].cost, out[team_id].billing_unit = cost, unit or ""
    return {tid: out[tid] for tid in team_ids}
