"""The CS fault scenario (5xx, latency, 429s, expiring tokens, truncated bodies, then healthy) raises
no job alert: failed polls open nothing, and CS's own answers said nothing failed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from benchmarks.fault_scenario import run_scenario
from csapi import vocab
from dashboard.alerts.models import Incident, Notification, RuleKind
from dashboard.polling.services import sync
from tests.dashboard.alerts.conftest import SIGNING_KEY, cs_job, running_jobs

pytestmark = pytest.mark.django_db(transaction=True)


def test_fault_scenario_raises_no_job_alert(
    roles, cs_credential, emulator, login, receiver, make_rule, make_channel, eager_celery
):
    hook = make_channel(url=f"{receiver.url}/hook", signing_key=SIGNING_KEY)
    for kind in (RuleKind.JOB_FAILED, RuleKind.JOB_RESTARTED):
        make_rule(hook, kind=kind)
    make_rule(hook, kind=RuleKind.NO_RECORDS, minutes=1)
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
        error_rate=0.3,
        throttle_rate=0.1,
        truncate_rate=0.05,
        token_lifetime=60,
        clock_step=30,
        get_page=get_page,
    )
    assert report.cycles == 3 and report.failed_syncs > 0, report
    assert Incident.objects.count() == 0, list(Incident.objects.values("subject_name", "summary"))
    assert Notification.objects.count() == 0 and receiver.requests == []
    # The rules were live all along: a real failure, answered by CS, is told once.
    job_id = running_jobs(emulator)[0]
    cs_job(emulator, job_id, vocab.JOB_RUNNING_EXCEPTION, "lost")
    assert sync(cs_credential.pk, "jobs").ok
    assert Incident.objects.count() == 1 and len(receiver.requests) == 1
