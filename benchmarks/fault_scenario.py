"""The CS fault scenario, shared by the test suite (short) and ``make bench`` (the full figures).

CS misbehaves for a while — a share of 5xx answers, added latency, 429 bursts with ``Retry-After``,
tokens that expire every minute, truncated bodies — while other users of the tenant keep acting on
it and the poller keeps polling. Then CS is healthy again. The scenario counts what the dashboard lost
or duplicated against CS's own answers once healthy, and how long it took to be current again.

:func:`run_dli_scenario` does the same for DLI, one fault flag at a time on DLI's Flink job paths,
while the team acts on its DLI jobs through the API and the pages: no 500, every refusal readable,
reads up, and everything works once DLI is healthy.

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


# ------------------------------------------------------------------------------------------ DLI

#: The emulator's fault flags, one at a time, on DLI's Flink job paths (DLI's IAM token call aside).
DLI_FAULTS: dict[str, dict] = {
    "5xx": {"error_rate": 1.0, "error_statuses": [500, 502, 503]},
    "429": {"throttle_rate": 1.0, "retry_after": 1},
    "truncated": {"truncate_rate": 1.0},
    "non_json": {"non_json_rate": 1.0},
    "slow_and_flaky": {"latency_ms": 300, "error_rate": 0.5},
}


@dataclass
class DLIFaultReport:
    """What the dashboard answered while DLI misbehaved: no 500, every refusal readable, reads up."""

    faults: int = 0
    writes: int = 0
    writes_accepted: int = 0
    writes_refused: int = 0
    server_errors: int = 0
    unreadable: int = 0
    reads: int = 0
    reads_ok: int = 0
    recovered: bool = False
    problems: list = field(default_factory=list)


def _readable(status: int, text: str, api: bool) -> bool:
    """An API refusal in the one error shape with a sentence for people (no traceback, no bare code)."""
    if not api or status < 400:
        return True
    import json

    try:
        body = json.loads(text)
    except ValueError:
        return False
    message = str(body.get("message") or "")
    detail = body.get("detail") or {}
    sentences = (
        [message, *(m for ms in detail.values() for m in ms)] if isinstance(detail, dict) else [message]
    )
    return len(message) > 10 and "Traceback" not in text and all(len(str(m)) > 10 for m in sentences)


def run_dli_scenario(
    server,
    credential: Credential,
    *,
    api: Callable[[str, str, dict | None], tuple[int, str]],
    page: Callable[..., tuple[int, str]],
    running_job: Job,
    draft_job: Job,
    faults: dict[str, dict] | None = None,
) -> DLIFaultReport:
    """Each fault flag on DLI's paths in turn, while the team acts on its DLI jobs through the API (create,
    update, run, stop, savepoint, batch run) and reads its DLI pages and endpoints; then DLI is healthy
    and the same actions work again.

    ``api(method, path, body)`` and ``page(path, data=None)`` (a POST when ``data`` is given) make a
    request as a member who may act (operator or lead) and return (status, body text). The jobs are the credential's (a running one and a draft).
    """
    from django.urls import reverse

    report = DLIFaultReport()
    team = credential.team.slug
    jobs = f"/api/v1/teams/{team}/jobs/"
    running = f"{jobs}{credential.public_id}/{running_job.job_id}/"
    draft = f"{jobs}{credential.public_id}/{draft_job.job_id}/"
    queue = running_job.queue_name
    reads = [
        (True, f"{jobs}?service=dli"),
        (True, running),
        (True, draft + "status-history/"),
        (False, reverse("job_list", kwargs={"team": team}) + "?service=dli"),
        (
            False,
            reverse(
                "job_detail",
                kwargs={"team": team, "credential": credential.public_id, "job_id": running_job.job_id},
            ),
        ),
    ]

    def new_job(tag: str) -> dict:
        return {
            "credential": str(credential.public_id),
            "name": f"fault_{tag}",
            "queue_name": queue,
            "sql_body": "INSERT INTO sink SELECT * FROM source;",
        }

    def writes(tag: str) -> list[tuple[str, str, dict | None]]:
        return [
            (
                "POST",
                jobs + "sql/",
                {"credential": str(credential.public_id), "name": f"fault_{tag}", "queue_name": queue},
            ),
            ("PATCH", draft + "sql/", {"desc": f"under {tag}"}),
            ("POST", draft + "run/", {}),
            ("POST", f"{jobs}run/", {"jobs": [f"{credential.public_id}:{draft_job.job_id}"]}),
            ("POST", running + "savepoint/", {"savepoint_path": f"obs://fault-bucket/{tag}/"}),
            ("POST", running + "stop/", {}),
        ]

    def check(method: str, path: str, status: int, text: str, is_api: bool) -> None:
        if status >= 500 and status not in (502, 503):
            report.server_errors += 1
            report.problems.append(f"{method} {path} -> {status}")
        elif not _readable(status, text, is_api):
            report.unreadable += 1
            report.problems.append(f"{method} {path} -> {status}: {text[:200]}")

    for tag, rule in (faults or DLI_FAULTS).items():
        server.faults.configure({"rules": [{"path": "/streaming/", **rule}], "seed": 7})
        report.faults += 1
        for method, path, body in writes(tag):
            status, text = api(method, path, body)
            report.writes += 1
            report.writes_accepted += status < 400
            report.writes_refused += status >= 400
            check(method, path, status, text, True)
        job_page = {"team": team, "credential": credential.public_id, "job_id": draft_job.job_id}
        for name in ("job_run", "job_stop"):
            path = reverse(name, kwargs=job_page)
            status, text = page(path, {})
            report.writes += 1
            report.writes_accepted += status < 400
            report.writes_refused += status >= 400
            check("POST", path, status, text, False)
        for is_api, path in reads:
            status, text = api("GET", path, None) if is_api else page(path)
            report.reads += 1
            report.reads_ok += status == 200
            check("GET", path, status, text, is_api)
        server.faults.clear()

    # Healthy again: a new job is created and run.
    status, text = api(
        "POST",
        jobs + "sql/",
        {**new_job("after"), "run": True},
    )
    import json

    report.recovered = status == 201 and json.loads(text).get("run_error") is None
    if not report.recovered:
        report.problems.append(f"after the faults: {status} {text[-600:]}")
    return report
