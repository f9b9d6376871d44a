"""A sync process killed in the middle of a listing loses nothing: the next sync completes consistently.

The sync runs in its own process (``manage.py poll_once``) against a scratch database (a temporary
SQLite file, or a scratch PostgreSQL database when DATABASE_URL is PostgreSQL), and is SIGKILLed
while the emulator, slowed down, is still serving the job listing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from benchmarks.bench_poll_scaleout import manage as _manage
from benchmarks.bench_poll_scaleout import shell as _shell

ROOT = Path(__file__).resolve().parents[3]
JOBS_OP = "GET /v1.0/{project_id}/jobs"


@pytest.fixture
def scratch_database_url(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'kill.sqlite3'}"
        return
    import psycopg

    parts = urlsplit(url)
    name = f"csdash_kill_{uuid.uuid4().hex[:8]}"
    admin = urlunsplit(
        (
            parts.scheme.replace("postgres", "postgresql", 1) if parts.scheme == "postgres" else parts.scheme,
            parts.netloc,
            "/postgres",
            "",
            "",
        )
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    env.update(
        DATABASE_URL=database_url,
        VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="tests.dashboard.polling.kill_settings",
        POLL_PAGE_SIZE="4",
        CS_HTTP_RETRIES="0",
        LOG_LEVEL="WARNING",
    )
    return env


SETUP = """
from dashboard.teams.models import AuthType, Credential, Team
team = Team.objects.create(name="Kill", slug="kill")
c = Credential(team=team, name="emulator", region="cn-north-1", project_id={project!r}, cs_endpoint={url!r},
               iam_endpoint={url!r}, vpc_endpoint={url!r}, auth_type=AuthType.AKSK, access_key={ak!r})
c.set_secret({sk!r})
c.save()
print(c.pk)
"""

STATE = """
import json
from django.db.models import Count
from dashboard.jobs.models import Job, JobStatusChange
from dashboard.polling.models import PollHealth
h = PollHealth.objects.filter(kind="jobs").first()
print(json.dumps({
    "jobs": Job.objects.count(),
    "live": Job.objects.filter(deleted_at__isnull=True).count(),
    "ids": sorted(Job.objects.values_list("job_id", flat=True)),
    "history_per_job": sorted(set(Job.objects.annotate(n=Count("status_changes")).values_list("n", flat=True))),
    "orphan_history": JobStatusChange.objects.filter(job__isnull=True).count(),
    "ok": bool(h and h.last_success and h.consecutive_failures == 0),
}))
"""


def test_killed_sync_loses_nothing(emu, scratch_database_url, tmp_path):
    env = _env(scratch_database_url, tmp_path / "var")
    _manage(env, "migrate", "--run-syncdb", "--noinput", "-v", "0")
    _manage(env, "createcachetable")
    tenant = emu.account
    credential_id = _shell(
        env, SETUP.format(project=tenant.project_id, url=emu.url, ak=tenant.ak, sk=tenant.sk)
    )
    expected = sorted(emu.emulator.projects[tenant.project_id].jobs)

    emu.emulator.reset_stats()
    emu.faults.configure({"path": r"/jobs$", "latency_ms": 300})
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "poll_once", "--credential", credential_id, "--kind", "jobs"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "poll.err").open("w"),
    )
    try:
        deadline = time.monotonic() + 60
        while emu.emulator.stats()["by_operation"].get(JOBS_OP, 0) < 3 and time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "poll.err").read_text()[-2000:]
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    emu.faults.clear()

    partial = json.loads(_shell(env, STATE))
    assert 0 < partial["jobs"] < len(expected)  # some pages were committed, the listing was not complete
    assert partial["live"] == partial["jobs"]  # nothing was marked deleted by the killed listing
    assert partial["history_per_job"] == [1] and not partial["ok"]

    out = _manage(env, "poll_once", "--credential", credential_id, "--kind", "jobs")
    assert "jobs: ok" in out, out  # the dead process's lock does not block the next sync
    final = json.loads(_shell(env, STATE))
    assert final["ids"] == expected and final["live"] == len(expected)
    assert final["history_per_job"] == [1] and final["orphan_history"] == 0 and final["ok"]
