"""Alerts, end to end: from a status change in the CS emulator to the message at a receiver.

A throw-away stack (its own database, PostgreSQL when the local server answers) runs the product's
own path: the poller's scheduler (``poll_due``'s ``enqueue_due``, ticking as beat would) enqueues
sync tasks, a real Celery worker (two threads) syncs jobs from an in-process emulator, the rules are
evaluated after each sync, and the same worker delivers the messages to a local webhook receiver.

- ``alert.latency.p50`` / ``.p99``: seconds from a job's failure in the emulator to its message at
  the receiver, over ``BENCH_ALERT_TRIALS`` failures of distinct jobs at random moments; the floor
  is the jobs poll interval of the run (a failure waits for the next poll), so ``.ratio`` says how
  much evaluation and delivery add to that wait.
- ``alert.burst.messages``: messages for 1,000 jobs failing at once with 2 rules and 2 channels;
  the floor is rules x channels (one grouped message per rule and channel).
- ``alert.lost`` / ``alert.duplicated``: failures never told (or told without every job named), and
  messages beyond one per failure (latency trials) or per rule and channel (burst), by delivery key.
"""

from __future__ import annotations

import json
import os

from benchmarks._stack import Stack

POLL_INTERVAL = float(os.environ.get("BENCH_ALERT_POLL_INTERVAL", "4"))
TRIALS = int(os.environ.get("BENCH_ALERT_TRIALS", "16"))
BURST = int(os.environ.get("BENCH_ALERT_BURST", "1000"))


