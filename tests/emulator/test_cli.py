"""The command line: serves, prints the logins, saves and reloads state with --state."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import requests

from csapi.emulator.seed import DEMO_TENANTS

from .helpers import Api


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(*args: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "csapi.emulator", "--port", str(port), "--quiet", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/versions", timeout=1)
            return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError(proc.communicate()[0])


def stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    out, _ = proc.communicate(timeout=20)
    return out


def test_cli_serves_with_account_flags_and_state(tmp_path):
    state = tmp_path / "state.json"
    proc, url = start(
        "--seed",
        "empty",
        "--state",
        str(state),
        "--domain",
        "mydomain",
        "--user",
        "me",
        "--password",
        "Secret#123",
        "--project-id",
        "p-123",
        "--ak",
        "MYAK0000000000000001",
        "--sk",
        "mysk",
        "--speed",
        "0",
        "--control",
    )
    try:
        tenants = requests.get(f"{url}/_emulator/tenants", timeout=5).json()["tenants"]
        tenant = type(DEMO_TENANTS[0])(**tenants[0])
        assert tenant.domain == "mydomain" and tenant.project_id == "p-123"
        api = Api(url, tenant, "token")
        api.ok("POST", "{p}/job_template", json={"name": "kept"})
        aksk = Api(url, tenant, "aksk")
        assert aksk.ok("GET", "{p}/job_templates")["payload"]["total"] == 1
    finally:
        out = stop(proc)
    assert "mydomain" in out and "p-123" in out
    assert "Secret#123" not in out and "mysk" not in out  # where to find them, never the secrets
    assert state.stat().st_mode & 0o777 == 0o600
    saved = json.loads(state.read_text())
    assert saved["projects"][0]["templates"][0]["name"] == "kept"
    proc, url = start("--state", str(state))
    try:
        api = Api(url, tenant, "aksk")
        assert api.ok("GET", "{p}/job_templates")["payload"]["templates"][0]["name"] == "kept"
    finally:
        stop(proc)


def test_cli_demo_prints_both_tenants():
    proc, url = start("--error-rate", "1.0", "--fault-path", "/jobs$")
    try:
        api = Api(url, DEMO_TENANTS[0], "aksk")
        assert api.get("{p}/jobs").status_code in (500, 502, 503)
        assert api.get("{p}/job_templates").status_code == 200
    finally:
        out = stop(proc)
    for tenant in DEMO_TENANTS:
        assert tenant.project_id in out and tenant.ak in out
        assert tenant.password not in out and tenant.sk not in out


def test_control_api_is_off_unless_asked_for():
    proc, url = start("--seed", "demo")
    try:
        for method, path in (("GET", "tenants"), ("POST", "reset"), ("GET", "state"), ("POST", "faults")):
            answer = requests.request(method, f"{url}/_emulator/{path}", json={}, timeout=5)
            assert answer.status_code == 404, path
            assert "password" not in answer.text
        # the CS API itself still answers
        assert Api(url, DEMO_TENANTS[0], "aksk").get("{p}/jobs").status_code == 200
    finally:
        out = stop(proc)
    assert "control API: off" in out
