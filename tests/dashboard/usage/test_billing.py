"""The billing overview and its per-job cost table and CSV export (leads only)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.jobs.models import Job
from dashboard.usage import selectors
from dashboard.usage.models import OverviewSnapshot

pytestmark = pytest.mark.django_db

BILLING = reverse("billing", kwargs={"team": "alpha"})
CSV = reverse("billing_jobs_csv", kwargs={"team": "alpha"})


@pytest.mark.parametrize("url", [BILLING, CSV])
def test_role_matrix(roles, login, synced, url):
    assert login(roles.outsider).get(url).status_code == 404
    assert login(roles.viewer).get(url).status_code == 403
    assert login(roles.operator).get(url).status_code == 403
    assert login(roles.lead).get(url).status_code == 200
    assert login(roles.lead).post(url).status_code == 405
    assert login(roles.lead).get(url.replace("alpha", "nope")).status_code == 404


def test_billing_page_shows_overview_chart_and_job_costs(roles, login, synced, emulator):
    from dashboard.polling.services import sync

    emulator.clock.advance(3600)
    sync(synced.pk, "overview")
    sync(synced.pk, "jobs")
    response = login(roles.lead).get(BILLING)
    assert response.status_code == 200
    page = response.content.decode()
    latest = OverviewSnapshot.objects.filter(credential=synced).latest()
    assert f"{latest.total_cost:.2f}" in page
    assert latest.billing_unit in page
    for label in ("Running charge", "Price per", "SPUs in use", "Running time", "With exceptions"):
        assert label in page
    assert "data-chart=" in page and "Cost over time" in page
    jobs = list(response.context["page"].object_list)
    assert jobs, "the seed has jobs that have run"
    costs = [j.est_cost for j in jobs if j.est_cost is not None]
    assert costs == sorted(costs, reverse=True)
    unit = latest.running_job_price / latest.running_job_total_spu
    top = jobs[0]
    assert top.est_cost == pytest.approx(top.spu_number * top.duration / 3_600_000 * unit, rel=1e-6)


@pytest.mark.parametrize("sort", ["name", "-hours", "spu", "status", "price", "account", "-cost", "nonsense"])
def test_job_cost_sorts(roles, login, synced, sort):
    response = login(roles.lead).get(BILLING, {"sort": sort, "page": "999"})
    assert response.status_code == 200


def test_csv_export_is_streamed_and_complete(roles, login, synced):
    response = login(roles.lead).get(CSV)
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "job_id" and rows[0][-1] == "estimated_cost"
    expected = Job.objects.filter(team=roles.team, deleted_at__isnull=True, duration__gt=0).count()
    assert len(rows) - 1 == expected


def test_empty_billing_page(roles, login):
    response = login(roles.lead).get(BILLING)
    assert response.status_code == 200
    assert "No billing overview" in response.content.decode()


def test_cost_series_is_downsampled_per_credential(
    roles, synced, other_cs_credential, django_assert_max_num_queries
):
    now = timezone.now()
    snaps = []
    for cred, team in ((synced, roles.team),):
        snaps += [
            OverviewSnapshot(
                credential=cred,
                team=team,
                taken_at=now - timedelta(minutes=5 * i),
                total_cost=float(1000 - i),
            )
            for i in range(1500)
        ]
    OverviewSnapshot.objects.bulk_create(snaps)
    with django_assert_max_num_queries(2):
        series = selectors.cost_series(roles.team, points=50)
    assert len(series) == 1
    assert 45 <= len(series[0].points) <= 55
    newest = OverviewSnapshot.objects.filter(credential=synced).latest()
    assert series[0].points[-1] == (newest.taken_at, newest.total_cost)  # the newest is always kept
    # the other team's history is not in this team's chart
    assert selectors.cost_series(roles.other_team) == []
