"""One test per documented request rule: the emulator answers with the code of table 7-2."""

from __future__ import annotations

import io
import uuid
import zipfile

import pytest

from csapi import limits
from csapi.emulator.seed import make_jar
from csapi.errors import ERROR_CODES

from .helpers import SQL

BASE = {
    "name": "job_ok",
    "run_mode": "shared_cluster",
    "sql_body": SQL,
    "spu_number": 2,
    "parallel_number": 2,
}


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"name": ""}, "CS.11007"),
        ({"name": None}, "CS.11007"),
        ({"name": "x" * (limits.JOB_NAME_MAX_BYTES + 1)}, "CS.11006"),
        ({"name": "my job"}, "CS.11015"),
        ({"desc": "d" * (limits.JOB_DESC_MAX_BYTES + 1)}, "CS.11014"),
        ({"sql_body": "s" * (limits.SQL_MAX_BYTES + 1)}, "CS.11001"),
        ({"spu_number": 0}, "CS.11012"),
        ({"spu_number": limits.SPU_MAX + 1}, "CS.11012"),
        ({"parallel_number": 0}, "CS.11013"),
        ({"parallel_number": limits.PARALLELISM_MAX + 1, "spu_number": 20}, "CS.11013"),
        ({"spu_number": 1, "parallel_number": 5}, "CS.11022"),
        (
            {"checkpoint_enabled": True, "checkpoint_mode": "exactly_once", "checkpoint_interval": 10},
            "CS.11010",
        ),
        ({"checkpoint_enabled": True, "checkpoint_interval": 10, "obs_bucket": "b-1"}, "CS.11009"),
        ({"log_enabled": True}, "CS.11011"),
        ({"checkpoint_enabled": True, "checkpoint_mode": 2, "obs_bucket": "b-1"}, "CS.11008"),
        ({"checkpoint_mode": "twice"}, "CS.11009"),
        ({"run_mode": "edge_node", "job_type": "flink_sql_job", "edge_group_ids": "g1"}, "CS.11024"),
        ({"run_mode": "shared_cluster", "job_type": "flink_sql_edge_job"}, "CS.11024"),
        ({"run_mode": "edge_node"}, "CS.11023"),
        ({"run_mode": "exclusive_cluster"}, "CS.11029"),
        ({"run_mode": None}, "CS.11029"),
        ({"idle_state_retention": 61}, "CS.11036"),
        ({"dirty_data_strategy": "3"}, "CS.11039"),
        ({"udf_jar_url": "obs://b/udf.jar"}, "CS.11035"),
    ],
)
def test_sql_job_rules(api, changes, code):
    body = {**BASE, **changes}
    api.error(
        "POST", "{p}/sql_job", code, json={k: v for k, v in body.items() if v is not None or k == "name"}
    )
    assert ERROR_CODES[code].http_status == 400


def test_job_name_unique_cs_11004(api):
    api.create_sql_job("dup")
    body = api.error("POST", "{p}/sql_job", "CS.11004", json={**BASE, "name": "dup"})
    assert body["error_name"] == "JOB_NAME_EXIST"


def test_rename_to_existing_name_cs_12006(api):
    api.create_sql_job("one")
    two = api.create_sql_job("two")
    api.error("PATCH", "{p}/sql_job", "CS.12006", json={"job_id": two, "name": "one"})


def test_obs_bucket_not_authorized_cs_11016(api):
    api.error("POST", "{p}/sql_job", "CS.11016", json={**BASE, "log_enabled": True, "obs_bucket": "not-mine"})
    api.ok("POST", "{p}/obs_authorize", json=["mine-bucket"])
    api.ok("POST", "{p}/sql_job", json={**BASE, "log_enabled": True, "obs_bucket": "mine-bucket"})


def test_obs_authorize_rules(api):
    api.error("POST", "{p}/obs_authorize", "CS.19004", json=[])
    api.error(
        "POST",
        "{p}/obs_authorize",
        "CS.19001",
        data="[not json",
        headers={"Content-Type": "application/json"},
    )
    api.error("POST", "{p}/obs_authorize", "CS.19003", json=["Bad Bucket!"])
    api.ok("POST", "{p}/obs_authorize", json=["bucket-1"])
    api.error("POST", "{p}/obs_authorize", "CS.19005", json=["bucket-1"])


