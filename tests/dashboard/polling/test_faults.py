"""Faults injected by the emulator leave the last good snapshot in place, are recorded, and heal."""

from __future__ import annotations

import threading
import time

import pytest

from csapi import CSServerError, vocab
from dashboard.jobs.models import AuditTrace, Job, MetricSample
from dashboard.polling import schedule, services
from dashboard.polling.models import Kind, PollHealth, kinds_of
from dashboard.teams.cs import client_for
from tests.dashboard.polling.conftest import make_credential

pytestmark = pytest.mark.django_db


def _snapshot(credential):
    return sorted(
        Job.objects.filter(credential=credential).values_list("job_id", "fingerprint", "deleted_at")
    )


@pytest.mark.parametrize(
    "fault",
    [
        {"error_rate": 1.0},
        {"throttle_rate": 1.0, "retry_after": 1},
        {"truncate_rate": 1.0},
        {"non_json_rate": 1.0},
        {"latency_ms": 1500},
    ],
    ids=["5xx", "429", "truncated", "non-json", "timeout"],
)
def test_failed_listing_keeps_snapshot_records_error_and_recovers(credential, emu, poll_settings, fault):
    poll_settings.CS_HTTP_TIMEOUT = 0.5
    assert services.sync(credential.pk, Kind.JOBS).ok
    good = _snapshot(credential)
    emu.faults.configure({"path": r"/jobs$", **fault})

    result = services.sync(credential.pk, Kind.JOBS)

    assert not result.ok and result.error
    assert _snapshot(credential) == good
    health = PollHealth.objects.get(credential=credential, kind=Kind.JOBS)
    assert health.consecutive_failures == 1 and health.last_error == result.error
    assert credential.get_secret() not in health.last_error
    assert health.next_attempt > health.last_error_at
    credential.refresh_from_db()
    assert not credential.needs_attention

    emu.faults.clear()
    assert services.sync(credential.pk, Kind.JOBS).ok
    health.refresh_from_db()
    assert health.consecutive_failures == 0 and health.last_error == ""
    assert _snapshot(credential) == good


def test_backoff_grows_and_is_capped(credential, emu, poll_settings):
    poll_settings.POLL_BACKOFF_MAX = 100
    emu.faults.configure({"path": r"/jobs$", "error_rate": 1.0})
    waits = []
    for _ in range(5):
        services.sync(credential.pk, Kind.JOBS)
        health = PollHealth.objects.get(credential=credential, kind=Kind.JOBS)
        waits.append(round((health.next_attempt - health.last_error_at).total_seconds()))
    assert waits == [15, 30, 60, 100, 100]  # from the 15 s interval, doubling, capped
    assert health.consecutive_failures == 5
    # Never below the interval, even when the cap is lower.
    assert services.backoff_seconds(Kind.OVERVIEW, 3) == 300


def test_failure_in_the_middle_of_a_listing_marks_nothing_deleted(credential, cs, emu, poll_settings):
    poll_settings.POLL_PAGE_SIZE = 5
    assert services.sync(credential.pk, Kind.JOBS).ok
    victim = (
        Job.objects.filter(credential=credential)
        .exclude(status=vocab.JOB_RUNNING)
        .order_by("-job_id")
        .first()
    )
    cs.jobs.delete(victim.job_id)
    emu.emulator.reset_stats()
    emu.faults.configure({"path": r"/jobs$", "latency_ms": 200})

    def break_after_first_page():
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if emu.emulator.stats()["by_operation"].get("GET /v1.0/{project_id}/jobs", 0) >= 1:
                emu.faults.configure({"path": r"/jobs$", "error_rate": 1.0})
                return
            time.sleep(0.005)

    watcher = threading.Thread(target=break_after_first_page)
    watcher.start()
    result = services.sync(credential.pk, Kind.JOBS)
    watcher.join()
    assert not result.ok
    assert not Job.objects.filter(credential=credential, deleted_at__isnull=False).exists()

    emu.faults.clear()
    assert services.sync(credential.pk, Kind.JOBS).ok
    victim.refresh_from_db()
    assert victim.deleted_at is not None


def test_expired_token_is_renewed_without_failure(credential, emu):
    assert services.sync(credential.pk, Kind.JOBS).ok
    emu.emulator.expire_tokens()
    assert services.sync(credential.pk, Kind.TEMPLATES).ok
    assert PollHealth.objects.get(credential=credential, kind=Kind.TEMPLATES).consecutive_failures == 0


