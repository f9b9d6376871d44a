"""Process faults: a Celery worker killed with SIGKILL in the middle of a sync, and the Redis broker
restarted during a cycle, lose nothing: the next cycle completes and the data is consistent.

The worker is a real ``celery worker`` process on a private Redis server (so restarting it disturbs
nothing else) and a scratch database; the CS emulator is slowed down so a sync is caught mid-way.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from celery import Celery

from benchmarks.bench_poll_scaleout import PrivateRedis, celery_worker
from tests.dashboard.polling import test_kill as kill

ROOT = Path(__file__).resolve().parents[2]
JOBS_OP, SETUP, STATE = kill.JOBS_OP, kill.SETUP, kill.STATE
_env, _manage, _shell = kill._env, kill._manage, kill._shell
scratch_database_url = kill.scratch_database_url  # the same scratch-database fixture


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def _wait(predicate, timeout: float, what: str, proc=None, log=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the worker died: {log.read_text()[-3000:] if log else ''}")
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}: {log.read_text()[-3000:] if log else ''}")


@pytest.fixture
def emu(emulator):
    """The emulator with its clock frozen, so the job listing is the same from one sync to the next."""
    emulator.clock.freeze()
    yield emulator
    emulator.faults.clear()


def test_killed_worker_and_restarted_broker_lose_nothing(emu, scratch_database_url, private_redis, tmp_path):
    env = _env(scratch_database_url, tmp_path / "var")
    env["REDIS_URL"] = private_redis.url  # broker and cache of the worker
    _manage(env, "migrate", "--run-syncdb", "--noinput", "-v", "0")
    tenant = emu.account
    credential_id = int(
        _shell(env, SETUP.format(project=tenant.project_id, url=emu.url, ak=tenant.ak, sk=tenant.sk))
    )
    expected = sorted(emu.emulator.projects[tenant.project_id].jobs)
    producer = Celery(broker=private_redis.url)
    log = tmp_path / "worker.log"

    def enqueue():
        producer.send_task(
            "dashboard.polling.tasks.sync_task", args=[credential_id, "jobs"], serializer="json"
        )

    def listing_calls() -> int:
        return emu.emulator.stats()["by_operation"].get(JOBS_OP, 0)

    # 1. The worker is killed with SIGKILL in the middle of a slowed-down listing.
    emu.emulator.reset_stats()
    emu.faults.configure({"path": r"/jobs$", "latency_ms": 300})
    worker = celery_worker(env, log)
    try:
        enqueue()
        _wait(lambda: listing_calls() >= 3, 90, "the sync to start", worker, log)
        os.killpg(worker.pid, signal.SIGKILL)
    finally:
        worker.wait(timeout=30)
    partial = json.loads(_shell(env, STATE))
    assert 0 < partial["jobs"] < len(expected) and partial["live"] == partial["jobs"]
    assert partial["history_per_job"] == [1] and not partial["ok"]

    # 2. A new worker; the broker restarts while its sync is running; the worker reconnects.
    emu.emulator.reset_stats()
    worker = celery_worker(env, log)
    try:
        enqueue()
        _wait(lambda: listing_calls() >= 2, 90, "the second sync to start", worker, log)
        private_redis.stop()
        time.sleep(1.5)
        private_redis.start()
        emu.faults.clear()
        # The sync running during the restart finishes (it talks to CS and the database, not Redis);
        # the next cycle goes through the restarted broker.
        enqueue()
        _wait(
            lambda: json.loads(_shell(env, STATE))["ok"],
            120,
            "a complete sync after the restart",
            worker,
            log,
        )
        # And one more through the restarted broker, to show the worker took new work after it.
        before = listing_calls()
        enqueue()
        _wait(lambda: listing_calls() > before, 60, "a sync enqueued after the restart", worker, log)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)

    final = json.loads(_shell(env, STATE))
    assert final["ids"] == expected and final["live"] == len(expected)
    assert final["history_per_job"] == [1] and final["orphan_history"] == 0 and final["ok"]
