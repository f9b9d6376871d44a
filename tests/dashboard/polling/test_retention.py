"""Retention: every time series and every tombstone the poller keeps goes once older than
``POLL_RETENTION_DAYS``; each kind prunes its own after a sync, once an hour, a bounded amount at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from csapi import vocab
from dashboard.clusters.models import Cluster, ClusterJob
from dashboard.jobs.models import AuditTrace, Job, JobStatusChange, MetricSample, Template
from dashboard.polling import conf, retention, services
from dashboard.polling.models import Kind, PollHealth
from dashboard.usage.models import OverviewSnapshot, UserQuota, UserQuotaSample
from tests.dashboard.polling.conftest import make_credential

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(credential, emu):
    """Every kind synced once, and then a second status change, metric sample, quota sample and
    overview for what follows to age."""
    assert all(r.ok for r in services.sync_all(credential.pk).values())
    now = timezone.now()
    for job in Job.objects.filter(credential=credential)[:3]:
        JobStatusChange.objects.create(
            job=job, previous_status=job.status, status=job.status, observed_at=now
        )
    running = Job.objects.filter(credential=credential, status=vocab.JOB_RUNNING).first()
    MetricSample.objects.create(job=running, sampled_at=now + timedelta(minutes=5))
    UserQuotaSample.objects.create(credential=credential, team=credential.team, sampled_at=now + timedelta(1))
    OverviewSnapshot.objects.create(credential=credential, team=credential.team, taken_at=now + timedelta(1))
    return credential


def _age(queryset, field: str, days: float) -> list[int]:
    """Move the rows' ``field`` ``days`` into the past (shifted, so distinct times stay distinct); their ids."""
    pks = list(queryset.values_list("pk", flat=True))
    queryset.model.objects.filter(pk__in=pks).update(**{field: F(field) - timedelta(days=days)})
    return pks


def test_rows_older_than_the_retention_go_and_younger_ones_stay(synced, team, emu, settings):
    credential = synced
    settings.POLL_RETENTION_DAYS = 10
    other = make_credential(team, emu, name="other", tenant=emu.tenants[1])
    assert all(r.ok for r in services.sync_all(other.pk).values())

    newest_changes = {
        job_id: pk
        for job_id, pk in JobStatusChange.objects.filter(job__credential=credential)
        .order_by("job_id", "pk")
        .values_list("job_id", "pk")
    }
    old = {
        "history": _age(JobStatusChange.objects.filter(job__credential=credential), "observed_at", 12),
        "samples": _age(MetricSample.objects.filter(job__credential=credential), "sampled_at", 12),
        "quota samples": _age(UserQuotaSample.objects.filter(credential=credential), "sampled_at", 12),
        "overviews": _age(OverviewSnapshot.objects.filter(credential=credential), "taken_at", 12),
    }
    traces = list(
        AuditTrace.objects.filter(credential=credential).order_by("-op_time").values_list("pk", flat=True)
    )
    newest = AuditTrace.objects.filter(pk__in=traces[:3])  # the demo's newest traces are minutes old
    young = _age(newest, "op_time", 8)  # now 8 days old: within the 10
    old["traces"] = _age(AuditTrace.objects.filter(pk__in=traces[3:8]), "op_time", 12)
    old["timeless traces"] = _age(AuditTrace.objects.filter(pk__in=traces[8:10]), "first_seen", 12)
    AuditTrace.objects.filter(pk__in=old["timeless traces"]).update(op_time=None)
    # Tombstones: what CS no longer lists, marked deleted long ago (their children go with them).
    gone_job = Job.objects.filter(credential=credential).first()
    gone_job_changes = set(JobStatusChange.objects.filter(job=gone_job).values_list("pk", flat=True))
    Job.objects.filter(pk=gone_job.pk).update(deleted_at=timezone.now() - timedelta(days=11))
    gone_cluster = Cluster.objects.filter(credential=credential, cluster_jobs__isnull=False).first()
    Cluster.objects.filter(pk=gone_cluster.pk).update(deleted_at=timezone.now() - timedelta(days=11))
    gone_template = Template.objects.filter(credential=credential).first()
    Template.objects.filter(pk=gone_template.pk).update(deleted_at=timezone.now() - timedelta(days=11))
    recently_gone = UserQuota.objects.filter(credential=credential).first()
    UserQuota.objects.filter(pk=recently_gone.pk).update(deleted_at=timezone.now() - timedelta(days=9))
    others = {
        model: model.objects.filter(**{lookup: other}).count()
        for model, lookup in (
            (JobStatusChange, "job__credential"),
            (MetricSample, "job__credential"),
            (AuditTrace, "credential"),
            (UserQuotaSample, "credential"),
            (OverviewSnapshot, "credential"),
        )
    }
    assert services.prune(credential) > 0

    # The newest status change of each job stays, however old: it says since when the job has its status.
    kept_changes = set(
        JobStatusChange.objects.filter(job__credential=credential).values_list("pk", flat=True)
    )
    assert kept_changes == set(newest_changes.values()) - gone_job_changes
    assert not MetricSample.objects.filter(pk__in=old["samples"]).exists()
    assert not AuditTrace.objects.filter(pk__in=old["traces"] + old["timeless traces"]).exists()
    assert AuditTrace.objects.filter(pk__in=young).count() == len(young) > 0
    # The newest quota sample and overview of the credential stay: the usage pages show them as current.
    assert list(UserQuotaSample.objects.filter(credential=credential).values_list("pk", flat=True)) == [
        max(old["quota samples"])
    ]
    assert list(OverviewSnapshot.objects.filter(credential=credential).values_list("pk", flat=True)) == [
        max(old["overviews"])
    ]
    assert not Job.objects.filter(pk=gone_job.pk).exists()
    assert not JobStatusChange.objects.filter(job_id=gone_job.pk).exists()
    assert not Cluster.objects.filter(pk=gone_cluster.pk).exists()
    assert not ClusterJob.objects.filter(cluster_id=gone_cluster.pk).exists()
    assert not Template.objects.filter(pk=gone_template.pk).exists()
    assert UserQuota.objects.filter(pk=recently_gone.pk).exists()
    assert Job.objects.filter(credential=credential, deleted_at__isnull=True).count() > 0
    for model, count in others.items():  # another credential's rows are its own retention's business
        assert (
            model.objects.filter(
                **{"job__credential" if model in (JobStatusChange, MetricSample) else "credential": other}
            ).count()
            == count
        )


