"""Retention: time series and tombstones older than ``POLL_RETENTION_DAYS`` go.

Every table the poller appends to, and every snapshot it marks deleted instead of removing, is
listed in :data:`SERIES` under the kind that writes it; nothing else grows with time. Each kind
prunes its own after a successful sync, at most once per ``conf.PRUNE_EVERY`` (``PollHealth.pruned_at``),
so pruning costs nothing on almost every sync. A prune is bounded: rows go ``conf.PRUNE_BATCH`` per
DELETE, and once ``conf.PRUNE_BUDGET_SECONDS`` have passed it stops after the batch at hand and
leaves ``pruned_at`` alone, so the next sync of the kind carries on with the backlog.

What stays although it is old: the newest status change of each job (it says since when the job has
had its status), and the newest quota sample and overview snapshot of each credential (what the usage
pages show as current, however long the figures have not changed).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from dashboard.clusters.models import Cluster, Queue
from dashboard.jobs.models import AuditTrace, Job, JobStatusChange, MetricSample, Template
from dashboard.polling import conf
from dashboard.polling.models import Kind, PollHealth
from dashboard.teams.models import Credential
from dashboard.usage.models import OverviewSnapshot, ProjectQuota, UserQuota, UserQuotaSample


@dataclass(frozen=True)
class Series:
    """Rows of ``model`` of a credential (through ``credential``, a lookup) that age by ``age``."""

    model: type[Model]
    credential: str
    age: str
    #: also old when ``age`` is NULL and this field is old (audit traces CS sent without a time)
    age_fallback: str | None = None
    #: the newest row per this column stays, whatever its age
    keep_newest_of: str | None = None

    def old(self, credential: Credential, cutoff: datetime) -> QuerySet:
        older = Q(**{f"{self.age}__lt": cutoff})
        if self.age_fallback:
            older |= Q(**{f"{self.age}__isnull": True, f"{self.age_fallback}__lt": cutoff})
        rows = self.model.objects.filter(older, **{self.credential: credential})
        if self.keep_newest_of:
            newer = self.model.objects.filter(
                **{self.keep_newest_of: OuterRef(self.keep_newest_of)}, pk__gt=OuterRef("pk")
            )
            rows = rows.filter(Exists(newer))
        return rows


SERIES: dict[str, tuple[Series, ...]] = {
    Kind.JOBS: (
        Series(JobStatusChange, "job__credential", "observed_at", keep_newest_of="job_id"),
        Series(Job, "credential", "deleted_at"),  # with their history, samples and details
    ),
    Kind.METRICS: (Series(MetricSample, "job__credential", "sampled_at"),),
    Kind.AUDIT: (Series(AuditTrace, "credential", "op_time", age_fallback="first_seen"),),
    Kind.CLUSTERS: (Series(Cluster, "credential", "deleted_at"),),  # with their jobs, hosts, peerings
    Kind.QUOTAS: (
        Series(UserQuotaSample, "credential", "sampled_at", keep_newest_of="credential_id"),
        Series(UserQuota, "credential", "deleted_at"),
        Series(ProjectQuota, "credential", "deleted_at"),
    ),
    Kind.TEMPLATES: (Series(Template, "credential", "deleted_at"),),
    Kind.OVERVIEW: (Series(OverviewSnapshot, "credential", "taken_at", keep_newest_of="credential_id"),),
    Kind.QUEUES: (Series(Queue, "credential", "deleted_at"),),  # with the price billed on its runs
}


@dataclass
class Pruned:
    deleted: int = 0  # rows removed, cascades included
    complete: bool = True  # False: the budget ran out with old rows left


def prune_kind(credential: Credential, kind: str, *, now: datetime | None = None) -> Pruned:
    """Delete the rows of ``kind``'s series of ``credential`` that are older than the retention."""
    cutoff = conf.retention_cutoff(now)
    deadline = time.monotonic() + conf.PRUNE_BUDGET_SECONDS
    result = Pruned()
    for series in SERIES[kind]:
        old = series.old(credential, cutoff)
        while True:
            pks = list(old.values_list("pk", flat=True)[: conf.PRUNE_BATCH])
            if pks:
                result.deleted += series.model.objects.filter(pk__in=pks).delete()[0]
            if len(pks) < conf.PRUNE_BATCH:
                break  # this series is done
            if time.monotonic() > deadline:  # every run gets one batch done, however slow
                result.complete = False
                return result
    return result


def prune_due(health: PollHealth, now: datetime) -> bool:
    """Whether the kind of ``health`` is due to prune (once per ``conf.PRUNE_EVERY``)."""
    return health.pruned_at is None or now - health.pruned_at >= conf.PRUNE_EVERY


def prune_if_due(credential: Credential, health: PollHealth, *, now: datetime | None = None) -> int:
    """After a successful sync: prune its kind if due; returns the rows deleted."""
    now = now or timezone.now()
    if not prune_due(health, now):
        return 0
    result = prune_kind(credential, health.kind, now=now)
    if result.complete:
        health.pruned_at = now
        PollHealth.objects.filter(pk=health.pk).update(pruned_at=now)
    return result.deleted


def prune(credential: Credential, *, now: datetime | None = None) -> int:
    """Delete every series of ``credential`` older than the retention, now, whatever the cadence."""
    return sum(prune_kind(credential, kind, now=now).deleted for kind in SERIES)
