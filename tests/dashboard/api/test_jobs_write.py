"""Job writes through the API: SQL and JAR create/update, run/stop/delete and their batch forms,
against the CS emulator; validation from the page's forms; CS failures in the one error shape."""

from __future__ import annotations

import io
import zipfile

import pytest

from dashboard.jobs.models import Job
from dashboard.teams.models import ActionLog
from tests.dashboard.api.conftest import assert_error

JOBS = "/api/v1/teams/alpha/jobs/"


def job_url(job: Job, suffix: str = "") -> str:
    return f"{JOBS}{job.credential.public_id}/{job.job_id}/{suffix}"


def sql_body(cred, **extra):
    return {
        "credential": str(cred.public_id),
        "name": "api_job",
        "run_mode": "shared_cluster",
        "sql_body": "INSERT INTO sink SELECT * FROM source;",
        "spu_number": 2,
        "parallel_number": 1,
        **extra,
    }


def a_jar(main_class: str = "com.example.Main") -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", f"Manifest-Version: 1.0\nMain-Class: {main_class}\n")
        archive.writestr("com/example/Main.class", b"\xca\xfe\xba\xbe")
    buffer.seek(0)
    buffer.name = "app.jar"
    return buffer


@pytest.mark.django_db
def test_create_sql_job_matrix(roles, api, cs_credential):
    body = sql_body(cs_credential)
    assert_error(api(None).post(JOBS + "sql/", body, format="json"), 401)
    assert_error(api(roles.outsider).post(JOBS + "sql/", body, format="json"), 404)
    assert_error(api(roles.viewer).post(JOBS + "sql/", body, format="json"), 403)
    assert_error(api(roles.operator).get(JOBS + "sql/"), 405)
    assert not Job.objects.filter(name="api_job").exists()


