"""Scale-out: two Celery workers on one Redis share 100 credentials; one is killed mid-cycle and the other
finishes the cycle. Nothing is lost, nothing is written twice, no credential is synced twice at once.

The scenario, as deployed: a private ``redis-server`` (broker; nothing else shares it), a scratch
database, the CS emulator (``scale:<jobs>:100``, clock frozen, the job listing slowed down so that
syncs are caught mid-way), and two ``celery worker`` processes. One scheduler tick claims every
credential's jobs sync and enqueues it; each sync is enqueued a second time at once, as when a user's
action asks for a refresh while the scheduled sync waits (two workers then take the same credential
together, and the lock must turn one away). One credential's listing, two thirds down the cycle, is
slowed down further: the worker that takes it is killed with SIGKILL once it has written a page of it
and waits for the next. The other drains the queue, taking over the dead worker's lock
when it comes to a twin of the killed sync, and the scheduler's tick after the lease of the killed
sync ended re-enqueues what was lost (``enqueue_due`` at that time), as beat would.

Figures (``BENCH`` lines), checked against the emulator and the workers' own logs:
- ``poll.scaleout.lost``: CS jobs missing from the snapshots (or marked deleted) once the cycle
  finished, plus credentials never synced; must be 0;
- ``poll.scaleout.duplicated``: rows written twice (status changes beyond one per job, job rows beyond
  one per CS job); must be 0;
- ``poll.scaleout.overlaps``: syncs of the same credential and kind that ran at the same time (from
  the start and end times the runner logs); must be 0;
- ``poll.scaleout.skipped``: syncs the lock turned away; ``poll.scaleout.killed``: syncs the killed
  worker died in (half-written, their lock left behind); ``poll.scaleout.takeovers``: dead workers'
  locks taken over; ``poll.scaleout.cycle``: seconds from the tick to every credential synced.

``run_scenario`` is also the body of ``tests/dashboard/polling/test_scaleout.py``; the process helpers
(:class:`PrivateRedis`, :func:`celery_worker`, :func:`manage`) serve the process-fault tests too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from csapi.emulator.seed import scale_tenant

ROOT = Path(__file__).resolve().parent.parent
CREDENTIALS = 100
JOBS = int(os.environ.get("BENCH_SCALEOUT_JOBS", "5000"))
JOBS_OP = "GET /v1.0/{project_id}/jobs"


# ------------------------------------------------------------------------------------------ processes


class PrivateRedis:
    """A ``redis-server`` of its own on a free port, without persistence: stopping it loses its data,
    as a restarted broker without persistence does, and disturbs no other Redis user."""

    def __init__(self, folder: Path) -> None:
        self.binary = shutil.which("redis-server")
        assert self.binary, "redis-server is needed (make test installs it)"
        self.folder = folder
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        import redis

        self.proc = subprocess.Popen(
            [
                *(self.binary, "--bind", "127.0.0.1", "--port", str(self.port)),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


def celery_worker(
    env: dict[str, str], log: Path, *, name: str = "worker", concurrency: int = 1
) -> subprocess.Popen:
    """A real ``celery worker`` (prefork) in its own process group, so that ``os.killpg`` kills it whole."""
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "dashboard", "worker", "-n", f"{name}@%h"),
            *("--concurrency", str(concurrency), "--pool", "prefork", "--loglevel", "INFO"),
            *("--without-heartbeat", "--without-gossip", "--without-mingle"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    """Stop a process started in its own group (a worker: warm shutdown on SIGTERM), SIGKILL if it hangs."""
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args[:2])} failed: {done.stderr[-3000:]}")
    return done.stdout


def shell(env: dict[str, str], code: str) -> str:
    """Run ``code`` in ``manage.py shell``; its last line of output."""
    return manage(env, "shell", "-v", "0", "-c", code).strip().splitlines()[-1]


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, *procs: subprocess.Popen) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"a process died while waiting for {what} (exit {proc.returncode})")
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")


def sql(database_url: str, query: str, params: tuple = ()) -> list[tuple]:
    """A read of the scratch database from outside Django (this process's Django may be another's)."""
    if database_url.startswith("sqlite:///"):
        with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=30)) as conn:
            return conn.execute(query, params).fetchall()
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
        return conn.execute(query.replace("?", "%s"), params).fetchall()


# ------------------------------------------------------------------------------------------ scenario

SETUP = """
import json
from datetime import timedelta
from django.utils import timezone
from csapi.emulator.seed import scale_tenant
from dashboard.polling.models import Kind, PollHealth
from dashboard.teams.models import AuthType, Credential, Team
team = Team.objects.create(name="Scale-out", slug="scaleout")
now, later = timezone.now(), timezone.now() + timedelta(days=1)
ids = {{}}
for n in range(1, {tenants} + 1):
    t = scale_tenant(n)
    c = Credential(team=team, name=f"scale-{{n:03d}}", region="cn-north-1", project_id=t.project_id,
                   cs_endpoint={url!r}, iam_endpoint={url!r}, vpc_endpoint={url!r}, auth_type=AuthType.AKSK,
                   access_key=t.ak)
    c.set_secret(t.sk)
    c.save()
    ids[c.pk] = t.project_id
    # The cycle under test is the jobs kind's: the other kinds are not due.
    PollHealth.objects.bulk_create(
        [PollHealth(credential=c, kind=k, next_attempt=now if k == Kind.JOBS else later) for k in Kind.values]
    )
