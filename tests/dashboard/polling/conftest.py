"""Poller fixtures: the CS emulator over real HTTP (frozen clock) and a team credential pointing at it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command

from csapi.emulator.testing import LOCAL_POLICY, EmulatorServer


@pytest.fixture(scope="session")
def emulator_server():
    with EmulatorServer(seed="demo") as server:
        yield server


@pytest.fixture
def emu(emulator_server):
    """The session's emulator, back to the demo seed, no faults, with its clock frozen."""
    emulator_server.reset("demo")
    emulator_server.clock.freeze()
    yield emulator_server
    emulator_server.faults.clear()


@pytest.fixture
def poll_settings(settings):
    """Fast failures: no client retries (the poller's own backoff is under test), short timeouts."""
    settings.CS_HTTP_RETRIES = 0
    settings.CS_HTTP_TIMEOUT = 5.0
    settings.POLL_PAGE_SIZE = 10
    return settings


@pytest.fixture
def cache_ready(db):
    """The cache the poll locks and IAM tokens live in (a database table without Redis)."""
    from django.conf import settings

    if "DatabaseCache" in settings.CACHES["default"]["BACKEND"]:
        call_command("createcachetable", verbosity=0)
    cache.clear()
    yield cache
    cache.clear()


def make_credential(team, server, *, name="emulator", password=None, tenant=None):
    from dashboard.teams.models import AuthType, Credential

    tenant = tenant or server.account
    credential = Credential(
        team=team,
        name=name,
        region="cn-north-1",
        project_id=tenant.project_id,
        cs_endpoint=server.url,
        iam_endpoint=server.url,
        vpc_endpoint=server.url,
        auth_type=AuthType.PASSWORD,
        domain_name=tenant.domain,
        username=tenant.user,
    )
    credential.set_secret(password or tenant.password)
    credential.save()
    return credential


@pytest.fixture
def team(db):
    from dashboard.teams.models import Team

    return Team.objects.create(name="Alpha Stream", slug="alpha")


@pytest.fixture
def credential(team, emu, cache_ready, poll_settings):
    return make_credential(team, emu)


@pytest.fixture
def cs(emu):
    """A CS client of the emulator's first tenant, for arranging state (runs, stops, deletes)."""
    from csapi import AKSKAuth, CSClient

    tenant = emu.account
    with CSClient(
        emu.url, tenant.project_id, AKSKAuth(tenant.ak, tenant.sk), retries=0, outbound=LOCAL_POLICY
    ) as client:
        yield client
