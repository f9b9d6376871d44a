"""The emulator's DLI service over plain HTTP: life cycle on the clock, queues, quotas, seeds, state.

Requests are made with ``requests`` and an IAM token (the SDK tests in tests/dli cover the SDK's view).
"""

from __future__ import annotations

import json

import pytest
import requests

from csapi.emulator.app import Emulator
from csapi.emulator.clock import Clock


@pytest.fixture
def dli(demo):
    """(base url, headers) of the first demo tenant's DLI, with a token."""
    t = demo.account
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": t.user, "password": t.password, "domain": {"name": t.domain}}},
            },
            "scope": {"project": {"id": t.project_id}},
        }
    }
    token = requests.post(f"{demo.url}/v3/auth/tokens", json=body, timeout=10).headers["X-Subject-Token"]
    return demo, f"{demo.url}/v1.0/{t.project_id}", {"X-Auth-Token": token}


def _create(base, headers, name, queue="acme_flink_prod", **extra):
    body = {"name": name, "queue_name": queue, "sql_body": "INSERT INTO a SELECT 1;", "cu_number": 2, **extra}
    answer = requests.post(f"{base}/streaming/sql-jobs", json=body, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["job"]["job_id"]


def _job(base, headers, job_id):
    return requests.get(f"{base}/streaming/jobs/{job_id}", headers=headers, timeout=10).json()["job_detail"]


def _post(base, headers, path, body):
    return requests.post(f"{base}{path}", json=body, headers=headers, timeout=10)


def test_run_submits_then_runs_and_accumulates(dli):
    server, base, headers = dli
    job_id = _create(base, headers, "life")
    assert _post(base, headers, "/streaming/jobs/run", {"job_ids": [job_id]}).json() == [
        {"is_success": "true", "message": "The request for submitting DLI jobs is delivered successfully."}
    ]
    assert _job(base, headers, job_id)["status"] == "job_submitting"
    server.advance(5)
    assert _job(base, headers, job_id)["status"] == "job_running"
    server.advance(3600)
    metrics = _post(base, headers, "/streaming/jobs/metrics", {"job_ids": [job_id]}).json()["metrics"][
        "jobs"
    ][0]
    first = metrics["metrics"]["sources"][0]["records"]
    server.advance(60)
    again = _post(base, headers, "/streaming/jobs/metrics", {"job_ids": [job_id]}).json()["metrics"]["jobs"][
        0
    ]
    assert again["metrics"]["sources"][0]["records"] > first > 0
    state = requests.get(f"{server.url}/_emulator/state", timeout=10).json()["projects"][
        server.account.project_id
    ]["dli"]
    cu_hours = (
        server.emulator.projects[server.account.project_id].dli.jobs[job_id].cu_hours(server.clock.now())
    )
    assert cu_hours == pytest.approx(2 * 3660 / 3600) and state["cu_hours"] >= cu_hours


def test_queue_capacity_and_quota_follow_running_jobs(dli):
    server, base, headers = dli

    def quota() -> dict:
        url = f"{server.url}/v3/{server.account.project_id}/quotas"
        return {
            r["type"]: r for r in requests.get(url, headers=headers, timeout=10).json()["quotas"]["resources"]
        }

    used = quota()["CU"]["used"]
    fits = _create(base, headers, "fits", queue="acme_flink_dev", cu_number=4)
    too_many = _create(base, headers, "too_many", queue="acme_flink_dev", cu_number=2)
    _post(base, headers, "/streaming/jobs/run", {"job_ids": [fits, too_many]})
    server.advance(6)
    assert _job(base, headers, fits)["status"] == "job_running"
    failed = _job(base, headers, too_many)
    assert failed["status"] == "job_submit_fail" and "0 free CUs" in failed["status_desc"]
    assert quota()["CU"]["used"] == used + 4
    dev = requests.get(f"{base}/queues/acme_flink_dev", headers=headers, timeout=10).json()
    assert dev["cuCount"] == 16 and dev["queueName"] == "acme_flink_dev"
    listed = requests.get(
        f"{base}/queues", params={"queue_type": "general"}, headers=headers, timeout=10
    ).json()
    assert next(q for q in listed["queues"] if q["queue_name"] == "acme_flink_dev")["used_cu"] == 16.0


def test_stop_with_savepoint_and_triggered_savepoint(dli):
    server, base, headers = dli
    job_id = _create(base, headers, "saver")
    _post(base, headers, "/streaming/jobs/run", {"job_ids": [job_id]})
    server.advance(10)
    answer = _post(
        base,
        headers,
        f"/streaming/jobs/{job_id}/savepoint",
        {"action": "TRIGGER", "savepoint_path": "bkt/sp"},
    )
    assert answer.status_code == 200 and json.loads(answer.json()["message"])["is_success"] == "true"
    assert _job(base, headers, job_id)["status"] == "job_savepointing"
    server.advance(2)
    assert _job(base, headers, job_id)["has_savepoint"] is True
    _post(base, headers, "/streaming/jobs/stop", {"job_ids": [job_id], "trigger_savepoint": True})
    statuses = []
    for _ in range(4):
        statuses.append(_job(base, headers, job_id)["status"])
        server.advance(2)
    assert statuses[:2] == ["job_savepointing", "job_canceling"] and statuses[-1] == "job_cancel_success"
    job = _job(base, headers, job_id)
    assert job["has_savepoint"] is True
    assert (
        job["savepoint_path"].startswith("obs://dli-savepoints-")
        and f"/{job_id}/savepoint-" in job["savepoint_path"]
    )
    again = _post(
        base, headers, "/streaming/jobs/run", {"job_ids": [job_id], "resume_savepoint": True}
    ).json()
    assert again[0]["is_success"] == "true"
    server.advance(6)
    assert "Restored from savepoint" in _job(base, headers, job_id)["status_desc"]


def test_restart_when_exception_counts_restarts(dli):
    server, base, headers = dli
    restarting = _create(base, headers, "restarting", restart_when_exception=True)
    failing = _create(base, headers, "failing")
    server.emulator.queue_outcomes("job_running_exception", "job_running_exception")
    _post(base, headers, "/streaming/jobs/run", {"job_ids": [restarting, failing]})
    server.advance(5 + 3600 * 3)
    job = _job(base, headers, restarting)
    assert job["status"] == "job_running" and job["restart_times"] >= 3
    later = _job(base, headers, failing)
    assert later["status"] == "job_running_exception" and later["restart_times"] == 0
    server.advance(3600 * 2)
    assert _job(base, headers, restarting)["restart_times"] > job["restart_times"]


def test_errors_use_dli_codes_and_bodies(dli):
    server, base, headers = dli
    missing = requests.get(f"{base}/streaming/jobs/1", headers=headers, timeout=10)
    assert missing.status_code == 400 and missing.json() == {
        "error_code": "DLI.12004",
        "error_msg": "The job 1 does not exist.",
    }
    bad_queue = _post(base, headers, "/streaming/sql-jobs", {"name": "x", "queue_name": "testqueue"})
    assert bad_queue.json() == {"error_code": "DLI.0002", "error_msg": "There is no queue named testqueue"}
    sql_queue = _post(base, headers, "/streaming/sql-jobs", {"name": "x", "queue_name": "acme_sql"})
    assert sql_queue.json()["error_code"] == "DLI.0001"
    duplicate = _post(base, headers, "/streaming/sql-jobs", {"name": "acme_orders_enrich"})
    assert duplicate.json()["error_code"] == "DLI.0006"
    not_json = requests.post(f"{base}/streaming/jobs/run", data=b"{", headers=headers, timeout=10)
    assert not_json.status_code == 400 and not_json.json()["error_code"] == "DLI.0001"
    no_auth = requests.get(f"{base}/streaming/jobs", timeout=10)
    assert no_auth.status_code == 401 and no_auth.json()["error_code"] == "APIGW.0301"
    server.emulator.expire_tokens()
    expired = requests.get(f"{base}/streaming/jobs", headers=headers, timeout=10)
    assert expired.status_code == 401 and expired.json()["error_code"] == "APIGW.0307"


def test_demo_seed_has_mixed_states_in_every_project(demo):
    now = demo.clock.now()
    for tenant in demo.tenants:
        dli = demo.emulator.projects[tenant.project_id].dli
        statuses = {j.status(now) for j in dli.jobs.values()}
        assert {
            "job_running",
            "job_running_exception",
            "job_submit_fail",
            "job_cancel_success",
            "job_init",
        } <= statuses
        assert any(j.has_savepoint(now) and j.status(now) == "job_cancel_success" for j in dli.jobs.values())
        assert any(j.restart_times(now) > 0 for j in dli.jobs.values())
        assert {q.queue_type for q in dli.queues.values()} == {"general", "sql"} and len(dli.pools) == 1
        assert len(dli.templates) == 3 and dli.obs_files


def test_scale_seed_adds_dli_jobs_per_tenant():
    emulator = Emulator(seed="scale:300:3", clock=Clock(speed=0))
    counts = [len(p.dli.jobs) for p in emulator.projects.values()]
    assert counts == [100, 100, 100] and all(len(p.jobs) == 100 for p in emulator.projects.values())
    names = {j.name for p in emulator.projects.values() for j in p.dli.jobs.values()}
    assert len(names) == 300


def test_state_file_round_trip_keeps_dli(tmp_path):
    path = str(tmp_path / "state.json")
    first = Emulator(seed="demo", clock=Clock(speed=0), state_file=path)
    first.save_state()
    second = Emulator(seed="empty", clock=Clock(start=first.clock.now(), speed=0), state_file=path)
    a = first.projects[first.tenants[0].project_id].dli
    b = second.projects[first.tenants[0].project_id].dli
    now = first.clock.now()
    assert sorted(b.jobs) == sorted(a.jobs) and b.job_names == a.job_names
    assert {j: b.jobs[j].status(now) for j in b.jobs} == {j: a.jobs[j].status(now) for j in a.jobs}
    assert set(b.queues) == set(a.queues) and set(b.templates) == set(a.templates)
