"""CS faults for a while, then healthy: pages stay up with a staleness warning, nothing is lost or
duplicated, and one poll cycle brings everything up to date. DLI's faults, flag by flag: readable
errors, never a 500, reads served from snapshots."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from benchmarks.fault_scenario import run_scenario

pytestmark = pytest.mark.django_db


def test_faults_then_recovery(roles, cs_credential, emulator, login):
    client = login(roles.viewer)
    url = reverse("job_list", kwargs={"team": roles.team.slug})

    def get_page():
        response = client.get(url)
        return response.status_code, response.content.decode()

    report = run_scenario(
        emulator,
        cs_credential,
        fault_seconds=0,
        min_cycles=3,
        latency_ms=50,
        error_rate=0.6,
        throttle_rate=0.1,
        truncate_rate=0.05,
        token_lifetime=60,
        clock_step=30,
        get_page=get_page,
    )
    assert report.cycles == 3 and report.failed_syncs > 0, report
    assert report.pages == report.pages_ok, report
    # The page shows its last good data, and warns whenever the poll behind it failed.
    assert report.pages_stale_shown >= report.pages_stale_expected, report
    assert report.lost == 0, report.details
    assert report.duplicated == 0, report.details
    assert report.details["traces"] > 0 and report.details["samples"] > 0, report.details
    assert report.recovery < settings.POLL_INTERVALS["jobs"], report


def test_dli_faults_give_readable_errors_and_no_500(
    roles, dli_credential, emulator, api_client_for, fast_dli
):
    """Each of the emulator's fault flags on DLI's paths while an operator acts on the team's DLI jobs
    and reads its DLI pages: no 500, every refusal readable, reads served from snapshots."""
    import json

    from benchmarks.fault_scenario import run_dli_scenario
    from tests.dashboard.api import dli

    running = dli.running_job(roles.operator, dli_credential, emulator, name="fault_running")
    draft = dli.create_sql_job(roles.operator, dli_credential, name="fault_draft")
    client = api_client_for(roles.operator)

    def api(method, path, body):
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
        response = getattr(client, method.lower())(path, **kwargs)
        return response.status_code, response.content.decode()

    def page(path, data=None):
        response = client.get(path) if data is None else client.post(path, data)
        return response.status_code, response.content.decode()

    report = run_dli_scenario(
        emulator, dli_credential, api=api, page=page, running_job=running, draft_job=draft
    )
    assert report.faults == 5 and report.writes == 40, report
    assert report.server_errors == 0, report.problems
    assert report.unreadable == 0, report.problems
    assert report.writes_refused > 0, report
    assert report.reads_ok == report.reads, report.problems
    assert report.recovered, report.problems


@pytest.fixture
def fast_dli(settings):
    """DLI failures fail fast (no client retries), so each fault is answered at once."""
    settings.CS_HTTP_RETRIES = 0
    settings.CS_HTTP_TIMEOUT = 5.0
    return settings


@pytest.fixture
def api_client_for(client):
    """The site's test client signed in as a user (pages and the API by session)."""

    def signed_in(user):
        client.force_login(user, backend="dashboard.teams.auth.ModelBackend")
        return client

    return signed_in
