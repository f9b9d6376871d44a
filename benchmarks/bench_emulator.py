"""The emulator's throughput on the jobs list (100 jobs per page, with details) and on metrics calls,
with 20,000 jobs, against a trivial WSGI app serving the same bytes on the same server stack.

BENCH lines: emulator.jobs_list and emulator.metrics (req/s, each with .floor and .ratio).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from benchmarks._stack import ROOT, free_port, wait_http

SECONDS = float(os.environ.get("EMULATOR_BENCH_SECONDS", "8"))
CLIENTS = 8

SERVER = r"""
import json, sys
from werkzeug.serving import WSGIRequestHandler, make_server

class Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass

mode, port = sys.argv[1], int(sys.argv[2])
if mode == "emulator":
    from csapi.emulator.app import Emulator
    app = Emulator(seed="scale:20000")
else:
    bodies = json.load(open(sys.argv[3]))
    encoded = {path: body.encode() for path, body in bodies.items()}
    def app(environ, start_response):
        body = encoded.get(environ["PATH_INFO"], b"{}")
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]
make_server("127.0.0.1", port, app, threaded=True, request_handler=Quiet).serve_forever()
"""


def _serve(args: list[str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, args[0], str(port), *args[1:]],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/")
    return proc, url


def _rate(send) -> float:
    """Requests per second from CLIENTS threads for SECONDS."""
    counts = [0] * CLIENTS
    stop = time.monotonic() + SECONDS

    def loop(n: int) -> None:
        session = requests.Session()
        while time.monotonic() < stop:
            response = send(session)
            response.raise_for_status()
            counts[n] += 1

    threads = [threading.Thread(target=loop, args=(n,)) for n in range(CLIENTS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - started)


def run(report) -> None:
    from csapi.emulator.seed import DEMO_TENANTS

    tenant = DEMO_TENANTS[0]
    emulator, url = _serve(["emulator"])
    try:
        answer = requests.post(
            f"{url}/v3/auth/tokens",
            json={
                "auth": {
                    "identity": {
                        "methods": ["password"],
                        "password": {
                            "user": {
                                "name": tenant.user,
                                "password": tenant.password,
                                "domain": {"name": tenant.domain},
                            }
                        },
                    },
                    "scope": {"project": {"id": tenant.project_id}},
                }
            },
            timeout=10,
        )
        answer.raise_for_status()
        headers = {"X-Auth-Token": answer.headers["X-Subject-Token"]}
        jobs_path = f"/v1.0/{tenant.project_id}/jobs"
        metrics_path = f"/v1.0/{tenant.project_id}/jobs/metrics"
        page = requests.get(
            url + jobs_path, params={"show_detail": "true", "limit": 100}, headers=headers, timeout=10
        )
        job_ids = [job["job_id"] for job in page.json()["payload"]["jobs"]][:100]
        metrics = requests.post(url + metrics_path, json={"job_ids": job_ids}, headers=headers, timeout=10)
        assert len(job_ids) == 100 and metrics.ok

        def jobs(session):
            return session.get(url + jobs_path, params={"show_detail": "true", "limit": 100}, headers=headers)

        def metric_calls(session):
            return session.post(url + metrics_path, json={"job_ids": job_ids}, headers=headers)

        jobs_rate, metrics_rate = _rate(jobs), _rate(metric_calls)
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        import json

        json.dump({jobs_path: page.text, metrics_path: metrics.text}, fh)
        bodies = Path(fh.name)
    trivial, turl = _serve(["trivial", str(bodies)])
    try:
        floor_jobs = _rate(
            lambda s: s.get(turl + jobs_path, params={"show_detail": "true", "limit": 100}, headers=headers)
        )
        floor_metrics = _rate(
            lambda s: s.post(turl + metrics_path, json={"job_ids": job_ids}, headers=headers)
        )
    finally:
        trivial.terminate()
        trivial.wait(timeout=10)
        bodies.unlink()
    print(f"   jobs page: {len(page.content)} bytes; metrics answer: {len(metrics.content)} bytes")
    report("emulator.jobs_list", jobs_rate, "req/s", floor=floor_jobs)
    report("emulator.metrics", metrics_rate, "req/s", floor=floor_metrics)
