"""Authentication as CS does it: IAM tokens (X-Subject-Token, expiry, project scope) and AK/SK."""

from __future__ import annotations

import requests

from csapi.auth import AKSKAuth

from .helpers import Api


def token_request(tenant, *, password=None, project_id=None, project_name=None):
    scope = {"id": project_id or tenant.project_id} if project_name is None else {"name": project_name}
    return {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": tenant.user,
                        "password": password or tenant.password,
                        "domain": {"name": tenant.domain},
                    }
                },
            },
            "scope": {"project": scope},
        }
    }


def get_token(emu, tenant, **kw):
    response = requests.post(f"{emu.url}/v3/auth/tokens", json=token_request(tenant, **kw), timeout=10)
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"], response.json()


def test_token_is_issued_with_expiry_and_accepted(emu):
    token, body = get_token(emu, emu.account)
    assert body["token"]["expires_at"].endswith("Z")
    assert body["token"]["project"]["id"] == emu.account.project_id
    response = requests.get(f"{emu.project_url()}/jobs", headers={"X-Auth-Token": token}, timeout=10)
    assert response.status_code == 200


def test_token_by_project_name(emu):
    token, body = get_token(emu, emu.account, project_name="cn-north-1")
    assert body["token"]["project"]["name"] == "cn-north-1"


def test_wrong_password_is_401(emu):
    response = requests.post(
        f"{emu.url}/v3/auth/tokens", json=token_request(emu.account, password="nope"), timeout=10
    )
    assert response.status_code == 401
    assert "X-Subject-Token" not in response.headers


def test_malformed_token_request_is_400(emu):
    response = requests.post(f"{emu.url}/v3/auth/tokens", json={"auth": {}}, timeout=10)
    assert response.status_code == 400


def test_missing_token_is_cs_10008(emu):
    response = requests.get(f"{emu.project_url()}/jobs", timeout=10)
    assert response.status_code == 400
    body = response.json()
    assert body["error_id"] == "CS.10008"
    assert set(body) == {"error_id", "error_name", "error_cause", "error_suggestion", "error_time"}


def test_expired_token_is_cs_10007(emu):
    token, _ = get_token(emu, emu.account)
    emu.advance(24 * 3600 + 1)
    response = requests.get(f"{emu.project_url()}/jobs", headers={"X-Auth-Token": token}, timeout=10)
    assert response.status_code == 400
    assert response.json()["error_id"] == "CS.10007"


def test_token_lifetime_fault_and_expire_all(emu):
    emu.faults.configure({"token_lifetime": 10})
    token, _ = get_token(emu, emu.account)
    headers = {"X-Auth-Token": token}
    assert requests.get(f"{emu.project_url()}/jobs", headers=headers, timeout=10).status_code == 200
    emu.advance(11)
    assert (
        requests.get(f"{emu.project_url()}/jobs", headers=headers, timeout=10).json()["error_id"]
        == "CS.10007"
    )
    emu.faults.clear()
    token, _ = get_token(emu, emu.account)
    assert requests.post(f"{emu.url}/_emulator/tokens/expire", timeout=10).json()["expired"] >= 1
    response = requests.get(f"{emu.project_url()}/jobs", headers={"X-Auth-Token": token}, timeout=10)
    assert response.json()["error_id"] == "CS.10007"


def test_token_of_another_project_is_cs_10006(demo):
    first, second = demo.tenants[:2]
    token, _ = get_token(demo, first)
    response = requests.get(f"{demo.project_url(second)}/jobs", headers={"X-Auth-Token": token}, timeout=10)
    assert response.json()["error_id"] == "CS.10006"


def test_unknown_token_is_401(emu):
    response = requests.get(
        f"{emu.project_url()}/jobs", headers={"X-Auth-Token": "MIIEnotatoken"}, timeout=10
    )
    assert response.status_code == 401


def test_aksk_signed_request_is_accepted(emu):
    api = Api(emu.url, emu.account, "aksk")
    assert api.get("{p}/jobs", params={"limit": 5, "order": "asc"}).status_code == 200
    assert api.post("{p}/job_template", json={"name": "t1", "sql_body": "select 1"}).status_code == 200


def test_bad_signature_is_401(emu):
    tenant = emu.account
    response = requests.get(
        f"{emu.project_url()}/jobs", auth=AKSKAuth(tenant.ak, "wrong-secret-key"), timeout=10
    )
    assert response.status_code == 401
    response = requests.get(
        f"{emu.project_url()}/jobs", auth=AKSKAuth("UNKNOWNAK00000000000", tenant.sk), timeout=10
    )
    assert response.status_code == 401


def test_tampered_body_is_401(emu):
    tenant = emu.account
    prepared = requests.Request(
        "POST", f"{emu.project_url()}/job_template", json={"name": "a"}, auth=AKSKAuth(tenant.ak, tenant.sk)
    ).prepare()
    prepared.body = b'{"name": "b"}'
    response = requests.Session().send(prepared, timeout=10)
    assert response.status_code == 401


def test_aksk_of_another_project_is_cs_10006(demo):
    first, second = demo.tenants[:2]
    response = requests.get(f"{demo.project_url(second)}/jobs", auth=AKSKAuth(first.ak, first.sk), timeout=10)
    assert response.json()["error_id"] == "CS.10006"


def test_versions_need_no_auth(emu):
    assert requests.get(f"{emu.url}/versions", timeout=10).status_code == 200


def test_unknown_operation_is_cs_10003(api):
    api.error("GET", "{p}/nothing_here", "CS.10003")
    api.error("PUT", "{p}/jobs", "CS.10003")


def test_other_iam_users_log_in_with_their_own_identity(demo):
    project = demo.emulator.projects[demo.account.project_id]
    user = project.user_by_name("dev_bob")
    response = requests.post(
        f"{demo.url}/v3/auth/tokens",
        timeout=10,
        json={
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": "dev_bob",
                            "password": user.password,
                            "domain": {"name": demo.account.domain},
                        }
                    },
                },
                "scope": {"project": {"id": demo.account.project_id}},
            }
        },
    )
    assert response.status_code == 201
    assert response.json()["token"]["user"]["id"] == user.user_id
