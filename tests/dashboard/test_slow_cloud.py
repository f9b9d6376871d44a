"""A silent cloud endpoint cannot starve the site: on-demand calls run in workers, bounded by a deadline.

Eight leads of eight teams press "Test connection" on credentials whose endpoint accepts connections
and never answers, while a ninth user browses. The web requests only queue the calls; a real Celery
worker runs them, and each ends after the interactive deadline with a readable timeout.
"""

from __future__ import annotations

import statistics
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from dashboard.polling.services import sync
from dashboard.teams.models import AuthType, CloudCall, Credential, Membership, Role, Team
from tests.listeners import Listener


def _timed(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200
    return time.perf_counter() - started


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_eight_silent_tests_leave_the_site_answering(worker_app, settings, make_user, emulator):
    from celery.contrib.testing.worker import start_worker

    if "DatabaseCache" in settings.CACHES["default"]["BACKEND"]:
        call_command("createcachetable", verbosity=0)
    cache.clear()
    settings.CS_INTERACTIVE_DEADLINE = 3.0
    with Listener(silent=True) as silent:
        settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
        leads = []
        for i in range(8):
            team = Team.objects.create(name=f"Team {i}", slug=f"team-{i}")
            lead = make_user(f"lead{i}")
            Membership.objects.create(team=team, user=lead, role=Role.LEAD)
            credential = Credential(
                team=team,
                name="silent",
                region="cn-north-1",
                project_id=f"p{i}",
                cs_endpoint=f"http://{silent.netloc}",
                iam_endpoint=f"http://{silent.netloc}",
                vpc_endpoint=f"http://{silent.netloc}",
                auth_type=AuthType.AKSK,
                access_key="AKAKAKAKAKAKAKAK",
            )
            credential.set_secret("sk-of-a-silent-endpoint")
            credential.save()
            client = Client()
            client.force_login(lead, backend="dashboard.teams.auth.ModelBackend")
            leads.append((client, credential))
        # the ninth user browses a team with real jobs
        browsing = Team.objects.create(name="Browsing", slug="browsing")
        viewer = make_user("ninth")
        Membership.objects.create(team=browsing, user=viewer, role=Role.VIEWER)
        tenant = emulator.account
        own = Credential(
            team=browsing,
            name="emu",
            region="cn-north-1",
            project_id=tenant.project_id,
            cs_endpoint=emulator.url,
            iam_endpoint=emulator.url,
            vpc_endpoint=emulator.url,
            auth_type=AuthType.AKSK,
            access_key=tenant.ak,
        )
        own.set_secret(tenant.sk)
        own.save()
        assert sync(own.pk, "jobs").ok
        ninth = Client()
        ninth.force_login(viewer, backend="dashboard.teams.auth.ModelBackend")
        pages = [
            reverse("job_list", kwargs={"team": "browsing"}),
            reverse("home"),
            reverse("credential_list", kwargs={"team": "browsing"}),
        ]
        for url in pages:
            _timed(ninth, url)  # warm up
        usual = statistics.median(_timed(ninth, url) for _ in range(5) for url in pages)

        # The calls are queued first (the requests return at once, with no worker to run them yet),
        # then a real worker takes them while the ninth user browses. Two worker threads as deployed;
        # SQLite's in-memory test database takes one writer at a time.
        for client, credential in leads:
            t0 = time.perf_counter()
            response = client.post(
                reverse(
                    "credential_test",
                    kwargs={"team": credential.team.slug, "credential": credential.public_id},
                )
            )
            assert response.status_code == 302
            # queued, not waited for: far less than the endpoint's silence (the deadline, 3 s)
            assert time.perf_counter() - t0 < 2.5, "pressing Test connection waited for the cloud"
        assert CloudCall.objects.filter(state="queued").count() == 8
        sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
        pool, threads = ("solo", 1) if sqlite else ("threads", 2)
        with start_worker(
            worker_app, pool=pool, concurrency=threads, perform_ping_check=False, shutdown_timeout=30
        ):
            started = time.monotonic()
            during = []
            while CloudCall.objects.exclude(state__in=["succeeded", "failed"]).exists():
                assert time.monotonic() - started < 90, "the calls did not end after their deadline"
                during.extend(_timed(ninth, url) for url in pages)
            elapsed = time.monotonic() - started

    assert during, "the ninth user browsed while the calls ran"
    assert max(during) < max(2.0, 10 * usual), (usual, sorted(during)[-5:])
    calls = list(CloudCall.objects.all())
    assert len(calls) == 8 and {c.state for c in calls} == {"failed"}
    for call in calls:
        assert "did not answer" in call.message or "timed out" in call.message, call.message
        assert (call.finished_at - call.started_at).total_seconds() < settings.CS_INTERACTIVE_DEADLINE + 2
    assert silent.accepted >= 8
    # eight calls of at most the deadline each, shared by the worker's threads
    assert elapsed < 8 / threads * (settings.CS_INTERACTIVE_DEADLINE + 2) + 10
