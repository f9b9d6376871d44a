"""Every operation of cs-api-operations.md, under both auth schemes, with the reference's shapes."""

from __future__ import annotations

import json
import uuid

import requests

from csapi.emulator.seed import make_jar

from .helpers import SQL, Api

MESSAGE = {"message_id", "message", "current_time"}
JOB_BRIEF = {
    "job_id",
    "name",
    "desc",
    "job_type",
    "status",
    "status_desc",
    "create_time",
    "start_time",
    "duration",
}
JOB_DETAIL = JOB_BRIEF | {
    "user_id",
    "cluster_id",
    "project_id",
    "sql_body",
    "run_mode",
    "spu_number",
    "parallel_number",
    "job_config",
    "jar_url",
    "main_class",
    "args",
    "execution_graph",
    "update_time",
    "username",
}
JOB_CONFIG = {
    "checkpoint_enabled",
    "checkpoint_mode",
    "checkpoint_interval",
    "log_enabled",
    "obs_bucket",
    "smn_topic",
    "root_id",
    "edge_group_ids",
}
CLUSTER = {
    "cluster_id",
    "name",
    "desc",
    "status_code",
    "status_name",
    "status_desc",
    "spu_used",
    "maximum_spu_quota",
    "region_id",
    "error_reason",
    "created_at",
    "vpc_cidr",
    "subnet_cidr",
    "subnet_gateway",
    "manager_node_spu",
    "sys_enterprise_project_id",
}
PEERING = {"name", "id", "request_vpc_info", "accept_vpc_info", "status"}
ROUTE = {"type", "nexthop", "destination", "vpc_id", "tenant_id", "id"}
QUOTA = {"user_id", "user_name", "spu_used", "spu_quota", "clusters"}
TRACE = {
    "resource_id",
    "resource_name",
    "event_name",
    "event_type",
    "event_rating",
    "op_user",
    "op_time",
    "op_ip",
    "op_result",
}


def has(obj, keys):
    missing = set(keys) - set(obj)
    assert not missing, f"missing {missing} in {obj}"
    return obj


def message(body, payload_keys=None):
    has(body, MESSAGE)
    assert isinstance(body["current_time"], int)
    if payload_keys is not None:
        has(body["payload"], payload_keys)
    return body


