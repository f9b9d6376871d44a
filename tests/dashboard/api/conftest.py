"""API fixtures: clients authenticated by session or by personal token, and snapshots synced from the
CS emulator."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _api_cache(db):
    """Throttle counters and IAM tokens live in the cache: a clean one per test."""
    if "DatabaseCache" in settings.CACHES["default"]["BACKEND"]:
        call_command("createcachetable", verbosity=0)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fast_cs(settings):
    """CS failures fail fast (no client retries), so error paths are quick to test."""
    settings.CS_HTTP_RETRIES = 0
    settings.CS_HTTP_TIMEOUT = 5.0
    return settings


@pytest.fixture
def api():
    """``api(user)``: a client signed in by session; ``api(user, token=True)``: by a new API token;
    ``api(None)``: anonymous."""
    from dashboard.api.services import token_create

    def make(user, *, token: bool = False, csrf: bool = False) -> APIClient:
        client = APIClient(enforce_csrf_checks=csrf)
        if user is None:
            return client
        if token:
            _row, raw = token_create(user=user, name="tests")
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        else:
            client.force_login(user, backend="dashboard.teams.auth.ModelBackend")
        return client

    return make


@pytest.fixture
def synced(cs_credential, fast_cs):
    """Team alpha's snapshots filled by the poller's sync services from the emulator."""
    from dashboard.polling.services import sync_all

    results = sync_all(cs_credential.pk)
    failed = {kind: r.error for kind, r in results.items() if not r.ok}
    assert not failed, failed
    return cs_credential


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is ``status`` in the API's one error shape (with ``code`` when given)."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) >= {"code", "message", "detail"}, body
    assert isinstance(body["message"], str) and body["message"]
    if code is not None:
        assert body["code"] == code, body
    return body
