"""The dashboard's DLIClient against the emulator, with AK/SK and with an IAM token: D1-D23 and the
results in the dashboard's vocabulary (statuses, CU next to SPU, queue next to cluster, checkpoint mode,
``is_success`` as a bool)."""

from __future__ import annotations

import pytest

from csapi import CSConflict, CSNotFound, vocab
from csapi.dli import ActionResult, DLIJob, Queue

from .conftest import DEV, PROD, SQL


def test_create_update_get_list_sql_job(client, server):
    job = client.jobs.create_sql(
        "client_sql",
        queue_name=PROD,
        sql_body=SQL,
        cu_number=4,
        parallel_number=6,
        checkpoint_mode="at_least_once",
        tags={"team": "data"},
        checkpoint_enabled=True,
        checkpoint_interval=30,
        desc="first",
    )
    assert isinstance(job, DLIJob) and job.status_name == "job_init" and job.meta["is_success"] is True
    updated = client.jobs.update_sql(job.job_id, desc="second", checkpoint_mode=1)
    assert updated["update_time"] > 0
    got = client.jobs.get(job.job_id)
    assert got.name == "client_sql" and got.desc == "second"
    assert got.status_info == vocab.JOB_STATUSES["job_init"] and got.status_info.label == "Draft"
    assert got.unit == "cu" and got.units == 4 and got.unit_info.label == "CU"
    assert got.placement_kind == "queue" and got.placement == PROD
    assert got.checkpoint_mode == "exactly_once" and got.is_sql and got.has_savepoint is False
    page = client.jobs.list(name="client_sql")
    assert page.total == 1 and page[0].job_id == job.job_id and page.meta["is_success"] is True


def test_jar_job_and_execution_graph(client, server):
    job = client.jobs.create_jar(
        "client_jar",
        queue_name=PROD,
        entrypoint="obs://b/app.jar",
        main_class="com.example.App",
        cu_number=3,
        manager_cu_number=1,
        parallel_number=2,
        dependency_jars=["obs://b/lib.jar"],
        entrypoint_args="--n 1",
    )
    client.jobs.update_jar(job.job_id, entrypoint_args="--n 2")
    got = client.jobs.get(job.job_id)
    assert got.job_type == "flink_jar_job" and not got.is_sql
    assert got.config.dependency_jars == ["obs://b/lib.jar"] and got.entrypoint_args == "--n 2"
    with pytest.raises(CSConflict) as info:  # a draft has never run: DLI.0007
        client.jobs.execution_graph(job.job_id)
    assert info.value.code == "DLI.0007"
    [result] = client.jobs.run([job.job_id])
    assert result.ok
    server.advance(10)
    graph = client.jobs.execution_graph(job.job_id)
    assert graph.state == "RUNNING" and graph.is_stoppable is True and graph.start_time > 0


def test_run_stop_savepoint_metrics_delete(client, server):
    job = client.jobs.create_sql("client_run", queue_name=PROD, sql_body=SQL, cu_number=2)
    results = client.jobs.run([job.job_id, 123])
    assert [type(r) for r in results] == [ActionResult, ActionResult]
    assert [(r["job_id"], r.ok, r["is_success"]) for r in results] == [
        (job.job_id, True, True),
        (123, False, False),
    ]
    assert "does not exist" in results[1].message
    assert client.jobs.get(job.job_id).status_name == "job_submitting"
    server.advance(6)
    assert client.jobs.get(job.job_id).status_info.is_running
    server.advance(60)
    [metrics] = client.jobs.metrics([job.job_id])
    assert metrics.job_id == job.job_id and metrics.metrics.sources[0].records > 0
    assert client.jobs.savepoint(job.job_id, "bkt/savepoints/")["is_success"] is True
    assert client.jobs.get(job.job_id).status_name == "job_savepointing"
    server.advance(3)
    got = client.jobs.get(job.job_id)
    assert (
        got.status_name == "job_running"
        and got.has_savepoint
        and got.savepoint_path.startswith("obs://bkt/savepoints")
    )
    [stopped] = client.jobs.stop([job.job_id])
    assert stopped.ok
    server.advance(5)
    assert client.jobs.get(job.job_id).status_name == "job_cancel_success"
    [deleted] = client.jobs.delete([job.job_id])
    assert deleted.ok
    with pytest.raises(CSNotFound) as info:
        client.jobs.get(job.job_id)
    assert info.value.code == "DLI.12004" and "does not exist" in info.value.description