def test_every_operation(emu, auth_kind):
    api = Api(emu.url, emu.account, auth_kind)
    other = emu.emulator.tenants[0]

    # 0 IAM token (both schemes still log in: the token call itself needs no auth)
    response = requests.post(
        f"{emu.url}/v3/auth/tokens",
        timeout=10,
        json={
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": other.user,
                            "password": other.password,
                            "domain": {"name": other.domain},
                        }
                    },
                },
                "scope": {"project": {"id": other.project_id}},
            }
        },
    )
    assert response.status_code == 201
    assert response.headers["X-Subject-Token"]
    has(response.json()["token"], {"expires_at", "methods", "catalog", "project", "user"})

    # 1-4 register, OBS, overview, versions
    message(api.ok("POST", "{p}/user_register"))
    message(api.ok("POST", "{p}/obs_authorize", json=["my-bucket"]))
    overview = message(api.ok("GET", "{p}/overview"), {"total_cost", "job_overview", "cluster_overview"})
    has(
        overview["payload"]["job_overview"],
        {
            "total_jobs",
            "running_jobs_count",
            "finished_job_count",
            "exception_job_count",
            "running_job_charge",
            "running_job_price",
            "running_job_total_spu",
            "running_job_total_time",
            "billing_unit",
            "time_unit",
        },
    )
    has(
        overview["payload"]["cluster_overview"],
        {
            "total_clusters",
            "running_cluster_count",
            "exception_cluster_count",
            "other_cluster_count",
            "running_cluster_charge",
            "running_cluster_price",
            "running_cluster_total_spu",
            "running_cluster_total_time",
            "billing_unit",
            "time_unit",
        },
    )
    has(
        api.ok("GET", "/versions"),
        {"id", "version", "min_version", "engines", "status", "updated", "current_millis"},
    )

    # 25 cluster create, 26 get, 28 list, 29 update
    created = message(
        api.ok(
            "POST",
            "{p}/reserved_cluster",
            json={
                "name": "mycluster",
                "desc": "This is my cluster.",
                "maximum_spu_quota": 100,
                "vpc_cidr": "172.16.0.0/23",
                "subnet_cidr": "172.16.0.0/23",
                "subnet_gateway": "172.16.0.1",
            },
        ),
        {"cluster_id"},
    )
    assert created["message_id"] == "CS.21000"
    cluster_id = int(created["payload"]["cluster_id"])
    got = message(api.ok("GET", f"{{p}}/reserved_cluster/{cluster_id}"), CLUSTER)
    assert got["payload"]["status_code"] == 1 and got["payload"]["status_name"] == "cluster_creating"
    emu.advance(60)
    assert api.ok("GET", f"{{p}}/reserved_cluster/{cluster_id}")["payload"]["status_code"] == 5
    listed = message(api.ok("GET", "{p}/reserved_clusters"), {"total", "clusters"})
    has(listed["payload"]["clusters"][0], CLUSTER)
    assert listed["message_id"] == "CS.20040"
    assert (
        message(
            api.ok(
                "PATCH",
                f"{{p}}/reserved_cluster/{cluster_id}",
                json={"name": "my_cluster", "desc": "This is my_cluster.", "maximum_spu_quota": 120},
            )
        )["message_id"]
        == "CS.21030"
    )

    # 21-24 templates
    template = message(
        api.ok(
            "POST",
            "{p}/job_template",
            json={"name": "simple_stream_sql", "desc": "Example of quick start", "sql_body": SQL},
        ),
        {"template_id", "name", "desc", "create_time", "is_success"},
    )
    template_id = template["payload"]["template_id"]
    assert (
        message(api.ok("PATCH", "{p}/job_template", json={"id": str(template_id), "desc": "Updated"}))[
            "message_id"
        ]
        == "CS.18014"
    )
    templates = message(api.ok("GET", "{p}/job_templates"), {"total", "templates"})
    has(
        templates["payload"]["templates"][0],
        {"template_id", "name", "desc", "create_time", "update_time", "sql_body"},
    )

    # 5-6 SQL job create/update (from the template), 7-8 JAR job create/update
    job = message(
        api.ok(
            "POST",
            "{p}/sql_job",
            json={
                "name": "myjob",
                "desc": "Counting characters.",
                "template_id": template_id,
                "run_mode": "shared_cluster",
                "spu_number": 2,
                "parallel_number": 1,
                "checkpoint_enabled": False,
                "checkpoint_mode": "exactly_once",
                "checkpoint_interval": 0,
                "log_enabled": False,
                "restart_when_exception": False,
                "idle_state_retention": 0,
                "job_type": "flink_sql_job",
            },
        ),
        {"job_id", "status_name", "status_desc"},
    )
    job_id = job["payload"]["job_id"]
    assert api.job(job_id)["sql_body"] == SQL
    message(
        api.ok(
            "PATCH",
            "{p}/sql_job",
            json={
                "job_id": job_id,
                "desc": "My first job",
                "spu_number": 4,
                "parallel_number": 4,
                "checkpoint_enabled": True,
                "checkpoint_mode": 1,
                "checkpoint_interval": 10,
                "obs_bucket": "my-bucket",
            },
        ),
        {"update_time"},
    )
    jar = message(
        api.ok(
            "POST",
            "{p}/jar_job",
            data={
                "name": "flink_jar",
                "desc": "jar",
                "job_type": "flink_jar_job",
                "cluster_id": str(cluster_id),
                "spu_number": "4",
                "manager_spu": "1",
                "parallel_number": "4",
                "main_class": "com.example.StreamJob",
            },
            files={"jar": ("WindowJoin.jar", make_jar(), "application/java-archive")},
        ),
        {"job_id", "status_name", "status_desc"},
    )
    jar_id = jar["payload"]["job_id"]
    message(api.ok("PATCH", "{p}/jar_job", data={"job_id": str(jar_id), "args": "--x 1"}), {"update_time"})

    # 9 run, 10 batch run, 11 list, 12 details, 13 plan, 15 metrics, 16 APIG
    message(api.ok("POST", f"{{p}}/job/{job_id}/run"))
    message(api.ok("POST", "{p}/job/run", json=[jar_id]))
    emu.advance(30)
    jobs = message(api.ok("GET", "{p}/jobs", params={"show_detail": "true"}), {"total", "jobs"})
    assert jobs["message_id"] == "CS.23000" and jobs["payload"]["total"] == 2
    detail = has(jobs["payload"]["jobs"][0], JOB_DETAIL)
    has(detail["job_config"], JOB_CONFIG)
    has(api.ok("GET", "{p}/jobs")["payload"]["jobs"][0], JOB_BRIEF)
    details = message(api.ok("GET", f"{{p}}/job/{job_id}"), JOB_DETAIL)
    assert details["payload"]["status"] == "job_running"
    assert details["payload"]["job_config"]["checkpoint_mode"] == "exactly_once"
    plan = message(api.ok("GET", f"{{p}}/job/{job_id}/execute_graph"), {"execute_plan_items"})
    assert json.loads(plan["payload"]["execute_plan_items"])
    metrics = message(api.ok("POST", "{p}/jobs/metrics", json={"job_ids": [job_id, jar_id]}), {"jobs"})
    one = metrics["payload"]["jobs"][0]
    has(one, {"job_id", "metrics"})
    has(one["metrics"], {"sources", "sinks", "total_read_rate", "total_write_rate"})
    has(one["metrics"]["sources"][0], {"name", "records", "corrupted_records"})
    apig = message(api.ok("GET", f"{{p}}/job/{job_id}/apig_sinks"), {"sinks", "metadata"})
    has(apig["payload"]["sinks"][0], {"app_id", "sink_name", "url"})
    has(apig["payload"]["metadata"][0], {"name", "encode", "delimiter", "attrs"})

    # 32 jobs of a cluster
    cluster_jobs = message(api.ok("GET", f"{{p}}/reserved_cluster/{cluster_id}/jobs"), {"total", "jobs"})
    assert [j["job_id"] for j in cluster_jobs["payload"]["jobs"]] == [jar_id]

    # 17 stop, 18 batch stop
    message(api.ok("POST", f"{{p}}/job/{job_id}/stop", params={"triggerSavePoint": "true"}))
    assert message(api.ok("POST", "{p}/job/stop", json=[jar_id]))["message_id"] == "CS.16000"

    # 14 audit logs (list-wrapped)
    audit = api.ok("GET", "{p}/audit_logs", params={"resource_type": "job", "limit": 10, "page_number": 1})
    assert isinstance(audit, list)
    message(audit[0], {"total", "traces"})
    has(audit[0]["payload"]["traces"][0], TRACE)

    # 33-37 host mappings
    added = api.ok(
        "POST",
        f"{{p}}/reserved_cluster/{cluster_id}/hosts",
        json={"hosts_info": [{"hostname": "test.cs.com", "ip": "10.113.27.138"}]},
    )
    assert isinstance(added, list)
    host_id = message(added[0], {"host_id"})["payload"]["host_id"]
    message(
        api.ok(
            "PATCH",
            f"{{p}}/reserved_cluster/{cluster_id}/hosts/{host_id}",
            json={"hosts_info": {"hostname": "test.cs.com", "ip": "10.113.27.139"}},
        )
    )
    hosts = message(api.ok("GET", f"{{p}}/reserved_cluster/{cluster_id}/hosts"), {"hosts_info", "total"})
    assert hosts["payload"]["hosts_info"][0] == {
        "id": host_id,
        "info": {"hostname": "test.cs.com", "ip": "10.113.27.139"},
    }
    from_file = api.ok(
        "POST",
        f"{{p}}/reserved_cluster/{cluster_id}/hosts_file",
        files={"hosts_file": ("hosts", b"10.0.0.1 a.example.com b.example.com\n")},
    )
    message(from_file[0], {"host_id"})
    deleted = api.ok("DELETE", f"{{p}}/reserved_cluster/{cluster_id}/hosts", json={"hosts_id": [host_id]})
    message(deleted[0])

    # 38-40 quotas
    quotas = message(api.ok("GET", "{p}/user_quotas"), {"total", "users"})
    has(quotas["payload"]["users"][0], QUOTA)
    user_id = emu.account.user_id
    message(api.ok("GET", f"{{p}}/user_quota/{user_id}"), QUOTA)
    message(api.ok("PATCH", f"{{p}}/user_quota/{user_id}", json={"spu_quota": 100, "clusters": [cluster_id]}))

    # 41-49 peering and routes
    peer_vpc = str(uuid.uuid4())
    peering = api.ok(
        "POST",
        f"{{p}}/reserved_cluster/{cluster_id}/peering",
        201,
        json={"vpc_id": peer_vpc, "name": "myVpc"},
    )
    has(peering["peering"], PEERING)
    peering_id = peering["peering"]["id"]
    assert peering["peering"]["status"] == "PENDING_ACCEPTANCE"
    listed = api.ok("GET", f"{{p}}/reserved_cluster/{cluster_id}/peering")
    has(listed["peerings"][0], PEERING)
    has(listed["peerings"][0]["request_vpc_info"], {"vpc_id", "tenant_id", "vpc_cidr", "subnet_cidr"})
    accepted = api.ok("PUT", f"/v2.0/vpc/peerings/{peering_id}/accept")
    has(accepted, {"status", "name", "tenant_id", "request_vpc_info", "accept_vpc_info", "id"})
    assert (
        api.ok("GET", f"{{p}}/reserved_cluster/{cluster_id}/peering/{peering_id}")["peering"]["status"]
        == "ACTIVE"
    )
    local = api.ok(
        "POST",
        f"{{p}}/reserved_cluster/{cluster_id}/peering/{peering_id}/route",
        201,
        json={"destination": "192.168.0.0/16"},
    )
    has(local["route"], ROUTE)
    peer = api.ok(
        "POST",
        "/v2.0/vpc/routes",
        201,
        json={
            "route": {
                "type": "peering",
                "nexthop": peering_id,
                "destination": "172.16.0.0/23",
                "vpc_id": peer_vpc,
            }
        },
    )
    has(peer["route"], ROUTE)
    routes = api.ok("GET", f"{{p}}/reserved_cluster/{cluster_id}/peering/{peering_id}/route")
    assert {r["id"] for r in routes["routes"]} == {local["route"]["id"], peer["route"]["id"]}
    assert (
        api.delete(
            f"{{p}}/reserved_cluster/{cluster_id}/peering/{peering_id}/route/{local['route']['id']}",
        ).status_code
        == 204
    )
    assert api.delete(f"{{p}}/reserved_cluster/{cluster_id}/peering/{peering_id}").status_code == 204

    # 19-20 delete jobs, 23 delete template
    assert message(api.ok("DELETE", f"{{p}}/job/{job_id}"))["message_id"] == "CS.18000"
    message(api.ok("DELETE", "{p}/job", json=[jar_id]))
    message(api.ok("DELETE", f"{{p}}/job_template/{template_id}"), {"template_id", "is_success"})

    # 30 stop, 31 restart, 27 delete cluster
    assert (
        message(
            api.ok("POST", f"{{p}}/reserved_cluster/{cluster_id}/stop", json={"cluster_id": str(cluster_id)})
        )["message_id"]
        == "CS.20050"
    )
    emu.advance(30)
    assert (
        message(
            api.ok(
                "POST", f"{{p}}/reserved_cluster/{cluster_id}/restart", json={"cluster_id": str(cluster_id)}
            )
        )["message_id"]
        == "CS.20049"
    )
    emu.advance(30)
    assert message(api.ok("DELETE", f"{{p}}/reserved_cluster/{cluster_id}"))["message_id"] == "CS.21020"

    stats = emu.emulator.stats()["by_operation"]
    served = {op for op in stats if not op.endswith("unknown")}
    assert len(served) == 50, sorted(served)
