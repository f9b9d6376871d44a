"""Credential actions against the CS emulator over HTTP: test connection, register, authorize OBS."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dashboard.teams.models import ActionLog, AuthType, Credential

pytestmark = pytest.mark.django_db


def _url(name, credential):
    return reverse(name, kwargs={"team": credential.team.slug, "credential": credential.public_id})


def test_test_connection_records_versions(roles, login, cs_credential):
    response = login(roles.lead).post(_url("credential_test", cs_credential))
    assert response.status_code == 302
    cs_credential.refresh_from_db()
    assert cs_credential.last_verified_at is not None
    assert cs_credential.last_error == ""
    assert cs_credential.cs_versions  # the release reported by /versions
    assert ActionLog.objects.filter(action="credential.test", outcome="success").exists()


def test_test_connection_with_aksk(roles, login, other_cs_credential):
    response = login(roles.other_lead).post(_url("credential_test", other_cs_credential))
    assert response.status_code == 302
    other_cs_credential.refresh_from_db()
    assert other_cs_credential.last_verified_at is not None


def test_wrong_password_shows_cs_error_and_flags_credential(roles, login, cs_credential):
    cs_credential.set_secret("not-the-password")
    cs_credential.save()
    response = login(roles.lead).post(_url("credential_test", cs_credential))
    assert response.status_code == 200
    page = response.content.decode()
    assert "cs-error" in page
    assert "not-the-password" not in page
    cs_credential.refresh_from_db()
    assert cs_credential.needs_attention
    assert cs_credential.last_error
    assert "not-the-password" not in cs_credential.last_error
    assert ActionLog.objects.filter(action="credential.test", outcome="failure").exists()


def test_wrong_sk_is_rejected(roles, login, other_cs_credential):
    other_cs_credential.set_secret("wrong-secret-key-wrong-secret-key-wrong-1")
    other_cs_credential.save()
    response = login(roles.other_lead).post(_url("credential_test", other_cs_credential))
    assert response.status_code == 200
    other_cs_credential.refresh_from_db()
    assert other_cs_credential.needs_attention


def test_register_and_authorize_obs(roles, login, cs_credential):
    client = login(roles.lead)
    assert client.post(_url("credential_register", cs_credential)).status_code == 302
    cs_credential.refresh_from_db()
    assert cs_credential.registered_at is not None
    response = client.post(_url("credential_authorize_obs", cs_credential), {"buckets": "demo-bucket, logs-bucket"})
    assert response.status_code == 302
    assert ActionLog.objects.get(action="credential.authorize_obs").message == "demo-bucket, logs-bucket"


@pytest.mark.parametrize("buckets", ["", "UPPER_case", "a", "-bad-"])
def test_authorize_obs_bad_bucket_names(roles, login, cs_credential, buckets):
    response = login(roles.lead).post(_url("credential_authorize_obs", cs_credential), {"buckets": buckets})
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert not ActionLog.objects.filter(action="credential.authorize_obs").exists()


@pytest.mark.parametrize("name", ["credential_test", "credential_register", "credential_authorize_obs"])
def test_actions_need_lead(roles, login, cs_credential, name):
    url = _url(name, cs_credential)
    assert login(roles.operator).post(url).status_code == 403
    assert login(roles.outsider).post(url).status_code == 404
    assert login(roles.lead).get(url).status_code == 405


def test_seed_demo_is_idempotent(emulator):
    from django.core.management import call_command

    call_command("seed_demo", "--password", "demo-pass-123", "--endpoint", emulator.url, stdout=open("/dev/null", "w"))
    first = list(Credential.objects.values_list("public_id", "secret_encrypted"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert list(Credential.objects.values_list("public_id", "secret_encrypted")) == first
    assert Credential.objects.filter(team__slug="demo", auth_type=AuthType.PASSWORD).exists()
    assert Credential.objects.filter(team__slug="demo-2", auth_type=AuthType.AKSK).exists()


def test_iam_token_is_cached_encrypted(roles, cs_credential):
    from django.core.cache import cache

    from dashboard.teams.cs import client_for

    with client_for(cs_credential) as client:
        client.jobs.list(limit=1)
        auth = client.auth
        token = auth.get_token()
    stored = cache.get(auth.cache_key)
    assert isinstance(stored, str) and token not in stored
    # A second client (another process, say) reuses the shared token without asking IAM again.
    with client_for(cs_credential) as again:
        assert again.auth.get_token() == token
        assert again.auth.fetch_count == 0
