"""A thin HTTP helper for the emulator tests: real requests, signed with csapi's auth objects."""

from __future__ import annotations

from typing import Any

import requests

from csapi.auth import AKSKAuth, MemoryCache, TokenAuth
from csapi.emulator.seed import Tenant
from csapi.emulator.testing import LOCAL_POLICY

SQL = (
    'CREATE SOURCE STREAM car_infos (car_id STRING, car_speed INT) WITH (type = "dis", region = "cn-north-1", '
    'channel = "csinput", encode = "csv", field_delimiter = ",");\n'
    'CREATE SINK STREAM warnings (car_id STRING, car_speed INT) WITH (type = "apig", region = "cn-north-1", '
    'encode = "csv", field_delimiter = ",");\n'
    "INSERT INTO warnings SELECT car_id, car_speed FROM car_infos WHERE car_speed > 120;"
)


def auth_for(kind: str, url: str, tenant: Tenant) -> requests.auth.AuthBase:
    if kind == "token":
        return TokenAuth(
            url,
            tenant.domain,
            tenant.user,
            tenant.password,
            tenant.project_id,
            cache=MemoryCache(),
            outbound=LOCAL_POLICY,
        )
    return AKSKAuth(tenant.ak, tenant.sk)


class Api:
    """Requests to one emulator as one tenant; ``{p}`` in a path stands for ``/v1.0/{project_id}``."""

    def __init__(self, url: str, tenant: Tenant, kind: str = "token") -> None:
        self.url = url
        self.tenant = tenant
        self.kind = kind
        self.session = requests.Session()
        self.session.auth = auth_for(kind, url, tenant)

    def path(self, path: str) -> str:
        return self.url + path.replace("{p}", f"/v1.0/{self.tenant.project_id}")

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.path(path), **kwargs)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.request("POST", path, **kw)

    def patch(self, path: str, **kw: Any) -> requests.Response:
        return self.request("PATCH", path, **kw)

    def put(self, path: str, **kw: Any) -> requests.Response:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.request("DELETE", path, **kw)

    # ------------------------------------------------------------------ shortcuts
    def ok(self, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        response = self.request(method, path, **kw)
        assert response.status_code == status, (response.status_code, response.text)
        return response.json() if response.content else None

    def error(self, method: str, path: str, code: str, status: int = 400, **kw: Any) -> dict[str, Any]:
        response = self.request(method, path, **kw)
        assert response.status_code == status, (response.status_code, response.text)
        body = response.json()
        if isinstance(body, list):
            body = body[0]
        assert body.get("error_id", body.get("error_code")) == code, body
        return body

    def create_sql_job(self, name: str = "job_a", **fields: Any) -> int:
        body = {
            "name": name,
            "run_mode": "shared_cluster",
            "sql_body": SQL,
            "spu_number": 2,
            "parallel_number": 2,
            **fields,
        }
        return self.ok("POST", "{p}/sql_job", json=body)["payload"]["job_id"]

    def job(self, job_id: int) -> dict[str, Any]:
        return self.ok("GET", f"{{p}}/job/{job_id}")["payload"]

    def status(self, job_id: int) -> str:
        return self.job(job_id)["status"]

    def create_cluster(self, name: str = "cluster_a", quota: int = 100) -> int:
        body = self.ok("POST", "{p}/reserved_cluster", json={"name": name, "maximum_spu_quota": quota})
        return int(body["payload"]["cluster_id"])
