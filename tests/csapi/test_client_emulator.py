"""Every CSClient operation against the CS emulator over real HTTP, under both auth schemes."""

from __future__ import annotations

import io
import random

import pytest
import requests

from csapi import AKSKAuth, CSClient, MemoryCache, RetryPolicy, TokenAuth
from csapi.emulator.seed import make_jar
from csapi.emulator.testing import LOCAL_POLICY, emulator, emulator_server  # noqa: F401 - fixtures
from csapi.errors import (
    CSAuthError,
    CSConflict,
    CSNotFound,
    CSProtocolError,
    CSRateLimited,
    CSServerError,
    CSValidationError,
)
from csapi.limits import JOB_NAME_MAX_BYTES
from csapi.models import Cluster, Job
from csapi.vocab import JOB_STATUSES

from .helpers import Sleeps

SQL = "CREATE SOURCE STREAM s (a INT) WITH (type = 'dis'); CREATE SINK STREAM k (a INT) WITH (type = 'dis'); INSERT INTO k SELECT a FROM s"


class Counter:
    """Counts HTTP exchanges through a session hook (to prove pagination is lazy)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, response, *args, **kwargs):
        self.calls.append(f"{response.request.method} {response.request.path_url}")
        return response


def _client(server, scheme: str, sleeps=None, retries: int = 2):
    tenant = server.account
    session = requests.Session()
    counter = Counter()
    session.hooks["response"].append(counter)
    if scheme == "aksk":
        auth = AKSKAuth(tenant.ak, tenant.sk)
    else:
        auth = TokenAuth(
            server.url,
            tenant.domain,
            tenant.user,
            tenant.password,
            tenant.project_id,
            cache=MemoryCache(),
            outbound=LOCAL_POLICY,
        )
    policy = RetryPolicy(
        retries=retries, sleep=sleeps if sleeps is not None else Sleeps(), rng=random.Random(0)
    )
    client = CSClient(
        server.url,
        tenant.project_id,
        auth,
        session=session,
        backoff=policy,
        timeout=(5, 10),
        outbound=LOCAL_POLICY,
    )
    client.counter = counter
    return client


@pytest.fixture(params=["aksk", "token"])
def cs(request, emulator):  # noqa: F811 - pytest fixture
    client = _client(emulator, request.param)
    yield client
    client.close()


def _running_cluster(cs) -> Cluster:
    return next(c for c in cs.clusters.iter() if c.status_code == 5)


def _wait_status(emulator, cs, job_id, wanted, step=5, rounds=40):  # noqa: F811
    for _ in range(rounds):
        job = cs.jobs.get(job_id)
        if job.status == wanted:
            return job
        emulator.advance(step)
    raise AssertionError(f"job {job_id} never reached {wanted}: {job.status}")


# ------------------------------------------------------------------ account


def test_account_operations(cs):
    version = cs.account.versions()
    assert version.id and version.version and isinstance(version.engines, list)
    assert cs.account.register().message_id.startswith("CS.")
    assert cs.account.authorize_obs(["conformance-bucket"]).message_id.startswith("CS.")
    with pytest.raises(CSConflict):
        cs.account.authorize_obs(["conformance-bucket"])
    overview = cs.account.overview()
    assert "job_overview" in overview and "cluster_overview" in overview
    assert overview.job_overview.total_jobs >= 1


# ------------------------------------------------------------------ SQL jobs


def test_sql_job_lifecycle(cs, emulator):  # noqa: F811
    created = cs.jobs.create_sql(
        "conformance_sql",
        desc="made by the conformance test",
        sql_body=SQL,
        spu_number=2,
        parallel_number=4,
        checkpoint_enabled=False,
        checkpoint_mode=1,  # int form (5.1.6), sent as "exactly_once"
        checkpoint_interval=10,
        idle_state_retention=30,
    )
    job_id = created.job_id
    assert created.status_name in JOB_STATUSES and created.meta.get("message_id")

    job = cs.jobs.get(job_id)
    assert isinstance(job, Job) and job.name == "conformance_sql" and job.status == "job_init"
    assert job.checkpoint_mode == "exactly_once"
    assert job.status_info.group == "draft"

    updated = cs.jobs.update_sql(job_id, desc="updated", checkpoint_mode="AtLeastOnce", spu_number=3)
    assert updated.update_time
    job = cs.jobs.get(job_id)
    assert job.desc == "updated" and job.checkpoint_mode == "at_least_once" and job.spu_number == 3

    assert cs.jobs.run(job_id).message_id
    job = _wait_status(emulator, cs, job_id, "job_running")
    assert job.status_info.is_running

    metrics = cs.jobs.metrics([job_id])
    assert [m.job_id for m in metrics] == [job_id] and "sources" in metrics[0].metrics
    graph = cs.jobs.execute_graph(job_id)
    assert graph.execute_plan_items and graph.items_parsed is not None
    sinks = cs.jobs.apig_sinks(job_id)
    assert "sinks" in sinks

    with pytest.raises(CSConflict) as info:
        cs.jobs.run(job_id)
    assert info.value.code == "CS.13006" and info.value.solution

    assert cs.jobs.stop(job_id, trigger_savepoint=True).message_id
    _wait_status(emulator, cs, job_id, "job_cancel_success")
    assert cs.jobs.run(job_id, resume_savepoint=True).message_id
    assert cs.jobs.delete(job_id).message_id
    with pytest.raises(CSNotFound):
        cs.jobs.get(job_id)


def test_batch_operations(cs, emulator):  # noqa: F811
    ids = [
        cs.jobs.create_sql(f"batch_{i}", sql_body=SQL, spu_number=1, parallel_number=1).job_id
        for i in range(3)
    ]
    assert cs.jobs.run_batch(ids).message_id
    for job_id in ids:
        _wait_status(emulator, cs, job_id, "job_running")
    assert cs.jobs.stop_batch([str(i) for i in ids], trigger_savepoint=False).message_id
    assert cs.jobs.delete_batch(ids).message_id
    remaining = {j.job_id for j in cs.jobs.iter()}
    assert not remaining & set(ids)


def test_validation_and_conflicts(cs):
    with pytest.raises(CSValidationError) as info:
        cs.jobs.create_sql("x" * (JOB_NAME_MAX_BYTES + 1), sql_body=SQL)
    assert info.value.code == "CS.11006" and info.value.http_status == 400
    with pytest.raises(CSValidationError) as info:
        cs.jobs.create_sql("bad name!", sql_body=SQL)
    assert info.value.code == "CS.11015"
    with pytest.raises(CSValidationError) as info:
        cs.jobs.create_sql("too_many_spu", sql_body=SQL, spu_number=401)
    assert info.value.code == "CS.11012"
    cs.jobs.create_sql("dup_name", sql_body=SQL)
    with pytest.raises(CSConflict) as info:
        cs.jobs.create_sql("dup_name", sql_body=SQL)
    assert info.value.code == "CS.11004" and "CS.11004" in str(info.value)


# ------------------------------------------------------------------ JAR jobs


def test_jar_jobs_from_path_file_and_url(cs, tmp_path):
    cluster = _running_cluster(cs)
    jar = tmp_path / "stream-app.jar"
    jar.write_bytes(make_jar())
    created = cs.jobs.create_jar(
        "conformance_jar",
        desc="jar",
        cluster_id=cluster.cluster_id,
        manager_spu=1,
        spu_number=2,
        parallel_number=2,
        jar=jar,
        main_class="com.example.StreamJob",
        args="--mode test",
        restart_when_exception=True,
    )
    job = cs.jobs.get(created.job_id)
    assert job.job_type == "flink_jar_job" and job.name == "conformance_jar"

    assert cs.jobs.update_jar(
        created.job_id, manager_spu=1, desc="new", jar=io.BytesIO(make_jar())
    ).update_time
    assert cs.jobs.get(created.job_id).desc == "new"

    spark = cs.jobs.create_jar(
        "conformance_spark",
        job_type="spark_streaming_jar_job",
        cluster_id=cluster.cluster_id,
        manager_spu=1,
        executor_number=2,
        executor_spu=1,
        jar_url="cs-flink-jar/52818/WindowJoin.jar",
        main_class="com.example.StreamJob",
    )
    assert cs.jobs.get(spark.job_id).job_type == "spark_streaming_jar_job"

    with pytest.raises(CSValidationError) as info:
        cs.jobs.create_jar(
            "not_a_jar",
            cluster_id=cluster.cluster_id,
            manager_spu=1,
            jar=b"plain",
            jar_filename="x.txt",
            main_class="com.example.StreamJob",
            spu_number=2,
            parallel_number=1,
        )
    assert info.value.code == "CS.11017"


# ------------------------------------------------------------------ job lists


def test_job_list_and_lazy_iteration(cs):
    everything = cs.jobs.list(limit=1000)
    assert everything.total >= len(everything) > 5
    cs.counter.calls.clear()
    iterator = iter(cs.jobs.iter(page_size=2))
    first = next(iterator)
    assert len(cs.counter.calls) == 1 and "limit=2" in cs.counter.calls[0]
    rest = list(iterator)
    ids = [first.job_id] + [j.job_id for j in rest]
    assert ids == [j.job_id for j in everything]
    assert len(set(ids)) == len(ids)
    assert len(cs.counter.calls) in (len(ids) // 2 + 1, (len(ids) + 1) // 2)
    assert "cursor=" in cs.counter.calls[1] and "next=true" in cs.counter.calls[1]

    asc = [j.job_id for j in cs.jobs.iter(order="asc", page_size=4)]
    assert asc == sorted(ids)
    running = list(cs.jobs.iter(status="job_running"))
    assert running and all(j.status == "job_running" for j in running)
    detailed = cs.jobs.list(show_detail=True, limit=1)[0]
    assert "job_config" in detailed or "user_id" in detailed


# ------------------------------------------------------------------ templates


def test_templates(cs):
    created = cs.templates.create("conformance_tpl", desc="d", sql_body=SQL)
    assert created.template_id and created.is_success
    ids = [t.template_id for t in cs.templates.iter(page_size=2)]
    assert created.template_id in ids and ids == [t.template_id for t in cs.templates.list(limit=500)]
    assert cs.templates.update(created.template_id, desc="changed").message_id
    assert next(t for t in cs.templates.iter() if t.template_id == created.template_id).desc == "changed"
    with pytest.raises(CSConflict):
        cs.templates.create("conformance_tpl")
    assert cs.templates.delete(created.template_id).message_id
    with pytest.raises(CSNotFound):
        cs.templates.delete(created.template_id)


# ------------------------------------------------------------------ clusters


def test_clusters(cs, emulator):  # noqa: F811
    created = cs.clusters.create("conformance-cluster", desc="c", maximum_spu_quota=12)
    cluster_id = created.cluster_id
    cluster = cs.clusters.get(cluster_id)
    assert cluster.name == "conformance-cluster" and cluster.status_info.known
    listed = [c.cluster_id for c in cs.clusters.iter(page_size=1)]
    assert int(cluster_id) in [int(c) for c in listed]
    assert listed == [c.cluster_id for c in cs.clusters.list(limit=100)]

    for _ in range(60):
        if cs.clusters.get(cluster_id).status_code == 5:
            break
        emulator.advance(30)
    assert cs.clusters.get(cluster_id).status_info.health == "healthy"
    assert cs.clusters.update(
        cluster_id, name="conformance-cluster", desc="updated", maximum_spu_quota=16
    ).message_id
    assert cs.clusters.get(cluster_id).desc == "updated"

    running = _running_cluster(cs)
    jobs = list(cs.clusters.iter_jobs(running.cluster_id, page_size=2))
    assert [j.job_id for j in jobs] == [j.job_id for j in cs.clusters.jobs(running.cluster_id, limit=100)]

    assert cs.clusters.stop(cluster_id).message_id
    for _ in range(60):
        if cs.clusters.get(cluster_id).status_info.health == "stopped":
            break
        emulator.advance(30)
    assert cs.clusters.restart(cluster_id).message_id
    assert cs.clusters.delete(cluster_id).message_id
    with pytest.raises(CSValidationError) as info:
        cs.clusters.create("too-big", maximum_spu_quota=401)
    assert info.value.code == "CS.20003"


def test_hosts(cs):
    cluster_id = _running_cluster(cs).cluster_id
    added = cs.hosts.add(
        cluster_id, [("conformance.cs.com", "10.1.2.3"), {"hostname": "b.cs.com", "ip": "10.1.2.4"}]
    )
    assert added.host_id
    hosts = list(cs.hosts.iter(cluster_id, page_size=1))
    by_name = {h.hostname: h for h in hosts}
    assert by_name["conformance.cs.com"].ip == "10.1.2.3"
    host_id = by_name["conformance.cs.com"].id
    assert cs.hosts.update(cluster_id, host_id, hostname="conformance2.cs.com", ip="10.1.2.5").message_id
    assert cs.hosts.list(cluster_id, query_string="conformance2")[0].ip == "10.1.2.5"
    uploaded = cs.hosts.upload_file(
        cluster_id, io.BytesIO(b"10.9.9.1 f1.cs.com\n10.9.9.2 f2.cs.com f3.cs.com\n")
    )
    assert uploaded.host_id
    assert cs.hosts.delete(cluster_id, [host_id]).message_id
    assert host_id not in [h.id for h in cs.hosts.iter(cluster_id)]
    with pytest.raises(CSValidationError):
        cs.hosts.add(cluster_id, [("not a host", "999.1.1.1")])


def test_quotas(cs):
    users = list(cs.quotas.iter(page_size=1))
    assert users and users == list(cs.quotas.list(limit=100))
    user = cs.quotas.get(users[0].user_id)
    assert user.user_id == users[0].user_id and "spu_quota" in user
    assert cs.quotas.update(user.user_id, spu_quota=user.spu_quota + 1).message_id
    assert cs.quotas.get(user.user_id).spu_quota == user.spu_quota + 1
    with pytest.raises(CSNotFound):
        cs.quotas.get("no-such-user")


def test_peerings_and_routes(cs):
    cluster_id = _running_cluster(cs).cluster_id
    peering = cs.peerings.create(
        cluster_id, vpc_id="f4da5a55-fcd9-4a93-8b86-5b81585e14bb", name="conformanceVpc"
    )
    assert peering.status == "PENDING_ACCEPTANCE" and peering.id
    assert peering.id in [p.id for p in cs.peerings.list(cluster_id)]
    assert cs.peerings.get(cluster_id, peering.id).name == "conformanceVpc"
    assert cs.peerings.accept(peering.id).status == "ACTIVE"
    local = cs.routes.create_local(cluster_id, peering.id, destination="192.168.0.0/16")
    assert local.destination == "192.168.0.0/16" and local.id
    peer = cs.routes.create_peer(
        nexthop=peering.id, destination="192.168.200.0/24", vpc_id=peering.accept_vpc_info.vpc_id
    )
    assert peer.type == "peering"
    assert local.id in [r.id for r in cs.routes.list(cluster_id, peering.id)]
    assert cs.routes.delete(cluster_id, peering.id, local.id) is None
    assert local.id not in [r.id for r in cs.routes.list(cluster_id, peering.id)]
    assert cs.peerings.delete(cluster_id, peering.id) is None
    with pytest.raises(CSNotFound):
        cs.peerings.get(cluster_id, peering.id)


# ------------------------------------------------------------------ audit logs


def test_audit_logs(cs):
    for i in range(3):
        cs.templates.create(f"audit_tpl_{i}", sql_body=SQL)
    page = cs.audit_logs.list(limit=50)
    assert 0 < len(page) <= 50 and {"event_name", "op_time", "resource_id"} <= set(page[0])
    cs.counter.calls.clear()
    traces = cs.audit_logs.iter(limit=2, resource_type="template")
    first_three = [t for _, t in zip(range(3), traces, strict=False)]
    assert len(first_three) == 3 and len(cs.counter.calls) == 2
    assert "page_number=2" in cs.counter.calls[1]
    with pytest.raises(ValueError):
        cs.audit_logs.list(limit=51)
    everything = list(cs.audit_logs.iter(resource_type="template"))
    assert len(everything) >= 3 and all(t.resource_name for t in everything)


# ------------------------------------------------------------------ auth and faults


def test_token_expiry_refreshes_once(emulator):  # noqa: F811
    cs = _client(emulator, "token")
    cs.jobs.list(limit=1)
    first = cs.auth.fetch_count
    emulator.emulator.expire_tokens()
    cs.jobs.run(cs.jobs.create_sql("after_expiry", sql_body=SQL).job_id)
    assert cs.auth.fetch_count == first + 1


def test_bad_credentials(emulator):  # noqa: F811
    tenant = emulator.account
    bad = CSClient(
        emulator.url, tenant.project_id, AKSKAuth(tenant.ak, "wrong-sk"), retries=0, outbound=LOCAL_POLICY
    )
    with pytest.raises(CSAuthError) as info:
        bad.jobs.list()
    assert info.value.http_status == 401 and "wrong-sk" not in str(info.value)
    token = TokenAuth(
        emulator.url,
        tenant.domain,
        tenant.user,
        "wrong-password",
        tenant.project_id,
        cache=MemoryCache(),
        outbound=LOCAL_POLICY,
    )
    with pytest.raises(CSAuthError):
        CSClient(emulator.url, tenant.project_id, token, retries=0, outbound=LOCAL_POLICY).jobs.list()
    other = CSClient(
        emulator.url, "another-project", AKSKAuth(tenant.ak, tenant.sk), retries=0, outbound=LOCAL_POLICY
    )
    with pytest.raises(CSAuthError) as info:
        other.jobs.list()
    assert info.value.code == "CS.10006"


def test_fault_429_and_5xx(emulator):  # noqa: F811
    sleeps = Sleeps()
    cs = _client(emulator, "aksk", sleeps, retries=3)
    emulator.faults.configure({"path": "/jobs$", "throttle_rate": 1.0, "retry_after": 2, "times": 2})
    assert cs.jobs.list(limit=1) is not None
    assert sleeps == [2, 2]

    emulator.faults.configure({"path": "/jobs$", "error_rate": 1.0, "times": 1})
    sleeps.clear()
    cs.jobs.list(limit=1)
    assert len(sleeps) == 1

    emulator.faults.configure({"path": "/sql_job$", "error_rate": 1.0, "times": 1})
    with pytest.raises(CSServerError):
        cs.jobs.create_sql("never_retried", sql_body=SQL)
    assert "never_retried" not in [j.name for j in cs.jobs.iter()]

    emulator.faults.configure({"path": "/jobs$", "throttle_rate": 1.0, "retry_after": 1})
    with pytest.raises(CSRateLimited) as info:
        _client(emulator, "aksk", Sleeps(), retries=1).jobs.list()
    assert info.value.retry_after == 1


def test_fault_broken_bodies(emulator):  # noqa: F811
    cs = _client(emulator, "aksk", Sleeps(), retries=0)
    emulator.faults.configure({"path": "/jobs$", "non_json_rate": 1.0})
    with pytest.raises(CSProtocolError):
        cs.jobs.list()
    emulator.faults.configure({"path": "/jobs$", "truncate_rate": 1.0})
    with pytest.raises(CSProtocolError):
        cs.jobs.list()
