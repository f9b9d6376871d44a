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
from datetime import date, datetime, timedelta

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
from django.utils.translation import gettext_lazy

from csapi import vocab
from dashboard.jobs.models import Job
from dashboard.percent import percent
from dashboard.teams.models import Service, Team
from dashboard.teams.selectors import team_services
from dashboard.usage.models import OverviewSnapshot, ProjectQuota, UserQuota, UserQuotaSample

__all__ = [
    "CHART_POINTS",
    "JOB_COST_SORTS",
    "NEAR_QUOTA_RATIO",
    "QUOTA_SORTS",
    "billing_overview",
    "cost_series",
    "billing_period",
    "period_costs",
    "project_quotas",
    "quota_get",
    "quota_rows",
    "quota_series",
    "quota_totals",
    "team_services",
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
        # used without a quota: full (the ratio that sorts it first is not a percentage)
        row.usage_percent = (
            percent(row.spu_used, row.spu_quota) if row.spu_quota else (100 if row.spu_used else 0)
        )
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
        return percent(self.spu_used, self.spu_quota)


def quota_totals(team: Team) -> QuotaTotals:
    """The team's SPUs in use against the sum of its users' quotas (one query)."""
    agg = UserQuota.objects.filter(team=team, deleted_at__isnull=True).aggregate(
        used=Sum("spu_used"),
        quota=Sum("spu_quota"),
        users=Count("id"),
    )
    return QuotaTotals(spu_used=agg["used"] or 0, spu_quota=agg["quota"] or 0, users=agg["users"] or 0)


def usage_sections(team: Team) -> tuple[bool, bool]:
    """Whether the usage pages show their CS part and their DLI part: the CS part also when the team
    has no credential yet (it explains what will appear)."""
    present = team_services(team)
    return (Service.CS in present or not present), Service.DLI in present


@dataclass
class CUTotals:
    """The CUs the team's DLI projects use against their CU quotas (D23)."""

    used: float = 0.0
    quota: int = 0
    projects: int = 0

    @property
    def percent(self) -> int:
        return percent(self.used, self.quota)


def project_quotas(team: Team) -> tuple[list[ProjectQuota], CUTotals]:
    """The project quotas of the team's DLI credentials, with ``label`` (the type in words), and the
    team's CUs in use against the CU quotas; one query."""
    rows = list(
        ProjectQuota.objects.filter(team=team, deleted_at__isnull=True)
        .select_related("credential")
        .order_by("credential__name", "type")
    )
    totals = CUTotals()
    for row in rows:
        row.label = vocab.DLI_QUOTA_TYPES.get(row.type, row.type.replace("_", " ").capitalize())
        row.near_quota = bool(row.quota) and (row.used or 0) >= NEAR_QUOTA_RATIO * row.quota
        if row.type == vocab.DLI_QUOTA_CU:
            totals.used += row.used or 0
            totals.quota += row.quota or 0
            totals.projects += 1
    return rows, totals


# ------------------------------------------------------------------------------------- time series
def downsample(
    model,
    team: Team,
    time_field: str,
    fields: Iterable[str],
    points: int = CHART_POINTS,
    *,
    service: str | None = None,
) -> list[dict]:
    """Rows of a per-credential time series ``model`` of ``team``, thinned in the database to at most
    ~``points`` per credential: every n-th row counted back from the newest, which is always kept.
    ``service``: of the team's credentials of that service only.

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
    credentials = Credential.objects.filter(team=team)
    if service is not None:
        credentials = credentials.filter(service=service)
    counts = dict(
        credentials.annotate(n=Subquery(per_credential, output_field=IntegerField())).values_list("pk", "n")
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


def _by_credential(rows: list[dict], time_field: str, value: str, held: dict[int, datetime]) -> list[Series]:
    """One series per credential. A series is written only when its figures change, so each value holds
    until the next point: the newest is drawn again at the credential's last successful poll (``held``)
    -- a steady figure is a flat line up to now, not a lone point."""
    series: dict[int, Series] = {}
    for row in rows:
        s = series.setdefault(row["credential_id"], Series(row["credential__name"]))
        if row[value] is not None:
            s.points.append((row[time_field], float(row[value])))
    for credential_id, s in series.items():
        until = held.get(credential_id)
        if s.points and until is not None and until > s.points[-1][0]:
            s.points.append((until, s.points[-1][1]))
    return list(series.values())


def _last_polls(team: Team, kind: str) -> dict[int, datetime]:
    """When each credential of ``team`` last polled ``kind`` successfully (one query)."""
    from dashboard.polling.models import PollHealth

    return dict(
        PollHealth.objects.filter(credential__team=team, kind=kind, last_success__isnull=False).values_list(
            "credential_id", "last_success"
        )
    )


def quota_series(
    team: Team, *, points: int = CHART_POINTS, service: str | None = None
) -> dict[str, list[Series]]:
    """Units used and the sum of quotas over time, one series per credential (UserQuotaSample): SPUs
    of CS credentials, CUs of DLI credentials (``service`` picks one; None: every credential)."""
    rows = downsample(UserQuotaSample, team, "sampled_at", ["spu_used", "spu_quota"], points, service=service)
    held = _last_polls(team, "quotas") if rows else {}
    return {
        "used": _by_credential(rows, "sampled_at", "spu_used", held),
        "quota": _by_credential(rows, "sampled_at", "spu_quota", held),
    }


def cost_series(team: Team, *, points: int = CHART_POINTS) -> list[Series]:
    """Total cost over time, one series per credential (OverviewSnapshot)."""
    rows = downsample(OverviewSnapshot, team, "taken_at", ["total_cost"], points)
    return _by_credential(rows, "taken_at", "total_cost", _last_polls(team, "overview") if rows else {})


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
    def time_unit_label(self) -> str:
        """The time unit in words, in the reader's language ("hour" when CS named none)."""
        return vocab.time_unit_label(self.time_unit or "HOUR")

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


def unit_prices(team: Team) -> dict[int, float]:
    """Per credential: the price of one SPU-hour the newest overview with SPUs running implies (running
    job price / running job SPUs, else the cluster figures). One query: an index seek per credential
    on (credential, taken_at), whatever the length of the history."""
    from dashboard.teams.models import Credential

    def newest(field: str, spu: str) -> Subquery:
        return Subquery(
            OverviewSnapshot.objects.filter(credential_id=OuterRef("pk"), **{f"{spu}__gt": 0})
            .order_by("-taken_at")
            .values(field)[:1]
        )

    rows = Credential.objects.filter(team=team).annotate(
        job_price=newest("running_job_price", "running_job_total_spu"),
        job_spu=newest("running_job_total_spu", "running_job_total_spu"),
        cluster_price=newest("running_cluster_price", "running_cluster_total_spu"),
        cluster_spu=newest("running_cluster_total_spu", "running_cluster_total_spu"),
    )
    prices: dict[int, float] = {}
    for pk, job_price, job_spu, cluster_price, cluster_spu in rows.values_list(
        "pk", "job_price", "job_spu", "cluster_price", "cluster_spu"
    ):
        if job_spu:
            prices[pk] = float(job_price or 0) / float(job_spu)
        elif cluster_spu:
            prices[pk] = float(cluster_price or 0) / float(cluster_spu)
    return prices


@dataclass(frozen=True)
class Period:
    """A billing period: [start, end) in the user's time zone, with its name."""

    key: str
    start: datetime
    end: datetime
    label: str

    def as_query(self) -> dict[str, str]:
        if self.key == "custom":
            return {
                "period": "custom",
                "from": self.start.date().isoformat(),
                "to": (self.end - timedelta(days=1)).date().isoformat(),
            }
        return {"period": self.key}


PERIODS = {
    "day": gettext_lazy("Today"),
    "week": gettext_lazy("The last 7 days"),
    "month": gettext_lazy("The last 30 days"),
    "custom": gettext_lazy("Custom"),
}
DEFAULT_PERIOD = "month"


def billing_period(params, now: datetime | None = None) -> Period:
    """The period a billing query names (``period=day|week|month|custom`` with ``from``/``to`` dates);
    anything unreadable falls back to the last 30 days. Days start at midnight in the active time zone."""
    from django.utils import timezone

    now = timezone.localtime(now or timezone.now())
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    key = str(params.get("period") or DEFAULT_PERIOD)
    end = midnight + timedelta(days=1)
    if key == "day":
        return Period("day", midnight, end, str(PERIODS["day"]))
    if key == "week":
        return Period("week", end - timedelta(days=7), end, str(PERIODS["week"]))
    if key == "custom":
        try:
            first = date.fromisoformat(str(params.get("from", ""))[:10])
            last = date.fromisoformat(str(params.get("to", ""))[:10])
        except ValueError:
            first = last = None
        if first and last and first <= last and (last - first).days <= 366:
            tz = timezone.get_current_timezone()
            start = datetime.combine(first, datetime.min.time(), tz)
            stop = datetime.combine(last + timedelta(days=1), datetime.min.time(), tz)
            return Period("custom", start, stop, f"{first.isoformat()} – {last.isoformat()}")
    return Period("month", end - timedelta(days=30), end, str(PERIODS["month"]))


@dataclass
class JobCost:
    """A job's running time and estimated cost within a period, summed over its runs."""

    job_id: int
    name: str
    status: str
    deleted: bool
    credential: str
    credential_id: int
    runs: int = 0
    seconds: float = 0.0
    spu: int | None = None
    unit_price: float | None = None
    cost: float | None = None
    running: bool = False
    place: str = ""  # the run's cluster (CS) or queue (DLI)

    @property
    def hours(self) -> float:
        return self.seconds / 3600

    @property
    def status_info(self) -> vocab.JobStatus:
        return vocab.job_status(self.status)


@dataclass
class CostGroup:
    name: str
    hours: float = 0.0
    cost: float = 0.0
    jobs: int = 0


@dataclass
class PeriodCosts:
    period: Period
    jobs: list[JobCost]
    by_user: list[CostGroup]
    by_cluster: list[CostGroup]
    total: float
    priced: bool  # whether every run had a price
    service: str = "cs"
    #: DLI: queues with runs in the period but no price per CU-hour ("DLI account: queue")
    unpriced_queues: list[str] = field(default_factory=list)
    #: DLI: the estimate accumulated over the period, one series per DLI account (the chart)
    series: list[Series] = field(default_factory=list)


#: Sort keys of the per-job cost table: query value -> JobCost attribute.
JOB_COST_SORTS: dict[str, str] = {
    "cost": "cost",
    "hours": "seconds",
    "spu": "spu",
    "name": "name",
    "status": "status",
    "account": "credential",
    "price": "unit_price",
    "runs": "runs",
    "place": "place",
}


def queue_prices(team: Team) -> dict[tuple[int, str], float | None]:
    """Per (DLI credential, queue name): the lead's price per CU-hour, None where none is set. Queues
    since deleted keep theirs, so runs on them stay priced. One query."""
    from dashboard.clusters.models import Queue

    return {
        (credential_id, name): None if price is None else float(price)
        for credential_id, name, price in Queue.objects.filter(team=team).values_list(
            "credential_id", "queue_name", "cu_price"
        )
    }


def _accumulated(
    spans: dict[int, list[tuple[datetime, datetime, float]]],
    names: dict[int, str],
    start: datetime,
    end: datetime,
    points: int = CHART_POINTS,
) -> list[Series]:
    """Per credential, the cost accumulated from ``start`` to ``end`` by runs that each cost a rate
    (per second) over [begin, finish): a point wherever a rate starts or stops, thinned to ``points``."""
    out = []
    for credential_id, runs in spans.items():
        events: dict[datetime, float] = defaultdict(float)
        for begin, finish, rate in runs:
            events[begin] += rate
            events[finish] -= rate
        total, rate, at = 0.0, 0.0, start
        line = [(start, 0.0)]
        for when in sorted(events):
            total += rate * (when - at).total_seconds()
            rate += events[when]
            at = when
            line.append((when, total))
        if at < end:
            line.append((end, total + rate * (end - at).total_seconds()))
        step = max(1, math.ceil(len(line) / points))
        kept = line[::step] if step > 1 else line
        if kept[-1] is not line[-1]:
            kept.append(line[-1])
        out.append(Series(names[credential_id], kept))
    return sorted(out, key=lambda s: s.name)


def period_costs(
    team: Team,
    period: Period,
    *,
    sort: str = "-cost",
    now: datetime | None = None,
    service: str = "cs",
) -> PeriodCosts:
    """Running time and estimated cost of every run of the team's jobs of ``service`` that overlaps
    ``period``: runs still open count up to now, runs of jobs since deleted still count.

    CS: SPUs x hours x the credential's price per SPU-hour (its newest overview). DLI, which has no
    billing overview: CUs x hours x the price per CU-hour the lead set for the run's queue; a queue
    without a price leaves its runs unpriced, and is named (``unpriced_queues``), never counted as 0.
    Three queries; the sums are made here, per job, user and cluster or queue."""
    from django.utils import timezone

    from dashboard.jobs.models import JobRun

    dli = service == "dli"
    now = now or timezone.now()
    end = min(period.end, now)
    prices = queue_prices(team) if dli else unit_prices(team)
    runs = (
        JobRun.objects.filter(team=team, credential__service=service, started_at__lt=end)
        .exclude(ended_at__lte=period.start)
        .values_list(
            "job_id",
            "started_at",
            "ended_at",
            "spu",
            "username",
            "cluster_name",
            "credential_id",
            "job__job_id",
            "job__name",
            "job__status",
            "job__deleted_at",
            "job__run_mode",
            "credential__name",
            "job__queue_name",
        )
    )
    jobs: dict[int, JobCost] = {}
    users: dict[str, CostGroup] = {}
    clusters: dict[str, CostGroup] = {}
    unpriced: dict[str, None] = {}
    spans: dict[int, list[tuple[datetime, datetime, float]]] = defaultdict(list)
    names: dict[int, str] = {}
    priced = True
    for (
        pk,
        started,
        ended,
        spu,
        username,
        cluster,
        cred_id,
        job_id,
        name,
        status,
        deleted,
        mode,
        cred,
        job_queue,
    ) in runs:
        begin = max(started, period.start)
        finish = min(ended or now, end)
        seconds = max(0.0, (finish - begin).total_seconds())
        row = jobs.get(pk)
        if row is None:
            row = jobs[pk] = JobCost(job_id, name, status, deleted is not None, cred, cred_id)
        row.runs += 1
        row.seconds += seconds
        row.spu = spu if spu is not None else row.spu
        row.running = row.running or ended is None
        if dli:
            place = cluster or job_queue or ""
            price = prices.get((cred_id, place))
            if price is None:
                unpriced[f"{cred}: {place or '—'}"] = None
        else:
            price = prices.get(cred_id)
            place = (
                str(vocab.RUN_MODES[vocab.SHARED_CLUSTER])
                if mode == vocab.SHARED_CLUSTER
                else (cluster or "—")
            )
        row.place = place or row.place
        row.unit_price = price
        cost = (spu or 0) * seconds / 3600 * price if price is not None else None
        if cost is None:
            priced = False
            continue
        row.cost = (row.cost or 0.0) + cost
        if dli and seconds:
            names[cred_id] = cred
            spans[cred_id].append((begin, finish, (spu or 0) * price / 3600))
        for groups, key in ((users, username or "—"), (clusters, place or "—")):
            group = groups.setdefault(key, CostGroup(key))
            group.hours += seconds / 3600
            group.cost += cost
            group.jobs += 1
    rows = list(jobs.values())
    desc = sort.startswith("-")
    attr = JOB_COST_SORTS.get(sort.lstrip("-"), "cost")
    present = [r for r in rows if getattr(r, attr) is not None]
    missing = [r for r in rows if getattr(r, attr) is None]
    present.sort(key=lambda r: (getattr(r, attr), r.job_id), reverse=desc)
    return PeriodCosts(
        period=period,
        jobs=present + missing,
        by_user=sorted(users.values(), key=lambda g: -g.cost),
        by_cluster=sorted(clusters.values(), key=lambda g: -g.cost),
        total=sum(r.cost or 0 for r in rows),
        priced=priced,
        service=service,
        unpriced_queues=sorted(unpriced),
        series=_accumulated(spans, names, period.start, end) if dli else [],
    )


def job_cost_csv_rows(
    team: Team, period: Period, *, sort: str = "-cost", service: str = "cs"
) -> Iterator[list]:
    """The per-job cost table of the billing page as CSV rows (header first): the same numbers. DLI's
    name CUs, the queue and the price per CU-hour the estimate used."""
    costs = period_costs(team, period, sort=sort, service=service)
    dli = service == "dli"
    yield [
        "job_id",
        "name",
        "status",
        "deleted",
        "account",
        *(["queue"] if dli else []),
        "runs",
        "cu" if dli else "spu",
        "running_hours",
        "unit_price_per_cu_hour" if dli else "unit_price_per_spu_hour",
        "estimated_cost",
        "period_start",
        "period_end",
    ]
    for row in costs.jobs:
        yield [
            row.job_id,
            row.name,
            row.status,
            "yes" if row.deleted else "no",
            row.credential,
            *([row.place] if dli else []),
            row.runs,
            "" if row.spu is None else row.spu,
            f"{row.hours:.4f}",
            "" if row.unit_price is None else f"{row.unit_price:.4f}",
            "" if row.cost is None else f"{row.cost:.4f}",
            period.start.isoformat(),
            period.end.isoformat(),
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
        return percent(self.spu_used, self.spu_quota)

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
