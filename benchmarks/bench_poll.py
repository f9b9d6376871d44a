"""Poll cost: CS requests, SQL statements per page, steady-state time and sync rates at scale.

The CS emulator runs in its own process, seeded ``scale:20000:20`` (20,000 jobs over 20 projects),
with its clock frozen so that nothing changes between two syncs unless the benchmark changes it.
The database is a temporary SQLite file unless DATABASE_URL is set (the benchmark's rows are removed
afterwards), e.g. ``DATABASE_URL=postgres://... python -m benchmarks poll``.

Figures (``BENCH`` lines):
- ``poll.jobs.requests``: job list calls of one full sync of every credential (floor: pages needed);
- ``poll.metrics.requests``: ``jobs/metrics`` calls for the running jobs (floor: batches needed);
- ``poll.page.sql_statements``: SQL statements per page of jobs on a first sync (and ``.steady``);
- ``poll.steady``: seconds of a sync of every credential when nothing changed (floor: fetching and
  parsing the same pages the way the sync reads them, with no database work); ``poll.steady.written``:
  rows those syncs wrote (0: an unchanged job costs its fingerprint, no write);
- ``poll.first_sync.rate`` and ``poll.changed10.rate``: jobs per second of a first sync, and of a
  sync after 10% of the jobs changed status (``poll.first_sync`` and ``poll.changed10``: the same in
  seconds against that floor, which bounds the rates from above);
- ``poll.worker.peak_rss``: peak resident memory of this (worker-like) process, MB.

The same seed gives every project as many DLI Flink jobs (20,000 over the 20 projects), polled through
a DLI credential per project (``service="dli"``, Huawei's SDK under ``csapi.dli``):
- ``poll.dli.jobs.requests``: D5 list calls of one full sync of every DLI credential (floor: the pages
  needed at DLI's largest page, ceil(jobs / 100) per project; ratio 1);
- ``poll.dli.page.sql_statements`` (and ``.steady``): SQL statements per page of DLI jobs;
- ``poll.dli.steady``: seconds of a sync of every DLI credential when nothing changed (floor: fetching
  and parsing the same pages through the same client, with no database work; ratio at most 1.5);
  ``poll.dli.steady.written``: rows those syncs wrote (0);
- ``poll.dli.first_sync.rate``: DLI jobs per second of a first sync (``poll.dli.first_sync``: seconds
  against the same floor);
- ``poll.dli.metrics.requests``: D12 calls for the running DLI jobs (floor: batches of 100 needed).
"""

from __future__ import annotations

import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from benchmarks._django import setup_django
from benchmarks._stack import free_port
from csapi import vocab

JOBS = int(os.environ.get("BENCH_POLL_JOBS", "20000"))
TENANTS = int(os.environ.get("BENCH_POLL_TENANTS", "20"))
ROOT = Path(__file__).resolve().parent.parent


