"""A living service: statuses, metrics, cost and audit traces move with the clock; quotas; savepoints."""

from __future__ import annotations

from csapi.emulator.model import PRICE_PER_SPU_HOUR


def test_run_goes_submitting_then_running(api, emu):
    job_id = api.create_sql_job()
    assert api.status(job_id) == "job_init"
    api.ok("POST", f"{{p}}/job/{job_id}/run")
    assert api.status(job_id) == "job_submitting"
    emu.advance(10)
    job = api.job(job_id)
    assert job["status"] == "job_running"
    assert job["start_time"] > 0


def test_stop_goes_canceling_then_stopped(api, emu):
    job_id = api.create_sql_job()
    api.ok("POST", f"{{p}}/job/{job_id}/run")
    emu.advance(10)
    api.ok("POST", f"{{p}}/job/{job_id}/stop")
    assert api.status(job_id) == "job_canceling"
    emu.advance(10)
    assert api.status(job_id) == "job_cancel_success"


def test_metrics_and_cost_grow_while_running_only(api, emu):
    job_id = api.create_sql_job(spu_number=2, parallel_number=2)
    api.ok("POST", f"{{p}}/job/{job_id}/run")
    emu.advance(5)

    def metrics():
        return api.ok("POST", "{p}/jobs/metrics", json={"job_ids": [job_id]})["payload"]["jobs"][0]["metrics"]

    assert metrics()["sources"][0]["records"] == 0
    emu.advance(3600)
    first = metrics()
    read = first["sources"][0]["records"]
    assert read > 0 and first["total_read_rate"] > 0
    assert first["sources"][0]["name"] == "Source: DIS_car_infos"
    assert 0 < first["sinks"][0]["records"] <= read
    assert read == int(first["total_read_rate"] * 3600)
    overview = api.ok("GET", "{p}/overview")["payload"]
    assert overview["job_overview"]["running_jobs_count"] == 1
    assert overview["job_overview"]["running_job_total_spu"] == 2
    assert abs(overview["job_overview"]["running_job_charge"] - 2 * PRICE_PER_SPU_HOUR) < 0.01
    assert abs(overview["total_cost"] - 2 * PRICE_PER_SPU_HOUR) < 0.01
    emu.advance(3600)
    assert metrics()["sources"][0]["records"] == 2 * read
    api.ok("POST", f"{{p}}/job/{job_id}/stop")
    emu.advance(3600)
    stopped = metrics()
    assert stopped["sources"][0]["records"] == 2 * read
    assert stopped["total_read_rate"] == 0
    overview = api.ok("GET", "{p}/overview")["payload"]
    assert overview["job_overview"]["running_jobs_count"] == 0
    assert overview["job_overview"]["finished_job_count"] == 1
    assert abs(overview["total_cost"] - 4 * PRICE_PER_SPU_HOUR) < 0.01


def test_audit_traces_follow_actions(api, emu):
    job_id = api.create_sql_job("audited")
    api.ok("POST", f"{{p}}/job/{job_id}/run")
    emu.advance(10)
    api.ok("POST", f"{{p}}/job/{job_id}/stop")
    api.ok("POST", "{p}/job_template", json={"name": "tpl"})
    traces = api.ok("GET", "{p}/audit_logs", params={"resource_type": "job"})[0]["payload"]
    assert traces["total"] == 3
    assert [t["event_name"] for t in traces["traces"]] == ["stopJob", "startJob", "createJob"]
    assert traces["traces"][1]["op_result"].startswith("CS.14000::RUN_JOB_SUCCESS::")
    assert traces["traces"][0]["op_user"] == emu.account.user
    assert traces["traces"][0]["op_time"] > traces["traces"][2]["op_time"]
    by_id = api.ok("GET", "{p}/audit_logs", params={"resource_id": str(job_id), "limit": 2, "page_number": 2})
    assert by_id[0]["payload"]["total"] == 3 and len(by_id[0]["payload"]["traces"]) == 1
    templates = api.ok("GET", "{p}/audit_logs", params={"resource_type": "template"})[0]["payload"]
    assert templates["traces"][0]["event_name"] == "createTemplate"


def test_failures_are_deterministic_and_described(api, emu):
    emu.emulator.queue_outcomes("job_submit_fail", "job_running_exception")
    a = api.create_sql_job("fails_submit")
    b = api.create_sql_job("fails_later")
    api.ok("POST", "{p}/job/run", json=[a, b])
    emu.advance(10)
    job_a = api.job(a)
    assert job_a["status"] == "job_submit_fail" and job_a["status_desc"]
    assert api.status(b) == "job_running"
    emu.advance(3700)
    job_b = api.job(b)
    assert job_b["status"] == "job_running_exception" and job_b["status_desc"]
    overview = api.ok("GET", "{p}/overview")["payload"]["job_overview"]
    assert overview["exception_job_count"] == 2
    api.ok("POST", f"{{p}}/job/{a}/run")  # a failed job may run again


