"""Each rule kind, scopes, acknowledgement, silences and maintenance windows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from csapi import vocab
from dashboard.alerts import services
from dashboard.alerts.models import (
    Incident,
    IncidentState,
    MaintenanceWindow,
    Notification,
    RuleKind,
    Silence,
)
from dashboard.alerts.sources import job_restart_count, job_tags
from dashboard.jobs.models import Job, MetricSample
from dashboard.polling.models import PollHealth
from dashboard.polling.services import sync
from dashboard.teams.access import TeamAccess
from dashboard.teams.models import Role
from dashboard.usage.models import OverviewSnapshot, UserQuota
from tests.dashboard.alerts.conftest import SIGNING_KEY, cs_job, running_jobs

pytestmark = pytest.mark.django_db(transaction=True)


def _evaluate(credential, kind="jobs", ok=True, started_at=None):
    services.evaluate_after_sync(
        credential_id=credential.pk,
        kind=kind,
        ok=ok,
        started_at=started_at or timezone.now() - timedelta(seconds=1),
    )


@pytest.fixture
def hook(receiver, make_channel):
    return make_channel(url=f"{receiver.url}/hook", signing_key=SIGNING_KEY)


def test_stopped_outside_the_dashboard(synced, emulator, receiver, hook, make_rule, roles, eager_celery):
    from dashboard.jobs.services import job_stop

    make_rule(hook, kind=RuleKind.JOB_STOPPED)
    ours, theirs = running_jobs(emulator)[:2]
    cs_job(emulator, theirs, vocab.JOB_CANCEL_SUCCESS)
    job = Job.objects.get(credential=synced, job_id=ours)
    job_stop(access=TeamAccess(team=roles.team, role=Role.OPERATOR), user=roles.operator, job=job)
    emulator.advance(10)  # both are job_cancel_success in CS now
    assert sync(synced.pk, "jobs").ok
    (incident,) = Incident.objects.all()
    assert incident.job.job_id == theirs and "outside the dashboard" in incident.summary
    assert len(receiver.requests) == 1


def test_restart_count_grew(synced, receiver, hook, make_rule, eager_celery):
    make_rule(hook, kind=RuleKind.JOB_RESTARTED)
    job = Job.objects.filter(credential=synced).first()
    Job.objects.filter(pk=job.pk).update(raw={**job.raw, "restart_times": 1}, last_seen=timezone.now())
    _evaluate(synced)  # the first count seen is the baseline
    assert not Incident.objects.exists()
    Job.objects.filter(pk=job.pk).update(raw={**job.raw, "restart_times": 3}, last_seen=timezone.now())
    _evaluate(synced)
    (incident,) = Incident.objects.all()
    assert "1 → 3" in incident.summary and len(receiver.requests) == 1
    assert job_restart_count({"raw": {"restart_times": "4"}}) == 4 and job_restart_count(job) is None


def test_running_job_reads_no_records(synced, emulator, receiver, hook, make_rule, eager_celery):
    make_rule(hook, kind=RuleKind.NO_RECORDS, minutes=10)
    job_id = running_jobs(emulator)[0]
    job = Job.objects.get(credential=synced, job_id=job_id)
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(start_time=now - timedelta(hours=1), records_in=500)
    MetricSample.objects.create(job=job, sampled_at=now - timedelta(minutes=15), records_in=500)
    _evaluate(synced, "metrics")
    (incident,) = Incident.objects.all()
    assert "no records in 10 minutes" in incident.summary
    Job.objects.filter(pk=job.pk).update(records_in=900)
    _evaluate(synced, "metrics")
    incident.refresh_from_db()
    assert incident.state == IncidentState.RESOLVED and len(receiver.requests) == 2


def test_quota_at_or_above_the_threshold(synced, receiver, hook, make_rule, eager_celery):
    make_rule(hook, kind=RuleKind.QUOTA, percent=90)
    quota = UserQuota.objects.filter(credential=synced, spu_quota__gt=0).first()
    UserQuota.objects.filter(pk=quota.pk).update(spu_used=int(quota.spu_quota * 0.9 + 0.99))
    _evaluate(synced, "quotas")
    (incident,) = Incident.objects.all()
    assert quota.user_name in incident.subject_name and "SPU" in incident.summary


def test_daily_cost_above_budget(synced, receiver, hook, make_rule, eager_celery):
    make_rule(hook, kind=RuleKind.DAILY_COST, budget=100)
    now = timezone.now()
    base = dict(credential=synced, team=synced.team, running_job_price=0.0, running_cluster_price=0.0)
    OverviewSnapshot.objects.create(taken_at=now - timedelta(days=2), total_cost=1000.0, **base)
    OverviewSnapshot.objects.create(taken_at=now, total_cost=1150.0, **base)
    _evaluate(synced, "overview")
    (incident,) = Incident.objects.all()
    assert "150.00" in incident.summary and "100.00" in incident.summary


def test_poller_cannot_reach_the_cloud(synced, receiver, hook, make_rule, eager_celery):
    make_rule(hook, kind=RuleKind.POLL_FAILING, minutes=5)
    PollHealth.objects.filter(credential=synced, kind="jobs").update(
        consecutive_failures=4,
        last_success=timezone.now() - timedelta(minutes=6),
        last_error="CS.10001: timed out",
    )
    _evaluate(synced, ok=False)
    (incident,) = Incident.objects.all()
    assert incident.status_desc == "CS.10001: timed out" and len(receiver.requests) == 1
    assert sync(synced.pk, "jobs").ok
    incident.refresh_from_db()
    assert incident.state == IncidentState.RESOLVED and len(receiver.requests) == 2


def test_scope_by_name_pattern_and_tags(synced, emulator, receiver, hook, make_rule, eager_celery):
    jobs = {j.job_id: j for j in Job.objects.filter(credential=synced)}
    first, second = running_jobs(emulator)[:2]
    make_rule(hook, all_jobs=False, name_pattern=jobs[first].name)
    make_rule(hook, all_jobs=False, tags=["team=none"])
    cs_job(emulator, first, vocab.JOB_RUNNING_EXCEPTION)
    cs_job(emulator, second, vocab.JOB_RUNNING_EXCEPTION)
    assert sync(synced.pk, "jobs").ok
    assert list(Incident.objects.values_list("job__job_id", flat=True)) == [first]
    assert job_tags({"tags": "env=prod,owner=ops"}) == {"env": "prod", "owner": "ops"}
    assert job_tags({"tags": [{"key": "env", "value": "dev"}]}) == {"env": "dev"}


def test_acknowledge_stops_reminders_and_silences_mute(
    synced, emulator, receiver, hook, make_rule, roles, eager_celery, monkeypatch
):
    from dashboard.alerts import evaluation

    rule = make_rule(hook, repeat_minutes=5)
    first, second = running_jobs(emulator)[:2]
    cs_job(emulator, first, vocab.JOB_RUNNING_EXCEPTION)
    assert sync(synced.pk, "jobs").ok
    assert len(receiver.requests) == 1
    incident = Incident.objects.get()
    operator = TeamAccess(team=roles.team, role=Role.OPERATOR)
    services.incident_acknowledge(access=operator, user=roles.operator, incident=incident)
    later = timezone.now() + timedelta(minutes=6)
    monkeypatch.setattr(evaluation, "now", lambda: later)
    _evaluate(synced, ok=False)
    assert len(receiver.requests) == 1  # acknowledged: no reminder
    # A silenced job and a maintenance window say nothing; the incidents are kept.
    services.silence_create(
        access=operator,
        user=roles.operator,
        job=Job.objects.get(credential=synced, job_id=second),
        until=later + timedelta(hours=1),
    )
    cs_job(emulator, second, vocab.JOB_SUBMIT_FAIL)
    assert sync(synced.pk, "jobs").ok
    assert Incident.objects.count() == 2 and len(receiver.requests) == 1
    Silence.objects.all().delete()
    MaintenanceWindow.objects.create(
        team=roles.team,
        name="upgrade",
        starts_at=later - timedelta(hours=1),
        ends_at=later + timedelta(minutes=1),
    )
    _evaluate(synced, ok=False)
    assert len(receiver.requests) == 1
    MaintenanceWindow.objects.all().delete()
    _evaluate(synced, ok=False)  # the mute ended: the opening is told now
    assert len(receiver.requests) == 2 and receiver.requests[1].json["counts"] == {"opened": 1}
    assert Notification.objects.filter(rule=rule).count() == 2


def test_evaluation_errors_never_reach_the_poller(synced, make_rule, monkeypatch, caplog):
    from dashboard.alerts import evaluation

    make_rule()

    def broken(**kwargs):
        raise RuntimeError("defect")

    monkeypatch.setattr(evaluation, "evaluate", broken)
    assert sync(synced.pk, "jobs").ok
    assert "alert evaluation after the jobs sync" in caplog.text
