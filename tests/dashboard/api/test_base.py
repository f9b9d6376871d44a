"""The base view: team resolution and per-method roles before any handler, the one error shape."""

from __future__ import annotations

import pytest

from tests.dashboard.api.conftest import assert_error

TEAM = "/api/v1/teams/alpha/"


@pytest.mark.django_db
def test_anonymous_gets_401_with_challenge(roles, api):
    for url in ("/api/v1/teams/", TEAM, TEAM + "jobs/", TEAM + "poll-health/"):
        response = api(None).get(url)
        body = assert_error(response, 401, "not_authenticated")
        assert body["detail"] is None
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_outsider_gets_404_like_a_missing_team(roles, api):
    client = api(roles.outsider)
    assert_error(client.get(TEAM), 404, "not_found")
    assert_error(client.get("/api/v1/teams/no-such-team/"), 404, "not_found")
    # Another team's lead is an outsider to alpha.
    assert_error(api(roles.other_lead).get(TEAM + "jobs/"), 404, "not_found")


@pytest.mark.django_db
def test_every_member_reads_and_sees_their_role(roles, api):
    for user, role in ((roles.viewer, "viewer"), (roles.operator, "operator"), (roles.lead, "lead")):
        response = api(user).get(TEAM)
        assert response.status_code == 200
        assert response.json()["role"] == role
        assert response.json()["slug"] == "alpha"


@pytest.mark.django_db
def test_wrong_method_is_405(roles, api):
    assert_error(api(roles.lead).delete(TEAM), 405, "method_not_allowed")
    assert_error(api(roles.lead).post(TEAM + "poll-health/", {}), 405, "method_not_allowed")
    assert_error(api(roles.lead).put("/api/v1/teams/", {}), 405, "method_not_allowed")


@pytest.mark.django_db
def test_teams_list_only_the_callers_teams(roles, api, make_user):
    assert [t["slug"] for t in api(roles.viewer).get("/api/v1/teams/").json()] == ["alpha"]
    assert [t["slug"] for t in api(roles.other_lead).get("/api/v1/teams/").json()] == ["beta"]
    assert api(roles.outsider).get("/api/v1/teams/").json() == []
    staff = make_user("staff", is_staff=True)
    rows = api(staff).get("/api/v1/teams/").json()
    assert {(t["slug"], t["role"]) for t in rows} == {("alpha", "lead"), ("beta", "lead")}


@pytest.mark.django_db
def test_unknown_api_path_answers_in_the_error_shape(roles, api):
    assert_error(api(roles.lead).get("/api/v1/nothing-here/"), 404, "not_found")
    assert_error(api(None).get("/api/v2/teams/"), 404, "not_found")


def test_base_view_refuses_a_method_without_a_role():
    from django.core.exceptions import ImproperlyConfigured

    from dashboard.api.base import TeamEndpoint

    class Broken(TeamEndpoint):
        required_roles = {"GET": 10}

        def delete(self, request, access, **kwargs):  # pragma: no cover - never reached
            raise AssertionError

    with pytest.raises(ImproperlyConfigured):
        Broken().required_role("DELETE")


@pytest.mark.django_db
def test_every_team_url_pattern_is_a_team_endpoint():
    """Every view under /api/v1/teams/<slug>/ resolves the team first (derives from TeamEndpoint)."""
    from django.urls import get_resolver

    from dashboard.api.base import TeamEndpoint

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern), p.callback

    found = 0
    for route, callback in walk(get_resolver().url_patterns):
        if route.startswith("api/v1/teams/<slug:team_slug>/"):
            assert issubclass(callback.view_class, TeamEndpoint), route
            found += 1
    assert found >= 5
