"""Credential actions against the CS emulator over HTTP: test connection, register, authorize OBS."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from dashboard.teams.models import ActionLog, AuthType, CloudCall, Credential

pytestmark = pytest.mark.django_db


def _url(name, credential):
    return reverse(name, kwargs={"team": credential.team.slug, "credential": credential.public_id})


@pytest.fixture
def run_call(eager_celery, django_capture_on_commit_callbacks):
    """POST a credential action and let the queued cloud call run (a worker's job, inline here)."""

    def post(client, url, data=None, **headers):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data or {}, **headers)
        return response

    return post


def test_test_connection_records_versions(roles, login, cs_credential, run_call):
    response = run_call(login(roles.lead), _url("credential_test", cs_credential))
    assert response.status_code == 302
    call = CloudCall.objects.get()
    assert call.state == "succeeded" and call.action == "test" and call.user == roles.lead
    assert call.message.startswith("Connected to CS")
    cs_credential.refresh_from_db()
    assert cs_credential.last_verified_at is not None
    assert cs_credential.last_error == ""
    assert set(cs_credential.cs_versions) <= {"id", "version", "min_version", "status", "updated", "engines"}
    assert cs_credential.cs_versions["version"]  # the release reported by /versions
    assert ActionLog.objects.filter(action="credential.test", outcome="success").exists()
    page = login(roles.lead).get(response["Location"]).content.decode()
    assert "Connected to CS" in page and "Succeeded" in page


def test_test_connection_runs_in_a_worker_not_the_request(
    roles, login, cs_credential, django_capture_on_commit_callbacks, cs_requests
):
    """The web request only queues the call: it returns before anything is sent to CS."""
    before = cs_requests()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = login(roles.lead).post(_url("credential_test", cs_credential), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert cs_requests() == before
    call = CloudCall.objects.get()
    assert call.state == "queued" and len(callbacks) == 1
    page = response.content.decode()
    # the htmx fragment polls the call's own URL until it ends
    poll = reverse(
        "credential_call",
        kwargs={"team": "alpha", "credential": cs_credential.public_id, "call": call.public_id},
    )
    assert f'hx-get="{poll}"' in page and "Waiting for a worker" in page
    from dashboard.teams.services import cloud_call_run

    cloud_call_run(call_id=call.pk)
    fragment = login(roles.viewer).get(poll, HTTP_HX_REQUEST="true").content.decode()
    assert "Succeeded" in fragment and "hx-get" not in fragment.split("credential-fields")[0]
    assert 'id="credential-fields" hx-swap-oob="true"' in fragment  # the page's facts are refreshed too


def test_test_connection_with_aksk(roles, login, other_cs_credential, run_call):
    response = run_call(login(roles.other_lead), _url("credential_test", other_cs_credential))
    assert response.status_code == 302
    other_cs_credential.refresh_from_db()
    assert other_cs_credential.last_verified_at is not None


def test_wrong_password_shows_cs_error_and_flags_credential(roles, login, cs_credential, run_call):
    cs_credential.set_secret("not-the-password")
    cs_credential.save()
    response = run_call(login(roles.lead), _url("credential_test", cs_credential))
    page = login(roles.lead).get(response["Location"]).content.decode()
    assert "cs-error" in page and "Failed" in page
    assert "not-the-password" not in page
    call = CloudCall.objects.get()
    assert call.state == "failed" and call.error["description"]
    cs_credential.refresh_from_db()
    assert cs_credential.needs_attention
    assert cs_credential.last_error
    assert "not-the-password" not in cs_credential.last_error
    assert ActionLog.objects.filter(action="credential.test", outcome="failure").exists()
    # the error is kept as CS gave it and worded for each reader of the credential's page
    assert cs_credential.last_error_record["class"] == "CSAuthError"
    detail = _url("credential_detail", cs_credential)
    english = login(roles.lead).get(detail, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = login(roles.lead).get(detail, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    with translation.override("zh-hans"):
        worded = cs_credential.last_error_text
    assert worded != cs_credential.last_error and escape(worded) in chinese
    with translation.override("en"):
        assert escape(cs_credential.last_error_text) in english


def test_wrong_sk_is_rejected(roles, login, other_cs_credential, run_call):
    other_cs_credential.set_secret("wrong-secret-key-wrong-secret-key-wrong-1")
    other_cs_credential.save()
    run_call(login(roles.other_lead), _url("credential_test", other_cs_credential))
    other_cs_credential.refresh_from_db()
    assert other_cs_credential.needs_attention


def test_register_and_authorize_obs(roles, login, cs_credential, run_call):
    client = login(roles.lead)
    assert run_call(client, _url("credential_register", cs_credential)).status_code == 302
    cs_credential.refresh_from_db()
    assert cs_credential.registered_at is not None
    response = run_call(
        client, _url("credential_authorize_obs", cs_credential), {"buckets": "demo-bucket, logs-bucket"}
    )
    assert response.status_code == 302
    assert ActionLog.objects.get(action="credential.authorize_obs").message == "demo-bucket, logs-bucket"
    assert CloudCall.objects.filter(state="succeeded").count() == 2


def test_calls_per_team_and_user_are_limited(
    roles, login, cs_credential, settings, django_capture_on_commit_callbacks
):
    """Calls waiting for a worker count against the team's and the user's limits; nothing more is queued."""
    settings.CS_INTERACTIVE_PER_USER = 2
    settings.CS_INTERACTIVE_PER_TEAM = 3
    client = login(roles.lead)
    with django_capture_on_commit_callbacks(execute=False):
        for _ in range(2):
            assert client.post(_url("credential_test", cs_credential)).status_code == 302
        refused = client.post(_url("credential_test", cs_credential), HTTP_HX_REQUEST="true")
    assert refused.status_code == 429 and "under way" in refused.content.decode()
    assert CloudCall.objects.count() == 2
    # another lead of the team gets the team's last slot, then the team is full
    from dashboard.teams.models import Membership, Role

    Membership.objects.filter(user=roles.operator).update(role=Role.LEAD)
    with django_capture_on_commit_callbacks(execute=False):
        assert login(roles.operator).post(_url("credential_test", cs_credential)).status_code == 302
        response = login(roles.operator).post(_url("credential_test", cs_credential), follow=True)
    assert "Your team already has 3 cloud calls under way" in response.content.decode()
    assert CloudCall.objects.count() == 3


def test_call_of_a_demoted_lead_sends_nothing(
    roles, login, cs_credential, cs_requests, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        login(roles.lead).post(_url("credential_test", cs_credential))
    from dashboard.teams.models import Membership, Role
    from dashboard.teams.services import cloud_call_run

    Membership.objects.filter(user=roles.lead).update(role=Role.VIEWER)
    before = cs_requests()
    cloud_call_run(call_id=CloudCall.objects.get().pk)
    assert cs_requests() == before
    assert CloudCall.objects.get().state == "failed"


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
    assert not CloudCall.objects.exists()
    assert login(roles.lead).get(url).status_code == 405


def test_seed_demo_is_idempotent(emulator):
    from django.core.management import call_command

    call_command(
        "seed_demo", "--password", "demo-pass-123", "--endpoint", emulator.url, stdout=open("/dev/null", "w")
    )
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