def test_malformed_json_cs_10004(api):
    api.error("POST", "{p}/sql_job", "CS.10004", data="{nope", headers={"Content-Type": "application/json"})
    api.error(
        "POST", "{p}/job_template", "CS.18004", data="{nope", headers={"Content-Type": "application/json"}
    )
    api.error(
        "POST", "{p}/reserved_cluster", "CS.20002", data="{nope", headers={"Content-Type": "application/json"}
    )


def test_draft_jobs_limit_cs_11003(api, emu):
    project = emu.emulator.projects[emu.account.project_id]
    for i in range(limits.DRAFT_JOBS_MAX):
        api.create_sql_job(f"draft_{i}")
    assert len(project.jobs) == limits.DRAFT_JOBS_MAX
    api.error("POST", "{p}/sql_job", "CS.11003", json={**BASE, "name": "one_too_many"})


def test_unknown_ids(api, cluster):
    api.error("GET", "{p}/job/999999", "CS.12004")
    api.error("GET", "{p}/job/abc", "CS.12001")
    api.error("POST", "{p}/job/999999/run", "CS.13007")
    api.error("POST", "{p}/job/999999/stop", "CS.15001")
    api.error("POST", "{p}/job/stop", "CS.16001", json=[999999])
    api.error("DELETE", "{p}/job/999999", "CS.17001")
    api.error("PATCH", "{p}/sql_job", "CS.12004", json={"job_id": 999999, "desc": "x"})
    api.error("PATCH", "{p}/sql_job", "CS.12001", json={"desc": "x"})
    api.error("POST", "{p}/job/run", "CS.12001", json=[0])
    api.error("POST", "{p}/job/run", "CS.10004", json={"nothing": True})
    api.error("PATCH", "{p}/job_template", "CS.18005", json={"id": 424242, "name": "x"})
    api.error("DELETE", "{p}/job_template/424242", "CS.18005")
    api.error("GET", "{p}/reserved_cluster/424242", "CS.20005")
    api.error("GET", "{p}/reserved_cluster/424242/jobs", "CS.20005")
    api.error(
        "PATCH",
        f"{{p}}/reserved_cluster/{cluster}/hosts/424242",
        "CS.22003",
        json={"hosts_info": {"hostname": "a.example.com", "ip": "10.0.0.1"}},
    )
    api.error("DELETE", f"{{p}}/reserved_cluster/{cluster}/hosts", "CS.22003", json={"hosts_id": [424242]})
    api.error("GET", f"{{p}}/reserved_cluster/{cluster}/peering/{uuid.uuid4()}", "CS.22103")
    api.error("GET", "{p}/user_quota/nobody", "CS.21092")
    api.error(
        "POST",
        "{p}/sql_job",
        "CS.20005",
        json={**BASE, "run_mode": "exclusive_cluster", "cluster_id": 424242},
    )
    api.error("POST", "{p}/sql_job", "CS.18005", json={**BASE, "sql_body": None, "template_id": 424242})


# ------------------------------------------------------------------------------------- updates, runs
def test_update_running_job_cs_12003(api, emu):
    job_id = api.create_sql_job()
    api.ok("POST", f"{{p}}/job/{job_id}/run")
    api.error("PATCH", "{p}/sql_job", "CS.12003", json={"job_id": job_id, "desc": "x"})
    emu.advance(10)
    api.error("PATCH", "{p}/sql_job", "CS.12003", json={"job_id": job_id, "desc": "x"})


def test_update_keeps_cross_field_rules(api):
    job_id = api.create_sql_job(spu_number=1, parallel_number=4)
    api.error("PATCH", "{p}/sql_job", "CS.11022", json={"job_id": job_id, "parallel_number": 5})
    api.error(
        "PATCH",
        "{p}/sql_job",
        "CS.11010",
        json={"job_id": job_id, "checkpoint_enabled": True, "checkpoint_interval": 5},
    )


def test_run_running_job_cs_13006(api, emu):
    job_id = api.create_sql_job()
    api.ok("POST", f"{{p}}/job/{job_id}/run")
    api.error("POST", f"{{p}}/job/{job_id}/run", "CS.13006")
    emu.advance(10)
    api.error("POST", f"{{p}}/job/{job_id}/run", "CS.13006")