"""

# One scheduler tick, and at the same moment a user's refresh of every credential.
TICK = """
from dashboard.polling.schedule import claim_due
from dashboard.polling.tasks import sync_task
claimed = claim_due()
for credential_id, kind, lease in claimed:
    sync_task.apply_async((credential_id, kind), expires=lease)
    sync_task.apply_async((credential_id, kind))
print(json.dumps({"credentials": ids, "claimed": len(claimed)}))
"""

# The scheduler's tick once the lease of a lost sync has ended.
TICK_AFTER_LEASE = """
from datetime import timedelta
from django.utils import timezone
from dashboard.polling.schedule import enqueue_due, lease_seconds
print(enqueue_due(timezone.now() + timedelta(seconds=lease_seconds("jobs") + 1)))
"""

#: Every stored job: (credential, CS job id, live, status changes).
STATE = (
    "SELECT j.credential_id, j.job_id, j.deleted_at IS NULL, "
    "(SELECT count(*) FROM jobs_jobstatuschange c WHERE c.job_id = j.id) FROM jobs_job j"
)

_SYNC_LINE = re.compile(
    r"poll kind=(?P<kind>\w+) credential=(?P<cred>\d+) outcome=(?P<outcome>\w+) "
    r".*started=(?P<start>[\d.]+) finished=(?P<end>[\d.]+)"
)


@dataclass
class ScaleoutReport:
    credentials: int = 0
    jobs: int = 0
    cycle_seconds: float = 0.0
    killed: int = 0  # syncs the killed worker held
    lost: int = 0
    duplicated: int = 0
    overlaps: int = 0
    skipped: int = 0
    takeovers: int = 0
    syncs: int = 0
    details: dict[str, Any] = field(default_factory=dict)


def _overlaps(logs: list[Path]) -> tuple[int, int, int, int]:
    """(overlapping pairs, syncs, skips, takeovers) from the workers' logs."""
    runs: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    skipped = takeovers = 0
    for log in logs:
        for line in log.read_text(errors="replace").splitlines():
            if "outcome=skipped reason='already running'" in line:
                skipped += 1
            elif "took over the lock of dead" in line:
                takeovers += 1
            elif match := _SYNC_LINE.search(line):
                runs[match["kind"], match["cred"]].append((float(match["start"]), float(match["end"])))
    overlapping = 0
    for intervals in runs.values():
        intervals.sort()
        for (_s1, end), (start, _e2) in zip(intervals, intervals[1:], strict=False):
            overlapping += start < end
    return overlapping, sum(len(v) for v in runs.values()), skipped, takeovers


