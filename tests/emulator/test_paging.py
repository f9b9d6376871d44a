"""Lists honour cursor / next / limit / order and their filters; large data sets stay fast."""

from __future__ import annotations

from csapi.emulator.testing import EmulatorServer

from .helpers import Api


def ids(api, path="{p}/jobs", **params):
    payload = api.ok("GET", path, params=params)["payload"]
    key = "jobs" if "jobs" in payload else "templates" if "templates" in payload else "clusters"
    id_key = {"jobs": "job_id", "templates": "template_id", "clusters": "cluster_id"}[key]
    return payload["total"], [item[id_key] for item in payload[key]]


def test_job_list_cursor_next_limit_order(api):
    created = [api.create_sql_job(f"job_{i}") for i in range(7)]
    total, page = ids(api)
    assert total == 7 and page == created[::-1]  # default: newest first
    total, page = ids(api, limit=3)
    assert page == created[6:3:-1]
    _, page2 = ids(api, limit=3, cursor=page[-1])
    assert page2 == created[3:0:-1]
    _, back = ids(api, limit=3, cursor=page2[0], next="false")
    assert back == page
    _, asc = ids(api, limit=3, order="asc")
    assert asc == created[:3]
    _, asc2 = ids(api, limit=3, order="asc", cursor=asc[-1])
    assert asc2 == created[3:6]
    _, asc_back = ids(api, limit=3, order="asc", cursor=asc2[0], next="false")
    assert asc_back == asc
    _, end = ids(api, limit=3, cursor=created[0])
    assert end == []


def test_job_list_filters(api, emu, cluster):
    a = api.create_sql_job("alpha_stream")
    b = api.create_sql_job("beta_stream")
    c = api.create_sql_job("alpha_exclusive", run_mode="exclusive_cluster", cluster_id=cluster)
    api.ok("POST", "{p}/job/run", json=[a, c])
    emu.advance(10)
    assert ids(api, status="job_running") == (2, [c, a])
    assert ids(api, status="job_init") == (1, [b])
    assert ids(api, name="alpha") == (2, [c, a])
    assert ids(api, cluster_id=cluster) == (1, [c])
    assert ids(api, job_type="flink_jar_job") == (0, [])
    assert ids(api, f"{{p}}/reserved_cluster/{cluster}/jobs") == (1, [c])
    assert ids(api, status="job_running", limit=1) == (2, [c])
    brief = api.ok("GET", "{p}/jobs")["payload"]["jobs"][0]
    assert "job_config" not in brief
    detail = api.ok("GET", "{p}/jobs", params={"show_detail": "true"})["payload"]["jobs"][0]
    assert detail["job_config"]["checkpoint_mode"] == "exactly_once"


def test_template_and_cluster_lists_page(api):
    made = [
        api.ok("POST", "{p}/job_template", json={"name": f"t{i}"})["payload"]["template_id"] for i in range(5)
    ]
    assert ids(api, "{p}/job_templates", limit=2) == (5, made[:2:-1][:2])
    assert ids(api, "{p}/job_templates", limit=2, order="asc", cursor=made[1]) == (5, made[2:4])
    clusters = [api.create_cluster(f"c{i}", quota=10) for i in range(3)]
    assert ids(api, "{p}/reserved_clusters") == (3, clusters[::-1])
    assert ids(api, "{p}/reserved_clusters", name="c1") == (1, [clusters[1]])
    assert ids(api, "{p}/reserved_clusters", status="1", limit=1) == (3, [clusters[2]])


def test_hosts_and_quota_lists(api, cluster, emu):
    path = f"{{p}}/reserved_cluster/{cluster}/hosts"
    for i in range(4):
        api.ok(
            "POST", path, json={"hosts_info": [{"hostname": f"h{i}.example.com", "ip": f"10.0.0.{i + 1}"}]}
        )
    payload = api.ok("GET", path, params={"limit": 2})["payload"]
    assert payload["total"] == 4 and [h["info"]["hostname"] for h in payload["hosts_info"]] == [
        "h3.example.com",
        "h2.example.com",
    ]
    payload = api.ok("GET", path, params={"query_string": "10.0.0.1"})["payload"]
    assert payload["total"] == 1
    users = api.ok("GET", "{p}/user_quotas", params={"limit": 1})["payload"]
    assert users["total"] == 1 and len(users["users"]) == 1


def test_scale_seed_lists_and_pages_20000_jobs():
    """The scale seed's listing pages and metrics (their speed is measured by make bench, not here)."""
    server = EmulatorServer(seed="scale:20000")
    with server:
        api = Api(server.url, server.account, "aksk")
        payload = api.ok("GET", "{p}/jobs", params={"limit": 100, "show_detail": "true"})["payload"]
        assert payload["total"] == 20000 and len(payload["jobs"]) == 100
        last = payload["jobs"][-1]["job_id"]
        page = api.ok("GET", "{p}/jobs", params={"limit": 100, "cursor": last, "show_detail": "true"})[
            "payload"
        ]
        assert page["jobs"][0]["job_id"] == last - 1
        running = [j["job_id"] for j in payload["jobs"] if j["status"] == "job_running"]
        metrics = api.ok("POST", "{p}/jobs/metrics", json={"job_ids": running})["payload"]["jobs"]
        assert len(metrics) == len(running) > 0


def test_scale_seed_spreads_over_tenants():
    with EmulatorServer(seed="scale:1000:3") as server:
        assert [t.project_id for t in server.tenants] == [
            "scale-project-01",
            "scale-project-02",
            "scale-project-03",
        ]
        totals = []
        for tenant in server.tenants:
            assert tenant.user == tenant.project_id.replace("project", "user")
            api = Api(server.url, tenant, "token")
            totals.append(api.ok("GET", "{p}/jobs")["payload"]["total"])
        assert totals == [334, 333, 333]


def test_cursor_walks_cover_every_job_once(emulator_session):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    emulator_session.reset("empty")
    api = Api(emulator_session.url, emulator_session.account, "aksk")
    created = [api.create_sql_job(f"walk_{i}") for i in range(23)]
    deleted = created[3:20:4]
    api.ok("DELETE", "{p}/job", json=deleted)
    alive = [j for j in created if j not in deleted]

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.integers(min_value=1, max_value=8), st.sampled_from(["asc", "desc"]))
    def walk(limit, order):
        seen, cursor = [], None
        while True:
            params = {"limit": limit, "order": order, **({"cursor": cursor} if cursor else {})}
            page = [j["job_id"] for j in api.ok("GET", "{p}/jobs", params=params)["payload"]["jobs"]]
            if not page:
                break
            seen.extend(page)
            cursor = page[-1]
        assert seen == (alive if order == "asc" else alive[::-1])
        # and walking back with next=false from the end returns the pages in reverse
        back, cursor = [], seen[-1]
        while True:
            params = {"limit": limit, "order": order, "cursor": cursor, "next": "false"}
            page = [j["job_id"] for j in api.ok("GET", "{p}/jobs", params=params)["payload"]["jobs"]]
            if not page:
                break
            back = page + back
            cursor = page[0]
        assert back + [seen[-1]] == seen

    walk()
