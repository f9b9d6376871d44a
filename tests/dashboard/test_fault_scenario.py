"""CS faults for a while, then healthy: pages stay up with a staleness warning, nothing is lost or
duplicated, and one poll cycle brings everything up to date."""

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