def scenario(trials: int, burst: int) -> dict:
    """Runs inside the stack's Django (``manage.py shell``); returns the raw figures."""
    import contextlib
    import random
    import threading
    import time

    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from csapi import vocab
    from csapi.emulator.testing import EmulatorServer
    from dashboard.alerts.models import Channel, Rule, RuleKind
    from dashboard.celery import app
    from dashboard.polling.schedule import enqueue_due
    from dashboard.polling.services import sync
    from dashboard.teams.models import AuthType, Credential, Team
    from tests.dashboard.alerts.receivers import HttpReceiver

    rng = random.Random(7)
    receiver = HttpReceiver()
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]

    def credential_for(server, slug: str) -> Credential:
        team = Team.objects.create(name=f"Bench {slug}", slug=slug)
        tenant = server.account
        credential = Credential(
            team=team,
            name="emulator",
            region="cn-north-1",
            project_id=tenant.project_id,
            cs_endpoint=server.url,
            iam_endpoint=server.url,
            vpc_endpoint=server.url,
            auth_type=AuthType.AKSK,
            access_key=tenant.ak,
        )
        credential.set_secret(tenant.sk)
        credential.save()
        return credential

    def set_status(server, job_ids, status: str) -> float:
        project = server.emulator.projects[server.account.project_id]
        with project.lock:
            now = server.clock.now()
            for job_id in job_ids:
                job = project.jobs[job_id]
                job.timeline = [e for e in job.timeline if e[0] <= now] + [[now, status, "bench"]]
        return time.time()

    def rule(team, channels, name):
        r = Rule.objects.create(team=team, name=name, kind=RuleKind.JOB_FAILED, repeat_minutes=60)
        r.channels.set(channels)

    def channel(team, path):
        c = Channel(team=team, name=path, kind="webhook")
        c.set_secrets(url=f"{receiver.url}/{path}", signing_key="bench-signing-key-0123456789")
        c.save()
        return c

    out: dict = {"poll_interval": settings.POLL_INTERVALS["jobs"]}
    stop = threading.Event()

    def beat() -> None:  # what celery beat does with the "poll-due" entry, at a finer tick
        while not stop.is_set():
            with contextlib.suppress(Exception):  # a tick that fails is retried by the next one
                enqueue_due()
            stop.wait(0.25)

    with (
        EmulatorServer(seed=f"scale:{max(trials * 2, 50)}", failure_rate=0.0) as lat_server,
        EmulatorServer(seed=f"scale:{burst}", failure_rate=0.0) as burst_server,
    ):
        for server in (lat_server, burst_server):
            server.clock.set_speed(0)
            set_status(
                server, list(server.emulator.projects[server.account.project_id].jobs), vocab.JOB_RUNNING
            )
        lat = credential_for(lat_server, "latency")
        rule(lat.team, [channel(lat.team, "latency")], "latency")
        burst_cred = credential_for(burst_server, "burst")
        burst_channels = [channel(burst_cred.team, "burst-a"), channel(burst_cred.team, "burst-b")]
        rule(burst_cred.team, burst_channels, "burst 1")
        rule(burst_cred.team, burst_channels, "burst 2")
        for credential in (lat, burst_cred):
            assert sync(credential.pk, "jobs").ok  # the baseline listing: no news
        from dashboard.polling.models import PollHealth

        # Only the jobs polls run on schedule here (the other kinds are not under test).
        PollHealth.objects.exclude(kind="jobs").update(next_attempt="2999-01-01T00:00:00Z")
        with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30):
            ticker = threading.Thread(target=beat, daemon=True)
            ticker.start()
            time.sleep(POLL_INTERVAL)

            # Latency: one distinct job fails at a random moment of the poll cycle, one at a time.
            jobs = sorted(lat_server.emulator.projects[lat_server.account.project_id].jobs)[:trials]
            latencies, lost = [], 0
            for job_id in jobs:
                time.sleep(rng.uniform(0, out["poll_interval"]))
                before = len(receiver.requests)
                started = set_status(lat_server, [job_id], vocab.JOB_RUNNING_EXCEPTION)
                deadline = time.monotonic() + 4 * out["poll_interval"] + 10
                while len(receiver.requests) == before and time.monotonic() < deadline:
                    time.sleep(0.01)
                if len(receiver.requests) == before:
                    lost += 1
                    continue
                latencies.append(receiver.arrivals[before] - started)
            time.sleep(out["poll_interval"] + 1)
            latency_messages = [r for r in receiver.requests if r.path == "/latency"]
            named = [e["subject"] for r in latency_messages for e in r.json.get("opened", [])]
            out["latencies"] = latencies
            out["latency_lost"] = lost + (trials - len(set(named)))
            out["latency_duplicated"] = len(named) - len(set(named))

            # Burst: every job of the second credential fails at once.
            set_status(
                burst_server,
                list(burst_server.emulator.projects[burst_server.account.project_id].jobs),
                vocab.JOB_RUNNING_EXCEPTION,
            )
            deadline = time.monotonic() + 6 * out["poll_interval"] + 30
            while time.monotonic() < deadline:
                got = [r for r in receiver.requests if r.path.startswith("/burst")]
                if len(got) >= 4:
                    break
                time.sleep(0.05)
            time.sleep(out["poll_interval"] + 1)  # anything more would arrive now
            stop.set()
            ticker.join(timeout=5)
        got = [r for r in receiver.requests if r.path.startswith("/burst")]
        keys = [r.headers["x-csdash-delivery"] for r in got]
        per_pair = {(r.path, r.json["rule"]["name"]) for r in got}
        out["burst_messages"] = len(got)
        out["burst_floor"] = 4
        out["burst_duplicated"] = len(keys) - len(set(keys)) + max(0, len(got) - len(per_pair))
        out["burst_lost"] = (4 - len(per_pair)) + sum(
            1 for r in got if r.json["counts"].get("opened") != burst
        )
    receiver.close()
    return out


SCRIPT = """
import json
from benchmarks.bench_alerts import scenario
print("REPORT" + json.dumps(scenario(%(trials)d, %(burst)d)))
"""


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run(report) -> None:
    with Stack("alerts", None) as stack:
        stack.env.update(
            POLL_INTERVAL_JOBS=str(POLL_INTERVAL),
            POLL_BROKER_POLLING_INTERVAL="0.05",
            ALERT_RESOLVE_AFTER="0",
            OUTBOUND_ALLOWED_HOSTS="127.0.0.1",
        )
        output = stack.python(SCRIPT % {"trials": TRIALS, "burst": BURST})
        result = json.loads(output.split("REPORT", 1)[1])
        interval = result["poll_interval"]
        latencies = result["latencies"]
        print(
            f"   {len(latencies)} failures timed (jobs poll interval {interval:g} s); burst of {BURST} jobs: "
            f"{result['burst_messages']} messages"
        )
        report("alert.latency.p50", _percentile(latencies, 0.5), "s", interval)
        report("alert.latency.p99", _percentile(latencies, 0.99), "s", interval)
        report("alert.burst.messages", float(result["burst_messages"]), "count", float(result["burst_floor"]))
        report("alert.lost", float(result["latency_lost"] + result["burst_lost"]), "count")
        report("alert.duplicated", float(result["latency_duplicated"] + result["burst_duplicated"]), "count")
