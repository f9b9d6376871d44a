"""The API on DLI: the job endpoints serve DLI jobs (``service`` a field, DLI's own fields, filters by
service and queue), create and update DLI SQL and JAR jobs with DLI's limits checked before DLI is
called, run / stop / delete / savepoint DLI jobs, and the queues and quotas endpoints serve DLI's rows;
all against the emulator's DLI."""

from __future__ import annotations

import pytest
import requests

from csapi import vocab
from csapi.dli import limits
from dashboard.jobs.models import Job, Savepoint
from tests.dashboard.api import dli
from tests.dashboard.api.conftest import assert_error

pytestmark = pytest.mark.django_db

TEAM = "/api/v1/teams/alpha/"
JOBS = TEAM + "jobs/"


def job_url(job: Job, suffix: str = "") -> str:
    return f"{JOBS}{job.credential.public_id}/{job.job_id}/{suffix}"


def dli_calls(emulator) -> int:
    """Requests the emulator's DLI has served for Flink jobs (every path under /streaming/)."""
    ops = requests.get(f"{emulator.url}/_emulator/stats", timeout=5).json()["by_operation"]
    return sum(n for op, n in ops.items() if "/streaming/" in op)


def sql_body(credential, **extra):
    return {
        "credential": str(credential.public_id),
        "name": "api_dli_job",
        "queue_name": dli.flink_queue(credential),
        "sql_body": "INSERT INTO sink SELECT * FROM source;",
        "cu_number": 4,
        "manager_cu_number": 1,
        "parallel_number": 4,
        **extra,
    }


@pytest.fixture
def other_dli(roles, emulator):
    """Team beta's DLI credential (the emulator's second tenant, AK/SK)."""
    return dli.dli_credential_for(roles.other_team, emulator.tenants[1], emulator.url)


# ------------------------------------------------------------------------------------------ create


def test_create_dli_sql_job(roles, api, dli_credential, emulator, fast_cs):
    body = sql_body(
        dli_credential,
        flink_version="1.17",
        checkpoint_enabled=True,
        checkpoint_mode="at_least_once",
        checkpoint_interval=60,
        tm_cus=1,
        tm_slot_num=2,
        resume_checkpoint=True,
        resume_max_num=5,
        tags={"env": "prod"},
    )
    response = api(roles.operator, token=True).post(JOBS + "sql/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["service"] == "dli" and data["unit"] == "cu"
    assert data["cu_number"] == 4 and data["spu_number"] is None
    assert data["queue_name"] == body["queue_name"] and data["cluster_id"] is None
    assert data["manager_cu_number"] == 1 and data["tm_slot_num"] == 2
    assert data["flink_version"] == "1.17" and data["resume_max_num"] == 5
    assert data["tags"] == [{"key": "env", "value": "prod"}]
    assert data["run_error"] is None
    with dli.client_for(dli_credential) as client:
        created = client.jobs.get(data["job_id"])
    assert created["name"] == "api_dli_job" and created["queue_name"] == body["queue_name"]
    config = created["job_config"]
    assert config["cu_number"] == 4 and config["checkpoint_mode"] == "at_least_once"
    assert config["resume_max_num"] == 5 and config["tm_slot_num"] == 2


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"cu_number": limits.CU_MAX + 1}, "cu_number"),
        ({"cu_number": 2, "manager_cu_number": 2}, "manager_cu_number"),
        ({"cu_number": 2, "manager_cu_number": 1, "parallel_number": 5}, "parallel_number"),
        ({"name": "bad name!"}, "name"),
        ({"name": "x" * (limits.JOB_NAME_MAX_CHARS + 1)}, "name"),
        ({"desc": "d" * (limits.JOB_DESC_MAX_CHARS + 1)}, "desc"),
        ({"checkpoint_interval": limits.CHECKPOINT_INTERVAL_MAX + 1}, "checkpoint_interval"),
        ({"checkpoint_mode": "sometimes"}, "checkpoint_mode"),
        ({"resume_max_num": 0}, "resume_max_num"),
        ({"tags": [{"key": "_sys_x", "value": "v"}]}, "tags"),
        ({"tags": {"env": "prod\x00"}}, "tags"),
        ({"tags": "failure"}, "tags"),
        ({"tags": {f"k{i}": "v" for i in range(limits.TAGS_MAX + 1)}}, "tags"),
        ({"dirty_data_strategy": "7"}, "dirty_data_strategy"),
        ({"job_type": "flink_jar_job"}, "job_type"),
        ({"authorize_obs": True}, "authorize_obs"),
    ],
)
def test_dli_limits_are_field_errors_before_dli_is_called(
    roles, api, dli_credential, emulator, fast_cs, extra, field
):
    body = sql_body(dli_credential, **extra)
    before = dli_calls(emulator)
    response = api(roles.operator).post(JOBS + "sql/", body, format="json")
    error = assert_error(response, 400, "invalid")
    assert field in error["detail"], error
    assert all(m.strip() for m in error["detail"][field])
    assert dli_calls(emulator) == before, "DLI was called with a request the dashboard knew was bad"
    assert not Job.objects.filter(name=body["name"]).exists()