def test_stop_stopped_job_cs_15002(api, emu):
    job_id = api.create_sql_job()
    api.error("POST", f"{{p}}/job/{job_id}/stop", "CS.15002")
    api.ok("POST", f"{{p}}/job/{job_id}/run")
    emu.advance(10)
    api.ok("POST", f"{{p}}/job/{job_id}/stop")
    emu.advance(10)
    api.error("POST", f"{{p}}/job/{job_id}/stop", "CS.15002")


def test_run_sql_job_without_sql_cs_13005(api):
    job_id = api.create_sql_job(sql_body="")
    api.error("POST", f"{{p}}/job/{job_id}/run", "CS.13005")


def test_kafka_on_shared_cluster_cs_13014(api):
    sql = (
        'CREATE SOURCE STREAM s (a STRING) WITH (type = "kafka", kafka_topic = "t");\n'
        'CREATE SINK STREAM k (a STRING) WITH (type = "dis", channel = "c");\nINSERT INTO k SELECT * FROM s;'
    )
    job_id = api.create_sql_job(sql_body=sql)
    api.error("POST", f"{{p}}/job/{job_id}/run", "CS.13014")


def test_resume_without_savepoint_cs_13017(api):
    job_id = api.create_sql_job()
    api.error("POST", f"{{p}}/job/{job_id}/run", "CS.13017", params={"resumeSavePoint": "true"})


def test_cluster_not_running_cs_13008(api, emu):
    cluster_id = api.create_cluster("slow", quota=50)
    job_id = api.create_sql_job(run_mode="exclusive_cluster", cluster_id=cluster_id)
    api.error("POST", f"{{p}}/job/{job_id}/run", "CS.13008")
    emu.advance(60)
    api.ok("POST", f"{{p}}/job/{job_id}/run")


# ------------------------------------------------------------------------------------------ JAR jobs
def jar_form(cluster, **changes):
    form = {
        "name": "jar_job",
        "desc": "d",
        "job_type": "flink_jar_job",
        "cluster_id": str(cluster),
        "spu_number": "4",
        "manager_spu": "1",
        "parallel_number": "4",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_jar_upload_must_be_a_jar_cs_11017(api, cluster):
    api.error(
        "POST",
        "{p}/jar_job",
        "CS.11017",
        data=jar_form(cluster),
        files={"jar": ("job.jar", b"just some text", "application/octet-stream")},
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "no manifest")
    api.error(
        "POST",
        "{p}/jar_job",
        "CS.11017",
        data=jar_form(cluster),
        files={"jar": ("job.jar", buffer.getvalue(), "application/java-archive")},
    )
    api.error(
        "POST",
        "{p}/jar_job",
        "CS.11017",
        data=jar_form(cluster),
        files={"jar": ("job.zip", make_jar(), "application/zip")},
    )


def test_jar_upload_over_8mb_cs_11031(api, cluster):
    big = make_jar(extra=0) + b"\0" * (limits.UPLOAD_MAX_BYTES + 1)
    api.error(
        "POST",
        "{p}/jar_job",
        "CS.11031",
        data=jar_form(cluster),
        files={"jar": ("big.jar", big, "application/java-archive")},
    )
    api.error(
        "POST",
        "{p}/jar_job",
        "CS.11031",
        data=jar_form(cluster),
        files={
            "jar": ("ok.jar", make_jar(), "application/java-archive"),
            "config": ("conf.properties", b"x" * (limits.UPLOAD_MAX_BYTES + 1), "text/plain"),
        },
    )


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"name": None}, "CS.11007"),
        ({"desc": None}, "CS.11029"),
        ({"job_type": "python_job"}, "CS.13012"),
        ({"cluster_id": None}, "CS.11029"),
        ({"manager_spu": None}, "CS.11029"),
        ({"manager_spu": "5"}, "CS.11025"),
        ({"manager_spu": "4", "spu_number": "4"}, "CS.11025"),
        ({"spu_number": "401"}, "CS.11012"),
        ({"parallel_number": "13"}, "CS.11022"),
        ({"parallel_number": "51", "spu_number": "40"}, "CS.11013"),
        ({"main_class": "com.example Job"}, "CS.11020"),
        ({"main_class": "c" * 513}, "CS.11018"),
        ({"args": "a" * 1025}, "CS.11019"),
        ({"log_enabled": "true"}, "CS.11011"),
        ({"job_type": "spark_streaming_jar_job"}, "CS.11026"),
        ({"job_type": "spark_streaming_jar_job", "executor_number": "2", "executor_spu": "5"}, "CS.11027"),
        ({"job_type": "spark_streaming_jar_job", "executor_number": "101", "executor_spu": "1"}, "CS.11028"),
        (
            {
                "job_type": "spark_streaming_jar_job",
                "executor_number": "100",
                "executor_spu": "4",
                "manager_spu": "1",
            },
            "CS.11012",
        ),
    ],
)
def test_jar_job_rules(api, cluster, changes, code):
    api.error("POST", "{p}/jar_job", code, data=jar_form(cluster, **changes))