def test_rejected_credential_needs_attention_and_stops_polling(team, emu, cache_ready, poll_settings):
    credential = make_credential(team, emu, password="not-the-password")
    result = services.sync(credential.pk, Kind.JOBS)
    assert not result.ok
    credential.refresh_from_db()
    assert credential.needs_attention and credential.last_error
    assert "not-the-password" not in credential.last_error
    assert services.sync(credential.pk, Kind.JOBS).skipped == "credential needs attention"
    assert all(cid != credential.pk for cid, _kind, _lease in schedule.claim_due())

    # A lead fixes the secret: the credential form clears the flag, polling resumes.
    credential.set_secret(emu.account.password)
    credential.needs_attention = False
    credential.save()
    assert {kind for cid, kind, _l in schedule.claim_due() if cid == credential.pk} == set(
        kinds_of(credential.service)
    )
    assert services.sync(credential.pk, Kind.JOBS).ok


def test_retries_add_no_duplicate_traces_or_samples(credential, emu, poll_settings):
    poll_settings.CS_HTTP_RETRIES = 3
    poll_settings.POLL_INTERVALS = {**poll_settings.POLL_INTERVALS, "metrics": 86400}
    assert services.sync(credential.pk, Kind.JOBS).ok
    emu.faults.configure(
        {
            "rules": [
                {
                    "path": r"/(audit_logs|jobs/metrics)$",
                    "error_rate": 1.0,
                    "error_statuses": [503],
                    "times": 1,
                }
            ]
        }
    )
    assert services.sync(credential.pk, Kind.AUDIT).ok  # the client retried the failed page
    assert services.sync(credential.pk, Kind.METRICS).ok
    traces, samples = AuditTrace.objects.count(), MetricSample.objects.count()
    emu.faults.configure({"path": r"/(audit_logs|jobs/metrics)$", "truncate_rate": 1.0})
    assert not services.sync(credential.pk, Kind.AUDIT).ok
    assert not services.sync(credential.pk, Kind.METRICS).ok
    emu.faults.clear()
    assert services.sync(credential.pk, Kind.AUDIT).ok and services.sync(credential.pk, Kind.METRICS).ok
    assert AuditTrace.objects.count() == traces
    assert MetricSample.objects.count() == samples
    keys = list(AuditTrace.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys))


def test_overlapping_runs_are_locked_out(credential):
    with services.poll_lock(credential.pk, Kind.JOBS) as held:
        assert held
        assert services.sync(credential.pk, Kind.JOBS).skipped == "already running"
        assert services.sync(credential.pk, Kind.METRICS).ok  # other kinds are not blocked
    assert services.sync(credential.pk, Kind.JOBS).ok


class _CutOffAfterFirstAuditPage:
    """A CS client whose audit listing fails after its first page, as CS did under load."""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        return getattr(self._client, name)

    @property
    def audit_logs(self):
        outer = self._client.audit_logs

        class Logs:
            def iter(self, **kwargs):
                pager = outer.iter(**kwargs)

                class Pages:
                    def pages(self):
                        for number, page in enumerate(pager.pages()):
                            if number == 1:
                                raise CSServerError("audit listing cut off", http_status=503)
                            yield page

                return Pages()

        return Logs()


def test_audit_sync_cut_off_half_way_loses_no_trace(credential, emu, poll_settings):
    """Traces older than the first page of a failed sync are read by the next one, not skipped."""
    assert services.sync(credential.pk, Kind.AUDIT).ok
    with client_for(credential) as cs:
        jobs = [j for j in cs.jobs.iter() if j.get("status") == vocab.JOB_RUNNING][:1]
        for _ in range(30):  # 60 new traces: more than one page of 50
            cs.jobs.stop(jobs[0]["job_id"])
            emu.clock.advance(60)
            cs.jobs.run(jobs[0]["job_id"])
            emu.clock.advance(60)
        with pytest.raises(CSServerError):
            services.sync_audit(credential, client=_CutOffAfterFirstAuditPage(cs))
        in_cs = {services.audit_key(t) for t in cs.audit_logs.iter()}
    assert AuditTrace.objects.filter(credential=credential).count() < len(in_cs)
    assert services.sync(credential.pk, Kind.AUDIT).ok
    assert set(AuditTrace.objects.filter(credential=credential).values_list("key", flat=True)) == in_cs
