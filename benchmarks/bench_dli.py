"""Listing a DLI project of 20,000 Flink jobs: requests against their floor, and the client's overhead.

The emulator (``--seed scale:20000``) runs in its own process, as DLI would. The dashboard's
``DLIClient`` lists every job lazily at DLI's largest page size (100); the floor is ceil(20,000 / 100)
list requests, counted by the emulator. The overhead compares the client's page call (SDK call plus
guard, retry wrapper, checks and the mapping into the dashboard's results) with the raw SDK call
(``DliClient.list_flink_jobs``) for the same pages, against the same emulator, in the same run.

BENCH lines: dli.list.requests (with .floor and .ratio) and dli.client.overhead (s, with .floor = the
raw SDK's time and .ratio).
"""

from __future__ import annotations

import math
import subprocess
import sys
import time

import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkdli.v1 import DliClient
from huaweicloudsdkdli.v1.model import ListFlinkJobsRequest

from benchmarks._stack import ROOT, free_port, wait_http
from csapi.auth import AKSKAuth
from csapi.dli import DLIClient
from csapi.dli.limits import LIST_LIMIT_MAX
from csapi.emulator.seed import DEMO_TENANTS
from csapi.emulator.testing import LOCAL_POLICY

JOBS = 20_000
ROUNDS = 7
LIST_OP = "GET /v1.0/{project_id}/streaming/jobs"


def _stats(url: str) -> dict:
    return requests.get(f"{url}/_emulator/stats", timeout=10).json()


def run(report) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "csapi.emulator",
            "--port",
            str(port),
            "--seed",
            f"scale:{JOBS}",
            "--speed",
            "0",
            "--quiet",
            "--control",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_http(f"{url}/versions", timeout=120)
        tenant = DEMO_TENANTS[0]
        client = DLIClient(url, tenant.project_id, AKSKAuth(tenant.ak, tenant.sk), outbound=LOCAL_POLICY)
        sdk = (
            DliClient.new_builder()
            .with_credentials(BasicCredentials(tenant.ak, tenant.sk, tenant.project_id))
            .with_endpoint(url)
            .build()
        )

        requests.post(f"{url}/_emulator/stats/reset", timeout=10)
        listed = sum(1 for _ in client.jobs.iter(page_size=LIST_LIMIT_MAX))
        sent = _stats(url)["by_operation"].get(LIST_OP, 0)
        if listed != JOBS:
            raise RuntimeError(f"listed {listed} jobs of {JOBS}")
        floor = math.ceil(JOBS / LIST_LIMIT_MAX)
        report("dli.list.requests", sent, "requests", floor=floor)

        offsets = range(0, JOBS, LIST_LIMIT_MAX)

        def raw_pass() -> float:
            started = time.perf_counter()
            for offset in offsets:
                sdk.list_flink_jobs(ListFlinkJobsRequest(offset=offset, limit=LIST_LIMIT_MAX))
            return time.perf_counter() - started

        def client_pass() -> float:
            started = time.perf_counter()
            for offset in offsets:
                client.jobs.list(offset=offset, limit=LIST_LIMIT_MAX)
            return time.perf_counter() - started

        raw_times, client_times = [], []
        for _ in range(ROUNDS):  # interleaved, best of each: the same emulator state and machine load
            raw_times.append(raw_pass())
            client_times.append(client_pass())
        report("dli.client.overhead", min(client_times), "s", floor=min(raw_times))
        client.close()
        sdk.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
