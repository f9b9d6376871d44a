"""The beat fan-out end to end: ``poll_due`` on a real Celery worker enqueues and runs every sync."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.core.management import call_command

from dashboard.jobs.models import Job
from dashboard.polling.models import PollHealth, kinds_of
from tests.dashboard.polling.conftest import make_credential


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
            if done == set(kinds_of(credential.service)):
                break
            time.sleep(0.2)
    assert done == set(kinds_of(credential.service))
    assert Job.objects.filter(credential=credential).count() == len(
        emu.emulator.projects[emu.account.project_id].jobs
    )
    # Claimed syncs are not enqueued again before they are due.
    assert not PollHealth.objects.filter(
        credential=credential, next_attempt__lte=credential.created_at
    ).exists()
    cache.clear()