def run_scenario(
    env: dict[str, str],
    emulator,
    folder: Path,
    *,
    database_url: str,
    tenants: int = CREDENTIALS,
    latency_ms: int = 10,
    held_ms: int = 1000,
) -> ScaleoutReport:
    """Run the scenario (see the module docstring) on a migrated scratch database and an ``EmulatorServer``
    seeded ``scale:<jobs>:<tenants>``; ``env`` is the workers' (DATABASE_URL, REDIS_URL, settings, and a
    page size that gives each credential a few pages).

    The job listing answers in ``latency_ms``; the answers to one credential two thirds down the cycle
    take ``held_ms`` more, so the worker that takes it is caught, for certain, with a page written and
    the next on its way."""
    report = ScaleoutReport(credentials=tenants)
    emulator.clock.freeze()

    def synced() -> int:
        return sql(
            database_url,
            "SELECT count(*) FROM polling_pollhealth WHERE kind = 'jobs' AND last_success IS NOT NULL "
            "AND consecutive_failures = 0",
        )[0][0]

    def queued() -> int:
        import redis

        return redis.Redis.from_url(env["REDIS_URL"]).llen("celery")

    def target_half_written() -> str | None:
        """The token of the target's sync once it holds the lock and has written a page."""
        (owner,) = sql(
            database_url,
            "SELECT lock_owner FROM polling_pollhealth WHERE credential_id = ? AND kind = 'jobs'",
            (target,),
        )[0]
        (stored,) = sql(database_url, "SELECT count(*) FROM jobs_job WHERE credential_id = ?", (target,))[0]
        return owner if owner and 0 < stored < len(expected[target]) else None

    # The slowed credential two thirds down the cycle (the scale seed's project ids are numbered).
    slowed = scale_tenant(tenants * 2 // 3).project_id
    listing = {"path": r"/jobs$", "latency_ms": latency_ms}
    emulator.faults.configure(
        {"rules": [listing, {"path": rf"/{re.escape(slowed)}/jobs$", "latency_ms": held_ms}]}
    )
    workers = {name: celery_worker(env, folder / f"worker-{name}.log", name=name) for name in "ab"}
    try:
        # The workers boot while the credentials are made and the tick (at the end) runs.
        setup = json.loads(shell(env, SETUP.format(tenants=tenants, url=emulator.url) + TICK))
        started = time.monotonic()
        ids = {int(k): v for k, v in setup["credentials"].items()}
        assert len(ids) == setup["claimed"] == tenants
        expected = {cid: sorted(emulator.emulator.projects[project].jobs) for cid, project in ids.items()}
        report.jobs = sum(len(v) for v in expected.values())
        (target,) = [cid for cid, project in ids.items() if project == slowed]
        token = wait_until(target_half_written, 120, "the slowed credential's sync", *workers.values())
        # The worker that holds it (its lock's holder is one of that worker's processes) is killed.
        (victim,) = [w for w in workers.values() if _pgid(token) == w.pid]
        (survivor,) = [w for w in workers.values() if w is not victim]
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=30)
        emulator.faults.configure(listing)
        held = sql(database_url, "SELECT lock_owner FROM polling_pollhealth WHERE lock_owner != ''")
        report.killed = sum(1 for (t,) in held if t == token)  # it died holding the lock, half-written

        wait_until(lambda: queued() == 0, 180, "the survivor to drain the queue", survivor)
        emulator.faults.clear()
        shell(env, TICK_AFTER_LEASE)
        wait_until(lambda: synced() == tenants and queued() == 0, 180, "every credential synced", survivor)
        report.cycle_seconds = time.monotonic() - started
    finally:
        for worker in workers.values():
            stop(worker)  # a warm shutdown: the sync in hand finishes first
        emulator.faults.clear()

    stored: dict[int, dict[str, Any]] = {}
    for cid, job_id, live, changes in sql(database_url, STATE):
        row = stored.setdefault(cid, {"ids": [], "live": 0, "changes": 0})
        row["ids"].append(job_id)
        row["live"] += bool(live)
        row["changes"] += changes
    for cid, want in expected.items():
        have = stored.get(cid, {"ids": [], "live": 0, "changes": 0})
        missing = set(want) - set(have["ids"])
        report.lost += len(want) - have["live"]  # missing, or stored but marked deleted
        report.duplicated += (len(have["ids"]) - len(set(have["ids"]))) + (have["changes"] - len(have["ids"]))
        if missing or have["live"] != len(want) or have["changes"] != len(have["ids"]):
            report.details[cid] = {
                "missing": sorted(missing)[:10],
                **{k: have[k] for k in ("live", "changes")},
            }
    report.lost += tenants - synced()
    report.overlaps, report.syncs, report.skipped, report.takeovers = _overlaps(
        [folder / f"worker-{name}.log" for name in "ab"]
    )
    return report


