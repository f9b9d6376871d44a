"""Personal API tokens: created on the settings page, shown once, stored hashed, revocable, and never
granting more than their user's roles."""

from __future__ import annotations

import hashlib
import logging
import re

import pytest
from django.utils import timezone

from dashboard.api.models import ApiToken
from dashboard.api.services import token_create, token_revoke
from tests.dashboard.api.conftest import assert_error

PAGE = "/settings/api-tokens/"
TOKEN_RE = re.compile(r"csd_[A-Za-z0-9_-]{40,}")


@pytest.mark.django_db
def test_page_needs_sign_in(roles, client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_token_is_shown_once_and_stored_hashed(roles, login, caplog):
    client = login(roles.operator)
    with caplog.at_level(logging.DEBUG):
        created = client.post(PAGE, {"name": "deploy pipeline"})
        assert created.status_code == 302  # POST-redirect-GET: a reload creates nothing
        session = client.session
        response = client.get(PAGE)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    raw = TOKEN_RE.search(response.content.decode()).group(0)
    assert all(raw not in str(v) for v in session.values())  # it waited for the page encrypted
    token = ApiToken.objects.get(user=roles.operator)
    assert token.name == "deploy pipeline"
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(token.prefix) and len(token.prefix) < len(raw) // 3
    # Nothing stored or logged holds the token itself.
    assert not ApiToken.objects.filter(digest__contains=raw).exists()
    assert raw not in str(list(ApiToken.objects.values()))
    assert raw not in caplog.text
    session = client.session
    assert all(raw not in str(v) for v in session.values())
    # The list shows the prefix, never the token again.
    page = client.get(PAGE).content.decode()
    assert token.prefix in page and raw not in page and "deploy pipeline" in page


@pytest.mark.django_db
def test_token_needs_a_name(roles, login):
    response = login(roles.viewer).post(PAGE, {"name": "  "})
    assert response.status_code == 400 and "field-error" in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_token_authenticates_and_records_last_use(roles, api):
    _row, raw = token_create(user=roles.viewer, name="cli")
    client = api(None)
    for scheme in ("Bearer", "Token", "bearer"):
        client.credentials(HTTP_AUTHORIZATION=f"{scheme} {raw}")
        response = client.get("/api/v1/teams/alpha/")
        assert response.status_code == 200, scheme
        assert response.json()["role"] == "viewer"
    assert ApiToken.objects.get(digest=hashlib.sha256(raw.encode()).hexdigest()).last_used_at is not None


@pytest.mark.django_db
def test_bad_and_malformed_tokens_are_401(roles, api):
    client = api(None)
    for header in ("Bearer csd_not-a-real-token", "Bearer", "Bearer a b", "Token \u00e9t\u00e9"):
        client.credentials(HTTP_AUTHORIZATION=header)
        body = assert_error(client.get("/api/v1/teams/"), 401)
        assert "csd_not-a-real-token" not in str(body)


@pytest.mark.django_db
def test_revoked_token_is_rejected(roles, api, login):
    row, raw = token_create(user=roles.lead, name="old")
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/teams/").status_code == 200
    response = login(roles.lead).post(f"{PAGE}{row.public_id}/revoke/")
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert_error(client.get("/api/v1/teams/"), 401, "authentication_failed")


@pytest.mark.django_db
def test_only_the_owner_revokes(roles, login):
    row, _raw = token_create(user=roles.lead, name="mine")
    assert login(roles.operator).post(f"{PAGE}{row.public_id}/revoke/").status_code == 404
    assert login(roles.operator).get(f"{PAGE}{row.public_id}/revoke/").status_code == 405
    row.refresh_from_db()
    assert row.revoked_at is None
    with pytest.raises(Exception):  # noqa: B017
        token_revoke(user=roles.viewer, public_id=row.public_id)


@pytest.mark.django_db
def test_token_of_inactive_user_is_rejected(roles, api):
    _row, raw = token_create(user=roles.viewer, name="cli")
    roles.viewer.is_active = False
    roles.viewer.save()
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert_error(client.get("/api/v1/teams/"), 401)


@pytest.mark.django_db
def test_token_never_grants_more_than_the_users_roles(roles, api):
    from dashboard.teams.models import Membership, Role

    viewer = api(roles.viewer, token=True)
    # Reads yes; writes of an operator no; other teams are not found.
    assert viewer.get("/api/v1/teams/alpha/jobs/").status_code == 200
    assert_error(viewer.post("/api/v1/teams/alpha/jobs/run/", {"jobs": ["x:1"]}, format="json"), 403)
    assert_error(viewer.get("/api/v1/teams/beta/"), 404)
    # The token follows the user's role as it changes: demoted, then removed.
    lead = api(roles.lead, token=True)
    assert lead.get("/api/v1/teams/alpha/").json()["role"] == "lead"
    Membership.objects.filter(user=roles.lead).update(role=Role.VIEWER)
    assert lead.get("/api/v1/teams/alpha/").json()["role"] == "viewer"
    Membership.objects.filter(user=roles.lead).delete()
    assert_error(lead.get("/api/v1/teams/alpha/"), 404)


@pytest.mark.django_db
def test_admin_never_shows_the_digest(roles, admin_client):
    row, _raw = token_create(user=roles.viewer, name="cli")
    page = admin_client.get(f"/admin/api/apitoken/{row.pk}/change/").content.decode()
    assert row.digest not in page
    assert timezone.now()
