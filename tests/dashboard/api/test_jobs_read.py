"""Job reads: list (filters, search, sort, pages), detail, status history and metric series, from
snapshots synced from the CS emulator."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from dashboard.jobs.models import Job, JobStatusChange, MetricSample
from dashboard.jobs.selectors import JobFilters, job_list
from tests.dashboard.api.conftest import assert_error

JOBS = "/api/v1/teams/alpha/jobs/"


def job_url(job: Job, suffix: str = "") -> str:
    return f"{JOBS}{job.credential.public_id}/{job.job_id}/{suffix}"


@pytest.mark.django_db
def test_list_matrix(roles, api):
    assert_error(api(None).get(JOBS), 401)
    assert_error(api(roles.outsider).get(JOBS), 404)
    assert_error(api(roles.viewer).delete(JOBS), 405)
    assert api(roles.viewer).get(JOBS).status_code == 200


@pytest.mark.django_db
def test_list_is_served_from_snapshots(roles, api, synced):
    jobs = Job.objects.filter(team=roles.team, deleted_at__isnull=True)
    assert jobs.exists()
    body = api(roles.viewer, token=True).get(JOBS).json()
    assert body["count"] == jobs.count()
    assert {r["job_id"] for r in body["results"]} == set(jobs.values_list("job_id", flat=True)[:50])
    row = body["results"][0]
    assert row["key"] == f"{row['credential']}:{row['job_id']}"
    assert "freshness" in body and body["freshness"]["stale"] is False
    # Another team never sees these jobs.
    other = api(roles.other_lead).get("/api/v1/teams/beta/jobs/").json()
    assert other["count"] == 0


@pytest.mark.django_db
def test_list_filters_search_sort_and_pages(roles, api, synced):
    client = api(roles.viewer)
    job = Job.objects.filter(team=roles.team).order_by("job_id").first()
    body = client.get(JOBS, {"q": job.name}).json()
    assert job.job_id in {r["job_id"] for r in body["results"]}
    assert all(job.name.lower() in r["name"].lower() for r in body["results"])
    by_name = [r["job_id"] for r in client.get(JOBS, {"sort": "name", "page_size": 200}).json()["results"]]
    page_order = job_list(roles.team, JobFilters.from_query({"sort": "name"})).values_list(
        "job_id", flat=True
    )
    assert by_name == list(page_order[:200])
    ids = [r["job_id"] for r in client.get(JOBS, {"sort": "-id", "page_size": 200}).json()["results"]]
    assert ids == sorted(ids, reverse=True)
    status = job.status
    rows = client.get(JOBS, {"status": status, "page_size": 200}).json()["results"]
    assert rows and all(r["status"] == status for r in rows)
    # Unknown filter values are ignored, as on the page.
    total = Job.objects.filter(team=roles.team, deleted_at__isnull=True).count()
    assert client.get(JOBS, {"status": "nonsense", "sort": "nonsense"}).json()["count"] == total
    first = client.get(JOBS, {"page_size": 1}).json()
    assert len(first["results"]) == 1 and first["pages"] == first["count"]
    if first["count"] > 1:
        assert first["next"] and "page=2" in first["next"]
    assert_error(client.get(JOBS, {"page": 9999}), 404)


@pytest.mark.django_db
def test_detail_history_and_metrics(roles, api, synced):
    job = Job.objects.filter(team=roles.team).select_related("credential").first()
    now = timezone.now()
    JobStatusChange.objects.create(
        job=job, previous_status="job_submitting", status="job_running", observed_at=now
    )
    MetricSample.objects.create(job=job, sampled_at=now, records_in=10, records_out=9, read_rate=1.5)
    client = api(roles.viewer)
    detail = client.get(job_url(job)).json()
    assert detail["job_id"] == job.job_id and detail["name"] == job.name
    assert "sql_body" in detail and "raw" not in detail
    history = client.get(job_url(job, "status-history/")).json()
    assert history[0]["status"] == "job_running" and history[0]["previous_status"] == "job_submitting"
    metrics = client.get(job_url(job, "metrics/")).json()
    assert metrics[-1]["records_in"] == 10 and metrics[-1]["read_rate"] == 1.5
    for suffix in ("", "status-history/", "metrics/"):
        assert_error(api(roles.outsider).get(job_url(job, suffix)), 404)
        assert_error(client.post(job_url(job, suffix), {}), 405)


@pytest.mark.django_db
def test_detail_of_unknown_or_foreign_job_is_404(roles, api, synced, other_cs_credential):
    from dashboard.polling.services import sync

    sync(other_cs_credential.pk, "jobs")
    foreign = Job.objects.filter(team=roles.other_team).select_related("credential").first()
    client = api(roles.lead)
    assert_error(client.get(f"{JOBS}{uuid.uuid4()}/1/"), 404)
    assert_error(client.get(f"{JOBS}{synced.public_id}/999999999999999999/"), 404)
    if foreign is not None:
        assert_error(client.get(job_url(foreign)), 404)
