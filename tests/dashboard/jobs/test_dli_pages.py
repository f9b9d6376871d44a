"""The jobs pages with DLI jobs: the list filtered by service and queue, the detail page in words,
run, stop, trigger a savepoint and run from it, each refused before DLI where DLI would refuse."""

from __future__ import annotations

import pytest

from dashboard.jobs.models import Job, Savepoint

from .conftest import job_url, team_url
from .dli_support import load_queues, refresh_job, short
from .test_dli_forms import sql_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def prod(emulator, dli_credential):
    load_queues(dli_credential)
    return f"{short(emulator)}_flink_prod"


@pytest.fixture
def dli_job(roles, login, dli_credential, prod):
    response = login(roles.operator).post(
        team_url("sql_job_create"),
        sql_data(dli_credential, prod, obs_bucket="my-bucket", checkpoint_enabled="on", tags="team=alpha"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Job.objects.get(credential=dli_credential, name="dli_orders")


@pytest.fixture
def running(dli_job, login, roles, emulator):
    assert login(roles.operator).post(job_url("job_run", dli_job)).status_code == 302
    emulator.advance(30)
    job = refresh_job(dli_job)
    assert job.status == "job_running"
    return job


def test_list_filters_by_service_and_queue(roles, login, synced, dli_job, prod):
    client = login(roles.viewer)
    page = client.get(team_url("job_list")).content.decode()
    assert 'name="service"' in page and 'name="queue"' in page and prod in page
    dli_only = client.get(team_url("job_list") + "?service=dli").content.decode()
    assert "dli_orders" in dli_only and "4 CU" in dli_only and prod in dli_only
    cs_job = Job.objects.filter(credential=synced).first()
    assert f'data-job="{synced.public_id}:{cs_job.job_id}"' not in dli_only
    cs_only = client.get(team_url("job_list") + "?service=cs").content.decode()
    assert "dli_orders" not in cs_only and f'data-job="{synced.public_id}:{cs_job.job_id}"' in cs_only
    assert "dli_orders" in client.get(team_url("job_list") + f"?queue={prod}").content.decode()
    assert "dli_orders" not in client.get(team_url("job_list") + "?queue=other_queue").content.decode()


def test_detail_shows_dli_fields_in_words(roles, login, dli_job, prod):
    page = login(roles.viewer).get(job_url("job_detail", dli_job)).content.decode()
    for words in (
        "Queue",
        "JobManager CUs",
        "Restarts after exceptions",
        "Savepoint path",
        "Checkpoint interval (s)",
        "Flink OpenSource SQL job",
        "team=alpha",
        prod,
    ):
        assert words in page, words
    for key in ("manager_cu_number", "checkpoint_interval<", "obs_bucket<", "tm_slot_num"):
        assert key not in page, key
    assert "Trigger savepoint" not in page  # viewer; and a draft is not running


def test_run_trigger_savepoint_stop_and_run_from_savepoint(roles, login, running, emulator, cs_calls):
    client = login(roles.operator)
    page = client.get(job_url("job_detail", running)).content.decode()
    assert "Trigger savepoint" in page and "obs://my-bucket/jobs/savepoint/" in page
    response = client.post(
        job_url("job_savepoint", running), {"savepoint_path": "obs://my-bucket/sp/"}, follow=True
    )
    assert "being made at obs://my-bucket/sp/" in response.content.decode()
    running.refresh_from_db()
    assert running.savepoint_path == "obs://my-bucket/sp/" and running.has_savepoint
    assert running.status == "job_savepointing"  # at once, as DLI shows it, until the next poll
    assert 'data-status="job_savepointing"' in client.get(job_url("job_detail", running)).content.decode()
    assert running.runs.filter(ended_at__isnull=True).count() == 1  # the run goes on
    assert Savepoint.objects.filter(job=running, location="obs://my-bucket/sp/").exists()
    emulator.advance(10)
    job = refresh_job(running)
    assert job.status == "job_running" and job.savepoint_path.startswith("obs://my-bucket/sp/")
    assert client.post(job_url("job_stop", job)).status_code == 302
    emulator.advance(10)
    job = refresh_job(job)
    assert job.status == "job_cancel_success"
    page = client.get(job_url("job_detail", job)).content.decode()
    assert "Run from savepoint" in page and job.savepoint_path in page
    assert "Trigger savepoint" not in page  # a stopped job takes none
    response = client.post(job_url("job_run", job), {"resume_savepoint": "on"}, follow=True)
    assert "being submitted" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "job_submitting"


def test_savepoint_refused_before_dli(roles, login, dli_job, cs_calls):
    client = login(roles.operator)
    before = cs_calls.total()
    response = client.post(
        job_url("job_savepoint", dli_job), {"savepoint_path": "obs://my-bucket/sp/"}, follow=True
    )
    assert "a savepoint is made only of a running job" in response.content.decode()
    assert cs_calls.total() == before
    dli_job.refresh_from_db()
    assert not dli_job.savepoint_path and not Savepoint.objects.filter(job=dli_job).exists()


def test_bad_savepoint_path_changes_nothing(roles, login, running, cs_calls):
    before = cs_calls.total()
    response = login(roles.operator).post(
        job_url("job_savepoint", running), {"savepoint_path": "/tmp/not-obs"}, follow=True
    )
    assert response.status_code == 200 and "obs://bucket/folder/" in response.content.decode()
    assert cs_calls.total() == before
    running.refresh_from_db()
    assert running.status == "job_running" and not Savepoint.objects.filter(job=running).exists()


def test_savepoint_of_a_cs_job_is_refused(roles, login, running_job, cs_calls):
    before = cs_calls.total()
    response = login(roles.operator).post(job_url("job_savepoint", running_job), {}, follow=True)
    assert "Stop with savepoint" in response.content.decode()
    assert cs_calls.total() == before


def test_savepoint_roles(roles, login, running):
    assert login(roles.viewer).post(job_url("job_savepoint", running), {}).status_code == 403
    assert login(roles.outsider).post(job_url("job_savepoint", running), {}).status_code == 404
    assert login(roles.operator).get(job_url("job_savepoint", running)).status_code == 405


def test_dli_refusal_of_a_run_lands_on_the_job(roles, login, dli_credential, prod, emulator):
    client = login(roles.operator)
    client.post(team_url("sql_job_create"), sql_data(dli_credential, prod, name="empty_sql", sql_body=""))
    job = Job.objects.get(credential=dli_credential, name="empty_sql")
    response = client.post(job_url("job_run", job), follow=True)
    assert "has no SQL statement" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "job_init"


def test_pages_work_at_phone_width_markup(roles, login, dli_job):
    page = login(roles.operator).get(team_url("sql_job_create") + "?service=dli").content.decode()
    assert 'name="viewport"' in page


def _clone_jobs(job, n, start):
    clones = []
    for i in range(n):
        clone = Job.objects.get(pk=job.pk)
        clone.pk = None
        clone.job_id = start + i
        clone.name = f"dli_clone_{start + i}"
        clones.append(clone)
    Job.objects.bulk_create(clones)


@pytest.mark.parametrize("url_name", ["job_list", "job_detail"])
def test_dli_pages_query_count_is_constant(roles, login, dli_job, url_name):
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = team_url("job_list") + "?service=dli" if url_name == "job_list" else job_url("job_detail", dli_job)
    client = login(roles.operator)
    _clone_jobs(dli_job, 5, 8_000_000)
    client.get(url)
    caches["fragments"].clear()
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _clone_jobs(dli_job, 60, 8_100_000)
    caches["fragments"].clear()
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_clone_of_a_dli_job_opens_dlis_form(roles, login, dli_job):
    response = login(roles.operator).get(job_url("job_clone", dli_job), follow=True)
    form = response.context["form"]
    assert type(form).__name__ == "DliSqlJobForm"
    assert form.initial["name"] == "dli_orders_copy" and form.initial["queue_name"] == dli_job.queue_name


def test_batch_run_of_dli_jobs(roles, login, dli_credential, prod, dli_job):
    client = login(roles.operator)
    client.post(team_url("sql_job_create"), sql_data(dli_credential, prod, name="dli_second"))
    jobs = list(Job.objects.filter(credential=dli_credential))
    keys = [f"{dli_credential.public_id}:{j.job_id}" for j in jobs]
    confirm = client.post(team_url("job_batch"), {"jobs": keys, "action": "run"})
    assert confirm.status_code == 200 and "Run 2 jobs" in confirm.content.decode()
    done = client.post(team_url("job_batch"), {"jobs": keys, "action": "run", "confirmed": "on"}, follow=True)
    assert "2 submitted" in done.content.decode()
    assert {j.status for j in Job.objects.filter(credential=dli_credential)} == {"job_submitting"}
