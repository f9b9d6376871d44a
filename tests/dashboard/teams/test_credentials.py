"""Credentials: write-only secrets encrypted with rotating keys, lead-only management."""

from __future__ import annotations

import logging
import secrets

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.urls import reverse

from dashboard.teams import crypto
from dashboard.teams.models import AuthType, Credential

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret_value():
    return "SECRET-" + secrets.token_hex(12)


def _form(secret, **overrides):
    data = {
        "name": "prod",
        "region": "cn-north-1",
        "project_id": "0123456789abcdef0123456789abcdef",
        "auth_type": AuthType.PASSWORD,
        "domain_name": "acme",
        "username": "robot",
        "access_key": "",
        "cs_endpoint": "http://127.0.0.1:8900",
        "iam_endpoint": "",
        "vpc_endpoint": "",
        "secret": secret,
    }
    data.update(overrides)
    return data


def test_secret_round_trip_and_ciphertext_only(roles, secret_value):
    credential = Credential(team=roles.team, name="c", region="cn-north-1", project_id="p1")
    credential.set_secret(secret_value)
    credential.save()
    stored = Credential.objects.get(pk=credential.pk)
    assert secret_value not in stored.secret_encrypted
    assert stored.get_secret() == secret_value
    assert secret_value not in repr(stored) and secret_value not in str(stored)


def test_old_key_still_decrypts_and_reencrypt_moves_it(roles, secret_value, settings):
    old_key = settings.CREDENTIAL_KEYS[0]
    credential = Credential(team=roles.team, name="c", region="cn-north-1", project_id="p1")
    credential.set_secret(secret_value)
    credential.save()

    new_key = Fernet.generate_key().decode()
    settings.CREDENTIAL_KEYS = [new_key, old_key]
    credential.refresh_from_db()
    assert credential.get_secret() == secret_value  # still readable under the old key

    call_command("reencrypt_secrets", stdout=open("/dev/null", "w"))
    credential.refresh_from_db()
    settings.CREDENTIAL_KEYS = [new_key]  # the old key can now be dropped
    assert credential.get_secret() == secret_value
    assert Fernet(new_key.encode()).decrypt(credential.secret_encrypted.encode()).decode() == secret_value


def test_unknown_key_fails_without_revealing(roles, secret_value, settings):
    credential = Credential(team=roles.team, name="c", region="cn-north-1", project_id="p1")
    credential.set_secret(secret_value)
    settings.CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.SecretDecryptionError) as excinfo:
        credential.get_secret()
    assert credential.secret_encrypted not in str(excinfo.value)


def test_lead_creates_credential_and_secret_never_shown(roles, login, secret_value, caplog):
    caplog.set_level(logging.DEBUG)
    client = login(roles.lead)
    response = client.post(reverse("credential_create", kwargs={"team": "alpha"}), _form(secret_value))
    assert response.status_code == 302, response.content.decode()
    credential = Credential.objects.get(team=roles.team, name="prod")
    assert credential.get_secret() == secret_value
    assert credential.effective_cs_endpoint == "http://127.0.0.1:8900"
    assert credential.effective_iam_endpoint == "https://iam.cn-north-1.myhuaweicloud.com"

    pages = [
        client.get(credential.get_absolute_url()),
        client.get(reverse("credential_edit", kwargs={"team": "alpha", "credential": credential.public_id})),
        client.get(reverse("credential_list", kwargs={"team": "alpha"})),
        client.get(reverse("team_detail", kwargs={"team": "alpha"})),
    ]
    for page in pages:
        assert page.status_code == 200
        assert secret_value not in page.content.decode()
        assert credential.secret_encrypted not in page.content.decode()
    assert secret_value not in caplog.text


def test_failed_form_never_echoes_secret(roles, login, secret_value):
    response = login(roles.lead).post(
        reverse("credential_create", kwargs={"team": "alpha"}), _form(secret_value, project_id="bad id!")
    )
    assert response.status_code == 200
    assert "A project id is" in response.content.decode()
    assert secret_value not in response.content.decode()


@pytest.mark.parametrize(
    "overrides,field_error",
    [
        ({"secret": ""}, "Enter the secret"),
        ({"project_id": "has space"}, "A project id is"),
        ({"cs_endpoint": "ftp://x"}, "Enter a valid URL"),
        ({"cs_endpoint": "not a url"}, "Enter a valid URL"),
        ({"region": "Mars"}, "Enter a region id"),
        ({"domain_name": ""}, "Required for IAM password"),
        ({"auth_type": AuthType.AKSK, "access_key": "short"}, "access key id is"),
        ({"auth_type": "kerberos"}, "Select a valid choice"),
        ({"name": ""}, "This field is required"),
    ],
)
def test_credential_bad_input(roles, login, overrides, field_error):
    response = login(roles.lead).post(
        reverse("credential_create", kwargs={"team": "alpha"}), {**_form("s3cret-value"), **overrides}
    )
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert not Credential.objects.filter(team=roles.team).exists()


def test_duplicate_credential_name(roles, login):
    client = login(roles.lead)
    client.post(reverse("credential_create", kwargs={"team": "alpha"}), _form("one-secret"))
    response = client.post(reverse("credential_create", kwargs={"team": "alpha"}), _form("two-secret"))
    assert "already has a credential with this name" in response.content.decode()


def test_empty_secret_on_edit_keeps_stored(roles, login, secret_value):
    client = login(roles.lead)
    client.post(reverse("credential_create", kwargs={"team": "alpha"}), _form(secret_value))
    credential = Credential.objects.get(team=roles.team)
    url = reverse("credential_edit", kwargs={"team": "alpha", "credential": credential.public_id})
    assert client.post(url, _form("", name="prod-renamed")).status_code == 302
    credential.refresh_from_db()
    assert credential.name == "prod-renamed"
    assert credential.get_secret() == secret_value


def test_credential_pages_access(roles, login, secret_value):
    credential = Credential(team=roles.team, name="c", region="cn-north-1", project_id="p1")
    credential.set_secret(secret_value)
    credential.save()
    detail = credential.get_absolute_url()
    edit = reverse("credential_edit", kwargs={"team": "alpha", "credential": credential.public_id})
    delete = reverse("credential_delete", kwargs={"team": "alpha", "credential": credential.public_id})
    assert login(roles.viewer).get(detail).status_code == 200
    assert login(roles.outsider).get(detail).status_code == 404
    assert login(roles.other_lead).get(edit).status_code == 404
    assert login(roles.operator).get(edit).status_code == 403
    assert login(roles.operator).post(delete).status_code == 403
    assert login(roles.lead).get(delete).status_code == 405
    # A credential id of team alpha under team beta's URL is not found.
    beta_url = reverse("credential_detail", kwargs={"team": "beta", "credential": credential.public_id})
    assert login(roles.other_lead).get(beta_url).status_code == 404
    assert login(roles.lead).post(delete).status_code == 302
    assert not Credential.objects.filter(pk=credential.pk).exists()


def test_admin_shows_secret_write_only(roles, login, make_user, secret_value):
    admin = make_user("root", is_staff=True, is_superuser=True)
    credential = Credential(team=roles.team, name="c", region="cn-north-1", project_id="p1")
    credential.set_secret(secret_value)
    credential.save()
    client = login(admin)
    for url in (
        reverse("admin:teams_credential_change", args=[credential.pk]),
        reverse("admin:teams_credential_changelist"),
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert secret_value not in page.content.decode()
        assert credential.secret_encrypted not in page.content.decode()