def test_delete_one_export_import(client, server):
    job = client.jobs.create_sql("client_export", queue_name=DEV, sql_body=SQL)
    exported = client.jobs.export_jobs("obs://bkt/backup", [job.job_id])
    [path] = exported.zip_file
    assert client.jobs.delete_one(job.job_id)["is_success"] is True
    imported = client.jobs.import_jobs(path)
    [mapping] = imported.job_mapping
    assert mapping.old_job_id == job.job_id
    again = client.jobs.get(mapping.new_job_id)
    assert again.name == "client_export" and again.sql_body == SQL and again.queue_name == DEV
    skipped = client.jobs.import_jobs(path)
    assert (
        skipped.job_mapping[0].new_job_id == mapping.new_job_id and "Skipped" in skipped.job_mapping[0].remark
    )
    everything = client.jobs.export_jobs("obs://bkt/all")
    assert everything.zip_file[0].startswith("obs://bkt/all/")


def test_templates(client, server):
    template = client.templates.create(
        "client_tpl", sql_body=SQL, desc="d", job_type="flink_opensource_sql_job"
    )
    assert template.template_id and template.name == "client_tpl"
    client.templates.update(template.template_id, desc="d2")
    found = [t for t in client.templates.iter() if t.template_id == template.template_id]
    assert found and found[0].desc == "d2" and found[0].sql_body == SQL
    job = client.jobs.create_sql("from_template", queue_name=PROD, template_id=template.template_id)
    assert client.jobs.get(job.job_id).sql_body == SQL  # DLI fills sql_body from the template
    assert client.templates.delete(template.template_id).template_id == template.template_id
    assert client.templates.list().total == 3


def test_queues_pools_quotas(client, server):
    queues = client.queues.list()
    assert {q.queue_name for q in queues} == {PROD, DEV}  # Flink's general-purpose queues by default
    assert {q.queue_name for q in client.queues.list(queue_type="all")} == {PROD, DEV, "acme_sql"}
    dev = client.queues.get(DEV)
    assert (
        isinstance(dev, Queue) and dev.queue_name == DEV and dev.units == 16 and dev.placement_kind == "queue"
    )
    listed_dev = next(q for q in queues if q.queue_name == DEV)
    assert listed_dev.used_units == 12 and listed_dev.free_units == 4
    [pool] = client.pools.list()
    assert pool.status_label == "Available" and set(pool.queues) == {PROD, DEV}
    assert [p.elastic_resource_pool_name for p in client.pools.iter()] == [pool.elastic_resource_pool_name]
    before = client.quotas.get().by_type["CU"].used
    job = client.jobs.create_sql("quota_user", queue_name=PROD, sql_body=SQL, cu_number=5)
    client.jobs.run([job.job_id])
    assert client.quotas.get().by_type["CU"].used == before + 5
    with pytest.raises(CSNotFound) as info:
        client.queues.get("no_such_queue")
    assert info.value.code == "DLI.0002"


def test_queue_without_free_cus_fails_submission(client, server):
    job = client.jobs.create_sql("too_big", queue_name=DEV, sql_body=SQL, cu_number=8)
    [result] = client.jobs.run([job.job_id])
    assert result.ok  # accepted; the submission fails on DLI's side
    server.advance(6)
    got = client.jobs.get(job.job_id)
    assert got.status_name == "job_submit_fail" and got.status_info.is_failed
    assert "4 free CUs" in got.status_desc


def test_tenants_are_isolated(client_factory, server):
    other = client_factory("aksk", tenant=server.tenants[1])
    mine = client_factory("aksk")
    job = mine.jobs.create_sql("private_job", queue_name=PROD, sql_body=SQL)
    with pytest.raises(CSNotFound):
        other.jobs.get(job.job_id)
    assert all(j.name.startswith("globex_") for j in other.jobs.iter())
