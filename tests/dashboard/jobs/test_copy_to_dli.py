"""Copying CS jobs to DLI: DLI's SQL form prefilled from a CS job with what was not carried over listed,
the DLI job created as a draft, a batch for a selection; refusals change nothing."""

from __future__ import annotations

import pytest

from dashboard.jobs.copy_to_dli import plan_copy
from dashboard.jobs.models import Job

from .conftest import job_url, team_url
from .dli_support import load_queues, short

pytestmark = pytest.mark.django_db


@pytest.fixture
def prod(emulator, dli_credential):
    load_queues(dli_credential)
    return f"{short(emulator)}_flink_prod"


@pytest.fixture
def cs_sql_jobs(synced):
    return list(
        Job.objects.filter(credential=synced, job_type="flink_sql_job", deleted_at__isnull=True)
        .exclude(sql_body="")
        .order_by("job_id")
    )


def test_plan_maps_spu_to_cu_and_lists_what_is_dropped(cs_sql_jobs):
    job = cs_sql_jobs[0]
    job.spu_number, job.parallel_number = 2, 8
    plan = plan_copy(job)
    assert plan.possible
    assert plan.initial["cu_number"] == 3 and plan.initial["manager_cu_number"] == 1  # 1 + ceil(8 / 4)
    assert plan.initial["parallel_number"] == 8 and plan.initial["sql_body"] == job.sql_body
    assert plan.initial["job_type"] == "flink_sql_job"
    assert any("queue" in d for d in plan.dropped)
    assert any("draft" in n for n in plan.notes)


def test_copy_page_prefills_dli_form(roles, login, cs_sql_jobs, dli_credential, prod):
    job = cs_sql_jobs[0]
    response = login(roles.operator).get(job_url("job_copy_to_dli", job))
    assert response.status_code == 200
    page = response.content.decode()
    form = response.context["form"]
    assert form.initial["name"] == job.name and form.initial["sql_body"] == job.sql_body
    assert 'name="queue_name"' in page and 'name="spu_number"' not in page
    assert "Not carried over" in page and "Create the DLI job as a draft" in page
    assert 'value="run"' not in page  # a copy is never run from here
    detail = login(roles.operator).get(job_url("job_detail", job)).content.decode()
    assert "Copy to DLI" in detail