@pytest.mark.django_db
def test_create_update_run_stop_delete_sql_job(roles, api, cs_credential, emulator):
    client = api(roles.operator, token=True)
    response = client.post(JOBS + "sql/", sql_body(cs_credential), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    job = Job.objects.select_related("credential").get(team=roles.team, job_id=created["job_id"])
    assert created["name"] == "api_job" and created["key"] == f"{cs_credential.public_id}:{job.job_id}"
    assert ActionLog.objects.filter(action="job.create_sql", user=roles.operator, outcome="success").exists()

    response = client.patch(
        job_url(job, "sql/"), {"sql_body": "INSERT INTO sink SELECT id FROM source;"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["sql_body"].endswith("SELECT id FROM source;")
    assert response.json()["name"] == "api_job"  # untouched fields keep their values

    response = client.post(job_url(job, "run/"), {"resume_savepoint": False}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "job_submitting"
    # a savepoint is made only of a running job: refused while it is submitting, nothing is sent
    response = client.post(job_url(job, "stop/"), {"trigger_savepoint": True}, format="json")
    body = assert_error(response, 409, "action_refused")
    assert "running job" in body["message"]
    emulator.advance(30)
    from dashboard.polling.services import sync

    assert sync(cs_credential.pk, "jobs").ok
    response = client.post(job_url(job, "stop/"), {"trigger_savepoint": True}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "job_savepointing"

    assert_error(api(roles.viewer).delete(job_url(job)), 403)
    response = client.delete(job_url(job))
    assert response.status_code == 204, response.content
    assert Job.objects.get(pk=job.pk).deleted_at is not None
    assert_error(client.get(job_url(job)), 404)


@pytest.mark.django_db
def test_sql_job_validation_uses_the_form_rules(roles, api, cs_credential):
    from csapi import limits

    client = api(roles.operator)
    too_long = "x" * (limits.JOB_NAME_MAX_BYTES + 1)
    body = assert_error(
        client.post(JOBS + "sql/", sql_body(cs_credential, name=too_long), format="json"), 400, "invalid"
    )
    assert "name" in body["detail"]
    body = assert_error(
        client.post(JOBS + "sql/", sql_body(cs_credential, spu_number=limits.SPU_MAX + 1), format="json"), 400
    )
    assert "spu_number" in body["detail"]
    body = assert_error(
        client.post(JOBS + "sql/", sql_body(cs_credential, credential="nope"), format="json"), 400
    )
    assert "credential" in body["detail"]
    assert_error(client.post(JOBS + "sql/", ["not", "an", "object"], format="json"), 400)
    assert_error(client.post(JOBS + "sql/", "{broken", content_type="application/json"), 400, "parse_error")
    assert not Job.objects.filter(team=roles.team).exists()


@pytest.mark.django_db
def test_another_teams_credential_is_not_a_choice(roles, api, cs_credential, other_cs_credential):
    body = assert_error(
        api(roles.operator).post(JOBS + "sql/", sql_body(other_cs_credential), format="json"), 400
    )
    assert "credential" in body["detail"]


@pytest.mark.django_db
def test_create_jar_job_multipart(roles, api, synced):
    from dashboard.clusters.models import Cluster

    cluster = Cluster.objects.filter(team=roles.team, deleted_at__isnull=True).first()
    if cluster is None:
        pytest.fail("the demo tenant has no exclusive cluster")
    client = api(roles.operator)
    data = {
        "credential": str(synced.public_id),
        "name": "jar_api_job",
        "job_type": "flink_jar_job",
        "cluster_id": str(cluster.cluster_id),
        "spu_number": "2",
        "manager_spu": "1",
        "parallel_number": "1",
        "jar": a_jar(),
    }
    response = client.post(JOBS + "jar/", data, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["main_class"] == "com.example.Main"
    from dashboard.polling.services import sync

    sync(synced.pk, "jobs")  # the full job as CS lists it (manager SPUs and all)
    job = Job.objects.select_related("credential").get(team=roles.team, name="jar_api_job")
    response = client.patch(job_url(job, "jar/"), {"args": "--window 60"}, format="multipart")
    assert response.status_code == 200, response.content
    assert_error(client.patch(job_url(job, "sql/"), {"sql_body": "x"}, format="json"), 400)
    # Not a JAR: refused by the form before CS is called.
    bad = {**data, "name": "bad_jar", "jar": io.BytesIO(b"not a zip")}
    bad["jar"].name = "bad.jar"
    body = assert_error(client.post(JOBS + "jar/", bad, format="multipart"), 400)
    assert "jar" in body["detail"]


@pytest.mark.django_db
def test_batch_actions(roles, api, synced):
    jobs = list(Job.objects.filter(team=roles.team, deleted_at__isnull=True).select_related("credential")[:2])
    keys = [f"{j.credential.public_id}:{j.job_id}" for j in jobs]
    client = api(roles.operator)
    assert_error(api(roles.viewer).post(JOBS + "stop/", {"jobs": keys}, format="json"), 403)
    body = assert_error(client.post(JOBS + "run/", {"jobs": []}, format="json"), 400)
    assert "jobs" in body["detail"]
    body = assert_error(client.post(JOBS + "run/", {"jobs": [*keys, "junk:1"]}, format="json"), 400)
    assert "junk:1" in body["detail"]["jobs"][0]
    response = client.post(JOBS + "stop/", {"jobs": keys, "savepoint": False}, format="json")
    assert response.status_code == 200, response.content
    result = response.json()
    assert sorted(result["done"] + [k for f in result["failed"] for k in f["jobs"]]) == sorted(keys)
    response = client.post(JOBS + "delete/", {"jobs": keys}, format="json")
    assert response.status_code == 200
    assert sorted(response.json()["done"]) == sorted(keys) and response.json()["failed"] == []
    assert Job.objects.filter(team=roles.team, deleted_at__isnull=False).count() == len(keys)


@pytest.mark.django_db
def test_cs_unreachable_is_503_with_the_shape(roles, api, cs_credential, fast_cs):
    cs_credential.cs_endpoint = cs_credential.iam_endpoint = "http://127.0.0.1:9"
    cs_credential.save()
    body = assert_error(
        api(roles.operator).post(JOBS + "sql/", sql_body(cs_credential), format="json"), 503, "cs_unavailable"
    )
    assert set(body["cs"]) == {"code", "description", "solution", "cause"}
    assert ActionLog.objects.filter(action="job.create_sql", outcome="failure").exists()


@pytest.mark.django_db
def test_cs_rate_limit_is_429_with_retry_after(roles, api, cs_credential, emulator, fast_cs):
    emulator.faults.configure(
        {"path": "sql_job$", "methods": ["POST"], "throttle_rate": 1.0, "retry_after": 7}
    )
    response = api(roles.operator).post(JOBS + "sql/", sql_body(cs_credential), format="json")
    body = assert_error(response, 429, "cs_rate_limited")
    assert response["Retry-After"] == "7"
    assert body["cs"]["code"]


@pytest.mark.django_db
def test_cs_error_details_are_in_the_shape(roles, api, cs_credential):
    client = api(roles.operator)
    assert client.post(JOBS + "sql/", sql_body(cs_credential, name="dupe"), format="json").status_code == 201
    response = client.post(JOBS + "sql/", sql_body(cs_credential, name="dupe"), format="json")
    body = assert_error(response, 400)
    # A CS refusal about one field lands on that field, as on the page.
    assert "name" in body["detail"] or body.get("cs", {}).get("code", "").startswith("CS.")


@pytest.mark.django_db
def test_session_writes_need_the_csrf_token(roles, api, cs_credential):
    client = api(roles.operator, csrf=True)
    body = assert_error(client.post(JOBS + "sql/", sql_body(cs_credential), format="json"), 403)
    assert "CSRF" in body["message"]
    # Tokens are not cookies: no CSRF token needed.
    token_client = api(roles.operator, token=True)
    token_client.handler.enforce_csrf_checks = True
    assert token_client.post(JOBS + "sql/", sql_body(cs_credential), format="json").status_code == 201


@pytest.mark.django_db
def test_writes_are_rate_limited_per_token(roles, api, cs_credential, throttle_rates):
    throttle_rates(api_write="2/min")
    first = api(roles.operator, token=True)
    second = api(roles.operator, token=True)
    for _ in range(2):
        assert first.post(JOBS + "run/", {"jobs": []}, format="json").status_code == 400
    response = first.post(JOBS + "run/", {"jobs": []}, format="json")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) >= 1
    # Reads are not limited; another token has its own budget (within the user's).
    assert first.get(JOBS).status_code == 200
    assert second.post(JOBS + "run/", {"jobs": []}, format="json").status_code == 400
