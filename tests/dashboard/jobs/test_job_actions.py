"""Run, stop, delete and batch actions: role checks, CS calls, action log, optimistic snapshot."""

from __future__ import annotations

import pytest

from dashboard.jobs.models import Job
from dashboard.teams.models import ActionLog

from .conftest import job_url, team_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["job_run", "job_stop", "job_delete"])
def test_action_matrix(roles, login, sql_job, cs_calls, name):
    url = job_url(name, sql_job)
    before = cs_calls.total()
    assert login(roles.outsider).post(url).status_code == 404
    assert login(roles.viewer).post(url).status_code == 403
    assert login(roles.operator).get(url).status_code == 405
    assert cs_calls.total() == before


def test_run_then_stop(roles, login, stopped_job, emulator):
    client = login(roles.operator)
    response = client.post(job_url("job_run", stopped_job))
    assert response.status_code == 302
    stopped_job.refresh_from_db()
    assert stopped_job.status == "job_submitting"
    assert ActionLog.objects.filter(
        action="job.run", outcome="success", target_name=stopped_job.name
    ).exists()
    emulator.clock.advance(120)
    from .conftest import sync_kinds

    sync_kinds(stopped_job.credential, ("jobs",))
    stopped_job.refresh_from_db()
    assert stopped_job.status == "job_running"
    response = client.post(job_url("job_stop", stopped_job), {"trigger_savepoint": "on"})
    assert response.status_code == 302
    stopped_job.refresh_from_db()
    assert stopped_job.status in ("job_savepointing", "job_canceling")
    assert ActionLog.objects.filter(action="job.stop", message="with savepoint").exists()


def test_running_a_running_job_is_refused_before_cs(roles, login, running_job, cs_requests):
    before = cs_requests()
    response = login(roles.operator).post(job_url("job_run", running_job), follow=True)
    assert response.status_code == 200
    assert "is running already" in response.content.decode()
    assert cs_requests() == before  # nothing was sent
    assert not ActionLog.objects.filter(action="job.run").exists()  # nothing happened to record


def test_cs_unreachable_is_readable(roles, login, stopped_job, emulator):
    emulator.emulator.faults.configure({"path": "/run", "error_rate": 1.0, "status": 503})
    response = login(roles.operator).post(job_url("job_run", stopped_job), follow=True)
    assert response.status_code == 200
    assert ActionLog.objects.filter(action="job.run", outcome="failure").exists()


def test_delete(roles, login, stopped_job, cs_calls):
    jobs_before = cs_calls.jobs()
    response = login(roles.operator).post(job_url("job_delete", stopped_job))
    assert response.status_code == 302
    stopped_job.refresh_from_db()
    assert stopped_job.deleted_at is not None
    assert cs_calls.jobs() == jobs_before - 1


def _key(job):
    return f"{job.credential.public_id}:{job.job_id}"


def test_batch_matrix(roles, login, running_job, cs_calls):
    url = team_url("job_batch")
    before = cs_calls.total()
    data = {"action": "stop", "jobs": [_key(running_job)], "confirmed": "on"}
    assert login(roles.outsider).post(url, data).status_code == 404
    assert login(roles.viewer).post(url, data).status_code == 403
    assert login(roles.operator).get(url).status_code == 405
    assert cs_calls.total() == before


def test_batch_stop_asks_for_confirmation_naming_the_jobs(roles, login, synced, cs_calls):
    jobs = list(Job.objects.filter(team=roles.team, status="job_running")[:2])
    client = login(roles.operator)
    before = cs_calls.total()
    response = client.post(team_url("job_batch"), {"action": "stop", "jobs": [_key(j) for j in jobs]})
    assert response.status_code == 200
    page = response.content.decode()
    for job in jobs:
        assert job.name in page
    assert cs_calls.total() == before
    response = client.post(
        team_url("job_batch"), {"action": "stop", "jobs": [_key(j) for j in jobs], "confirmed": "on"}
    )
    assert response.status_code == 302
    assert cs_calls.total() > before
    for job in jobs:
        job.refresh_from_db()
        assert job.status == "job_canceling"
    assert ActionLog.objects.filter(action="job.stop_batch", outcome="success").exists()


def test_batch_run_and_delete(roles, login, synced, cs_calls):
    stopped = list(Job.objects.filter(team=roles.team, status="job_cancel_success")[:2])
    client = login(roles.operator)
    client.post(
        team_url("job_batch"), {"action": "run", "jobs": [_key(j) for j in stopped], "confirmed": "on"}
    )
    for job in stopped:
        job.refresh_from_db()
        assert job.status == "job_submitting"
    drafts = list(Job.objects.filter(team=roles.team, status="job_init")[:2])
    jobs_before = cs_calls.jobs()
    client.post(
        team_url("job_batch"), {"action": "delete", "jobs": [_key(j) for j in drafts], "confirmed": "on"}
    )
    assert cs_calls.jobs() == jobs_before - len(drafts)


def test_batch_ignores_other_teams_jobs(roles, login, synced, other_synced, cs_calls):
    other = Job.objects.filter(team=roles.other_team).first()
    before = cs_calls.total()
    response = login(roles.operator).post(
        team_url("job_batch"),
        {"action": "delete", "jobs": [_key(other), "garbage", "x:y"], "confirmed": "on"},
    )
    assert response.status_code == 302
    assert cs_calls.total() == before
    other.refresh_from_db()
    assert other.deleted_at is None


def test_batch_bad_action(roles, login, running_job):
    response = login(roles.operator).post(
        team_url("job_batch"), {"action": "explode", "jobs": [_key(running_job)]}
    )
    assert response.status_code == 302
