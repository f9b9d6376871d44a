"""Huawei's own SDK against the emulator, over real HTTP: every operation D1-D23, with AK/SK and a token.

These are the emulator's conformance tests: what the SDK sends, the emulator accepts, and what the
emulator answers, the SDK's models read (typed fields set, documented success code).
"""

from __future__ import annotations

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkdli.v1 import model as m

from .conftest import AUTH_KINDS, DEV, PROD, SQL

pytestmark = pytest.mark.parametrize("kind", AUTH_KINDS)


def _create_sql(sdk, name="sdk_sql_job", queue=PROD, **extra):
    body = m.CreateFlinkSqlJobRequestBody(
        name=name, queue_name=queue, sql_body=SQL, cu_number=2, parallel_number=1, checkpoint_mode=2, **extra
    )
    return sdk.create_flink_sql_job(m.CreateFlinkSqlJobRequest(body=body))


def test_jobs_d1_to_d7(server, raw_sdk, kind):
    sdk = raw_sdk(kind)
    created = _create_sql(sdk, tags=[m.Tag(key="team", value="a")])  # D1
    assert created.status_code == 200 and created.is_success == "true"
    job_id = created.job.job_id
    assert isinstance(job_id, int) and created.job.status_name == "job_init"

    updated = sdk.update_flink_sql_job(  # D2
        m.UpdateFlinkSqlJobRequest(
            job_id=job_id, body=m.UpdateFlinkSqlJobRequestBody(desc="tuned", cu_number=3)
        )
    )
    assert updated.status_code == 200 and updated.job.update_time > 0

    jar = sdk.create_flink_jar_job(  # D3
        m.CreateFlinkJarJobRequest(
            body=m.CreateFlinkJarJobRequestBody(
                name="sdk_jar_job",
                queue_name=PROD,
                cu_number=3,
                manager_cu_number=1,
                entrypoint="obs://b/app.jar",
                main_class="com.example.App",
                dependency_jars=["obs://b/dep.jar"],
            )
        )
    )
    jar_id = jar.job.job_id
    jar_updated = sdk.update_flink_jar_job(  # D4
        m.UpdateFlinkJarJobRequest(
            job_id=jar_id, body=m.UpdateFlinkJarJobRequestBody(entrypoint_args="--x 1")
        )
    )
    assert jar_updated.status_code == 200 and jar_updated.job.update_time > 0

    listed = sdk.list_flink_jobs(m.ListFlinkJobsRequest(limit=100, show_detail=True))  # D5
    assert listed.status_code == 200
    assert listed.job_list.total_count == 15  # the demo's 13 and these two
    by_id = {j.job_id: j for j in listed.job_list.jobs}
    assert (
        by_id[job_id].job_config.cu_number == 3
        and by_id[job_id].job_config.checkpoint_mode == "at_least_once"
    )
    assert by_id[jar_id].job_type == "flink_jar_job"

    shown = sdk.show_flink_job(m.ShowFlinkJobRequest(job_id=job_id))  # D6
    assert shown.job_detail.desc == "tuned" and shown.job_detail.queue_name == PROD
    assert shown.job_detail.status == "job_init" and shown.job_detail.has_savepoint is False

    running = next(j for j in listed.job_list.jobs if j.status == "job_running")
    graph = sdk.show_flink_job_execution_graph(
        m.ShowFlinkJobExecutionGraphRequest(job_id=running.job_id)
    )  # D7
    assert graph.execute_graph.state == "RUNNING" and graph.execute_graph.is_stoppable is True


