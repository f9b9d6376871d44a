"""The beat fan-out end to end: ``poll_due`` on a real Celery worker enqueues and runs every sync."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.core.management import call_command

from dashboard.jobs.models import Job
from dashboard.polling.models import Kind, PollHealth
from tests.dashboard.polling.conftest import make_credential


@pytest.fixture
def worker_app(tmp_path, settings):
    """The project's Celery app with its configured broker (Redis when REDIS_URL is set; otherwise the
    filesystem transport, in a private folder so that a running development worker takes nothing)."""
    from dashboard.celery import app

    saved = dict(app.conf.broker_transport_options or {})
    if str(app.conf.broker_url).startswith("filesystem"):
        folder = tmp_path / "broker"
        (folder / "out").mkdir(parents=True)
        (folder / "processed").mkdir()
        (folder / "control").mkdir()
        app.conf.broker_transport_options = {
            "data_folder_in": str(folder / "out"),
            "data_folder_out": str(folder / "out"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
            "polling_interval": 0.1,
        }
        _reset_pool(app)
    yield app
    app.conf.broker_transport_options = saved
    _reset_pool(app)


def _reset_pool(app) -> None:
    """Forget broker connections made with other transport options (a new pool is made on demand)."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None  # it holds the closed connection pool otherwise
    from kombu import pools

    pools.reset()  # kombu's process-wide pools keep the closed pools too


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_poll_due_fans_out_on_a_real_worker(worker_app, emu, poll_settings):
    from celery.contrib.testing.worker import start_worker

    from dashboard.polling.tasks import poll_due
    from dashboard.teams.models import Team

    if "DatabaseCache" in poll_settings.CACHES["default"]["BACKEND"]:
        call_command("createcachetable", verbosity=0)
    cache.clear()
    assert worker_app.conf.beat_schedule["poll-due"]["task"] == poll_due.name
    team = Team.objects.create(name="Alpha Stream", slug="alpha")
    credential = make_credential(team, emu)

    with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        poll_due.delay()
        deadline = time.monotonic() + 60
        done = set()
        while time.monotonic() < deadline:
            done = set(
                PollHealth.objects.filter(credential=credential, last_success__isnull=False).values_list(
                    "kind", flat=True
                )
            )
            if done == set(Kind.values):
                break
            time.sleep(0.2)
    assert done == set(Kind.values)
    assert Job.objects.filter(credential=credential).count() == len(
        emu.emulator.projects[emu.account.project_id].jobs
    )
    # Claimed syncs are not enqueued again before they are due.
    assert not PollHealth.objects.filter(
        credential=credential, next_attempt__lte=credential.created_at
    ).exists()
    cache.clear()