def test_each_kind_prunes_its_own_after_a_sync_once_an_hour(synced, settings):
    credential = synced
    health = PollHealth.objects.get(credential=credential, kind=Kind.METRICS)
    assert health.pruned_at is not None  # the first sync pruned (nothing was old yet)
    old = _age(
        MetricSample.objects.filter(job__credential=credential),
        "sampled_at",
        settings.POLL_RETENTION_DAYS + 1,
    )
    assert services.sync(credential.pk, Kind.METRICS).written == 0  # pruned within the hour: not due
    assert MetricSample.objects.filter(pk__in=old).count() == len(old) > 0
    assert services.sync(credential.pk, Kind.JOBS).ok  # another kind prunes only its own series
    assert MetricSample.objects.filter(pk__in=old).count() == len(old)

    PollHealth.objects.filter(pk=health.pk).update(pruned_at=timezone.now() - conf.PRUNE_EVERY)
    result = services.sync(credential.pk, Kind.METRICS)
    assert result.ok and result.written == len(old) and result.changed  # a prune is a write pages show
    assert not MetricSample.objects.filter(pk__in=old).exists()
    health.refresh_from_db()
    assert timezone.now() - health.pruned_at < timedelta(minutes=1)


def test_a_prune_is_bounded_and_the_next_sync_carries_on(synced, monkeypatch, settings):
    credential = synced
    old = _age(AuditTrace.objects.filter(credential=credential), "op_time", settings.POLL_RETENTION_DAYS + 1)
    assert len(old) > 4
    monkeypatch.setattr(conf, "PRUNE_BATCH", 2)
    monkeypatch.setattr(conf, "PRUNE_BUDGET_SECONDS", 0.0)  # out of time after every batch
    health = PollHealth.objects.get(credential=credential, kind=Kind.AUDIT)
    health.pruned_at = None
    left = len(old)
    while left:
        result = retention.prune_kind(credential, Kind.AUDIT)
        assert result.deleted == min(2, left)
        left -= result.deleted
        assert AuditTrace.objects.filter(pk__in=old).count() == left
    # Left incomplete, a kind stays due: the next sync prunes again and, done, records when.
    assert retention.prune_if_due(credential, health) == 0 and health.pruned_at is not None


def test_no_trace_older_than_the_retention_is_stored(credential, cs, settings):
    settings.POLL_RETENTION_DAYS = 7
    cutoff = timezone.now() - timedelta(days=7)
    traces = list(cs.audit_logs.iter())
    recent = [t for t in traces if services._ts(t["op_time"]) >= cutoff]
    assert 0 < len(recent) < len(traces)  # the demo seed's traces span 30 days
    result = services.sync(credential.pk, Kind.AUDIT)
    assert result.ok and result.written == len(recent)
    assert set(AuditTrace.objects.values_list("key", flat=True)) == {services.audit_key(t) for t in recent}
    # And pruning does not take turns with the sync: the next sync writes nothing.
    assert services.sync(credential.pk, Kind.AUDIT).written == 0
