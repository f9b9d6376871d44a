"""The signed-in user, loaded with SQL compiled once: the same rules as Django's model backend."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dashboard.teams.auth import ModelBackend

pytestmark = pytest.mark.django_db


def test_get_user_loads_the_user_or_nothing(roles):
    backend = ModelBackend()
    user = backend.get_user(roles.viewer.pk)
    assert (user.pk, user.username, user.password) == (roles.viewer.pk, "viewer", roles.viewer.password)
    assert backend.get_user(10**6) is None
    assert backend.get_user("not a number") is None
    roles.viewer.is_active = False
    roles.viewer.save()
    assert backend.get_user(roles.viewer.pk) is None


def test_a_password_change_or_deactivation_ends_other_sessions_at_once(roles, client):
    from tests.conftest import PASSWORD

    def sign_in(username):
        response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.content[:300]

    url = reverse("job_list", kwargs={"team": "alpha"})
    sign_in("viewer")  # through the login form: the session names this backend
    assert client.session["_auth_user_backend"] == "dashboard.teams.auth.ModelBackend"
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # from the page cache
    roles.viewer.set_password("another-horse-battery-7")
    roles.viewer.save()
    assert client.get(url).status_code == 302  # to the login page

    sign_in("operator")
    assert client.get(url).status_code == 200
    roles.operator.is_active = False
    roles.operator.save()
    assert client.get(url).status_code == 302
