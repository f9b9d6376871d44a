"""Scale-out on Celery as deployed: two real workers on one Redis share 100 credentials; one is killed
with SIGKILL mid-cycle and the other finishes the cycle. No credential is synced twice at once, no
write is lost or doubled. The scenario is the benchmark's (``benchmarks/bench_poll_scaleout.py``)."""

from __future__ import annotations

import pytest

from benchmarks.bench_poll_scaleout import PrivateRedis, manage, run_scenario
from csapi.emulator.testing import EmulatorServer
from tests.dashboard.polling import test_kill as kill

scratch_database_url = kill.scratch_database_url  # the same scratch-database fixture


@pytest.fixture(scope="module")
def scale_emulator():
    """100 tenants of 10 jobs each (``scale:1000:100``), the credentials of the scenario."""
    with EmulatorServer(seed="scale:1000:100") as server:
        yield server


@pytest.fixture
def broker(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def test_two_workers_share_100_credentials_and_one_is_killed_mid_cycle(
    scale_emulator, scratch_database_url, broker, tmp_path
):
    env = kill._env(scratch_database_url, tmp_path / "var")
    env.update(REDIS_URL=broker.url, POLL_PAGE_SIZE="4", LOG_LEVEL="INFO")  # three pages per credential
    manage(env, "migrate", "--run-syncdb", "--noinput", "-v", "0")

    report = run_scenario(env, scale_emulator, tmp_path, database_url=scratch_database_url)

    assert report.credentials == 100 and report.jobs == 1000
    assert report.killed == 1, report  # the killed worker died holding a sync, half-written
    assert report.takeovers == 1, report  # the survivor took its lock over when it synced that credential
    assert report.skipped >= 1, report  # twins of a sync running elsewhere were turned away
    assert report.overlaps == 0, report  # and so no credential was ever synced twice at once
    assert report.lost == 0, report.details
    assert report.duplicated == 0, report.details
    assert report.syncs >= 200, report  # the cycle, and the tick after the lease, each synced everything
