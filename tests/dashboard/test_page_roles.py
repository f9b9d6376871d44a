"""The role matrix of every team page, walked from the URLconf like the API's: one declaration per
view (``team_view``) says the least role per method; every role below it gets 403, the role itself is
admitted, an undeclared method 405, an outsider 404 and an anonymous visitor the sign-in page."""

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
    for path in ("quotas/", "quotas/history/", "overview/", "cost-history/"):
        for user in (roles.viewer, roles.operator):
            assert login(user).get(f"/api/v1/teams/alpha/{path}").status_code == 403, path
        assert login(roles.lead).get(f"/api/v1/teams/alpha/{path}").status_code == 200, path
