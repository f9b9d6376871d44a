"""Change-driven freshness, sync side: a sync writes only what changed in CS, and bumps the team's
version only when it wrote rows or changed what pages show of poll health."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from csapi import vocab
from dashboard.jobs.models import Job, MetricSample
from dashboard.polling import services
from dashboard.polling.models import Kind, kinds_of
from dashboard.teams.models import Team
from dashboard.usage.models import OverviewSnapshot, UserQuotaSample

pytestmark = pytest.mark.django_db

#: Tables of the snapshots and time series the poller keeps (poll health is its own bookkeeping).
SNAPSHOT_TABLES = ("jobs_", "clusters_", "usage_")


def _version(team) -> int:
    return Team.objects.values_list("version", flat=True).get(pk=team.pk)


def _writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and any(f'"{t}' in q["sql"] or f" {t}" in q["sql"] for t in SNAPSHOT_TABLES)
    ]


@pytest.fixture
def cycle():
    """Run every kind once."""

    def run(credential):
        results = services.sync_all(credential.pk)
        assert all(r.ok for r in results.values()), {k: r.error for k, r in results.items()}
        return results

    return run


def test_a_steady_cycle_writes_nothing_and_leaves_the_version_alone(credential, team, cycle):
    first = cycle(credential)
    assert all(r.changed for r in first.values())  # the first cycle wrote every kind
    version = _version(team)
    quota_samples, overviews = UserQuotaSample.objects.count(), OverviewSnapshot.objects.count()
    with CaptureQueriesContext(connection) as queries:
        second = cycle(credential)
    assert {k: (r.written, r.changed) for k, r in second.items()} == {
        k: (0, False) for k in kinds_of(credential.service)
    }
    assert _writes(queries) == []  # no snapshot row, sample or history row was touched
    assert _version(team) == version
    # The time series append only changed figures: the newest point still holds.
    assert (UserQuotaSample.objects.count(), OverviewSnapshot.objects.count()) == (quota_samples, overviews)


def test_a_sync_that_wrote_bumps_the_version_once(credential, team, cs, emu, cycle):
    cycle(credential)
    job = Job.objects.filter(credential=credential, status=vocab.JOB_RUNNING).first()
    cs.jobs.stop(job.job_id)
    emu.advance(600)
    version = _version(team)
    result = services.sync(credential.pk, Kind.JOBS)
    assert result.ok and result.written > 0 and result.changed
    assert _version(team) == version + 1


def test_only_health_changes_that_pages_show_bump_the_version(credential, team, emu, cycle):
    cycle(credential)
    version = _version(team)

    def sync_jobs():
        return services.sync(credential.pk, Kind.JOBS)

    emu.faults.configure({"path": r"/jobs$", "error_rate": 1.0, "error_statuses": [503]})
    first = sync_jobs()
    assert not first.ok and first.changed and _version(team) == version + 1  # the first failure shows
    again = sync_jobs()  # the same failure again (under another request id): nothing new to show
    assert not again.ok and again.error != first.error and not again.changed
    assert _version(team) == version + 1
    emu.faults.configure({"path": r"/jobs$", "error_rate": 1.0, "error_statuses": [500]})
    other = sync_jobs()
    assert other.error != first.error and other.changed and _version(team) == version + 2  # a new error
    emu.faults.clear()
    healed = sync_jobs()
    assert healed.ok and healed.written == 0 and healed.changed  # the recovery shows
    assert _version(team) == version + 3
    steady = sync_jobs()
    assert steady.ok and not steady.changed and _version(team) == version + 3


def test_unchanged_metrics_update_no_job_and_add_no_sample(credential, emu, poll_settings, cycle):
    poll_settings.POLL_INTERVALS = {**poll_settings.POLL_INTERVALS, "metrics": 1}  # one-second sample slots
    cycle(credential)
    samples = MetricSample.objects.count()
    assert samples == Job.objects.filter(credential=credential, status=vocab.JOB_RUNNING).count() > 0
    with CaptureQueriesContext(connection) as queries:
        same = services.sync(credential.pk, Kind.METRICS)
    assert same.ok and same.items > 0 and same.written == 0 and not same.changed
    assert _writes(queries) == [] and MetricSample.objects.count() == samples
    # Time passes in CS: running jobs read more records, their figures change (in a new sample slot).
    emu.advance(120)
    time.sleep(1.05)
    moved = services.sync(credential.pk, Kind.METRICS)
    assert moved.ok and moved.written == same.items and moved.changed
    assert MetricSample.objects.count() == 2 * samples
    job = Job.objects.filter(credential=credential, status=vocab.JOB_RUNNING).first()
    latest = job.metric_samples.order_by("-sampled_at").first()
    assert (job.records_in, job.read_rate) == (latest.records_in, latest.read_rate)


def _versions(team) -> tuple[int, int]:
    return Team.objects.values_list("version", "figures_version").get(pk=team.pk)


def test_new_figures_bump_the_figures_version_alone(credential, team, emu, poll_settings, cycle):
    """Figures of running jobs change on every metrics cycle: only the job list (and each job's own
    page) follows them, the rest of the team's pages stay cached."""
    poll_settings.POLL_INTERVALS = {**poll_settings.POLL_INTERVALS, "metrics": 1}
    cycle(credential)
    version, figures = _versions(team)
    emu.advance(120)
    time.sleep(1.05)
    moved = services.sync(credential.pk, Kind.METRICS)
    assert moved.ok and moved.written > 0 and moved.changed
    assert _versions(team) == (version, figures + 1)
    same = services.sync(credential.pk, Kind.METRICS)
    assert same.ok and same.written == 0 and _versions(team) == (version, figures + 1)
    # A metrics failure the pages show is a change of the team's pages, not of figures.
    emu.faults.configure({"path": r"/metrics", "error_rate": 1.0, "error_statuses": [500]})
    failed = services.sync(credential.pk, Kind.METRICS)
    assert not failed.ok and _versions(team) == (version + 1, figures + 1)


def test_a_listing_that_fails_after_committing_pages_counts_them(credential, team, emu, poll_settings):
    """The same failure as the last one, but pages were committed before it: the pages show them."""
    poll_settings.POLL_PAGE_SIZE = 5
    emu.faults.configure({"path": r"/jobs$", "error_rate": 1.0, "error_statuses": [503]})
    assert not services.sync(credential.pk, Kind.JOBS).ok  # the first failure
    version = _version(team)

    emu.faults.configure({"path": r"/jobs$", "latency_ms": 200})
    emu.emulator.reset_stats()

    def fail_after_the_first_page():
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if emu.emulator.stats()["by_operation"].get("GET /v1.0/{project_id}/jobs", 0) >= 1:
                emu.faults.configure({"path": r"/jobs$", "error_rate": 1.0, "error_statuses": [503]})
                return
            time.sleep(0.005)

    watcher = threading.Thread(target=fail_after_the_first_page)
    watcher.start()
    result = services.sync(credential.pk, Kind.JOBS)
    watcher.join()
    assert not result.ok and result.written == 5 == Job.objects.filter(credential=credential).count()
    assert result.changed and _version(team) == version + 1