def test_failure_rate_share_is_seeded(emu, api):
    emu.emulator.failure_rate = 0.5
    ids = [api.create_sql_job(f"j{i}", spu_number=1, parallel_number=1) for i in range(20)]
    api.ok("POST", "{p}/job/run", json=ids)
    emu.advance(4000)
    first = [api.status(i) for i in ids]
    failed = sum(s != "job_running" for s in first)
    assert 2 <= failed <= 18
    emu.reset("empty", failure_rate=0.5)
    emu.clock.set_speed(0)
    from .helpers import Api

    again = Api(emu.url, emu.account)
    ids2 = [again.create_sql_job(f"j{i}", spu_number=1, parallel_number=1) for i in range(20)]
    again.ok("POST", "{p}/job/run", json=ids2)
    emu.advance(4000)
    assert [again.status(i) for i in ids2] == first


def test_user_quota_is_enforced_by_run(api, emu):
    user_id = emu.account.user_id
    api.ok("PATCH", f"{{p}}/user_quota/{user_id}", json={"spu_quota": 5})
    a = api.create_sql_job("a", spu_number=3, parallel_number=3)
    b = api.create_sql_job("b", spu_number=3, parallel_number=3)
    api.ok("POST", f"{{p}}/job/{a}/run")
    quota = api.ok("GET", f"{{p}}/user_quota/{user_id}")["payload"]
    assert quota["spu_used"] == 3 and quota["spu_quota"] == 5
    api.error("POST", f"{{p}}/job/{b}/run", "CS.13001")
    api.error("POST", "{p}/job/run", "CS.13001", json=[b])
    emu.advance(10)
    api.ok("POST", f"{{p}}/job/{a}/stop")
    emu.advance(10)
    api.ok("POST", f"{{p}}/job/{b}/run")


def test_batch_run_counts_quota_over_the_whole_batch(api, emu):
    api.ok("PATCH", f"{{p}}/user_quota/{emu.account.user_id}", json={"spu_quota": 5})
    a = api.create_sql_job("a", spu_number=3, parallel_number=3)
    b = api.create_sql_job("b", spu_number=3, parallel_number=3)
    api.error("POST", "{p}/job/run", "CS.13001", json=[a, b])
    assert api.status(a) == "job_init"  # all or nothing


def test_cluster_spu_quota_is_enforced_by_run(api, emu, cluster):
    api.ok(
        "PATCH", f"{{p}}/reserved_cluster/{cluster}", json={"name": "excl_cluster", "maximum_spu_quota": 6}
    )
    a = api.create_sql_job(
        "a", run_mode="exclusive_cluster", cluster_id=cluster, spu_number=4, parallel_number=4
    )
    b = api.create_sql_job(
        "b", run_mode="exclusive_cluster", cluster_id=cluster, spu_number=4, parallel_number=4
    )
    api.ok("POST", f"{{p}}/job/{a}/run")
    assert api.ok("GET", f"{{p}}/reserved_cluster/{cluster}")["payload"]["spu_used"] == 4
    api.error("POST", f"{{p}}/job/{b}/run", "CS.13002")


def test_cluster_permission_cs_13011(demo):
    from .helpers import Api

    api = Api(demo.url, demo.account)
    project = demo.emulator.projects[demo.account.project_id]
    carol = project.user_by_name("analyst_carol")
    prod = min(project.clusters)
    assert prod not in carol.clusters
    job_id = api.create_sql_job("carol_job", run_mode="exclusive_cluster", cluster_id=prod)
    project.jobs[job_id].user_id = carol.user_id
    api.error("POST", f"{{p}}/job/{job_id}/run", "CS.13011")
    api.ok("PATCH", f"{{p}}/user_quota/{carol.user_id}", json={"clusters": [prod]})
    api.ok("POST", f"{{p}}/job/{job_id}/run")


def test_savepoints(api, emu):
    job_id = api.create_sql_job()
    api.ok("POST", f"{{p}}/job/{job_id}/run")
    emu.advance(10)
    api.ok("POST", f"{{p}}/job/{job_id}/stop")  # no savepoint asked for
    emu.advance(10)
    api.error("POST", f"{{p}}/job/{job_id}/run", "CS.13017", params={"resumeSavePoint": "true"})
    api.ok("POST", f"{{p}}/job/{job_id}/run")
    emu.advance(10)
    api.ok("POST", f"{{p}}/job/{job_id}/stop", params={"triggerSavePoint": "true"})
    assert api.status(job_id) == "job_savepointing"
    emu.advance(10)
    assert api.status(job_id) == "job_cancel_success"
    api.ok("POST", f"{{p}}/job/{job_id}/run", params={"resumeSavePoint": "true"})
    emu.advance(10)
    job = api.job(job_id)
    assert job["status"] == "job_running" and "savepoint" in job["status_desc"]


