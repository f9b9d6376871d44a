"""DLI on the quota and billing pages: the project quotas and the team's CUs in use (polled from the
emulator's DLI), and the billing estimate from the CU-hours of each run times its queue's price."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from csapi import vocab
from dashboard.clusters.models import Queue
from dashboard.jobs.models import Job, JobRun
from dashboard.polling.services import sync
from dashboard.teams.models import Service
from dashboard.usage import selectors
from dashboard.usage.models import ProjectQuota, UserQuotaSample

pytestmark = pytest.mark.django_db

QUOTAS = reverse("quota_list", kwargs={"team": "alpha"})
BILLING = reverse("billing", kwargs={"team": "alpha"})
CSV = reverse("billing_jobs_csv", kwargs={"team": "alpha"})


# -------------------------------------------------------------------------------------------- quotas
@pytest.fixture
def dli_quotas(dli_credential):
    result = sync(dli_credential.pk, "quotas")
    assert result.ok, result.error
    return dli_credential


def test_quotas_page_shows_dlis_project_quotas_in_words(roles, login, dli_quotas):
    for user in (roles.viewer, roles.operator):
        assert login(user).get(QUOTAS).status_code == 403
    assert login(roles.other_lead).get(QUOTAS).status_code == 404
    response = login(roles.lead).get(QUOTAS)
    assert response.status_code == 200
    page = response.content.decode()
    assert "DLI project quotas" in page and "SPU quotas" not in page  # the team has no CS credential
    cu = ProjectQuota.objects.get(credential=dli_quotas, type="CU")
    for quota in ProjectQuota.objects.filter(credential=dli_quotas):
        assert f'data-quota-type="{quota.type}"' in page
        assert str(vocab.DLI_QUOTA_TYPES[quota.type]) in page
    assert f"<strong>{cu.used:g}</strong> of <strong>{cu.quota}</strong> CUs in use" in page
    assert 'id="cu-chart"' in page and "CU use over time" in page
    assert response.context["cu_totals"].used == cu.used


def test_cs_and_dli_quotas_side_by_side_each_with_its_own_chart(roles, login, dli_quotas, synced):
    response = login(roles.lead).get(QUOTAS)
    page = response.content.decode()
    assert "SPU quotas" in page and "DLI project quotas" in page
    cs_chart = selectors.quota_series(roles.team, service=Service.CS)
    dli_chart = selectors.quota_series(roles.team, service=Service.DLI)
    assert [s.name for s in cs_chart["used"]] == [synced.name]
    assert [s.name for s in dli_chart["used"]] == [dli_quotas.name]
    sample = UserQuotaSample.objects.get(credential=dli_quotas)
    assert dli_chart["used"][0].points[0][1] == sample.spu_used
    assert response.context["totals"].users > 0  # CS's users, no DLI figure among them


# ------------------------------------------------------------------------------------------- billing
@pytest.fixture
def runs(roles, dli_credential):
    """Two queues (one priced, one not) and runs of DLI jobs on them, relative to ``now``."""
    now = timezone.now().replace(microsecond=0)
    team = roles.team
    priced = Queue.objects.create(
        credential=dli_credential,
        team=team,
        queue_name="q_priced",
        cu_count=64,
        cu_price=Decimal("0.5"),
        fingerprint="p",
    )
    Queue.objects.create(
        credential=dli_credential, team=team, queue_name="q_free", cu_count=16, fingerprint="f"
    )

    def job(job_id, name, queue, cu, *, status=vocab.JOB_CANCEL_SUCCESS, deleted=False):
        return Job.objects.create(
            team=team,
            credential=dli_credential,
            service=Service.DLI,
            job_id=job_id,
            name=name,
            status=status,
            queue_name=queue,
            spu_number=cu,
            fingerprint=str(job_id),
            deleted_at=now - timedelta(hours=1) if deleted else None,
        )

    def run(job, start_h, end_h, cu):
        JobRun.objects.create(
            job=job,
            team=team,
            credential=dli_credential,
            started_at=now - timedelta(hours=start_h),
            ended_at=None if end_h is None else now - timedelta(hours=end_h),
            spu=cu,
            cluster_name=job.queue_name,
            username="dli_user",
        )

    twice = job(1, "two_runs", "q_priced", 4)
    run(twice, 10, 8, 4)  # 4 CU x 2 h
    run(twice, 5, 4, 4)  # 4 CU x 1 h
    running = job(2, "=running_now()", "q_priced", 2, status=vocab.JOB_RUNNING)
    run(running, 0.5, None, 2)  # 2 CU x 0.5 h, still running
    gone = job(3, "deleted_job", "q_priced", 8, deleted=True)
    run(gone, 3, 2, 8)  # 8 CU x 1 h, the job deleted since
    free = job(4, "unpriced_job", "q_free", 3)
    run(free, 2, 1, 3)  # 3 CU x 1 h on a queue without a price
    return type("Runs", (), {"now": now, "priced": priced, "credential": dli_credential})


def test_the_estimate_sums_cu_hours_times_the_queues_price(roles, runs):
    period = selectors.billing_period({"period": "month"}, now=runs.now)
    costs = selectors.period_costs(roles.team, period, now=runs.now, service=Service.DLI)
    by_name = {j.name: j for j in costs.jobs}
    assert by_name["two_runs"].runs == 2 and by_name["two_runs"].hours == pytest.approx(3)
    assert by_name["two_runs"].cost == pytest.approx(4 * 3 * 0.5)
    assert by_name["=running_now()"].running and by_name["=running_now()"].cost == pytest.approx(
        2 * 0.5 * 0.5
    )
    assert by_name["deleted_job"].deleted and by_name["deleted_job"].cost == pytest.approx(8 * 1 * 0.5)
    unpriced = by_name["unpriced_job"]
    assert unpriced.cost is None and unpriced.unit_price is None and unpriced.hours == pytest.approx(1)
    assert costs.total == pytest.approx(6 + 0.5 + 4)
    assert not costs.priced and costs.unpriced_queues == [f"{runs.credential.name}: q_free"]
    assert [(g.name, round(g.cost, 6)) for g in costs.by_cluster] == [("q_priced", 10.5)]
    # the chart accumulates the same estimate over the period
    (series,) = costs.series
    assert series.name == runs.credential.name
    assert series.points[0][1] == 0 and series.points[-1][1] == pytest.approx(costs.total)
    values = [v for _t, v in series.points]
    assert values == sorted(values)
    # the running run grows with time; the others do not
    later = selectors.period_costs(roles.team, period, now=runs.now + timedelta(hours=1), service=Service.DLI)
    assert later.total == pytest.approx(costs.total + 2 * 1 * 0.5)
    # CS's estimate has none of DLI's runs
    assert selectors.period_costs(roles.team, period, now=runs.now).jobs == []


def test_a_price_set_later_prices_the_past_runs_of_the_queue(roles, runs):
    Queue.objects.filter(queue_name="q_free").update(cu_price=Decimal("2"))
    period = selectors.billing_period({"period": "month"}, now=runs.now)
    costs = selectors.period_costs(roles.team, period, now=runs.now, service=Service.DLI)
    assert costs.priced and not costs.unpriced_queues
    assert costs.total == pytest.approx(10.5 + 3 * 1 * 2)


def test_a_deleted_queue_keeps_pricing_its_runs(roles, runs):
    Queue.objects.filter(pk=runs.priced.pk).update(deleted_at=runs.now)
    period = selectors.billing_period({"period": "month"}, now=runs.now)
    costs = selectors.period_costs(roles.team, period, now=runs.now, service=Service.DLI)
    assert costs.total == pytest.approx(10.5)


def test_billing_page_labels_the_estimate_and_shows_the_formula(roles, login, runs):
    for user in (roles.viewer, roles.operator):
        assert login(user).get(BILLING).status_code == 403
    assert login(roles.other_lead).get(BILLING).status_code == 404
    response = login(roles.lead).get(BILLING)
    assert response.status_code == 200
    page = response.content.decode()
    assert "DLI: estimated cost" in page and 'badge-idle">estimate</span>' in page
    assert 'id="dli-formula"' in page and "CUs × hours run in the period × the queue" in page
    assert "Estimated DLI cost in the period: 10.50" in page
    assert 'id="dli-unpriced"' in page and "q_free" in page
    assert "not estimated: the queue has no price" in page
    assert 'id="dli-cost-chart"' in page and "Estimated DLI cost over the period" in page
    for job_id in (1, 2, 3, 4):
        assert f'data-dli-job-cost="{job_id}"' in page
    assert "Billing overview" not in page  # no CS credential: no CS overview
    assert "service=dli" in page


def test_the_estimate_csv_matches_the_table_and_escapes_formulas(roles, login, runs):
    response = login(roles.lead).get(CSV, {"period": "month", "service": "dli"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "dli-job-cost-estimate" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["job_id", "name", "status", "deleted", "account", "queue"]
    assert "cu" in header and "unit_price_per_cu_hour" in header and "spu" not in header
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert set(by_id) == {"1", "2", "3", "4"}
    assert by_id["1"]["estimated_cost"] == "6.0000" and by_id["1"]["queue"] == "q_priced"
    assert by_id["1"]["unit_price_per_cu_hour"] == "0.5000" and by_id["1"]["runs"] == "2"
    assert by_id["3"]["deleted"] == "yes" and by_id["3"]["estimated_cost"] == "4.0000"
    assert by_id["4"]["estimated_cost"] == "" and by_id["4"]["unit_price_per_cu_hour"] == ""
    assert by_id["2"]["name"] == "'=running_now()"  # a formula, neutralised
    cs = login(roles.lead).get(CSV, {"period": "month"})
    cs_rows = list(csv.reader(io.StringIO(b"".join(cs.streaming_content).decode())))
    assert cs_rows[0][5] == "runs" and len(cs_rows) == 1  # CS's CSV: no DLI run in it


# ----------------------------------------------------------------------------------------- freshness
def test_each_kind_is_as_fresh_as_the_credentials_that_poll_it(
    roles, login, cs_credential, dli_credential, emulator
):
    from dashboard.polling.services import sync_all

    for credential in (cs_credential, dli_credential):
        results = sync_all(credential.pk)
        assert all(r.ok for r in results.values()), {k: r.error for k, r in results.items()}
    queues = reverse("queue_list", kwargs={"team": "alpha"})
    clusters = reverse("cluster_list", kwargs={"team": "alpha"})
    client = login(roles.lead)
    for url in (QUOTAS, BILLING, queues, clusters):
        page = client.get(url).content.decode()
        assert "may be out of date" not in page and "Last updated" in page, url
    emulator.faults.configure({"path": "/queues$", "error_rate": 1.0})
    assert not sync(dli_credential.pk, "queues").ok
    assert "may be out of date" in client.get(queues).content.decode()
    assert "may be out of date" not in client.get(clusters).content.decode()  # CS's clusters are fresh
