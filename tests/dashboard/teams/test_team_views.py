"""The access matrix of the team pages: outsider 404, too low a role 403, wrong method 405."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dashboard.teams.models import ActionLog, Membership, Role, Team

pytestmark = pytest.mark.django_db


def test_home_lists_only_my_teams(roles, login):
    page = login(roles.viewer).get(reverse("home"))
    assert page.status_code == 200
    assert b"Alpha Stream" in page.content
    assert b"Beta Stream" not in page.content


def test_anonymous_is_sent_to_login(roles, login):
    response = login(None).get(reverse("team_detail", kwargs={"team": "alpha"}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["team_detail", "credential_list"])
def test_member_pages(roles, login, name):
    url = reverse(name, kwargs={"team": "alpha"})
    assert login(roles.viewer).get(url).status_code == 200
    assert login(roles.outsider).get(url).status_code == 404
    assert login(roles.other_lead).get(url).status_code == 404
    assert login(roles.viewer).post(url).status_code == 405


@pytest.mark.parametrize("name", ["members", "credential_create"])
def test_lead_pages(roles, login, name):
    url = reverse(name, kwargs={"team": "alpha"})
    assert login(roles.lead).get(url).status_code == 200
    assert login(roles.operator).get(url).status_code == 403
    assert login(roles.viewer).get(url).status_code == 403
    assert login(roles.outsider).get(url).status_code == 404
    assert login(roles.lead).delete(url).status_code == 405


def test_unknown_team_is_404(roles, login):
    assert login(roles.lead).get(reverse("team_detail", kwargs={"team": "nope"})).status_code == 404


def test_staff_sees_every_team(roles, login, make_user):
    staff = make_user("admin", is_staff=True)
    assert login(staff).get(reverse("members", kwargs={"team": "beta"})).status_code == 200


def test_create_team_makes_creator_lead(roles, login):
    response = login(roles.outsider).post(reverse("team_create"), {"name": "Gamma"})
    team = Team.objects.get(name="Gamma")
    assert response.status_code == 302
    assert Membership.objects.get(team=team, user=roles.outsider).role == Role.LEAD


@pytest.mark.parametrize("name,error", [("", "This field is required"), ("alpha stream", "already exists")])
def test_create_team_bad_names(roles, login, name, error):
    response = login(roles.outsider).post(reverse("team_create"), {"name": name})
    assert response.status_code == 200
    assert error in response.content.decode()


def test_add_change_and_remove_member(roles, login, make_user):
    make_user("newbie")
    client = login(roles.lead)
    url = reverse("members", kwargs={"team": "alpha"})
    assert client.post(url, {"username": "newbie", "role": Role.OPERATOR}).status_code == 302
    membership = Membership.objects.get(team=roles.team, user__username="newbie")
    assert membership.role == Role.OPERATOR

    client.post(reverse("member_role", kwargs={"team": "alpha", "member_id": "newbie"}), {"role": Role.LEAD})
    membership.refresh_from_db()
    assert membership.role == Role.LEAD

    client.post(reverse("member_remove", kwargs={"team": "alpha", "member_id": "newbie"}))
    assert not Membership.objects.filter(team=roles.team, user__username="newbie").exists()
    actions = list(ActionLog.objects.filter(team=roles.team).values_list("action", flat=True))
    assert {"member.add", "member.role", "member.remove"} <= set(actions)


@pytest.mark.parametrize(
    "data,error",
    [
        ({"username": "ghost", "role": Role.VIEWER}, "There is no user named"),
        ({"username": "viewer", "role": Role.VIEWER}, "already a member"),
        ({"username": "outsider", "role": 99}, "Select a valid choice"),
        ({"username": "", "role": Role.VIEWER}, "This field is required"),
    ],
)
def test_add_member_bad_input(roles, login, data, error):
    response = login(roles.lead).post(reverse("members", kwargs={"team": "alpha"}), data)
    assert response.status_code == 200
    assert error in response.content.decode()


def test_unknown_role_is_refused(roles, login):
    login(roles.lead).post(
        reverse("member_role", kwargs={"team": "alpha", "member_id": "viewer"}), {"role": "god"}
    )
    assert Membership.objects.get(team=roles.team, user=roles.viewer).role == Role.VIEWER


def test_last_lead_cannot_leave(roles, login):
    client = login(roles.lead)
    client.post(reverse("member_remove", kwargs={"team": "alpha", "member_id": "lead"}))
    client.post(reverse("member_role", kwargs={"team": "alpha", "member_id": "lead"}), {"role": Role.VIEWER})
    assert Membership.objects.get(team=roles.team, user=roles.lead).role == Role.LEAD


def test_member_actions_need_lead_and_post(roles, login):
    url = reverse("member_remove", kwargs={"team": "alpha", "member_id": "viewer"})
    assert login(roles.operator).post(url).status_code == 403
    assert login(roles.outsider).post(url).status_code == 404
    assert login(roles.lead).get(url).status_code == 405
    assert (
        login(roles.lead)
        .post(reverse("member_remove", kwargs={"team": "alpha", "member_id": "nobody"}))
        .status_code
        == 404
    )
    assert Membership.objects.filter(team=roles.team, user=roles.viewer).exists()