def test_jar_job_in_unknown_cluster_cs_20005(api):
    api.error("POST", "{p}/jar_job", "CS.20005", data=jar_form(424242))


def test_spark_job_spu_total(api, cluster):
    job_id = api.ok(
        "POST",
        "{p}/jar_job",
        data=jar_form(
            cluster,
            job_type="spark_streaming_jar_job",
            executor_number="3",
            executor_spu="2",
            spu_number=None,
            parallel_number=None,
        ),
        files={"jar": ("s.jar", make_jar(), "application/java-archive")},
    )["payload"]["job_id"]
    assert api.job(job_id)["spu_number"] == 3 * 2 + 1


def test_run_jar_job_without_jar_cs_13013(api, cluster):
    job_id = api.ok("POST", "{p}/jar_job", data=jar_form(cluster))["payload"]["job_id"]
    api.error("POST", f"{{p}}/job/{job_id}/run", "CS.13013")


# ----------------------------------------------------------------------------------------- templates
@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"desc": "no name"}, "CS.18006"),
        ({"name": "t" * 65}, "CS.18009"),
        ({"name": "bad name"}, "CS.18007"),
        ({"name": "t1", "desc": "d" * 513}, "CS.18008"),
        ({"name": "t1", "sql_body": "s" * 10_001}, "CS.18001"),
    ],
)
def test_template_rules(api, body, code):
    api.error("POST", "{p}/job_template", code, json=body)


def test_template_name_unique_and_100_max(api):
    api.ok("POST", "{p}/job_template", json={"name": "t0"})
    api.error("POST", "{p}/job_template", "CS.18002", json={"name": "t0"})
    for i in range(1, limits.TEMPLATES_MAX):
        api.ok("POST", "{p}/job_template", json={"name": f"t{i}"})
    api.error("POST", "{p}/job_template", "CS.18003", json={"name": "t100"})


# ------------------------------------------------------------------------------------------ clusters
@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"desc": "no name"}, "CS.20008"),
        ({"name": "c" * 101}, "CS.20009"),
        ({"name": "bad name"}, "CS.20011"),
        ({"name": "c1", "desc": "d" * 513}, "CS.20010"),
        ({"name": "c1", "maximum_spu_quota": 0}, "CS.20012"),
        ({"name": "c1", "maximum_spu_quota": 401}, "CS.20003"),
        ({"name": "c1", "vpc_cidr": "172.16.0.0/33"}, "CS.20022"),
        ({"name": "c1", "vpc_cidr": "172.16.0.0/23", "subnet_cidr": "10.0.0.0/24"}, "CS.20022"),
        ({"name": "c1", "subnet_cidr": "172.16.0.0/24", "subnet_gateway": "172.16.1.1"}, "CS.20022"),
        ({"name": "c1", "manager_node_spec": "x"}, "CS.20023"),
    ],
)
def test_cluster_rules(api, body, code):
    api.error("POST", "{p}/reserved_cluster", code, json=body)


def test_cluster_name_unique_and_tenant_spu_total(api):
    api.create_cluster("c1", quota=400)
    api.error("POST", "{p}/reserved_cluster", "CS.20006", json={"name": "c1"})
    api.create_cluster("c2", quota=400)
    body = api.error(
        "POST", "{p}/reserved_cluster", "CS.20004", json={"name": "c3", "maximum_spu_quota": 300}
    )
    assert "200" in body["error_cause"]