def test_tags_with_a_lone_surrogate_are_a_field_error(roles, api, dli_credential, emulator, fast_cs):
    import json

    body = json.dumps(sql_body(dli_credential, tags=[{"key": "env", "value": "\ud800"}]))  # ASCII escapes
    response = api(roles.operator).post(JOBS + "sql/", body, content_type="application/json")
    assert "tags" in assert_error(response, 400, "invalid")["detail"]


def test_queue_must_be_a_flink_queue_of_the_credential(roles, api, dli_credential, emulator, fast_cs):
    rows = dli.queue_rows(dli_credential)
    sql_queue = next(q.queue_name for q in rows if q.queue_type == "sql")
    before = dli_calls(emulator)
    client = api(roles.operator)
    unknown = assert_error(
        client.post(JOBS + "sql/", sql_body(dli_credential, queue_name="nope"), format="json"), 400
    )
    assert "no queue named nope" in unknown["detail"]["queue_name"][0]
    wrong = assert_error(
        client.post(JOBS + "sql/", sql_body(dli_credential, queue_name=sql_queue), format="json"), 400
    )
    assert "general-purpose" in wrong["detail"]["queue_name"][0]
    assert dli_calls(emulator) == before


def test_dli_refusals_land_on_their_field(roles, api, dli_credential, emulator, fast_cs):
    client = api(roles.operator)
    assert client.post(JOBS + "sql/", sql_body(dli_credential), format="json").status_code == 201
    # The name is taken in DLI (DLI.0006): a readable message on `name`.
    taken = assert_error(client.post(JOBS + "sql/", sql_body(dli_credential), format="json"), 400, "invalid")
    assert "DLI.0006" in taken["detail"]["name"][0] and "already exists" in taken["detail"]["name"][0]
    # Queues not polled yet: DLI decides, and its "no such queue" lands on queue_name.
    missing = assert_error(
        client.post(JOBS + "sql/", sql_body(dli_credential, name="other", queue_name="gone"), format="json"),
        400,
    )
    assert "DLI.0002" in missing["detail"]["queue_name"][0]


