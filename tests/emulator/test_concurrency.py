"""Many clients at once: the threaded server and the locks keep state consistent, without deadlock."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from .helpers import Api


def test_parallel_writes_and_reads(demo):
    first, second = demo.tenants[:2]
    a, b = Api(demo.url, first, "aksk"), Api(demo.url, second, "aksk")
    project = demo.emulator.projects[second.project_id]
    cluster_id = min(project.clusters)

    def worker(n: int) -> int:
        api = a if n % 2 else b
        job_id = api.create_sql_job(f"parallel_{n}", spu_number=1, parallel_number=1)
        api.ok("POST", f"{{p}}/job/{job_id}/run")
        api.ok("GET", "{p}/jobs", params={"limit": 50, "show_detail": "true"})
        api.ok("GET", "{p}/overview")
        requests.get(f"{demo.url}/_emulator/state", timeout=10)
        if n % 5 == 0:
            peering = b.ok(
                "POST",
                f"{{p}}/reserved_cluster/{cluster_id}/peering",
                201,
                json={"vpc_id": str(uuid.uuid4()), "name": f"p{n}"},
            )["peering"]["id"]
            b.ok("PUT", f"/v2.0/vpc/peerings/{peering}/accept")
        return job_id

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(worker, range(40)))
    assert len(set(ids)) == 40
    totals = [api.ok("GET", "{p}/jobs")["payload"]["total"] for api in (a, b)]
    assert totals == [29 + 20, 29 + 20]
