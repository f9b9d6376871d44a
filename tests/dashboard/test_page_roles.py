"""The role matrix of every team page, walked from the URLconf like the API's: one declaration per
view (``team_view``) says the least role per method; every role below it gets 403, the role itself is
admitted, an undeclared method 405, an outsider 404 and an anonymous visitor the sign-in page. The
pages and endpoints of one job or queue are walked again with a real DLI job and queue."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import URLResolver, get_resolver

from dashboard.teams.models import Role

VALUES = {"slug": "alpha", "uuid": str(uuid.UUID(int=1)), "int": "1", "str": "x", "path": "x", "csid": "1"}
METHODS = ("get", "post", "put", "patch", "delete")


def page_routes():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith(("admin/", "api/")):
                    continue
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern), p.callback

    for route, view in walk(get_resolver().url_patterns):
        if "<slug:team>" in route:
            url = "/" + re.sub(r"<(\w+):\w+>", lambda m: VALUES[m.group(1)], route)
            yield pytest.param(url, view, id=route)


ROUTES = list(page_routes())


def test_every_team_page_declares_its_roles():
    assert len(ROUTES) > 40
    undeclared = [p.id for p in ROUTES if not getattr(p.values[1], "required_roles", None)]
    assert not undeclared, f"team pages without a team_view declaration: {undeclared}"


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "view"), ROUTES)
def test_page_role_matrix(roles, login, url, view):
    declared = view.required_roles
    users = {Role.VIEWER: roles.viewer, Role.OPERATOR: roles.operator, Role.LEAD: roles.lead}
    for method in METHODS:
        required = declared.get(method.upper())
        if required is None:
            response = getattr(login(roles.lead), method)(url)
            assert response.status_code == 405, (method, url, response.status_code)
            continue
        anonymous = getattr(login(None), method)(url)
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"], (method, url)
        assert getattr(login(roles.outsider), method)(url).status_code == 404, (method, url)
        for role, user in users.items():
            response = getattr(login(user), method)(url)
            if role < required:
                assert response.status_code == 403, (method, url, role, response.status_code)
                assert Role(required).label.lower() in response.content.decode().lower()
            elif method == "get":
                # admitted: the page, or 404 for a placeholder object that does not exist
                assert response.status_code in (200, 302, 404), (url, role, response.status_code)
                if response.status_code == 404:
                    assert b"No such team" not in response.content


@pytest.mark.django_db
def test_quotas_and_billing_are_lead_only_in_the_api_as_on_the_pages(roles, login):
    # queues/: the DLI queues page is a lead's (capacity and CU prices), like the quotas page
    for path in ("quotas/", "quotas/history/", "overview/", "cost-history/", "queues/"):
        for user in (roles.viewer, roles.operator):
            assert login(user).get(f"/api/v1/teams/alpha/{path}").status_code == 403, path
        assert login(roles.lead).get(f"/api/v1/teams/alpha/{path}").status_code == 200, path


# ------------------------------------------------------------------------------------------ DLI objects

DLI_ARGS = {"team", "team_slug", "credential", "job_id", "queue_name"}


def dli_routes():
    """Every page and API route about one job or queue (a credential in its path), pages and API alike."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("admin/"):
                    continue
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern), getattr(p.callback, "view_class", p.callback)

    for route, view in walk(get_resolver().url_patterns):
        args = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        if "credential" in args and args <= DLI_ARGS:
            yield pytest.param(route, view, id=route)


DLI_ROUTES = list(dli_routes())


def _dli_writes(emulator) -> int:
    import requests

    ops = requests.get(f"{emulator.url}/_emulator/stats", timeout=10).json()["by_operation"]
    return sum(
        n
        for op, n in ops.items()
        if "/streaming/" in op and not op.startswith("GET ") and "metrics" not in op
    )


@pytest.fixture
def dli_objects(roles, dli_credential, emulator):
    """Alpha's DLI credential with a running DLI job (through the jobs service) and its queues."""
    from tests.dashboard.api import dli

    dli.queue_rows(dli_credential)
    job = dli.running_job(roles.operator, dli_credential, emulator, name="matrix_dli")
    return {"credential": dli_credential.public_id, "job_id": job.job_id, "queue_name": job.queue_name}


def test_dli_routes_are_walked():
    routes = {p.id for p in DLI_ROUTES}
    assert any("savepoint" in r for r in routes) and any("queues" in r for r in routes), routes
    assert len([r for r in routes if not r.startswith("api/")]) >= 5, routes


@pytest.mark.django_db
def test_role_matrix_on_a_dli_job_and_queue(roles, login, dli_objects, emulator):
    """Each route about a job or queue, with a real DLI job and queue of the team: anonymous refused,
    an outsider 404, each role below the declared one 403 (and nothing sent to DLI), the declared role
    admitted to read it."""
    from dashboard.api.base import TeamEndpoint

    users = {Role.VIEWER: roles.viewer, Role.OPERATOR: roles.operator, Role.LEAD: roles.lead}
    writes = _dli_writes(emulator)
    checked = 0
    for param in DLI_ROUTES:
        route, view = param.values
        url = "/" + re.sub(
            r"<(?:\w+:)?(\w+)>",
            lambda m: str({"team": "alpha", "team_slug": "alpha", **dli_objects}[m.group(1)]),
            route,
        )
        api = isinstance(view, type) and issubclass(view, TeamEndpoint)
        for method in METHODS:
            if api:
                if not hasattr(view, method):
                    continue
                required = view().required_role(method.upper())
            else:
                required = view.required_roles.get(method.upper())
                if required is None:
                    continue
            anonymous = getattr(login(None), method)(url)
            assert anonymous.status_code in ((401, 403) if api else (302,)), (
                method,
                url,
                anonymous.status_code,
            )
            assert getattr(login(roles.outsider), method)(url).status_code == 404, (method, url)
            for role, user in users.items():
                if role < required:
                    response = getattr(login(user), method)(url)
                    assert response.status_code == 403, (method, url, role, response.status_code)
                    assert b"matrix_dli" not in response.content
            if method == "get":
                # admitted: the page or answer (a page may send on, e.g. a running job's edit page)
                response = login(users[required]).get(url)
                assert response.status_code in ((200,) if api else (200, 302)), (
                    url,
                    required,
                    response.status_code,
                )
            checked += 1
    assert checked > 20
    assert _dli_writes(emulator) == writes, "a refused request reached DLI"
