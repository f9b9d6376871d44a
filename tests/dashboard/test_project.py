"""Project-level behaviour: health endpoint, production settings, security headers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    body = response.json()
    assert body["checks"]["database"] is True
    assert body["checks"]["broker"] is True
    assert response.status_code == 200
    assert client.post("/healthz").status_code == 405


def test_check_deploy_is_clean_in_production(tmp_path):
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 20 + Fernet.generate_key().decode(),
        "CREDENTIAL_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "dashboard.example.com",
        "VAR_DIR": str(tmp_path),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # a test-run setting (browser tests), never a deployment's
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_keys(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "CREDENTIAL_KEYS")}
    env.update({"DJANGO_ENV": "production", "VAR_DIR": str(tmp_path)})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get("/login/")
    assert response.status_code == 200
    directives = dict(
        (part.split()[0], part.split()[1:])
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    )
    assert directives["script-src"] == ["'self'"]  # no inline or evaluated script
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response.cookies["csrftoken"]["httponly"]
    assert "<script>" not in response.content.decode()


@pytest.mark.django_db
def test_login_is_rate_limited(client, make_user, settings):
    make_user("alice")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "alice", "password": "wrong"})
    locked = client.post("/login/", {"username": "alice", "password": "correct-horse-battery-9"})
    assert locked.status_code == 429


@pytest.mark.django_db
def test_oversized_request_is_refused_before_reading(client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1024
    response = client.generic("POST", "/login/", b"x" * 2048, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    api = client.generic("POST", "/api/v1/teams/", b"x" * 2048, content_type="application/json")
    assert api.status_code == 413
    assert api.json()["code"] == "request_too_large"
    assert client.post("/login/", {"username": "a", "password": "b"}).status_code == 200


def test_request_limit_fits_the_largest_upload(settings):
    from csapi.limits import UPLOAD_MAX_BYTES

    assert settings.MAX_REQUEST_BODY_BYTES >= 2 * UPLOAD_MAX_BYTES


@pytest.mark.django_db
def test_nul_characters_in_query_parameters_are_dropped():
    from django.http import QueryDict
    from django.test import RequestFactory

    from dashboard.middleware import StripNulFromQueryMiddleware

    seen = {}

    def view(request):
        seen.update(request.GET.lists())
        return None

    request = RequestFactory().get("/t/alpha/jobs/?q=%00ab%00&page=2&tag=a%00&tag=b")
    StripNulFromQueryMiddleware(view)(request)
    assert seen == {"q": ["ab"], "page": ["2"], "tag": ["a", "b"]}
    assert isinstance(request.GET, QueryDict) and not request.GET._mutable
