"""The billing overview and its per-job cost table and CSV export (leads only)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

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
    from dashboard.jobs.models import JobRun
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
    costs = response.context["costs"]
    jobs = list(response.context["page"].object_list)
    assert jobs, "the seed has jobs that have run"
    values = [j.cost for j in jobs if j.cost is not None]
    assert values == sorted(values, reverse=True)
    unit = latest.running_job_price / latest.running_job_total_spu
    top = jobs[0]
    period = costs.period
    expected = 0.0
    for run in JobRun.objects.filter(job__job_id=top.job_id, job__credential=synced):
        expected += (run.spu or 0) * run.running_seconds(start=period.start, end=period.end) / 3600 * unit
    assert top.cost == pytest.approx(expected, rel=1e-3)
    assert costs.total == pytest.approx(sum(j.cost or 0 for j in costs.jobs))
    assert sum(g.cost for g in costs.by_user) == pytest.approx(costs.total)
    assert sum(g.cost for g in costs.by_cluster) == pytest.approx(costs.total)


def test_a_running_jobs_cost_grows_and_adds_up_across_runs(roles, synced, emulator, cs_credential):
    """An open run counts up to now; a second run adds to the first; a deleted job keeps its cost."""
    from datetime import timedelta

    from dashboard.jobs.models import JobRun
    from dashboard.polling.services import sync

    sync(synced.pk, "overview")
    run = JobRun.objects.filter(team=roles.team, ended_at=None, spu__gt=0).select_related("job").first()
    assert run is not None, "the seed has a running job"
    period = selectors.billing_period({"period": "month"})
    now = timezone.now()
    first = selectors.period_costs(roles.team, period, now=now)
    later = selectors.period_costs(roles.team, period, now=now + timedelta(minutes=30))
    cost_of = lambda costs: next(j for j in costs.jobs if j.job_id == run.job.job_id)  # noqa: E731
    assert cost_of(later).cost > cost_of(first).cost > 0
    assert cost_of(later).seconds == pytest.approx(cost_of(first).seconds + 1800, abs=1)
    # the run ends, another starts: both count, and the job's deletion keeps them
    JobRun.objects.filter(pk=run.pk).update(ended_at=now)
    JobRun.objects.create(
        job=run.job,
        team=run.team,
        credential=run.credential,
        started_at=now + timedelta(minutes=10),
        spu=run.spu,
    )
    run.job.deleted_at = now + timedelta(minutes=15)
    run.job.save(update_fields=["deleted_at"])
    both = cost_of(selectors.period_costs(roles.team, period, now=now + timedelta(minutes=30)))
    assert both.runs >= 2 and both.deleted
    assert both.seconds == pytest.approx(cost_of(first).seconds + 1200, abs=1)


def test_periods(roles):
    now = timezone.now()
    day = selectors.billing_period({"period": "day"}, now=now)
    week = selectors.billing_period({"period": "week"}, now=now)
    month = selectors.billing_period({}, now=now)
    custom = selectors.billing_period({"period": "custom", "from": "2026-01-01", "to": "2026-01-31"})
    assert day.end - day.start == timedelta(days=1) and day.start <= now < day.end
    assert week.end - week.start == timedelta(days=7) and month.end - month.start == timedelta(days=30)
    assert custom.key == "custom" and (custom.end - custom.start).days == 31
    bad = selectors.billing_period({"period": "custom", "from": "2026-02-01", "to": "2026-01-01"})
    assert bad.key == "month"


@pytest.mark.parametrize("sort", ["name", "-hours", "spu", "status", "price", "account", "-cost", "nonsense"])
def test_job_cost_sorts(roles, login, synced, sort):
    response = login(roles.lead).get(BILLING, {"sort": sort, "page": "999"})
    assert response.status_code == 200


def test_csv_export_matches_the_page(roles, login, synced):
    page = login(roles.lead).get(BILLING, {"period": "week", "sort": "name"})
    response = login(roles.lead).get(CSV, {"period": "week", "sort": "name"})
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "job_id" and "estimated_cost" in rows[0]
    jobs = page.context["costs"].jobs
    assert [int(r[0]) for r in rows[1:]] == [j.job_id for j in jobs]
    index = rows[0].index("estimated_cost")
    for row, job in zip(rows[1:], jobs, strict=True):
        if job.cost is None:
            assert row[index] == ""
        else:  # the same figures; a running job's has grown by the moments between the two requests
            assert float(row[index]) == pytest.approx(job.cost, abs=0.01)


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
    with django_assert_max_num_queries(3):  # counts, kept rows, last polls
        series = selectors.cost_series(roles.team, points=50)
    assert len(series) == 1
    assert 45 <= len(series[0].points) <= 55
    newest = OverviewSnapshot.objects.filter(credential=synced).latest()
    assert series[0].points[-1] == (newest.taken_at, newest.total_cost)  # the newest is always kept
    # the other team's history is not in this team's chart
    assert selectors.cost_series(roles.other_team) == []


def test_a_steady_cost_is_a_line_up_to_the_last_poll(roles, synced):
    """Points are written only on change: the newest value holds until the last successful poll."""
    from dashboard.polling.models import PollHealth

    OverviewSnapshot.objects.filter(credential=synced).delete()
    taken = timezone.now() - timedelta(hours=2)
    OverviewSnapshot.objects.create(credential=synced, team=roles.team, taken_at=taken, total_cost=42.0)
    polled = timezone.now() - timedelta(minutes=1)
    PollHealth.objects.filter(credential=synced, kind="overview").update(last_success=polled)
    (series,) = selectors.cost_series(roles.team)
    assert series.points == [(taken, 42.0), (polled, 42.0)]