def test_cluster_life_cycle(api, emu):
    cluster_id = api.create_cluster("life", quota=20)

    def code():
        return api.ok("GET", f"{{p}}/reserved_cluster/{cluster_id}")["payload"]["status_code"]

    assert code() == 1
    emu.advance(21)
    assert code() in (3, 4)
    emu.advance(20)
    assert code() == 5
    job_id = api.create_sql_job(run_mode="exclusive_cluster", cluster_id=cluster_id)
    api.ok("POST", f"{{p}}/job/{job_id}/run")
    emu.advance(10)
    api.ok("POST", f"{{p}}/reserved_cluster/{cluster_id}/stop", json={"cluster_id": str(cluster_id)})
    assert code() == 9
    emu.advance(15)
    assert code() == 11
    assert api.status(job_id) == "job_cancel_success"
    api.error("POST", f"{{p}}/job/{job_id}/run", "CS.13008")
    api.ok("POST", f"{{p}}/reserved_cluster/{cluster_id}/restart", json={"cluster_id": str(cluster_id)})
    assert code() == 28
    emu.advance(30)
    assert code() == 5
    clusters = api.ok("GET", "{p}/user_quota/" + emu.account.user_id)["payload"]["clusters"]
    assert {"id": cluster_id, "name": "life"} in clusters
    api.ok("DELETE", f"{{p}}/reserved_cluster/{cluster_id}")
    assert code() == 16
    emu.advance(15)
    api.error("GET", f"{{p}}/reserved_cluster/{cluster_id}", "CS.20005")
    assert api.ok("GET", "{p}/reserved_clusters")["payload"]["total"] == 0


def test_cluster_cost_in_overview(api, emu):
    api.create_cluster("billed", quota=20)
    emu.advance(30 + 3600)
    overview = api.ok("GET", "{p}/overview")["payload"]["cluster_overview"]
    assert overview["running_cluster_count"] == 1
    assert overview["running_cluster_charge"] > 0.9 * 2 * PRICE_PER_SPU_HOUR


def test_deleting_a_job_keeps_its_cost(api, emu):
    job_id = api.create_sql_job(spu_number=4, parallel_number=4)
    api.ok("POST", f"{{p}}/job/{job_id}/run")
    emu.advance(5 + 3600)
    api.ok("DELETE", f"{{p}}/job/{job_id}")
    overview = api.ok("GET", "{p}/overview")["payload"]
    assert overview["job_overview"]["total_jobs"] == 0
    assert abs(overview["total_cost"] - 4 * PRICE_PER_SPU_HOUR) < 0.01


def test_clock_control_endpoint(emu):
    import requests

    before = requests.get(f"{emu.url}/_emulator/clock", timeout=10).json()["now"]
    after = requests.post(f"{emu.url}/_emulator/clock", json={"advance": 60}, timeout=10).json()["now"]
    assert after - before >= 60_000
    state = requests.get(f"{emu.url}/_emulator/state", timeout=10).json()
    assert state["projects"][emu.account.project_id]["jobs"] == 0


def test_demo_seed_is_realistic(demo):
    from .helpers import Api

    for tenant in demo.tenants:
        api = Api(demo.url, tenant)
        jobs = api.ok("GET", "{p}/jobs", params={"limit": 100, "show_detail": "true"})["payload"]["jobs"]
        assert len(jobs) >= 25
        statuses = {j["status"] for j in jobs}
        assert {"job_running", "job_cancel_success", "job_init"} <= statuses
        assert statuses & {"job_submit_fail", "job_running_exception"}
        assert {j["job_type"] for j in jobs} == {"flink_sql_job", "flink_jar_job", "spark_streaming_jar_job"}
        assert api.ok("GET", "{p}/reserved_clusters")["payload"]["total"] == 2
        assert api.ok("GET", "{p}/job_templates")["payload"]["total"] >= 3
        assert len(api.ok("GET", "{p}/user_quotas")["payload"]["users"]) >= 3
        assert api.ok("GET", "{p}/audit_logs", params={"limit": 50})[0]["payload"]["total"] > 30
        overview = api.ok("GET", "{p}/overview")["payload"]
        assert overview["total_cost"] > 0 and overview["job_overview"]["running_jobs_count"] >= 10
        running = [j["job_id"] for j in jobs if j["status"] == "job_running"]
        metrics = api.ok("POST", "{p}/jobs/metrics", json={"job_ids": running})["payload"]["jobs"]
        assert all(m["metrics"]["sources"][0]["records"] > 0 for m in metrics)
    assert demo.tenants[0].project_id != demo.tenants[1].project_id
