"""Shared fixtures: a team with a member of each role, an outsider, and a second team."""

from __future__ import annotations

import os

import pytest

# The tests' emulators listen on loopback ports chosen at random: the one exception to the outbound
# policy (csapi.netguard) the tests make, for this process and the workers it starts.
os.environ.setdefault("OUTBOUND_ALLOWED_HOSTS", "127.0.0.1")

# The CS emulator served over HTTP: `emulator_server` (one per session), `emulator` (reset per test).
pytest_plugins = ["csapi.emulator.testing"]

PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, **extra):
        return django_user_model.objects.create_user(username=username, password=PASSWORD, **extra)

    return make


@pytest.fixture
def roles(db, make_user):
    """A team with a lead, an operator and a viewer; an outsider; a second team with its own lead."""
    from dashboard.teams.models import Membership, Role, Team

    team = Team.objects.create(name="Alpha Stream", slug="alpha")
    other = Team.objects.create(name="Beta Stream", slug="beta")
    users = {name: make_user(name) for name in ("lead", "operator", "viewer", "outsider", "other_lead")}
    Membership.objects.create(team=team, user=users["lead"], role=Role.LEAD)
    Membership.objects.create(team=team, user=users["operator"], role=Role.OPERATOR)
    Membership.objects.create(team=team, user=users["viewer"], role=Role.VIEWER)
    Membership.objects.create(team=other, user=users["other_lead"], role=Role.LEAD)
    return type("Roles", (), {"team": team, "other_team": other, **users})


@pytest.fixture
def login(client):
    """Return a test client signed in as the given user (None: anonymous)."""

    def as_user(user):
        client.logout()
        if user is not None:
            client.force_login(user, backend="dashboard.teams.auth.ModelBackend")
        return client

    return as_user


@pytest.fixture
def one_minute():
    """Job pages are cached per minute (running durations, "Updated"): a test that asserts a cache hit
    between requests starts well clear of a minute's end, so that its requests share the minute."""
    import time

    left = 60 - time.time() % 60
    if left < 15:
        time.sleep(left + 0.05)


@pytest.fixture(autouse=True)
def _empty_fragments():
    """Rendered pages live in process memory (or Redis): each test starts without another test's."""
    from django.core.cache import caches

    caches["fragments"].clear()
    yield
    caches["fragments"].clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request's language stays active in its thread after it (Django's LocaleMiddleware does not
    deactivate it): each test starts in the default language, whatever the one before asked for."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _loopback_emulators(settings):
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing strength is not under test; the default hasher costs ~0.3 s per login.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cs_credential(roles, emulator):
    """Team alpha's credential on the emulator's first tenant (IAM password auth)."""
    from dashboard.teams.models import AuthType, Credential

    tenant = emulator.account
    credential = Credential(
        team=roles.team,
        name="emulator",
        region="cn-north-1",
        project_id=tenant.project_id,
        cs_endpoint=emulator.url,
        iam_endpoint=emulator.url,
        vpc_endpoint=emulator.url,
        auth_type=AuthType.PASSWORD,
        domain_name=tenant.domain,
        username=tenant.user,
    )
    credential.set_secret(tenant.password)
    credential.save()
    return credential


@pytest.fixture
def other_cs_credential(roles, emulator):
    """Team beta's credential on the emulator's second tenant (AK/SK auth)."""
    from dashboard.teams.models import AuthType, Credential

    tenant = emulator.tenants[1]
    credential = Credential(
        team=roles.other_team,
        name="emulator-2",
        region="cn-north-1",
        project_id=tenant.project_id,
        cs_endpoint=emulator.url,
        iam_endpoint=emulator.url,
        vpc_endpoint=emulator.url,
        auth_type=AuthType.AKSK,
        access_key=tenant.ak,
    )
    credential.set_secret(tenant.sk)
    credential.save()
    return credential


@pytest.fixture
def dli_credential(roles, emulator):
    """Team alpha's DLI credential on the emulator's first tenant (IAM password auth)."""
    from dashboard.teams.models import AuthType, Credential, Service

    tenant = emulator.account
    credential = Credential(
        team=roles.team,
        name="emulator-dli",
        service=Service.DLI,
        region="cn-north-1",
        project_id=tenant.project_id,
        dli_endpoint=emulator.url,
        iam_endpoint=emulator.url,
        auth_type=AuthType.PASSWORD,
        domain_name=tenant.domain,
        username=tenant.user,
    )
    credential.set_secret(tenant.password)
    credential.save()
    return credential


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright (its own browser download does not work here)."""
    import os

    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django's async guard is lifted only while browser
    # tests run (the deployment checks of other tests refuse this variable).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def eager_celery():
    """refresh_soon() and other enqueued work run inline (no worker in browser tests)."""
    from dashboard.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
