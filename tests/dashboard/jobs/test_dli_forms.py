"""The DLI job and template forms: happy paths against the emulator's DLI, a field error for each class
of DLI limit with no DLI call made, DLI's error codes on their fields, roles and isolation."""

from __future__ import annotations

import pytest

from csapi.dli import limits
from dashboard.jobs.models import Job, Template

from .conftest import job_url, team_url
from .dli_support import load_queues, short

pytestmark = pytest.mark.django_db

SQL = (
    "CREATE TABLE src (a STRING) WITH ('connector' = 'datagen');\n"
    "CREATE TABLE snk (a STRING) WITH ('connector' = 'print');\n"
    "INSERT INTO snk SELECT a FROM src;"
)


@pytest.fixture
def queues(dli_credential):
    return load_queues(dli_credential)


@pytest.fixture
def prod(emulator, queues):
    return f"{short(emulator)}_flink_prod"


def sql_data(cred, queue, **overrides):
    data = {
        "credential": str(cred.public_id),
        "name": "dli_orders",
        "desc": "",
        "sql_body": SQL,
        "job_type": "flink_opensource_sql_job",
        "queue_name": queue,
        "cu_number": "4",
        "manager_cu_number": "1",
        "parallel_number": "2",
        "checkpoint_mode": "exactly_once",
        "checkpoint_interval": "30",
        "submit": "save",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def jar_data(cred, queue, **overrides):
    data = {
        "credential": str(cred.public_id),
        "name": "dli_jar",
        "queue_name": queue,
        "entrypoint": "obs://my-bucket/jobs/app.jar",
        "main_class": "com.example.Main",
        "entrypoint_args": "--env prod",
        "dependency_jars": "obs://my-bucket/libs/a.jar\nshared_lib",
        "cu_number": "3",
        "manager_cu_number": "1",
        "parallel_number": "2",
        "submit": "save",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_form_of_a_dli_credential_offers_dli_fields_only(roles, login, dli_credential, cs_credential, prod):
    client = login(roles.operator)
    dli = client.get(team_url("sql_job_create") + "?service=dli").content.decode()
    for name in (
        "queue_name",
        "cu_number",
        "manager_cu_number",
        "tm_cus",
        "tm_slot_num",
        "flink_version",
        "resume_checkpoint",
        "resume_max_num",
    ):
        assert f'name="{name}"' in dli, name
    for name in ("spu_number", "run_mode", "cluster_id", "edge_group_ids"):
        assert f'name="{name}"' not in dli, name
    assert "CU free" in dli and prod in dli
    assert "Flink OpenSource SQL job" in dli
    cs = client.get(team_url("sql_job_create") + "?service=cs").content.decode()
    assert 'name="spu_number"' in cs and 'name="queue_name"' not in cs
    assert str(dli_credential.public_id) not in cs.split('name="credential"')[1].split("</select>")[0]


def test_create_dli_sql_job(roles, login, dli_credential, prod, cs_calls):
    before = cs_calls.total()
    response = login(roles.operator).post(
        team_url("sql_job_create"),
        sql_data(
            dli_credential,
            prod,
            checkpoint_enabled="on",
            obs_bucket="my-bucket",
            tags="owner=data, env=prod",
            restart_when_exception="on",
            resume_checkpoint="on",
            resume_max_num="-1",
            tm_cus="1",
            tm_slot_num="2",
            flink_version="1.15",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert cs_calls.total() > before
    job = Job.objects.get(credential=dli_credential, name="dli_orders")
    assert (job.service, job.queue_name, job.spu_number, job.manager_cu_number) == ("dli", prod, 4, 1)
    assert job.job_type == "flink_opensource_sql_job" and job.status == "job_init"
    assert job.tags == [{"key": "owner", "value": "data"}, {"key": "env", "value": "prod"}]
    assert job.resume_checkpoint is True and job.resume_max_num == -1 and job.flink_version == "1.15"
    from dashboard.teams.cs import client_for

    with client_for(dli_credential) as client:
        found = client.jobs.get(job.job_id)
    assert found["queue_name"] == prod and found["job_config"]["checkpoint_interval"] == 30


def test_create_dli_jar_job(roles, login, dli_credential, prod):
    response = login(roles.operator).post(team_url("jar_job_create"), jar_data(dli_credential, prod))
    assert response.status_code == 302, response.content.decode()[:3000]
    job = Job.objects.get(credential=dli_credential, name="dli_jar")
    assert job.job_type == "flink_jar_job" and job.jar_url == "obs://my-bucket/jobs/app.jar"
    assert job.job_config["dependency_jars"] == ["obs://my-bucket/libs/a.jar", "shared_lib"]
    page = login(roles.operator).get(job_url("job_edit", job)).content.decode()
    assert 'name="entrypoint"' in page and "obs://my-bucket/jobs/app.jar" in page
    assert 'name="jar"' not in page  # DLI takes no upload


def test_edit_dli_sql_job(roles, login, dli_credential, prod):
    client = login(roles.operator)
    client.post(team_url("sql_job_create"), sql_data(dli_credential, prod))
    job = Job.objects.get(credential=dli_credential, name="dli_orders")
    page = client.get(job_url("job_edit", job)).content.decode()
    assert 'value="4"' in page and 'name="spu_number"' not in page
    response = client.post(
        job_url("job_edit", job), sql_data(dli_credential, prod, cu_number="6", parallel_number="8")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    job.refresh_from_db()
    assert (job.spu_number, job.parallel_number) == (6, 8)


TOO_LONG_NAME = "n" * (limits.JOB_NAME_MAX_CHARS + 1)

SQL_LIMITS = [
    ("cu_number", {"cu_number": str(limits.CU_MIN - 1)}),
    ("cu_number", {"cu_number": str(limits.CU_MAX + 1)}),
    ("manager_cu_number", {"cu_number": "2", "manager_cu_number": "2"}),
    ("parallel_number", {"cu_number": "2", "manager_cu_number": "1", "parallel_number": "5"}),
    ("parallel_number", {"parallel_number": str(limits.PARALLELISM_MAX + 1)}),
    ("name", {"name": "bad name!"}),
    ("name", {"name": TOO_LONG_NAME}),
    ("name", {"name": ""}),
    ("desc", {"desc": "d" * (limits.JOB_DESC_MAX_CHARS + 1)}),
    ("checkpoint_interval", {"checkpoint_enabled": "on", "obs_bucket": "b-1", "checkpoint_interval": "0"}),
    (
        "checkpoint_interval",
        {
            "checkpoint_enabled": "on",
            "obs_bucket": "b-1",
            "checkpoint_interval": str(limits.CHECKPOINT_INTERVAL_MAX + 1),
        },
    ),
    ("obs_bucket", {"checkpoint_enabled": "on"}),
    ("obs_bucket", {"obs_bucket": "Not_A_Bucket"}),
    ("tags", {"tags": "novalue"}),
    ("tags", {"tags": "_sys_key=1"}),
    ("tags", {"tags": ", ".join(f"k{i}=v" for i in range(limits.TAGS_MAX + 1))}),
    ("tags", {"tags": "k=a|b"}),
    ("sql_body", {"sql_body": "x" * (limits.SQL_MAX_CHARS + 1)}),
    ("resume_max_num", {"restart_when_exception": "on", "resume_max_num": "0"}),
    ("queue_name", {"queue_name": ""}),
    ("queue_name", {"queue_name": "no_such_queue"}),
    ("tm_cus", {"tm_cus": "0"}),
    ("udf_jar_url", {"udf_jar_url": "http://example.com/udf.jar"}),
    ("dirty_data_path", {"dirty_data_kind": "2"}),
]


@pytest.mark.parametrize(("field", "overrides"), SQL_LIMITS)
def test_sql_limits_are_field_errors_before_dli(
    roles, login, dli_credential, prod, cs_calls, field, overrides
):
    before = cs_calls.total()
    response = login(roles.operator).post(
        team_url("sql_job_create"), sql_data(dli_credential, prod, **overrides)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert cs_calls.total() == before
    assert not Job.objects.filter(credential=dli_credential).exists()


JAR_LIMITS = [
    ("entrypoint", {"entrypoint": ""}),
    ("entrypoint", {"entrypoint": "https://example.com/app.jar"}),
    ("entrypoint", {"entrypoint": "two words"}),
    ("entrypoint", {"entrypoint": "obs://b/" + "k" * limits.OBS_PATH_MAX_CHARS}),
    ("main_class", {"main_class": "1com.example"}),
    ("main_class", {"main_class": "com..Main"}),
    ("dependency_jars", {"dependency_jars": "ftp://host/lib.jar"}),
    ("dependency_files", {"dependency_files": "obs://my-bucket/ok.txt\nnot a path"}),
    ("cu_number", {"cu_number": "0"}),
    ("name", {"name": "ünïcode"}),
]


@pytest.mark.parametrize(("field", "overrides"), JAR_LIMITS)
def test_jar_form_checks_before_dli(roles, login, dli_credential, prod, cs_calls, field, overrides):
    before = cs_calls.total()
    response = login(roles.operator).post(
        team_url("jar_job_create"), jar_data(dli_credential, prod, **overrides)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert cs_calls.total() == before


def test_existing_name_is_dlis_error_on_the_name(roles, login, dli_credential, prod, emulator):
    taken = f"{short(emulator)}_orders_enrich"  # a seeded DLI job the dashboard has not listed
    response = login(roles.operator).post(
        team_url("sql_job_create"), sql_data(dli_credential, prod, name=taken)
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "DLI.0006" in " ".join(errors["name"])
    assert not Job.objects.filter(credential=dli_credential, name=taken).exists()


def test_queue_gone_from_dli_is_dlis_error_on_the_queue(roles, login, dli_credential, queues):
    from dashboard.clusters.models import Queue

    Queue.objects.create(
        credential=dli_credential,
        team=dli_credential.team,
        queue_name="retired_queue",
        queue_type="general",
        cu_count=16,
        fingerprint="",
    )
    response = login(roles.operator).post(
        team_url("sql_job_create"), sql_data(dli_credential, "retired_queue")
    )
    assert response.status_code == 400
    assert "DLI.0002" in " ".join(response.context["form"].errors["queue_name"])


def test_roles_and_isolation(roles, login, dli_credential, prod, cs_calls):
    login(roles.operator).post(team_url("sql_job_create"), sql_data(dli_credential, prod))
    job = Job.objects.get(credential=dli_credential, name="dli_orders")
    assert (
        login(roles.viewer)
        .post(team_url("sql_job_create"), sql_data(dli_credential, prod, name="x1"))
        .status_code
        == 403
    )
    assert (
        login(roles.viewer).post(team_url("jar_job_create"), jar_data(dli_credential, prod)).status_code
        == 403
    )
    assert (
        login(roles.viewer).post(job_url("job_edit", job), sql_data(dli_credential, prod)).status_code == 403
    )
    before = cs_calls.total()
    for name in ("job_detail", "job_edit", "job_detail_live"):
        assert login(roles.other_lead).get(job_url(name, job)).status_code == 404, name
    for name in ("job_run", "job_stop", "job_delete", "job_savepoint", "job_edit"):
        assert login(roles.other_lead).post(job_url(name, job), {}).status_code == 404, name
    assert cs_calls.total() == before
    job.refresh_from_db()
    assert job.deleted_at is None and job.status == "job_init"


def test_dli_template_create_and_limits(roles, login, dli_credential, cs_calls):
    client = login(roles.operator)
    page = client.get(team_url("template_create") + "?service=dli").content.decode()
    assert "DLI credential" in page
    before = cs_calls.total()
    data = {
        "credential": str(dli_credential.public_id),
        "name": "n" * (limits.TEMPLATE_NAME_MAX_CHARS + 1),
        "sql_body": SQL,
    }
    response = client.post(team_url("template_create"), data)
    assert response.status_code == 400 and "name" in response.context["form"].errors
    data.update(name="tpl_new", sql_body="x" * (limits.TEMPLATE_SQL_MAX_CHARS + 1))
    response = client.post(team_url("template_create"), data)
    assert response.status_code == 400 and "sql_body" in response.context["form"].errors
    assert cs_calls.total() == before
    data.update(sql_body=SQL)
    response = client.post(team_url("template_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    template = Template.objects.get(credential=dli_credential, name="tpl_new")
    data.update(name="tpl_renamed")
    edit = client.post(
        team_url("template_edit", credential=dli_credential.public_id, template_id=template.template_id), data
    )
    assert edit.status_code == 302
    template.refresh_from_db()
    assert template.name == "tpl_renamed"


def test_dli_template_name_taken_is_dlis_error_on_the_name(roles, login, dli_credential):
    data = {"credential": str(dli_credential.public_id), "name": "tpl_orders", "sql_body": SQL}  # seeded
    response = login(roles.operator).post(team_url("template_create"), data)
    assert response.status_code == 400
    assert "DLI.0006" in " ".join(response.context["form"].errors["name"])


def test_new_job_from_a_dli_template(roles, login, dli_credential, prod):
    client = login(roles.operator)
    data = {"credential": str(dli_credential.public_id), "name": "tpl_for_job", "sql_body": SQL}
    assert client.post(team_url("template_create"), data).status_code == 302
    template = Template.objects.get(credential=dli_credential, name="tpl_for_job")
    key = f"{dli_credential.public_id}:{template.template_id}"
    page = client.get(team_url("sql_job_create") + f"?template={key}")
    form = page.context["form"]
    assert type(form).__name__ == "DliSqlJobForm" and form.initial["sql_body"] == SQL
    assert key in page.content.decode()
    response = client.post(team_url("sql_job_create"), sql_data(dli_credential, prod, template=key))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Job.objects.get(credential=dli_credential, name="dli_orders").sql_body == SQL
