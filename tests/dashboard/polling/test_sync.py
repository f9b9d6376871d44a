"""Sync services against the CS emulator over HTTP: full cycle, no-op cycle, changes, deletions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from csapi import vocab
from dashboard.clusters.models import Cluster, ClusterJob, HostMapping, Peering, Route
from dashboard.jobs.models import AuditTrace, Job, JobStatusChange, MetricSample, Template
from dashboard.polling import services
from dashboard.polling.models import Kind, PollHealth, kinds_of
from dashboard.usage.models import OverviewSnapshot, UserQuota, UserQuotaSample

pytestmark = pytest.mark.django_db


def _cs_jobs(cs):
    return list(cs.jobs.iter(show_detail=True, order="asc"))


def test_full_cycle_fills_every_snapshot(credential, cs):
    results = services.sync_all(credential.pk)
    assert all(r.ok for r in results.values()), {k: r.error for k, r in results.items()}

    listed = _cs_jobs(cs)
    assert Job.objects.filter(credential=credential, deleted_at__isnull=True).count() == len(listed) > 0
    job = Job.objects.get(credential=credential, job_id=listed[0]["job_id"])
    assert job.team_id == credential.team_id
    assert job.name == listed[0]["name"] and job.status == listed[0]["status"]
    assert job.raw["job_id"] == listed[0]["job_id"] and job.fingerprint
    assert JobStatusChange.objects.filter(job__credential=credential).count() == len(listed)
    running = [j for j in listed if j["status"] in vocab.RUNNING_STATUSES]
    assert MetricSample.objects.filter(job__credential=credential).count() == len(running) > 0
    assert Job.objects.filter(
        credential=credential, status=vocab.JOB_RUNNING, read_rate__isnull=False
    ).count() == len(running)
    assert AuditTrace.objects.filter(team=credential.team).count() > 0
    assert Cluster.objects.filter(credential=credential).count() == len(list(cs.clusters.iter()))
    assert ClusterJob.objects.filter(cluster__credential=credential).exists()
    assert HostMapping.objects.filter(cluster__credential=credential).exists()
    assert Peering.objects.filter(cluster__credential=credential).exists()
    assert Route.objects.filter(peering__cluster__credential=credential).exists()
    assert UserQuota.objects.filter(credential=credential).count() == len(list(cs.quotas.iter()))
    assert UserQuotaSample.objects.filter(credential=credential).count() == 1
    assert Template.objects.filter(credential=credential).count() == len(list(cs.templates.iter()))
    overview = OverviewSnapshot.objects.get(credential=credential)
    assert overview.total_jobs == len(listed) and overview.billing_unit
    health = PollHealth.objects.filter(credential=credential)
    assert {h.kind for h in health} == set(kinds_of(credential.service))
    assert all(h.last_success and h.consecutive_failures == 0 and not h.last_error for h in health)


def test_page_of_jobs_costs_constant_statements(credential, poll_settings):
    poll_settings.POLL_PAGE_SIZE = 5
    with CaptureQueriesContext(connection) as first:
        services.sync_jobs(credential)
    with CaptureQueriesContext(connection) as steady:
        services.sync_jobs(credential)
    pages = -(-Job.objects.filter(credential=credential).count() // 5)

    def job_statements(ctx):
        return [
            q["sql"]
            for q in ctx.captured_queries
            if '"jobs_job' in q["sql"] and "jobs_jobrun" not in q["sql"]
        ]

    def run_statements(ctx):
        return [q["sql"] for q in ctx.captured_queries if "jobs_jobrun" in q["sql"]]

    # first: per page one SELECT, one INSERT of jobs, one INSERT of status history; then one sweep
    assert len(job_statements(first)) == 3 * pages + 1
    # and per page with status changes, one SELECT of the open runs and at most one INSERT of runs
    assert pages <= len(run_statements(first)) <= 2 * pages
    assert not run_statements(steady)
    # steady: per page one SELECT; then one sweep for jobs gone from CS
    assert len(job_statements(steady)) == pages + 1


def test_a_listing_costs_one_request_per_page_and_none_more(credential, emu, poll_settings):
    """The next page is fetched while one is written, never one the sync would not read: the last page
    CS counted ends the listing without the empty page that would confirm it."""
    listed = len(emu.emulator.projects[emu.account.project_id].jobs)
    size = next(n for n in range(5, listed) if listed % n)  # full pages, then a short one
    poll_settings.POLL_PAGE_SIZE = size
    for _ in range(2):  # a first sync, then a steady one
        emu.emulator.reset_stats()
        assert services.sync_jobs(credential).items == listed
        assert emu.emulator.stats()["by_operation"]["GET /v1.0/{project_id}/jobs"] == -(-listed // size)
    poll_settings.POLL_PAGE_SIZE = listed  # exactly one full page: CS's total ends the listing
    emu.emulator.reset_stats()
    assert services.sync_jobs(credential).written == 0
    assert emu.emulator.stats()["by_operation"]["GET /v1.0/{project_id}/jobs"] == 1


def test_status_change_appends_one_history_row(credential, cs, emu):
    services.sync(credential.pk, Kind.JOBS)
    job = Job.objects.filter(credential=credential, status=vocab.JOB_RUNNING).first()
    before = job.status_changes.count()
    cs.jobs.stop(job.job_id)
    emu.advance(600)
    services.sync(credential.pk, Kind.JOBS)
    job.refresh_from_db()
    assert job.status != vocab.JOB_RUNNING
    changes = list(job.status_changes.order_by("observed_at", "id"))
    assert len(changes) == before + 1
    assert changes[-1].previous_status == vocab.JOB_RUNNING and changes[-1].status == job.status
    services.sync(credential.pk, Kind.JOBS)
    assert job.status_changes.count() == before + 1


def test_deleted_job_is_marked_deleted(credential, cs, emu):
    services.sync(credential.pk, Kind.JOBS)
    victim = Job.objects.filter(credential=credential).exclude(status=vocab.JOB_RUNNING).order_by("job_id")[3]
    cs.jobs.delete(victim.job_id)
    last = Job.objects.filter(credential=credential).order_by("-job_id").first()
    cs.jobs.stop(last.job_id) if last.status == vocab.JOB_RUNNING else None
    emu.advance(600)
    cs.jobs.delete(last.job_id)
    services.sync(credential.pk, Kind.JOBS)
    victim.refresh_from_db()
    last.refresh_from_db()
    assert victim.deleted_at is not None and last.deleted_at is not None
    assert Job.objects.filter(credential=credential, deleted_at__isnull=False).count() == 2
    assert Job.objects.live().filter(credential=credential).count() == len(_cs_jobs(cs))


def test_metrics_repeated_within_a_slot_add_no_duplicates(credential, poll_settings):
    poll_settings.POLL_INTERVALS = {**poll_settings.POLL_INTERVALS, "metrics": 86400}
    services.sync(credential.pk, Kind.JOBS)
    first = services.sync(credential.pk, Kind.METRICS)
    second = services.sync(credential.pk, Kind.METRICS)
    assert first.ok and second.ok and first.items > 0
    assert MetricSample.objects.count() == first.items


def test_audit_is_incremental_and_deduplicated(credential, cs, emu):
    services.sync(credential.pk, Kind.AUDIT)
    count = AuditTrace.objects.count()
    assert count == len(list(cs.audit_logs.iter()))
    services.sync(credential.pk, Kind.JOBS)
    job = Job.objects.filter(credential=credential, status=vocab.JOB_RUNNING).first()
    cs.jobs.stop(job.job_id)
    services.sync(credential.pk, Kind.AUDIT)
    assert AuditTrace.objects.count() == count + 1
    newest = AuditTrace.objects.order_by("-op_time", "-id").first()
    assert newest.resource_id == str(job.job_id) and newest.resource_type == "job"
    services.sync(credential.pk, Kind.AUDIT)
    assert AuditTrace.objects.count() == count + 1


def test_refresh_soon_enqueues_on_commit(credential, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    from dashboard.polling import tasks

    monkeypatch.setattr(tasks.sync_task, "delay", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        services.refresh_soon(credential, [Kind.JOBS, Kind.METRICS])
        assert sent == []
    assert sent == [(credential.pk, "jobs"), (credential.pk, "metrics")]
    with pytest.raises(ValueError):
        services.refresh_soon(credential, ["bogus"])


def test_event_names_name_their_resource_type():
    from dashboard.polling.kinds import audit

    assert set(audit._MATCH_ORDER) == set(vocab.AUDIT_RESOURCE_TYPES)  # every type, none more
    assert [audit.resource_type(e) for e in ("createJobTemplate", "stopClusterJob", "runJob", "login")] == [
        "template",
        "cluster",
        "job",
        "",
    ]
