"""Fault injection: per path, switchable at run time, deterministic; request statistics."""

from __future__ import annotations

import time

import requests


def control(emu, method, path, **kw):
    response = requests.request(method, f"{emu.url}/_emulator/{path}", timeout=10, **kw)
    assert response.status_code == 200, response.text
    return response.json()


def test_error_rate_on_one_path_and_switch_off(api, emu):
    control(emu, "POST", "faults", json={"path": r"/jobs$", "error_rate": 1.0, "error_statuses": [503]})
    assert api.get("{p}/jobs").status_code == 503
    assert api.get("{p}/job_templates").status_code == 200
    assert control(emu, "GET", "faults")["rules"][0]["injected"] == 1
    control(emu, "DELETE", "faults")
    assert api.get("{p}/jobs").status_code == 200


def test_statuses_are_500_502_503(api, emu):
    control(emu, "POST", "faults", json={"rules": [{"path": "^/v1.0/", "error_rate": 1.0}], "seed": 7})
    seen = {api.get("{p}/jobs").status_code for _ in range(30)}
    assert seen == {500, 502, 503}
    body = api.get("{p}/jobs")
    assert body.status_code in (500, 502, 503)


def test_throttling_has_retry_after(api, emu):
    control(emu, "POST", "faults", json={"throttle_rate": 1.0, "retry_after": 3, "methods": ["GET"]})
    response = api.get("{p}/jobs")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    assert api.post("{p}/job_template", json={"name": "t"}).status_code == 200


def test_truncated_and_non_json_bodies(api, emu):
    control(emu, "POST", "faults", json={"path": "/jobs", "truncate_rate": 1.0})
    response = api.get("{p}/jobs")
    assert response.status_code == 200
    try:
        response.json()
        raise AssertionError("a truncated body must not parse")
    except ValueError:
        pass
    control(emu, "POST", "faults", json={"path": "/jobs", "non_json_rate": 1.0})
    response = api.get("{p}/jobs")
    assert response.headers["Content-Type"].startswith("text/html")


def test_latency(api, emu):
    control(emu, "POST", "faults", json={"path": "/job_templates", "latency_ms": 300})
    start = time.monotonic()
    api.get("{p}/job_templates")
    assert time.monotonic() - start >= 0.3
    start = time.monotonic()
    api.get("{p}/jobs")
    assert time.monotonic() - start < 0.3


def test_times_limits_a_rule_and_rules_add_up(api, emu):
    control(emu, "POST", "faults", json={"rules": [{"path": "/jobs", "error_rate": 1.0, "times": 2}]})
    control(
        emu,
        "POST",
        "faults",
        json={"add": {"path": "/job_templates", "error_rate": 1.0, "error_statuses": [502]}},
    )
    assert [api.get("{p}/jobs").status_code >= 500 for _ in range(3)] == [True, True, False]
    assert api.get("{p}/job_templates").status_code == 502


def test_faults_are_deterministic_with_a_seed(api, emu):
    def run():
        control(emu, "POST", "faults", json={"path": "/jobs$", "error_rate": 0.5, "seed": 42})
        return [api.get("{p}/jobs").status_code for _ in range(20)]

    first = run()
    assert run() == first
    assert 0 < sum(code != 200 for code in first) < 20


def test_control_paths_are_never_faulted(emu):
    control(emu, "POST", "faults", json={"error_rate": 1.0})
    assert control(emu, "GET", "state")["seed"] == "empty"


def test_bad_fault_config_is_400(emu):
    response = requests.post(f"{emu.url}/_emulator/faults", json={"error_rate": 2}, timeout=10)
    assert response.status_code == 400
    response = requests.post(
        f"{emu.url}/_emulator/faults", json={"bogus": 1, "rules": [{"bogus": 1}]}, timeout=10
    )
    assert response.status_code == 400


def test_stats_count_requests_per_operation(api, emu):
    control(emu, "POST", "stats/reset")
    for _ in range(3):
        api.get("{p}/jobs")
    api.post("{p}/jobs/metrics", json={"job_ids": []})
    stats = control(emu, "GET", "stats")
    ops = stats["by_operation"]
    assert ops["GET /v1.0/{project_id}/jobs"] == 3
    assert ops["POST /v1.0/{project_id}/jobs/metrics"] == 1
    assert stats["by_path"][f"GET /v1.0/{emu.account.project_id}/jobs"] == 3
    assert stats["total"] == 5  # the token request counts too
    control(emu, "POST", "stats/reset")
    assert control(emu, "GET", "stats")["total"] == 0
