"""The execution plan and APIG sinks: fetched in the background when a job is opened, never on the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dashboard.jobs.models import Job, JobDetails
from dashboard.jobs.services import job_details_due, job_details_fetch
from dashboard.polling.services import sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def sql_job(cs_credential):
    assert sync(cs_credential.id, "jobs").ok
    return Job.objects.filter(credential=cs_credential, job_type="flink_sql_job").first()


def _url(job):
    return reverse(
        "job_detail",
        kwargs={"team": job.team.slug, "credential": job.credential.public_id, "job_id": job.job_id},
    )


def test_opening_a_job_enqueues_one_fetch_and_never_calls_cs(
    roles, login, sql_job, emulator, django_capture_on_commit_callbacks
):
    emulator.emulator.reset_stats()
    client = login(roles.viewer)
    with django_capture_on_commit_callbacks() as callbacks:
        page = client.get(_url(sql_job))
        client.get(_url(sql_job))  # a second view within the minute enqueues nothing more
    assert page.status_code == 200
    assert "Fetching the execution plan" in page.content.decode()
    assert len(callbacks) == 1
    assert emulator.emulator.stats()["total"] == 0  # the page itself asked CS nothing


def test_fetch_stores_plan_and_sinks_and_page_draws_them(roles, login, sql_job, emulator):
    details = job_details_fetch(job_pk=sql_job.pk)
    assert details.error == "" and details.plan and details.apig_sinks is not None
    sql_job.refresh_from_db()
    assert not job_details_due(sql_job)
    page = login(roles.viewer).get(_url(sql_job)).content.decode()
    assert "<svg" in page.split("Execution plan", 1)[1]
    assert "Fetching the execution plan" not in page


def test_fetch_failure_is_shown_and_retried_later(roles, login, sql_job, emulator):
    emulator.faults.configure({"path": "execute_graph", "error_rate": 1.0, "error_statuses": [500]})
    details = job_details_fetch(job_pk=sql_job.pk)
    assert details.error and not JobDetails.objects.get(job=sql_job).plan
    sql_job.refresh_from_db()
    assert not job_details_due(sql_job)  # not again at once
    page = login(roles.viewer).get(_url(sql_job)).content.decode()
    assert "CS did not give the execution plan" in page


def test_jar_jobs_have_no_plan_to_fetch(
    roles, login, cs_credential, emulator, django_capture_on_commit_callbacks
):
    assert sync(cs_credential.id, "jobs").ok
    jar = Job.objects.filter(credential=cs_credential, job_type="flink_jar_job").first()
    with django_capture_on_commit_callbacks() as callbacks:
        page = login(roles.viewer).get(_url(jar))
    assert page.status_code == 200 and not callbacks
    assert "execution plans for SQL jobs only" in page.content.decode()