def test_create_run_refused_keeps_the_saved_job(roles, api, dli_credential, emulator, fast_cs):
    emulator.faults.configure({"path": "/streaming/jobs/run$", "error_rate": 1.0, "error_statuses": [500]})
    response = api(roles.operator).post(JOBS + "sql/", sql_body(dli_credential, run=True), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["run_error"]["code"] in ("cs_error", "cs_unavailable") and data["run_error"]["message"]
    assert Job.objects.filter(job_id=data["job_id"], service="dli").exists()


# ------------------------------------------------------------------------------------------ JAR jobs


def jar_body(credential, **extra):
    return {
        "credential": str(credential.public_id),
        "name": "api_dli_jar",
        "queue_name": dli.flink_queue(credential),
        "entrypoint": "obs://acme-flink-jars/enrich.jar",
        "main_class": "com.example.Enrich",
        "entrypoint_args": "--window 60",
        "dependency_jars": ["obs://acme-flink-jars/libs/common.jar", "udf-package"],
        "cu_number": 3,
        "manager_cu_number": 1,
        "parallel_number": 2,
        "flink_version": "1.15",
        **extra,
    }


def test_create_and_update_dli_jar_job(roles, api, dli_credential, emulator, fast_cs):
    client = api(roles.operator)
    response = client.post(JOBS + "jar/", jar_body(dli_credential), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["service"] == "dli" and data["job_type"] == vocab.FLINK_JAR_JOB
    assert data["jar_url"] == "obs://acme-flink-jars/enrich.jar" and data["args"] == "--window 60"
    job = Job.objects.select_related("credential").get(job_id=data["job_id"], credential=dli_credential)

    # A JAR job is updated through its jar endpoint; fields left out keep their values.
    assert_error(client.patch(job_url(job, "sql/"), {"sql_body": "x"}, format="json"), 400)
    updated = client.patch(
        job_url(job, "jar/"), {"entrypoint_args": "--window 120", "cu_number": 4}, format="json"
    )
    assert updated.status_code == 200, updated.content
    assert updated.json()["args"] == "--window 120" and updated.json()["cu_number"] == 4
    with dli.client_for(dli_credential) as dli_client:
        listed = dli_client.jobs.get(job.job_id)
    assert listed["entrypoint_args"] == "--window 120" and listed["main_class"] == "com.example.Enrich"
    assert listed["job_config"]["cu_number"] == 4


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"entrypoint": "http://example.com/a.jar"}, "entrypoint"),
        ({"entrypoint": "obs://bucket"}, "entrypoint"),
        ({"dependency_jars": ["obs://ok-bucket/a.jar", "a b.jar"]}, "dependency_jars"),
        ({"entrypoint": ""}, "entrypoint"),
        ({"parallel_number": 9}, "parallel_number"),
    ],
)
def test_dli_jar_job_form_is_checked(roles, api, dli_credential, emulator, fast_cs, extra, field):
    before = dli_calls(emulator)
    error = assert_error(
        api(roles.operator).post(JOBS + "jar/", jar_body(dli_credential, **extra), format="json"), 400
    )
    assert field in error["detail"], error
    assert dli_calls(emulator) == before