def test_cluster_list_limit_cs_21031(api):
    api.error("GET", "{p}/reserved_clusters", "CS.21031", params={"limit": 0})
    api.error("GET", "{p}/reserved_clusters", "CS.21031", params={"limit": -3})


def test_cluster_update_rules(api, emu, cluster):
    api.error("PATCH", f"{{p}}/reserved_cluster/{cluster}", "CS.20008", json={"desc": "no name"})
    job_id = api.create_sql_job(
        run_mode="exclusive_cluster", cluster_id=cluster, spu_number=8, parallel_number=8
    )
    api.ok("POST", f"{{p}}/job/{job_id}/run")
    api.error(
        "PATCH",
        f"{{p}}/reserved_cluster/{cluster}",
        "CS.20007",
        json={"name": "excl_cluster", "maximum_spu_quota": 4},
    )
    fresh = api.create_cluster("fresh", quota=10)
    api.error("PATCH", f"{{p}}/reserved_cluster/{fresh}", "CS.20015", json={"name": "fresh"})


def test_cluster_actions_need_the_right_status(api, emu, cluster):
    api.error(
        "POST", f"{{p}}/reserved_cluster/{cluster}/restart", "CS.20021", json={"cluster_id": str(cluster)}
    )
    api.ok("POST", f"{{p}}/reserved_cluster/{cluster}/stop", json={"cluster_id": str(cluster)})
    api.error("POST", f"{{p}}/reserved_cluster/{cluster}/stop", "CS.20026", json={"cluster_id": str(cluster)})


# ------------------------------------------------------------------------------------- host mappings
def test_host_mapping_rules(api, cluster):
    path = f"{{p}}/reserved_cluster/{cluster}/hosts"
    api.error(
        "POST", path, "CS.22001", json={"hosts_info": [{"hostname": "a.example.com", "ip": "300.1.1.1"}]}
    )
    api.error("POST", path, "CS.22001", json={"hosts_info": [{"hostname": "bad_host!", "ip": "10.0.0.1"}]})
    api.error("POST", path, "CS.22001", json={"hosts_info": []})
    api.ok("POST", path, json={"hosts_info": [{"hostname": "a.example.com", "ip": "10.0.0.1"}]})
    api.error(
        "POST", path, "CS.22002", json={"hosts_info": [{"hostname": "A.example.com", "ip": "10.0.0.2"}]}
    )


def test_hosts_file_rules(api, cluster):
    path = f"{{p}}/reserved_cluster/{cluster}/hosts_file"
    body = api.error(
        "POST",
        path,
        "CS.22004",
        files={"hosts_file": ("hosts", b"# comment\n10.0.0.1 a.example.com\nnot-an-ip b.example.com\n")},
    )
    assert "Line 3" in body["error_cause"]
    api.error("POST", path, "CS.22004", files={"hosts_file": ("hosts", b"10.0.0.1\n")})
    api.error("POST", path, "CS.22005", files={"hosts_file": ("hosts", b"# only a comment\n\n")})
    api.error("POST", path, "CS.22005", files={"hosts_file": ("hosts", b"")})
    api.error(
        "POST", path, "CS.22006", files={"hosts_file": ("hosts", b"#" * (limits.HOSTS_FILE_MAX_BYTES + 1))}
    )


def test_host_mappings_max_1000_cs_22007(api, cluster):
    lines = "".join(
        f"10.1.{i // 250}.{i % 250 + 1} h{i}.example.com\n" for i in range(limits.HOST_MAPPINGS_MAX)
    )
    api.ok(
        "POST",
        f"{{p}}/reserved_cluster/{cluster}/hosts_file",
        files={"hosts_file": ("hosts", lines.encode())},
    )
    api.error(
        "POST",
        f"{{p}}/reserved_cluster/{cluster}/hosts",
        "CS.22007",
        json={"hosts_info": [{"hostname": "one-more.example.com", "ip": "10.9.9.9"}]},
    )
    too_many = lines + "10.9.9.9 extra.example.com\n"
    other = api.create_cluster("other", quota=10)
    api.error(
        "POST",
        f"{{p}}/reserved_cluster/{other}/hosts_file",
        "CS.22007",
        files={"hosts_file": ("hosts", too_many.encode())},
    )