def test_copy_creates_a_dli_draft(roles, login, cs_sql_jobs, dli_credential, prod, cs_calls):
    job = cs_sql_jobs[0]
    client = login(roles.operator)
    data = {k: v for k, v in client.get(job_url("job_copy_to_dli", job)).context["form"].initial.items()}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v not in (None, False, "")}
    data.update(credential=str(dli_credential.public_id), queue_name=prod, submit="run")
    status = job.status
    response = client.post(job_url("job_copy_to_dli", job), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    copy = Job.objects.get(credential=dli_credential, name=job.name)
    assert copy.status == "job_init" and copy.service == "dli" and copy.queue_name == prod
    assert copy.sql_body == job.sql_body
    job.refresh_from_db()
    assert job.status == status and job.deleted_at is None


def test_copy_limits_are_checked_before_dli(roles, login, cs_sql_jobs, dli_credential, prod, cs_calls):
    job = cs_sql_jobs[0]
    before = cs_calls.total()
    response = login(roles.operator).post(
        job_url("job_copy_to_dli", job),
        {
            "credential": str(dli_credential.public_id),
            "name": job.name,
            "queue_name": prod,
            "cu_number": "999",
            "manager_cu_number": "1",
            "parallel_number": "1",
            "job_type": "flink_sql_job",
            "sql_body": job.sql_body,
        },
    )
    assert response.status_code == 400 and "cu_number" in response.context["form"].errors
    assert cs_calls.total() == before
    assert not Job.objects.filter(credential=dli_credential).exists()


def test_team_without_dli_and_spark_jobs_are_refused(roles, login, synced, cs_calls):
    sql = Job.objects.filter(credential=synced, job_type="flink_sql_job").first()
    client = login(roles.operator)
    response = client.get(job_url("job_copy_to_dli", sql), follow=True)
    assert "no DLI credential" in response.content.decode()
    assert "Copy to DLI" not in client.get(job_url("job_detail", sql)).content.decode()


def test_spark_job_is_refused(roles, login, synced, dli_credential, prod):
    spark = Job.objects.filter(credential=synced, job_type="spark_streaming_jar_job").first()
    if spark is None:
        pytest.skip("the demo seed has no Spark Streaming job")
    client = login(roles.operator)
    response = client.get(job_url("job_copy_to_dli", spark), follow=True)
    assert "Flink jobs only" in response.content.decode()
    assert "Copy to DLI" not in client.get(job_url("job_detail", spark)).content.decode()


def test_flink_jar_job_copies_to_dlis_jar_form(roles, login, synced, dli_credential, prod):
    jar = Job.objects.filter(credential=synced, job_type="flink_jar_job").first()
    assert jar is not None
    client = login(roles.operator)
    page = client.get(job_url("job_copy_to_dli", jar))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="entrypoint"' in text and 'name="jar"' not in text and "Not carried over" in text
    initial = page.context["form"].initial
    assert initial["cu_number"] == jar.spu_number and initial["main_class"] == jar.main_class
    data = {k: ("on" if v is True else v) for k, v in initial.items() if v not in (None, False, "")}
    data.update(
        credential=str(dli_credential.public_id),
        queue_name=prod,
        entrypoint=initial.get("entrypoint") or "obs://my-bucket/app.jar",
    )
    response = client.post(job_url("job_copy_to_dli", jar), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    copy = Job.objects.get(credential=dli_credential, name=jar.name)
    assert (
        copy.job_type == "flink_jar_job" and copy.status == "job_init" and copy.jar_url.startswith("obs://")
    )


def test_copy_roles_and_isolation(roles, login, cs_sql_jobs, dli_credential, prod):
    job = cs_sql_jobs[0]
    assert login(roles.viewer).get(job_url("job_copy_to_dli", job)).status_code == 403
    assert login(roles.viewer).post(job_url("job_copy_to_dli", job), {}).status_code == 403
    assert login(roles.other_lead).get(job_url("job_copy_to_dli", job)).status_code == 404
    key = f"{job.credential.public_id}:{job.job_id}"
    assert login(roles.viewer).post(team_url("jobs_copy_to_dli"), {"jobs": [key]}).status_code == 403
    response = login(roles.other_lead).post(team_url("jobs_copy_to_dli", team="beta"), {"jobs": [key]})
    assert response.status_code == 302  # beta has no DLI credential, nor this job
    assert not Job.objects.filter(service="dli").exists()


def test_batch_copy(roles, login, cs_sql_jobs, dli_credential, prod, synced):
    spark = Job.objects.filter(credential=synced, job_type="spark_streaming_jar_job").first()
    chosen = cs_sql_jobs[:2] + ([spark] if spark else [])
    keys = [f"{j.credential.public_id}:{j.job_id}" for j in chosen]
    client = login(roles.operator)
    page = client.post(team_url("jobs_copy_to_dli"), {"jobs": keys, "step": "choose"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Copy 2 jobs to DLI" in text and "Not carried over" in text
    if spark:
        assert "Flink jobs only" in text
    missing_queue = client.post(
        team_url("jobs_copy_to_dli"),
        {"jobs": keys, "confirmed": "on", "credential": str(dli_credential.public_id), "queue_name": ""},
    )
    assert missing_queue.status_code == 400
    assert not Job.objects.filter(credential=dli_credential).exists()
    done = client.post(
        team_url("jobs_copy_to_dli"),
        {"jobs": keys, "confirmed": "on", "credential": str(dli_credential.public_id), "queue_name": prod},
        follow=True,
    )
    assert "copied to DLI as drafts" in done.content.decode()
    copies = Job.objects.filter(credential=dli_credential)
    assert sorted(c.name for c in copies) == sorted(j.name for j in cs_sql_jobs[:2])
    assert {c.status for c in copies} == {"job_init"}