def _pgid(token: str) -> int | None:
    """The process group of a lock holder's pid (host:pid:nonce), None if it is gone."""
    try:
        return os.getpgid(int(token.split(":")[1]))
    except (IndexError, ValueError, ProcessLookupError):
        return None


# ------------------------------------------------------------------------------------------ benchmark


def _scratch_database(tmp: Path) -> tuple[str, Callable[[], None]]:
    """A scratch database: PostgreSQL when DATABASE_URL names one (a database of its own), else SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'scaleout.sqlite3'}", lambda: None
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = f"csdash_polling_scaleout_{os.getpid()}"
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, "")), drop


def run(report) -> None:
    from csapi.emulator.testing import EmulatorServer

    tmp = Path(tempfile.mkdtemp(prefix="bench-scaleout-"))
    broker = PrivateRedis(tmp)
    database_url, drop = _scratch_database(tmp)
    try:
        broker.start()
        with EmulatorServer(seed=f"scale:{JOBS}:{CREDENTIALS}") as emulator:
            env = {
                **os.environ,
                "DATABASE_URL": database_url,
                "REDIS_URL": broker.url,
                "VAR_DIR": str(tmp / "var"),
                "DJANGO_SETTINGS_MODULE": "dashboard.settings",
                "DEBUG": "false",
                "LOG_LEVEL": "INFO",  # the runner's one line per sync is what the overlaps are read from
                "CS_HTTP_RETRIES": "0",
                "POLL_PAGE_SIZE": "10",  # a few pages per credential, so a sync is caught half-way
                "OUTBOUND_ALLOWED_HOSTS": f"127.0.0.1:{emulator.port}",
            }
            manage(env, "migrate", "--noinput", "-v", "0")
            result = run_scenario(env, emulator, tmp, database_url=database_url)
        report("poll.scaleout.credentials", result.credentials, "credentials")
        report("poll.scaleout.jobs", result.jobs, "jobs")
        report("poll.scaleout.cycle", result.cycle_seconds, "s")
        report("poll.scaleout.killed", result.killed, "syncs")
        report("poll.scaleout.skipped", result.skipped, "syncs")
        report("poll.scaleout.takeovers", result.takeovers, "locks")
        report("poll.scaleout.overlaps", result.overlaps, "syncs")
        report("poll.scaleout.lost", result.lost, "jobs")
        report("poll.scaleout.duplicated", result.duplicated, "rows")
        if result.details:
            print(f"   (inconsistent credentials: {json.dumps(result.details)[:2000]})", flush=True)
    finally:
        broker.stop()
        drop()
        shutil.rmtree(tmp, ignore_errors=True)
