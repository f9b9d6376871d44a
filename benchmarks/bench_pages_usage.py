"""Quota, billing and cluster pages: SQL statements and latency do not grow with the history.

Django is set up on a temporary SQLite database (or DATABASE_URL), migrated, and given one team with
a credential, clusters, user quotas and jobs. The pages are measured with the Django test client and
CaptureQueriesContext at 1 day and at 90 days of 5-minute overview snapshots and quota samples
(26k rows each per credential); the 1-day figure is the floor.

Figures (``BENCH`` lines): ``page.quotas.queries``, ``page.billing.queries``, ``page.clusters.queries``
(at 90 days; floor: at 1 day), and ``page.<name>.ms`` (median of a few renders).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import timedelta

from benchmarks._django import setup_django

SAMPLE_MINUTES = 5
DAYS = (1, 90)
CREDENTIALS = 2
RENDERS = 5


def _fixtures():
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from dashboard.clusters.models import Cluster
    from dashboard.jobs.models import Job
    from dashboard.teams.models import Credential, Membership, Role, Team
    from dashboard.usage.models import UserQuota

    team = Team.objects.create(name="Bench usage", slug=f"bench-usage-{int(time.time())}")
    user = get_user_model().objects.create_user(username=f"bench-lead-{team.slug}", password="x" * 20)
    Membership.objects.create(team=team, user=user, role=Role.LEAD)
    credentials = []
    now = timezone.now()
    for c in range(CREDENTIALS):
        cred = Credential(
            team=team,
            name=f"account-{c}",
            region="cn-north-1",
            project_id=f"p{c:031d}",
            access_key=f"AK{c:018d}",
            auth_type="aksk",
        )
        cred.set_secret("bench-secret-not-real")
        cred.save()
        credentials.append(cred)
        Cluster.objects.bulk_create(
            [
                Cluster(
                    credential=cred,
                    team=team,
                    cluster_id=1000 + i,
                    name=f"cluster-{c}-{i}",
                    status_code=5,
                    spu_used=i * 3,
                    maximum_spu_quota=100,
                    fingerprint="",
                )
                for i in range(10)
            ]
        )
        UserQuota.objects.bulk_create(
            [
                UserQuota(
                    credential=cred,
                    team=team,
                    user_id=f"u{c}-{i}",
                    user_name=f"user-{c}-{i}",
                    spu_quota=50,
                    spu_used=i % 50,
                    fingerprint="",
                    clusters=[{"id": 1000, "name": f"cluster-{c}-0"}],
                )
                for i in range(40)
            ]
        )
        Job.objects.bulk_create(
            [
                Job(
                    credential=cred,
                    team=team,
                    job_id=10_000 + i,
                    name=f"job-{c}-{i}",
                    status="job_running",
                    spu_number=2 + i % 5,
                    duration=(i + 1) * 60_000,
                    cluster_id=1000 + i % 10,
                    fingerprint="",
                    last_seen=now,
                )
                for i in range(500)
            ]
        )
    return team, user, credentials


def _fill_history(team, credentials, days: int) -> None:
    """Snapshots every SAMPLE_MINUTES for ``days`` (only the part not already there is inserted)."""
    from django.utils import timezone

    from dashboard.usage.models import OverviewSnapshot, UserQuotaSample

    now = timezone.now().replace(second=0, microsecond=0)
    steps = days * 24 * 60 // SAMPLE_MINUTES
    for cred in credentials:
        have = OverviewSnapshot.objects.filter(credential=cred).count()
        times = [now - timedelta(minutes=SAMPLE_MINUTES * i) for i in range(have, steps)]
        OverviewSnapshot.objects.bulk_create(
            [
                OverviewSnapshot(
                    credential=cred,
                    team=team,
                    taken_at=t,
                    total_cost=1e5 - i,
                    running_jobs_count=500,
                    running_job_price=1000.0,
                    running_job_total_spu=2000,
                    billing_unit="CNY",
                    time_unit="HOUR",
                )
                for i, t in enumerate(times)
            ],
            batch_size=2000,
        )
        UserQuotaSample.objects.bulk_create(
            [
                UserQuotaSample(
                    credential=cred, team=team, sampled_at=t, spu_used=i % 900, spu_quota=2000, users=40
                )
                for i, t in enumerate(times)
            ],
            batch_size=2000,
        )


def _measure(client, url: str) -> tuple[int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    queries = len(ctx)
    times = []
    for _ in range(RENDERS):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return queries, statistics.median(times)


def run(report) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        setup_django(tmp)
        from django.test import Client
        from django.urls import reverse

        team, user, credentials = _fixtures()
        client = Client()
        client.force_login(user, backend="dashboard.teams.auth.ModelBackend")
        pages = {
            "quotas": reverse("quota_list", kwargs={"team": team.slug}),
            "billing": reverse("billing", kwargs={"team": team.slug}),
            "clusters": reverse("cluster_list", kwargs={"team": team.slug}),
        }
        results: dict[int, dict[str, tuple[int, float]]] = {}
        try:
            for days in DAYS:
                _fill_history(team, credentials, days)
                results[days] = {name: _measure(client, url) for name, url in pages.items()}
                print(
                    f"   {days:>3} day(s) of history: "
                    + ", ".join(f"{n} {q} queries {ms:.1f} ms" for n, (q, ms) in results[days].items()),
                    flush=True,
                )
            small, large = results[DAYS[0]], results[DAYS[-1]]
            for name in pages:
                report(f"page.{name}.queries", large[name][0], "queries", floor=small[name][0])
            for name in pages:
                report(f"page.{name}.ms", large[name][1], "ms", floor=small[name][1])
        finally:
            team.delete()
            user.delete()
