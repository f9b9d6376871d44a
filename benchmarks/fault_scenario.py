"""The CS fault scenario, shared by the test suite (short) and ``make bench`` (the full figures).

CS misbehaves for a while — a share of 5xx answers, added latency, 429 bursts with ``Retry-After``,
tokens that expire every minute, truncated bodies — while other users of the tenant keep acting on
it and the poller keeps polling. Then CS is healthy again. The scenario counts what the dashboard lost
or duplicated against CS's own answers once healthy, and how long it took to be current again.

Needs Django set up and the database ready; ``server`` is a running ``EmulatorServer``.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

import csapi
from csapi.vocab import job_status
from dashboard.jobs.models import AuditTrace, Job, MetricSample
from dashboard.polling.services import _ts, audit_key, sync_all
from dashboard.teams.cs import client_for
from dashboard.teams.models import Credential


@dataclass
class FaultReport:
    cycles: int = 0
    syncs: int = 0
    failed_syncs: int = 0
    actions: int = 0
    pages: int = 0
    pages_ok: int = 0
    pages_stale_shown: int = 0
    pages_stale_expected: int = 0
    lost: int = 0
    duplicated: int = 0
    recovery: float = 0.0
    details: dict = field(default_factory=dict)


def fault_rules(
    *, error_rate: float, latency_ms: float, throttle_rate: float, truncate_rate: float, token_lifetime: float
) -> dict:
    return {
        "rules": [
            {"path": "/v1.0/", "latency_ms": latency_ms},
            {"path": "/v1.0/", "error_rate": error_rate, "error_statuses": [500, 502, 503]},
            {"path": "/v1.0/", "throttle_rate": throttle_rate, "retry_after": 1},
            {"path": "/v1.0/", "truncate_rate": truncate_rate},
        ],
        "token_lifetime": token_lifetime,
        "seed": 7,
    }


def _act(client: csapi.CSClient, rng: random.Random) -> bool:
    """One action by another user of the tenant (it writes an audit trace when CS accepts it)."""
    jobs = [j for j in client.jobs.iter(page_size=100)]
    job = rng.choice(jobs)
    group = job_status(job.get("status")).group
    try:
        if group == "running":
            client.jobs.stop(job["job_id"])
        else:
            client.jobs.run(job["job_id"])
        return True
    except csapi.CSError:
        return False


def run_scenario(
    server,
    credential: Credential,
    *,
    fault_seconds: float,
    min_cycles: int = 1,
    error_rate: float = 0.3,
    latency_ms: float = 2000,
    throttle_rate: float = 0.1,
    truncate_rate: float = 0.05,
    token_lifetime: float = 60,
    clock_step: float = 30,
    get_page: Callable[[], tuple[int, str]] | None = None,
    page_kinds: tuple[str, ...] = ("jobs",),
) -> FaultReport:
    report = FaultReport()
    rng = random.Random(11)
    server.clock.set_speed(0)  # emulated time moves only by clock_step, so CS's answers can be compared
    assert all(r.ok for r in sync_all(credential.id).values()), "the scenario starts from a healthy state"
    actor = csapi.CSClient(
        server.url,
        credential.project_id,
        client_for(credential).auth,
        retries=3,
        outbound=client_for(credential).outbound,
    )

    server.faults.configure(
        fault_rules(
            error_rate=error_rate,
            latency_ms=latency_ms,
            throttle_rate=throttle_rate,
            truncate_rate=truncate_rate,
            token_lifetime=token_lifetime,
        )
    )
    started = time.monotonic()
    while time.monotonic() - started < fault_seconds or report.cycles < min_cycles:
        server.clock.advance(clock_step)
        for _ in range(2):
            server.clock.advance(1)  # two actions are never at the same instant
            try:
                report.actions += _act(actor, rng)
            except csapi.CSError:
                pass
        results = sync_all(credential.id)
        report.cycles += 1
        report.syncs += len(results)
        report.failed_syncs += sum(not r.ok for r in results.values())
        if get_page is not None:
            status, body = get_page()
            report.pages += 1
            report.pages_ok += status == 200
            report.pages_stale_shown += 'class="stale"' in body
            report.pages_stale_expected += any(not results[k].ok for k in page_kinds if k in results)
    server.faults.clear()
    server.faults.configure({"token_lifetime": None})

    # Healthy again: one poll cycle must bring everything up to date.
    recovery_started = time.monotonic()
    results = sync_all(credential.id)
    report.recovery = time.monotonic() - recovery_started
    assert all(r.ok for r in results.values()), results

    with client_for(credential) as truth:
        cs_jobs = {j["job_id"]: j.get("status") for j in truth.jobs.iter(page_size=100)}
        # Traces older than the retention period are pruned by design: they are not expected.
        kept_from = timezone.now() - timedelta(days=settings.POLL_RETENTION_DAYS)
        cs_traces = Counter(
            audit_key(t) for t in truth.audit_logs.iter() if (_ts(t.get("op_time")) or kept_from) >= kept_from
        )
    db_jobs = dict(
        Job.objects.filter(credential=credential, deleted_at__isnull=True).values_list("job_id", "status")
    )
    db_traces = Counter(AuditTrace.objects.filter(credential=credential).values_list("key", flat=True))
    samples = Counter(
        MetricSample.objects.filter(job__credential=credential).values_list("job_id", "sampled_at")
    )

    missing_jobs = set(cs_jobs) - set(db_jobs)
    wrong_status = {j for j in cs_jobs if j in db_jobs and db_jobs[j] != cs_jobs[j]}
    missing_traces = sum((cs_traces - db_traces).values())
    report.lost = len(missing_jobs) + len(wrong_status) + missing_traces
    report.duplicated = (
        sum(n - 1 for n in db_traces.values() if n > 1)
        + sum(max(0, db_traces[k] - cs_traces[k]) for k in db_traces if k in cs_traces)
        + sum(n - 1 for n in samples.values() if n > 1)
        + len(set(db_jobs) - set(cs_jobs))
    )
    identical = sum(n - 1 for n in cs_traces.values() if n > 1)
    report.details = {
        "identical_in_cs": identical,
        "missing_jobs": len(missing_jobs),
        "wrong_status": len(wrong_status),
        "missing_traces": missing_traces,
        "traces": sum(cs_traces.values()),
        "jobs": len(cs_jobs),
        "samples": sum(samples.values()),
    }
    return report
