"""JAR job upload and edit: files checked before CS sees them, type-specific rules, JSON answers."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from csapi import limits
from csapi.emulator.seed import make_jar
from dashboard.clusters.models import Cluster
from dashboard.jobs.models import Job
from dashboard.teams.models import ActionLog

from .conftest import job_url, team_url

pytestmark = pytest.mark.django_db


def jar_data(credential, cluster, **overrides):
    data = {
        "credential": str(credential.public_id),
        "name": "clicks_jar",
        "desc": "",
        "job_type": "flink_jar_job",
        "cluster_id": str(cluster.cluster_id),
        "spu_number": "4",
        "manager_spu": "1",
        "parallel_number": "2",
        "executor_number": "2",
        "executor_spu": "1",
        "submit": "save",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def jar_file(name="job.jar", content=None):
    return SimpleUploadedFile(
        name,
        content if content is not None else make_jar("com.example.Clicks"),
        content_type="application/java-archive",
    )


@pytest.fixture
def cluster(synced, roles):
    return (
        Cluster.objects.filter(team=roles.team, status_code=5).first()
        or Cluster.objects.filter(team=roles.team).first()
    )


def test_matrix(roles, login, synced, cluster):
    url = team_url("jar_job_create")
    assert login(roles.outsider).get(url).status_code == 404
    assert login(roles.viewer).get(url).status_code == 403
    assert login(roles.operator).delete(url).status_code == 405
    assert login(roles.operator).get(url).status_code == 200


def test_upload_creates_job_with_main_class_from_manifest(roles, login, synced, cluster, cs_calls):
    before = cs_calls.jobs()
    response = login(roles.operator).post(
        team_url("jar_job_create"), {**jar_data(synced, cluster), "jar": jar_file()}
    )
    assert response.status_code == 302, response.context["form"].errors
    assert cs_calls.jobs() == before + 1
    job = Job.objects.get(team=roles.team, name="clicks_jar")
    assert job.main_class == "com.example.Clicks"
    assert ActionLog.objects.filter(action="job.create_jar", outcome="success").exists()


def test_upload_answers_json_for_the_progress_bar(roles, login, synced, cluster):
    response = login(roles.operator).post(
        team_url("jar_job_create"),
        {**jar_data(synced, cluster, submit="run"), "jar": jar_file()},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] and "/jobs/" in body["redirect"]
    assert Job.objects.get(team=roles.team, name="clicks_jar").status == "job_submitting"


def test_spark_job(roles, login, synced, cluster):
    data = jar_data(
        synced, cluster, job_type="spark_streaming_jar_job", spu_number=None, parallel_number=None
    )
    response = login(roles.operator).post(team_url("jar_job_create"), {**data, "jar": jar_file()})
    assert response.status_code == 302, response.context["form"].errors


def test_jar_url_instead_of_a_file(roles, login, synced, cluster):
    data = jar_data(
        synced, cluster, jar_url="obs://b1-checkpoints/jobs/job.jar", main_class="com.example.Main"
    )
    response = login(roles.operator).post(team_url("jar_job_create"), data)
    assert response.status_code in (302, 400)
    if response.status_code == 400:  # CS checked the path: its answer lands on the URL field
        assert response.context["form"].errors


def _zip_without_manifest() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "x")
    return buffer.getvalue()


BAD = [
    ({"jar": lambda: jar_file("notes.txt", b"hello")}, "jar"),
    ({"jar": lambda: jar_file("fake.jar", b"PK not really a zip")}, "jar"),
    ({"jar": lambda: jar_file("nomanifest.jar", _zip_without_manifest())}, "jar"),
    ({"jar": lambda: jar_file("big.jar", make_jar(extra=0) + b"\0" * (limits.UPLOAD_MAX_BYTES + 1))}, "jar"),
    ({"config": lambda: SimpleUploadedFile("c.yaml", b"\0" * (limits.UPLOAD_MAX_BYTES + 1))}, "config"),
    ({}, "jar"),  # neither a file nor a URL
    ({"name": ""}, "name"),
    ({"name": "bad name!"}, "name"),
    ({"name": "n" * (limits.JOB_NAME_MAX_BYTES + 1)}, "name"),
    ({"desc": "d" * (limits.JOB_DESC_MAX_BYTES + 1)}, "desc"),
    ({"cluster_id": ""}, "cluster_id"),
    ({"spu_number": str(limits.SPU_MAX + 1)}, "spu_number"),
    ({"manager_spu": str(limits.MANAGER_SPU_MAX + 1)}, "manager_spu"),
    ({"spu_number": "2", "manager_spu": "2"}, "manager_spu"),
    (
        {"spu_number": "2", "manager_spu": "1", "parallel_number": str(limits.PARALLELISM_PER_SPU + 1)},
        "parallel_number",
    ),
    ({"parallel_number": str(limits.PARALLELISM_MAX + 1)}, "parallel_number"),
    (
        {"job_type": "spark_streaming_jar_job", "executor_number": str(limits.EXECUTOR_NUMBER_MAX + 1)},
        "executor_number",
    ),
    (
        {"job_type": "spark_streaming_jar_job", "executor_spu": str(limits.EXECUTOR_SPU_MAX + 1)},
        "executor_spu",
    ),
    ({"job_type": "flink_sql_job"}, "job_type"),
    ({"main_class": "com.example Main"}, "main_class"),
    ({"main_class": "c" * (limits.MAIN_CLASS_MAX_BYTES + 1)}, "main_class"),
    ({"args": "a" * (limits.ARGS_MAX_BYTES + 1)}, "args"),
    ({"log_enabled": "on", "obs_bucket": ""}, "obs_bucket"),
    ({"jar_url": "obs://b/x.jar"}, "jar_url"),  # with a file too
]


@pytest.mark.parametrize(("overrides", "field"), BAD)
def test_bad_input_is_rejected_before_cs(roles, login, synced, cluster, cs_calls, overrides, field):
    data = jar_data(synced, cluster)
    files = {}
    for key, value in overrides.items():
        if callable(value):
            files[key] = value()
        else:
            data[key] = value
    if field != "jar" and "jar" not in files:
        files["jar"] = jar_file()
    if field == "jar_url":
        files["jar"] = jar_file()
    before = cs_calls.total()
    response = login(roles.operator).post(team_url("jar_job_create"), {**data, **files})
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert cs_calls.total() == before
    assert not Job.objects.filter(team=roles.team, name="clicks_jar").exists()


def test_bad_upload_json_answer_carries_the_form(roles, login, synced, cluster, cs_calls):
    response = login(roles.operator).post(
        team_url("jar_job_create"),
        {**jar_data(synced, cluster), "jar": jar_file("x.jar", b"nope")},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 400
    body = response.json()
    assert not body["ok"] and "jar" in body["errors"] and "field-jar" in body["form_html"]


def test_edit_jar_job(roles, login, synced):
    job = Job.objects.filter(
        team=roles.team, job_type="flink_jar_job", status__in=["job_cancel_success", "job_init"]
    ).first()
    if job is None:
        pytest.fail("the demo seed has no stopped Flink JAR job")
    client = login(roles.operator)
    page = client.get(job_url("job_edit", job))
    assert page.status_code == 200
    initial = page.context["form"].initial
    data = {k: v for k, v in initial.items() if v not in (None, False, "")}
    data.update(desc="new description", submit="save")
    response = client.post(job_url("job_edit", job), data)
    assert response.status_code == 302, response.context["form"].errors
    job.refresh_from_db()
    assert job.desc == "new description"
