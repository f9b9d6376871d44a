"""SQL job create and edit: every field rule shown before CS is called, CS errors on their fields,
authorizing an OBS bucket in place, SQL versions with diff and restore, no input makes a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csapi import limits
from dashboard.jobs.models import Job, SqlVersion, Template
from dashboard.teams.models import ActionLog

from .conftest import job_url, team_url

pytestmark = pytest.mark.django_db

SQL = (
    'CREATE SOURCE STREAM s (a STRING) WITH (type = "dis", region = "cn-north-1", channel = "c", encode = "csv");\n'
    'CREATE SINK STREAM k (a STRING) WITH (type = "dis", region = "cn-north-1", channel = "d", encode = "csv");\n'
    "INSERT INTO k SELECT a FROM s;"
)


def form_data(cred, **overrides):
    data = {
        "credential": str(cred.public_id),
        "name": "orders_job",
        "desc": "",
        "sql_body": SQL,
        "run_mode": "shared_cluster",
        "job_type": "",
        "spu_number": "2",
        "parallel_number": "1",
        "checkpoint_mode": "exactly_once",
        "checkpoint_interval": "10",
        "idle_state_retention": "0",
        "submit": "save",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_matrix(roles, login, synced, cs_calls):
    url = team_url("sql_job_create")
    assert login(roles.outsider).get(url).status_code == 404
    assert login(roles.viewer).get(url).status_code == 403
    assert login(roles.viewer).post(url, form_data(synced)).status_code == 403
    assert login(roles.operator).put(url).status_code == 405
    assert login(roles.operator).get(url).status_code == 200


def test_create_saves_in_cs_and_keeps_a_version(roles, login, synced, cs_calls):
    before = cs_calls.jobs()
    response = login(roles.operator).post(team_url("sql_job_create"), form_data(synced))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert cs_calls.jobs() == before + 1
    job = Job.objects.get(team=roles.team, name="orders_job")
    assert job.status == "job_init" or job.status
    version = SqlVersion.objects.get(job_id=job.job_id)
    assert version.author == roles.operator and version.sql_body == SQL
    assert ActionLog.objects.filter(
        action="job.create_sql", outcome="success", target_id=f"{synced.public_id}:{job.job_id}"
    ).exists()


def test_save_and_run(roles, login, synced):
    response = login(roles.operator).post(team_url("sql_job_create"), form_data(synced, submit="run"))
    assert response.status_code == 302
    job = Job.objects.get(team=roles.team, name="orders_job")
    assert job.status == "job_submitting"


def test_exclusive_cluster_job(roles, login, synced):
    from dashboard.clusters.models import Cluster

    cluster = Cluster.objects.filter(team=roles.team).first()
    data = form_data(
        synced,
        run_mode="exclusive_cluster",
        cluster_id=str(cluster.cluster_id),
        udf_jar_url="obs://bucket/udf.jar",
        dirty_data_kind="2",
        dirty_data_path="bucket/dirty",
    )
    response = login(roles.operator).post(team_url("sql_job_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    job = Job.objects.get(team=roles.team, name="orders_job")
    assert job.cluster_id == cluster.cluster_id and job.run_mode == "exclusive_cluster"


BAD_INPUTS = [
    ({"name": ""}, "name"),
    ({"name": "x" * (limits.JOB_NAME_MAX_BYTES + 1)}, "name"),
    ({"name": "é" * 30}, "name"),
    ({"name": "my job"}, "name"),
    ({"desc": "d" * (limits.JOB_DESC_MAX_BYTES + 1)}, "desc"),
    ({"sql_body": "x" * (limits.SQL_MAX_BYTES + 1)}, "sql_body"),
    ({"spu_number": str(limits.SPU_MAX + 1)}, "spu_number"),
    ({"spu_number": "0"}, "spu_number"),
    ({"spu_number": "two"}, "spu_number"),
    ({"parallel_number": str(limits.PARALLELISM_MAX + 1)}, "parallel_number"),
    ({"spu_number": "1", "parallel_number": str(limits.PARALLELISM_PER_SPU + 1)}, "parallel_number"),
    ({"checkpoint_enabled": "on", "obs_bucket": ""}, "obs_bucket"),
    (
        {"checkpoint_enabled": "on", "obs_bucket": "b1-checkpoints", "checkpoint_interval": "0"},
        "checkpoint_interval",
    ),
    (
        {"checkpoint_enabled": "on", "obs_bucket": "b1-checkpoints", "checkpoint_mode": "sometimes"},
        "checkpoint_mode",
    ),
    ({"log_enabled": "on", "obs_bucket": ""}, "obs_bucket"),
    ({"idle_state_retention": str(limits.IDLE_STATE_RETENTION_MAX + 1)}, "idle_state_retention"),
    ({"idle_state_retention": "-1"}, "idle_state_retention"),
    ({"run_mode": "moon"}, "run_mode"),
    ({"run_mode": "exclusive_cluster", "cluster_id": ""}, "cluster_id"),
    ({"run_mode": "exclusive_cluster", "cluster_id": "424242"}, "cluster_id"),
    ({"run_mode": "edge_node", "edge_group_ids": ""}, "edge_group_ids"),
    ({"run_mode": "edge_node", "edge_group_ids": "g1", "job_type": "flink_sql_job"}, "job_type"),
    ({"job_type": "flink_jar_job"}, "job_type"),
    ({"udf_jar_url": "obs://b/udf.jar"}, "udf_jar_url"),
    ({"dirty_data_kind": "2", "dirty_data_path": ""}, "dirty_data_path"),
    ({"dirty_data_kind": "7"}, "dirty_data_kind"),
    ({"credential": "00000000-0000-0000-0000-000000000000"}, "credential"),
    ({"template": "nope:1"}, "template"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_INPUTS)
def test_bad_input_shows_the_field_error_and_calls_no_cs(roles, login, synced, cs_calls, overrides, field):
    before = cs_calls.total()
    response = login(roles.operator).post(team_url("sql_job_create"), form_data(synced, **overrides))
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors, (field, form.errors)
    assert f'id="field-{field}"' in response.content.decode()
    assert cs_calls.total() == before
    assert not Job.objects.filter(team=roles.team, name="orders_job").exists()


def test_cs_error_lands_on_its_field(roles, login, synced, cs_calls):
    existing = Job.objects.filter(team=roles.team).first()
    response = login(roles.operator).post(team_url("sql_job_create"), form_data(synced, name=existing.name))
    # CS answers "the job name exists" (CS.11004): shown on the name field, entered values kept
    assert response.status_code == 400
    form = response.context["form"]
    assert "name" in form.errors and "CS.11004" in str(form.errors["name"])
    assert SQL.split("\n")[0][:30] in response.content.decode()


def test_unauthorized_bucket_is_offered_and_authorized_in_place(roles, login, synced, cs_calls):
    client = login(roles.operator)
    data = form_data(synced, checkpoint_enabled="on", obs_bucket="fresh-bucket/ckpt", desc="kept")
    response = client.post(team_url("sql_job_create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "obs_bucket" in response.context["form"].errors
    assert response.context["obs_offer"] == "fresh-bucket"
    assert 'value="authorize-save"' in page and "kept" in page
    response = client.post(team_url("sql_job_create"), {**data, "submit": "authorize-save"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Job.objects.filter(team=roles.team, name="orders_job").exists()
    assert ActionLog.objects.filter(action="credential.authorize_obs", outcome="success").exists()


def test_cs_unreachable_is_a_readable_error(roles, login, synced, emulator):
    emulator.emulator.faults.configure({"path": "sql_job", "error_rate": 1.0})
    response = login(roles.operator).post(team_url("sql_job_create"), form_data(synced))
    assert response.status_code == 400
    assert "cs-error" in response.content.decode() or response.context["form"].errors


def test_template_prefills_sql(roles, login, synced):
    template = Template.objects.filter(team=roles.team).first()
    key = f"{template.credential.public_id}:{template.template_id}"
    response = login(roles.operator).get(team_url("sql_job_create"), {"template": key})
    assert response.status_code == 200
    assert response.context["form"].initial["sql_body"] == template.sql_body
    assert login(roles.operator).get(team_url("sql_job_create"), {"template": "x:y"}).status_code == 404
    sql = login(roles.viewer).get(
        team_url("template_sql", credential=template.credential.public_id, template_id=template.template_id)
    )
    assert sql.json()["sql_body"] == template.sql_body


def test_clone_prefills_everything(roles, login, sql_job):
    client = login(roles.operator)
    response = client.get(job_url("job_clone", sql_job))
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.context["form"].initial["name"].endswith("_copy")
    assert response.context["form"].initial["sql_body"] == sql_job.sql_body


def test_edit_keeps_versions_shows_diff_and_restores(roles, login, sql_job):
    url = job_url("job_edit", sql_job)
    assert login(roles.viewer).get(url).status_code == 403
    assert login(roles.outsider).get(url).status_code == 404
    client = login(roles.operator)
    page = client.get(url)
    assert page.status_code == 200
    initial = page.context["form"].initial
    data = {k: ("on" if v is True else v) for k, v in initial.items() if v not in (None, False)}
    data.update(sql_body=SQL, submit="save")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    data["sql_body"] = SQL.replace("INSERT INTO k SELECT a FROM s;", "INSERT INTO k SELECT UPPER(a) FROM s;")
    assert client.post(url, data).status_code == 302
    versions = SqlVersion.objects.filter(job_id=sql_job.job_id)
    assert versions.count() == 2
    page = client.get(url)
    text = page.content.decode()
    assert "diff-add" in text and "UPPER(a)" in text
    restored = client.get(url, {"restore": "1"})
    assert restored.context["form"].initial["sql_body"] == SQL
    sql_job.refresh_from_db()
    assert "UPPER" in sql_job.sql_body


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    values=st.fixed_dictionaries(
        {
            "name": st.text(max_size=80),
            "desc": st.text(max_size=30),
            "spu_number": st.text(max_size=6),
            "parallel_number": st.text(max_size=6),
            "run_mode": st.sampled_from(["", "shared_cluster", "edge_node", "x"]),
            "checkpoint_interval": st.text(max_size=6),
            "idle_state_retention": st.text(max_size=6),
            "cluster_id": st.text(max_size=8),
            "dirty_data_kind": st.text(max_size=3),
            "checkpoint_enabled": st.sampled_from(["", "on"]),
            "obs_bucket": st.text(max_size=10),
        }
    )
)
def test_no_input_makes_a_500(roles, login, synced, values):
    clean = {k: v.replace("\x00", "") for k, v in values.items()}
    response = login(roles.operator).post(team_url("sql_job_create"), form_data(synced, **clean))
    assert response.status_code in (302, 400)