def _start_emulator(tmp: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = open(Path(tmp) / "emulator.log", "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "csapi.emulator",
            "--port",
            str(port),
            "--seed",
            f"scale:{JOBS}:{TENANTS}",
            "--quiet",
            "--control",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/_emulator/state", timeout=2).raise_for_status()
            break
        except requests.RequestException:
            if proc.poll() is not None:
                raise RuntimeError("the emulator did not start") from None
            time.sleep(0.2)
    requests.post(f"{url}/_emulator/clock", json={"speed": 0}, timeout=10).raise_for_status()
    return proc, url


def _stats(url: str) -> dict:
    return requests.get(f"{url}/_emulator/stats", timeout=10).json()["by_operation"]


def _reset_stats(url: str) -> None:
    requests.post(f"{url}/_emulator/stats/reset", timeout=10).raise_for_status()


def run(report) -> None:
    tmp = tempfile.mkdtemp(prefix="bench-poll-")
    proc = None
    team = None
    try:
        setup_django(tmp)
        from django.conf import settings
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from csapi.emulator.seed import scale_tenant
        from dashboard.jobs.models import Job
        from dashboard.polling import services
        from dashboard.teams.models import AuthType, Credential, Team

        proc, url = _start_emulator(tmp)
        # The emulator listens on a loopback port chosen here: the one endpoint this process may call
        # although it is neither https nor public (csapi.netguard).
        settings.OUTBOUND_ALLOWED_HOSTS = [*settings.OUTBOUND_ALLOWED_HOSTS, url.split("://", 1)[1]]
        team = Team.objects.create(name=f"bench-{os.getpid()}", slug=f"bench-{os.getpid()}")
        credentials = []
        for n in range(1, TENANTS + 1):
            tenant = scale_tenant(n)
            credential = Credential(
                team=team,
                name=f"scale-{n:02d}",
                region="cn-north-1",
                project_id=tenant.project_id,
                cs_endpoint=url,
                iam_endpoint=url,
                vpc_endpoint=url,
                auth_type=AuthType.AKSK,
                access_key=tenant.ak,
            )
            credential.set_secret(tenant.sk)
            credential.save()
            credentials.append(credential)
        page_size = settings.POLL_PAGE_SIZE
        clients = {c.pk: services._client(c) for c in credentials}

        # ---- first sync (SQL statements per page measured on the first credential)
        _reset_stats(url)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as first_queries:
            services.sync_jobs(credentials[0], client=clients[credentials[0].pk])
        for c in credentials[1:]:
            services.sync_jobs(c, client=clients[c.pk])
        first_seconds = time.perf_counter() - started
        total_jobs = Job.objects.filter(team=team).count()
        per_credential = [Job.objects.filter(credential=c).count() for c in credentials]
        jobs_requests = _stats(url).get("GET /v1.0/{project_id}/jobs", 0)
        jobs_floor = sum(max(1, math.ceil(n / page_size)) for n in per_credential)
        first_pages = max(1, math.ceil(per_credential[0] / page_size))

        def job_statements(ctx) -> int:
            return sum(1 for q in ctx.captured_queries if '"jobs_job' in q["sql"])

        # ---- metrics of the running jobs
        _reset_stats(url)
        for c in credentials:
            services.sync_metrics(c, client=clients[c.pk])
        metrics_requests = _stats(url).get("POST /v1.0/{project_id}/jobs/metrics", 0)
        running = [Job.objects.filter(credential=c, status=vocab.JOB_RUNNING).count() for c in credentials]
        metrics_floor = sum(math.ceil(n / settings.POLL_METRICS_BATCH) for n in running)

        # ---- steady state against its floor (best of three each, interleaved)
        def floor_pass() -> float:
            t0 = time.perf_counter()
            for c in credentials:
                for _page in services.job_pages(clients[c.pk], page_size).pages():
                    pass
            return time.perf_counter() - t0

        steady_written = []

        def steady_pass() -> float:
            t0 = time.perf_counter()
            written = sum(services.sync_jobs(c, client=clients[c.pk]).written for c in credentials)
            elapsed = time.perf_counter() - t0
            steady_written.append(written)
            return elapsed

        floors, steadies = [], []
        for _ in range(3):
            floors.append(floor_pass())
            steadies.append(steady_pass())
        with CaptureQueriesContext(connection) as steady_queries:
            services.sync_jobs(credentials[0], client=clients[credentials[0].pk])

        # ---- 10% of the jobs change status (stopped), then one sync of everything
        changed_target = total_jobs // 10
        stop_ids: list[tuple[int, list[int]]] = []
        left = changed_target
        for c in credentials:
            ids = list(
                Job.objects.filter(credential=c, status=vocab.JOB_RUNNING)
                .order_by("job_id")
                .values_list("job_id", flat=True)[: math.ceil(changed_target / len(credentials))]
            )[: max(0, left)]
            left -= len(ids)
            stop_ids.append((c.pk, ids))
        for pk, ids in stop_ids:
            for start in range(0, len(ids), 50):
                clients[pk].jobs.stop_batch(ids[start : start + 50])
        requests.post(f"{url}/_emulator/clock", json={"advance": 120}, timeout=10).raise_for_status()
        started = time.perf_counter()
        for c in credentials:
            services.sync_jobs(c, client=clients[c.pk])
        changed_seconds = time.perf_counter() - started
        stopped = Job.objects.filter(team=team, job_id__in=[j for _pk, ids in stop_ids for j in ids])
        changed = stopped.exclude(status=vocab.JOB_RUNNING).count()

        report("poll.jobs.requests", jobs_requests, "requests", floor=jobs_floor)
        report("poll.metrics.requests", metrics_requests, "requests", floor=metrics_floor)
        report("poll.page.sql_statements", job_statements(first_queries) / first_pages, "statements")
        report("poll.page.sql_statements.steady", job_statements(steady_queries) / first_pages, "statements")
        report("poll.steady", min(steadies), "s", floor=min(floors))
        report("poll.steady.written", max(steady_written), "rows")
        report("poll.first_sync.rate", total_jobs / first_seconds, "jobs/s")
        report("poll.first_sync", first_seconds, "s", floor=min(floors))
        report("poll.changed10.rate", total_jobs / changed_seconds, "jobs/s")
        report("poll.changed10", changed_seconds, "s", floor=min(floors))
        report("poll.changed10.changed", changed, "jobs")
        for client in clients.values():
            client.close()
        _dli(report, url, team)
        report("poll.worker.peak_rss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MB")
    finally:
        if team is not None:
            try:
                team.delete()
            except Exception as exc:  # the figures are printed already; leave the rows
                print(f"   (cleanup failed: {exc!r})", flush=True)
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


DLI_LIST_OP = "GET /v1.0/{project_id}/streaming/jobs"
DLI_METRICS_OP = "POST /v1.0/{project_id}/streaming/jobs/metrics"


def _dli(report, url: str, team) -> None:
    """The DLI figures: the same projects' DLI Flink jobs, through one DLI credential per project."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from csapi.dli import limits as dli_limits
    from csapi.emulator.seed import scale_tenant
    from dashboard.jobs.models import Job
    from dashboard.polling.clients import client as client_of
    from dashboard.polling.kinds.jobs import dli_job_pages, sync_jobs
    from dashboard.polling.kinds.metrics import sync_metrics
    from dashboard.teams.models import AuthType, Credential, Service

    credentials = []
    for n in range(1, TENANTS + 1):
        tenant = scale_tenant(n)
        credential = Credential(
            team=team,
            name=f"scale-dli-{n:02d}",
            service=Service.DLI,
            region="cn-north-1",
            project_id=tenant.project_id,
            dli_endpoint=url,
            iam_endpoint=url,
            auth_type=AuthType.AKSK,
            access_key=tenant.ak,
        )
        credential.set_secret(tenant.sk)
        credential.save()
        credentials.append(credential)
    page_size = dli_limits.list_page_size(settings.POLL_PAGE_SIZE)
    clients = {c.pk: client_of(c) for c in credentials}
    try:
        # ---- first sync (SQL statements per page measured on the first credential)
        _reset_stats(url)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as first_queries:
            sync_jobs(credentials[0], client=clients[credentials[0].pk])
        for c in credentials[1:]:
            sync_jobs(c, client=clients[c.pk])
        first_seconds = time.perf_counter() - started
        per_credential = [Job.objects.filter(credential=c).count() for c in credentials]
        total_jobs = sum(per_credential)
        requests_sent = _stats(url).get(DLI_LIST_OP, 0)
        floor_requests = sum(max(1, math.ceil(n / dli_limits.LIST_LIMIT_MAX)) for n in per_credential)
        first_pages = max(1, math.ceil(per_credential[0] / page_size))

        def job_statements(ctx) -> int:
            return sum(1 for q in ctx.captured_queries if '"jobs_job' in q["sql"])

        # ---- metrics of the running jobs
        _reset_stats(url)
        for c in credentials:
            sync_metrics(c, client=clients[c.pk])
        metrics_requests = _stats(url).get(DLI_METRICS_OP, 0)
        running = [
            Job.objects.filter(credential=c, status__in=vocab.RUNNING_STATUSES).count() for c in credentials
        ]
        metrics_floor = sum(math.ceil(n / dli_limits.BATCH_MAX) for n in running)

        # ---- steady state against its floor (best of three each, interleaved)
        def floor_pass() -> float:
            t0 = time.perf_counter()
            for c in credentials:
                for _page in dli_job_pages(clients[c.pk], page_size).pages():
                    pass
            return time.perf_counter() - t0

        steady_written = []

        def steady_pass() -> float:
            t0 = time.perf_counter()
            written = sum(sync_jobs(c, client=clients[c.pk]).written for c in credentials)
            elapsed = time.perf_counter() - t0
            steady_written.append(written)
            return elapsed

        floors, steadies = [], []
        for _ in range(3):
            floors.append(floor_pass())
            steadies.append(steady_pass())
        _reset_stats(url)
        with CaptureQueriesContext(connection) as steady_queries:
            sync_jobs(credentials[0], client=clients[credentials[0].pk])
        steady_requests = _stats(url).get(DLI_LIST_OP, 0)

        report("poll.dli.jobs.requests", requests_sent, "requests", floor=floor_requests)
        report(
            "poll.dli.jobs.steady.requests",
            steady_requests,
            "requests",
            floor=max(1, math.ceil(per_credential[0] / dli_limits.LIST_LIMIT_MAX)),
        )
        report("poll.dli.metrics.requests", metrics_requests, "requests", floor=metrics_floor)
        report("poll.dli.page.sql_statements", job_statements(first_queries) / first_pages, "statements")
        report(
            "poll.dli.page.sql_statements.steady", job_statements(steady_queries) / first_pages, "statements"
        )
        report("poll.dli.steady", min(steadies), "s", floor=min(floors))
        report("poll.dli.steady.written", max(steady_written), "rows")
        report("poll.dli.first_sync.rate", total_jobs / first_seconds, "jobs/s")
        report("poll.dli.first_sync", first_seconds, "s", floor=min(floors))
        report("poll.dli.jobs", total_jobs, "jobs")
    finally:
        for client in clients.values():
            client.close()