# -------------------------------------------------------------------------------------------- quotas
def test_user_quota_rules(api, emu, cluster):
    user_id = emu.account.user_id
    api.error("GET", "{p}/user_quotas", "CS.21095", params={"limit": 0})
    api.error("PATCH", f"{{p}}/user_quota/{user_id}", "CS.20013", json={"spu_quota": 1001})
    api.error("PATCH", f"{{p}}/user_quota/{user_id}", "CS.20012", json={"spu_quota": -1})
    api.error("PATCH", f"{{p}}/user_quota/{user_id}", "CS.20005", json={"clusters": [424242]})
    job_id = api.create_sql_job(spu_number=10, parallel_number=10)
    api.ok("POST", f"{{p}}/job/{job_id}/run")
    body = api.error("PATCH", f"{{p}}/user_quota/{user_id}", "CS.21091", json={"spu_quota": 5})
    assert "10" in body["error_cause"]


# ----------------------------------------------------------------------------------- peering, routes
def test_peering_and_route_rules(api, cluster, emu):
    path = f"{{p}}/reserved_cluster/{cluster}/peering"
    api.error("POST", path, "CS.22108", json={"vpc_id": str(uuid.uuid4())})
    api.error("POST", path, "CS.22101", json={"vpc_id": "not-a-vpc", "name": "p"})
    vpc = str(uuid.uuid4())
    peering_id = api.ok("POST", path, 201, json={"vpc_id": vpc, "name": "p"})["peering"]["id"]
    api.error("POST", path, "CS.22102", json={"vpc_id": vpc, "name": "again"})
    route = f"{path}/{peering_id}/route"
    api.error("POST", route, "CS.22105", json={"destination": "10.0.0.0/16"})
    api.ok("PUT", f"/v2.0/vpc/peerings/{peering_id}/accept")
    api.error("POST", route, "CS.22104", json={})
    api.error("POST", route, "CS.22106", json={"destination": "10.0.0.1/16"})
    api.ok("POST", route, 201, json={"destination": "10.0.0.0/16"})
    api.error("POST", route, "CS.22106", json={"destination": "10.0.0.0/16"})
    api.error("DELETE", f"{route}/{uuid.uuid4()}", "CS.22107")
    api.error(
        "POST",
        "/v2.0/vpc/routes",
        "CS.22101",
        json={
            "route": {
                "type": "peering",
                "nexthop": peering_id,
                "destination": "172.16.0.0/24",
                "vpc_id": str(uuid.uuid4()),
            }
        },
    )
    api.error(
        "POST",
        "/v2.0/vpc/routes",
        "CS.22106",
        json={
            "route": {"type": "gateway", "nexthop": peering_id, "destination": "172.16.0.0/24", "vpc_id": vpc}
        },
    )
    api.error(
        "POST",
        "/v2.0/vpc/routes",
        "CS.22103",
        json={
            "route": {
                "type": "peering",
                "nexthop": str(uuid.uuid4()),
                "destination": "172.16.0.0/24",
                "vpc_id": vpc,
            }
        },
    )
    api.error("PUT", f"/v2.0/vpc/peerings/{uuid.uuid4()}/accept", "CS.22103")


def test_cross_tenant_peering_is_accepted_by_the_peer(demo):
    from .helpers import Api

    first, second = demo.tenants[:2]
    project = demo.emulator.projects[second.project_id]
    pending = next(p for p in project.peerings.values() if p.accept_tenant_id == first.project_id)
    Api(demo.url, second).error("PUT", f"/v2.0/vpc/peerings/{pending.id}/accept", "CS.22103")
    accepted = Api(demo.url, first).ok("PUT", f"/v2.0/vpc/peerings/{pending.id}/accept")
    assert accepted["status"] == "ACTIVE" and accepted["tenant_id"] == first.project_id


# --------------------------------------------------------------------------------------------- audit
def test_audit_query_rules(api):
    api.error("GET", "{p}/audit_logs", "CS.24001", params={"limit": 51})
    api.error("GET", "{p}/audit_logs", "CS.24002", params={"resource_type": "user"})
    assert api.ok("GET", "{p}/audit_logs", params={"limit": 50})[0]["payload"]["total"] == 0


def test_job_list_root_job_id_cs_23003(api):
    api.error("GET", "{p}/jobs", "CS.23003", params={"root_job_id": 0})