def test_update_dli_sql_job_checks_against_its_present_size(roles, api, dli_credential, emulator, fast_cs):
    job = dli.create_sql_job(roles.operator, dli_credential, name="sized_job")  # 2 CUs, 1 for the manager
    client = api(roles.operator)
    # 4 x (2 - 1) = 4 at most, with the job's present CUs.
    error = assert_error(client.patch(job_url(job, "sql/"), {"parallel_number": 5}, format="json"), 400)
    assert "parallel_number" in error["detail"]
    response = client.patch(
        job_url(job, "sql/"), {"cu_number": 3, "parallel_number": 8, "sql_body": "SELECT 2"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["cu_number"] == 3 and response.json()["sql_body"] == "SELECT 2"
    assert_error(client.patch(job_url(job, "jar/"), {"main_class": "x"}, format="json"), 400)


# ------------------------------------------------------------------------------------------ actions


def test_run_savepoint_stop_delete_dli_job(roles, api, dli_credential, emulator, fast_cs):
    job = dli.create_sql_job(roles.operator, dli_credential, name="lifecycle")
    client = api(roles.operator, token=True)
    assert api(roles.viewer).post(job_url(job, "savepoint/"), {}, format="json").status_code == 403
    # A savepoint needs a running job: a draft's is refused before DLI is called.
    before = dli_calls(emulator)
    assert_error(client.post(job_url(job, "savepoint/"), {}, format="json"), 409, "action_refused")
    assert dli_calls(emulator) == before

    response = client.post(job_url(job, "run/"), {}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == vocab.JOB_SUBMITTING
    emulator.advance(120)
    dli.observe(job)

    # No path given: the job's OBS bucket's savepoint folder.
    response = client.post(job_url(job, "savepoint/"), {}, format="json")
    assert response.status_code == 202, response.content
    data = response.json()
    assert data["savepoint"]["location"] == f"obs://dli-test-bucket/jobs/savepoint/{job.job_id}/"
    assert data["savepoint_path"] == data["savepoint"]["location"] and data["has_savepoint"] is True
    emulator.advance(60)  # DLI is making that savepoint; the job is running again after it
    dli.observe(job)
    path = "obs://dli-test-bucket/manual/"
    response = client.post(job_url(job, "savepoint/"), {"savepoint_path": path}, format="json")
    assert response.status_code == 202 and response.json()["savepoint_path"] == path
    assert Savepoint.objects.filter(job=job).count() == 2
    ops = requests.get(f"{emulator.url}/_emulator/stats", timeout=5).json()["by_operation"]
    assert ops["POST /v1.0/{project_id}/streaming/jobs/{job_id}/savepoint"] == 2

    emulator.advance(60)
    dli.observe(job)
    response = client.post(job_url(job, "stop/"), {"trigger_savepoint": True}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == vocab.JOB_SAVEPOINTING
    emulator.advance(60)
    dli.observe(job)
    assert client.delete(job_url(job)).status_code == 204
    assert_error(client.get(job_url(job)), 404)
    with dli.client_for(dli_credential) as dli_client:
        assert job.job_id not in {j["job_id"] for j in dli_client.jobs.iter()}


def test_savepoint_path_is_checked(roles, api, dli_credential, emulator, fast_cs):
    job = dli.running_job(roles.operator, dli_credential, emulator, name="checked")
    Job.objects.filter(pk=job.pk).update(savepoint_path="")
    before = dli_calls(emulator)
    too_long = "obs://b/" + "x" * limits.OBS_PATH_MAX_CHARS
    error = assert_error(
        api(roles.operator).post(job_url(job, "savepoint/"), {"savepoint_path": too_long}, format="json"), 400
    )
    assert "savepoint_path" in error["detail"]
    assert dli_calls(emulator) == before


def test_savepoint_of_a_cs_job_is_refused(roles, api, cs_credential):
    job = Job.objects.create(
        credential=cs_credential, team=roles.team, job_id=4242, name="cs_job", status=vocab.JOB_RUNNING
    )
    error = assert_error(
        api(roles.operator).post(job_url(job, "savepoint/"), {}, format="json"), 409, "action_refused"
    )
    assert "Stop with savepoint" in error["message"]


def test_batch_run_of_dli_jobs(roles, api, dli_credential, emulator, fast_cs):
    jobs = [dli.create_sql_job(roles.operator, dli_credential, name=f"batch_{i}") for i in range(3)]
    keys = [f"{dli_credential.public_id}:{j.job_id}" for j in jobs]
    response = api(roles.operator).post(JOBS + "run/", {"jobs": keys}, format="json")
    assert response.status_code == 200, response.content
    assert sorted(response.json()["done"]) == sorted(keys)
    ops = requests.get(f"{emulator.url}/_emulator/stats", timeout=5).json()["by_operation"]
    assert ops["POST /v1.0/{project_id}/streaming/jobs/run"] == 1


# ------------------------------------------------------------------------------------------ reads


def test_job_list_serves_both_services_with_filters(
    roles, api, cs_credential, dli_credential, emulator, fast_cs, django_assert_max_num_queries
):
    Job.objects.create(credential=cs_credential, team=roles.team, job_id=11, name="cs_one", spu_number=2)
    prod = dli.create_sql_job(
        roles.operator, dli_credential, name="dli_prod", job_type=vocab.DLI_DEFAULT_SQL_JOB_TYPE
    )
    other_queue = next(
        q
        for q in dli.queue_rows(dli_credential)
        if q.queue_type == "general" and q.queue_name != prod.queue_name
    )
    dli.create_sql_job(
        roles.operator,
        dli_credential,
        name="dli_other",
        queue_name=other_queue.queue_name,
        job_type=vocab.DLI_DEFAULT_SQL_JOB_TYPE,
    )
    client = api(roles.viewer)

    rows = {r["name"]: r for r in client.get(JOBS).json()["results"]}
    assert set(rows) == {"cs_one", "dli_prod", "dli_other"}
    assert rows["cs_one"]["service"] == "cs" and rows["cs_one"]["unit"] == "spu"
    assert rows["cs_one"]["spu_number"] == 2 and rows["cs_one"]["cu_number"] is None
    assert rows["dli_prod"]["service"] == "dli" and rows["dli_prod"]["cu_number"] == 2
    assert rows["dli_prod"]["queue_name"] == prod.queue_name and rows["dli_prod"]["spu_number"] is None

    names = lambda query: {r["name"] for r in client.get(JOBS, query).json()["results"]}  # noqa: E731
    assert names({"service": "dli"}) == {"dli_prod", "dli_other"}
    assert names({"service": "cs"}) == {"cs_one"}
    assert names({"queue": prod.queue_name}) == {"dli_prod"}
    assert names({"service": "dli", "queue": other_queue.queue_name}) == {"dli_other"}
    assert names({"type": vocab.DLI_DEFAULT_SQL_JOB_TYPE}) == {"dli_prod", "dli_other"}
    assert names({"service": "bogus"}) == {"cs_one", "dli_prod", "dli_other"}  # ignored, as on the page

    # The rows' DLI columns are loaded with the page, not one query per row.
    for i in range(20):
        Job.objects.create(
            credential=dli_credential, team=roles.team, job_id=90000 + i, name=f"n{i}", service="dli"
        )
    with django_assert_max_num_queries(12) as few:
        client.get(JOBS, {"page_size": 3})
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(JOBS, {"page_size": 23})


def test_job_detail_of_a_dli_job_shows_its_fields(roles, api, dli_credential, emulator, fast_cs):
    job = dli.running_job(roles.operator, dli_credential, emulator, name="detailed")
    data = api(roles.viewer).get(job_url(job)).json()
    assert data["service"] == "dli" and data["status"] == vocab.JOB_RUNNING
    assert data["restart_times"] == 0 and data["queue_name"] == job.queue_name
    assert set(data) >= {
        "manager_cu_number",
        "tm_cus",
        "tm_slot_num",
        "savepoint_path",
        "flink_version",
        "tags",
        "resume_checkpoint",
        "resume_max_num",
    }


def test_templates_and_poll_health_name_the_service(roles, api, dli_credential):
    from dashboard.jobs.models import Template
    from dashboard.polling.models import PollHealth

    Template.objects.create(
        credential=dli_credential, team=roles.team, template_id=5, name="tpl", fingerprint="x"
    )
    PollHealth.objects.create(credential=dli_credential, kind="jobs")
    client = api(roles.viewer)
    assert client.get(TEAM + "templates/").json()["results"][0]["service"] == "dli"
    assert client.get(TEAM + "poll-health/").json()["credentials"][0]["service"] == "dli"


# ------------------------------------------------------------------------------------------ queues and quotas


def test_queues_list_and_detail(roles, api, dli_credential, other_dli, emulator, fast_cs):
    rows = dli.queue_rows(dli_credential)
    dli.queue_rows(other_dli)
    job = dli.create_sql_job(roles.operator, dli_credential, name="on_queue")
    lead = api(roles.lead)

    assert_error(api(roles.viewer).get(TEAM + "queues/"), 403)
    assert_error(api(roles.operator).get(TEAM + "queues/"), 403)
    page = lead.get(TEAM + "queues/").json()
    assert {q["queue_name"] for q in page["results"]} == {q.queue_name for q in rows}
    assert all(
        q["credential"] == str(dli_credential.public_id) and q["service"] == "dli" for q in page["results"]
    )
    assert "freshness" in page
    first = page["results"][0]
    assert first["cu_price"] == 0.35 and first["free_cu"] == first["cu_count"] - first["used_cu"]
    assert lead.get(TEAM + "queues/", {"q": job.queue_name}).json()["count"] == 1

    detail = lead.get(f"{TEAM}queues/{dli_credential.public_id}/{job.queue_name}/").json()
    assert detail["queue_name"] == job.queue_name
    assert [j["name"] for j in detail["jobs"]] == ["on_queue"] and detail["running_jobs"] == 0
    # Another team's queue: its credential is not the team's.
    beta_queue = other_dli.queues.first()
    assert_error(lead.get(f"{TEAM}queues/{other_dli.public_id}/{beta_queue.queue_name}/"), 404)
    assert_error(lead.get(f"{TEAM}queues/{dli_credential.public_id}/no_such_queue/"), 404)


def test_quotas_serve_dli_project_quotas_beside_cs_user_quotas(
    roles, api, dli_credential, other_dli, emulator
):
    dli.quota_rows(dli_credential)
    dli.quota_rows(other_dli)
    assert_error(api(roles.operator).get(TEAM + "quotas/"), 403)
    data = api(roles.lead).get(TEAM + "quotas/").json()
    assert data["results"] == []  # no CS credential here: no per-user quotas
    quotas = {q["type"]: q for q in data["project_quotas"]}
    assert set(quotas) == {"CU", "QUEUE", "ELASTIC_RESOURCE_POOL"}
    assert all(q["credential"] == str(dli_credential.public_id) for q in quotas.values())
    assert quotas["CU"]["label"] == "Compute units" and quotas["CU"]["service"] == "dli"
    assert quotas["CU"]["percent"] == round(100 * quotas["CU"]["used"] / quotas["CU"]["quota"])


# ------------------------------------------------------------------------------------------ isolation, faults


def test_another_teams_dli_job_is_a_404_on_every_job_endpoint(roles, api, other_dli, emulator, fast_cs):
    job = dli.running_job(roles.other_lead, other_dli, emulator, name="beta_secret_job")
    before = dli_calls(emulator)
    for user in (roles.lead, roles.operator, roles.viewer):
        client = api(user)
        # (a viewer's writes are refused on the role first, 403, which says nothing of the job)
        for suffix, method in (
            ("", "get"),
            ("", "delete"),
            ("sql/", "patch"),
            ("jar/", "patch"),
            ("run/", "post"),
            ("stop/", "post"),
            ("savepoint/", "post"),
            ("status-history/", "get"),
            ("metrics/", "get"),
        ):
            response = getattr(client, method)(
                f"{JOBS}{other_dli.public_id}/{job.job_id}/{suffix}", {}, format="json"
            )
            assert_error(response, 403 if user == roles.viewer and method != "get" else 404)
            assert b"beta_secret_job" not in response.content
        body = {"jobs": [f"{other_dli.public_id}:{job.job_id}"]}
        assert_error(client.post(JOBS + "stop/", body, format="json"), 400 if user != roles.viewer else 403)
        # Another team's DLI credential cannot be named in a create either.
        assert client.post(JOBS + "sql/", sql_body(other_dli), format="json").status_code in (400, 403)
    assert dli_calls(emulator) == before
    assert Job.objects.get(pk=job.pk).status == vocab.JOB_RUNNING


@pytest.mark.parametrize(
    "fault",
    [
        {"error_rate": 1.0, "error_statuses": [500, 502, 503]},
        {"throttle_rate": 1.0, "retry_after": 1},
        {"truncate_rate": 1.0},
        {"non_json_rate": 1.0},
    ],
    ids=["5xx", "429", "truncated", "non-json"],
)
def test_dli_faults_are_readable_errors(roles, api, dli_credential, emulator, fast_cs, fault):
    job = dli.create_sql_job(roles.operator, dli_credential, name="faulty")
    emulator.faults.configure({"path": "/streaming/", **fault})
    client = api(roles.operator)
    for response in (
        client.post(JOBS + "sql/", sql_body(dli_credential, name="faulty2"), format="json"),
        client.post(job_url(job, "run/"), {}, format="json"),
        client.patch(job_url(job, "sql/"), {"desc": "x"}, format="json"),
        client.delete(job_url(job)),
    ):
        error = assert_error(response, response.status_code)
        # 400/409: a broken answer to a request DLI did refuse (the run above did reach DLI, so the
        # job is busy); the others: DLI failing, limiting or unreadable.
        assert response.status_code in (400, 409, 429, 502, 503), (response.status_code, error)
        assert error["code"].startswith("cs_"), error
        assert "Traceback" not in error["message"] and len(error["message"]) > 10
    # Reads are served from snapshots and keep working.
    assert client.get(job_url(job)).status_code == 200
    assert client.get(JOBS, {"service": "dli"}).status_code == 200


# ------------------------------------------------------------------------------------------ schema


def test_schema_describes_both_services(client):
    schema = client.get("/api/schema/?format=json").json()
    assert "DLI" in schema["info"]["description"] and "`service`" in schema["info"]["description"]
    paths = schema["paths"]
    team = "/api/v1/teams/{team_slug}/"
    assert team + "queues/" in paths and team + "queues/{credential}/{queue_name}/" in paths
    assert team + "jobs/{credential}/{job_id}/savepoint/" in paths
    params = {p["name"] for p in paths[team + "jobs/"]["get"]["parameters"]}
    assert {"service", "queue"} <= params
    components = schema["components"]["schemas"]
    for name in ("JobList", "JobDetail"):
        props = components[name]["properties"]
        assert {"service", "unit", "cu_number", "spu_number", "queue_name", "restart_times"} <= set(props)
        unit = props["unit"]["allOf"][0]["$ref"].rsplit("/", 1)[1]
        assert components[unit]["enum"] == ["spu", "cu"]
    detail = components["JobDetail"]["properties"]
    assert {
        "manager_cu_number",
        "tm_cus",
        "tm_slot_num",
        "savepoint_path",
        "flink_version",
        "tags",
        "resume_checkpoint",
        "resume_max_num",
    } <= set(detail)
    body = paths[team + "jobs/sql/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    refs = {r["$ref"].rsplit("/", 1)[1] for r in components[body["$ref"].rsplit("/", 1)[1]]["oneOf"]}
    assert refs == {"SqlJobCreateRequest", "DliSqlJobCreateRequest"}
    dli_body = components[next(r for r in refs if r.startswith("Dli"))]["properties"]
    assert (
        dli_body["cu_number"]["maximum"] == limits.CU_MAX
        and dli_body["name"]["maxLength"] == limits.JOB_NAME_MAX_CHARS
    )
    quotas = components["QuotaPage"]["properties"]
    assert "project_quotas" in quotas


def test_dli_unreachable_or_limiting_is_said_of_dli(roles, api, dli_credential, emulator, fast_cs):
    job = dli.create_sql_job(roles.operator, dli_credential, name="far_away")
    emulator.faults.configure({"path": "/streaming/", "throttle_rate": 1.0, "retry_after": 3})
    limited = assert_error(
        api(roles.operator).post(job_url(job, "run/"), {}, format="json"), 429, "cs_rate_limited"
    )
    assert limited["message"].startswith("DLI is limiting requests")
    emulator.faults.clear()
    dli_credential.dli_endpoint = "http://127.0.0.1:9"
    dli_credential.save()
    response = api(roles.operator).post(job_url(job, "run/"), {}, format="json")
    error = assert_error(response, 503, "cs_unavailable")
    assert error["message"].startswith("DLI cannot be reached"), error
