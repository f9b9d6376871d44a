"""The role matrix of every team endpoint, walked from the URLconf: anonymous 401, outsider 404,
every role below the method's required role 403, the role itself admitted, other methods 405."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import get_resolver

from dashboard.api.base import TeamEndpoint
from dashboard.teams.models import Role
from tests.dashboard.api.conftest import assert_error

METHODS = ("get", "post", "put", "patch", "delete")
VALUES = {"slug": "alpha", "uuid": str(uuid.UUID(int=1)), "csid": "1", "str": "x"}


def team_routes():
    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern), getattr(p.callback, "view_class", p.callback)

    for route, view in walk(get_resolver().url_patterns):
        if route.startswith("api/v1/teams/<slug:team_slug>/"):
            url = "/" + re.sub(r"<(\w+):\w+>", lambda m: VALUES[m.group(1)], route)
            yield pytest.param(url, view, id=route.removeprefix("api/v1/teams/<slug:team_slug>/") or "team")


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "view"), list(team_routes()))
def test_role_matrix(roles, api, url, view):
    assert issubclass(view, TeamEndpoint)
    users = {Role.VIEWER: roles.viewer, Role.OPERATOR: roles.operator, Role.LEAD: roles.lead}
    clients = {role: api(user) for role, user in users.items()}
    anonymous, outsider = api(None), api(roles.outsider)
    for method in METHODS:
        if not hasattr(view, method):
            assert_error(
                getattr(clients[Role.LEAD], method)(url, {}, format="json"), 405, "method_not_allowed"
            )
            continue
        required = view().required_role(method.upper())
        assert_error(getattr(anonymous, method)(url, {}, format="json"), 401)
        assert_error(getattr(outsider, method)(url, {}, format="json"), 404)
        for role, client in clients.items():
            if role < required:
                assert_error(getattr(client, method)(url, {}, format="json"), 403, "permission_denied")
        if method == "get":
            response = clients[required].get(url)
            assert response.status_code in (200, 404), (url, response.status_code)
            if response.status_code == 404:
                assert response.json()["message"] != "No such team"