def test_jobs_d8_to_d15(server, raw_sdk, kind):
    sdk = raw_sdk(kind)
    job_id = _create_sql(sdk).job.job_id
    ran = sdk.batch_run_flink_jobs(  # D8
        m.BatchRunFlinkJobsRequest(
            body=m.BatchRunFlinkJobsRequestBody(job_ids=[job_id], resume_savepoint=False)
        )
    )
    assert ran.status_code == 200 and [r.is_success for r in ran.body] == ["true"]
    server.advance(10)

    metrics = sdk.show_flink_metric(
        m.ShowFlinkMetricRequest(body=m.ShowFlinkMetricRequestBody(job_ids=[job_id]))
    )  # D12
    assert metrics.is_success is True
    assert metrics.metrics.jobs[0].job_id == job_id and metrics.metrics.jobs[0].metrics.sources[0].records > 0

    saved = sdk.execute_flink_job_savepoint(  # D13
        m.ExecuteFlinkJobSavepointRequest(
            job_id=str(job_id),
            body=m.ExecuteFlinkJobSavepointRequestBody(action="TRIGGER", savepoint_path="bkt/sp/"),
        )
    )
    assert saved.status_code == 200 and saved.is_success == "true"
    server.advance(5)

    stopped = sdk.batch_stop_flink_jobs(  # D9
        m.BatchStopFlinkJobsRequest(body=m.StopFlinkJobsRequestBody(job_ids=[job_id], trigger_savepoint=True))
    )
    assert [r.is_success for r in stopped.body] == ["true"]
    server.advance(10)

    exported = sdk.export_flink_jobs(  # D14
        m.ExportFlinkJobsRequest(
            body=m.ExportFlinkJobsRequestBody(
                obs_dir="obs://bkt/exp", is_selected=True, job_selected=[job_id]
            )
        )
    )
    assert exported.zip_file and exported.zip_file[0].startswith("obs://bkt/exp/")

    deleted = sdk.batch_delete_flink_jobs(  # D10
        m.BatchDeleteFlinkJobsRequest(body=m.BatchDeleteFlinkJobsRequestBody(job_ids=[job_id]))
    )
    assert [r.is_success for r in deleted.body] == ["true"]

    imported = sdk.import_flink_jobs(  # D15
        m.ImportFlinkJobsRequest(
            body=m.ImportFlinkJobsRequestBody(zip_file=exported.zip_file[0], is_cover=False)
        )
    )
    assert imported.job_mapping[0].old_job_id == job_id and imported.job_mapping[0].new_job_id != job_id
    new_id = imported.job_mapping[0].new_job_id

    removed = sdk.delete_flink_job(m.DeleteFlinkJobRequest(job_id=new_id))  # D11
    assert removed.status_code == 200 and removed.is_success == "true"
    with pytest.raises(ClientRequestException) as info:
        sdk.show_flink_job(m.ShowFlinkJobRequest(job_id=new_id))
    assert info.value.status_code == 400 and info.value.error_code == "DLI.12004"


def test_templates_d16_to_d19(server, raw_sdk, kind):
    sdk = raw_sdk(kind)
    created = sdk.create_flink_sql_job_template(  # D17
        m.CreateFlinkSqlJobTemplateRequest(
            body=m.CreateFlinkSqlJobTemplateRequestBody(name="sdk_tpl", sql_body=SQL)
        )
    )
    assert created.is_success is True and created.template.name == "sdk_tpl"
    template_id = created.template.template_id
    updated = sdk.update_flink_sql_job_template(  # D18
        m.UpdateFlinkSqlJobTemplateRequest(
            template_id=template_id, body=m.UpdateFlinkSqlJobTemplateRequestBody(desc="v2")
        )
    )
    assert updated.status_code == 200 and updated.is_success is True
    listed = sdk.list_flink_sql_job_templates(m.ListFlinkSqlJobTemplatesRequest(limit=10, name="sdk"))  # D16
    assert listed.template_list.total_count == 1 and listed.template_list.templates[0].desc == "v2"
    deleted = sdk.delete_flink_sql_job_template(
        m.DeleteFlinkSqlJobTemplateRequest(template_id=template_id)
    )  # D19
    assert deleted.template.template_id == template_id
    after = sdk.list_flink_sql_job_templates(m.ListFlinkSqlJobTemplatesRequest())
    assert after.template_list.total_count == 3  # the demo's


def test_resources_d20_to_d23(server, raw_sdk, kind):
    sdk = raw_sdk(kind)
    general = sdk.list_queues(m.ListQueuesRequest(queue_type="general"))  # D20
    assert {q.queue_name for q in general.queues} == {PROD, DEV}
    prod = next(q for q in general.queues if q.queue_name == PROD)
    assert prod.cu_count == 64 and prod.used_cu > 0 and prod.elastic_resource_pool_name
    default = sdk.list_queues(m.ListQueuesRequest())  # DLI's default type is sql
    assert [q.queue_type for q in default.queues] == ["sql"]

    shown = sdk.show_queue(m.ShowQueueRequest(queue_name=DEV))  # D21
    assert shown.queue_name == DEV and shown.cu_count == 16 and shown.queue_type == "general"

    pools = sdk.list_elastic_resource_pools(m.ListElasticResourcePoolsRequest(limit=10))  # D22
    assert pools.count == 1 and set(pools.elastic_resource_pools[0].queues) == {PROD, DEV}

    quota = sdk.show_quota(m.ShowQuotaRequest())  # D23
    by_type = {q.type: q for q in quota.quotas.resources}
    assert by_type["QUEUE"].used == 3 and by_type["CU"].used == prod.used_cu + 12  # prod's and dev's jobs
