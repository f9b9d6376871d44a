"""Rules against the emulator: a failing job opens one incident and one message per channel; a
resolved job says so; flapping, bursts, scopes and the other rule kinds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from csapi import vocab
from dashboard.alerts.channels import verify_signature
from dashboard.alerts.models import (
    ChannelKind,
    Incident,
    IncidentState,
    Notification,
    NotificationState,
)
from dashboard.polling.services import sync
from tests.dashboard.alerts.conftest import SIGNING_KEY, cs_job, running_jobs

pytestmark = pytest.mark.django_db(transaction=True)


def _poll(credential, kind="jobs"):
    result = sync(credential.pk, kind)
    assert result.ok, result
    return result


def test_a_failing_job_sends_one_message_per_channel(
    synced, emulator, receiver, smtp, make_rule, make_channel, eager_celery
):
    webhook = make_channel(url=f"{receiver.url}/hook", signing_key=SIGNING_KEY)
    mail = make_channel(ChannelKind.EMAIL, emails="oncall@example.com, lead@example.com")
    make_rule(webhook, mail)
    job_id = running_jobs(emulator)[0]
    cs_job(emulator, job_id, vocab.JOB_RUNNING_EXCEPTION, "TaskManager lost: out of memory")
    _poll(synced)
    _poll(synced)  # nothing new: no second message

    assert len(receiver.requests) == 1 and len(smtp.messages) == 1
    hook = receiver.requests[0]
    assert verify_signature(SIGNING_KEY, hook.headers["x-csdash-signature"], hook.body)
    assert not verify_signature("another-key-0123456789", hook.headers["x-csdash-signature"], hook.body)
    body = hook.json
    assert body["id"] == hook.headers["x-csdash-delivery"]
    (event,) = body["opened"]
    assert event["status"] == vocab.JOB_RUNNING_EXCEPTION
    assert event["status_desc"] == "TaskManager lost: out of memory"
    assert event["url"].startswith("https://dash.example.com/t/alpha/jobs/") and event["url"].endswith(
        f"/{job_id}/"
    )
    assert body["team"]["name"] == "Alpha Stream"
    mail_message = smtp.messages[0]
    assert "Alpha Stream" in mail_message["Subject"]
    text = mail_message.get_body().get_content()
    assert "TaskManager lost: out of memory" in text and event["url"] in text
    assert sorted(mail_message["To"].addresses[i].addr_spec for i in range(2)) == [
        "lead@example.com",
        "oncall@example.com",
    ]
    incident = Incident.objects.get()
    assert incident.state == IncidentState.OPEN and incident.job.job_id == job_id
    assert set(Notification.objects.values_list("state", flat=True)) == {NotificationState.SENT}

    # Healthy again: resolved, with one "resolved" message per channel.
    cs_job(emulator, job_id, vocab.JOB_RUNNING)
    _poll(synced)
    incident.refresh_from_db()
    assert incident.state == IncidentState.RESOLVED and incident.resolved_at
    assert len(receiver.requests) == 2 and len(smtp.messages) == 2
    assert receiver.requests[1].json["counts"] == {"resolved": 1}


def test_a_failed_poll_raises_no_job_alert(synced, emulator, receiver, make_rule, make_channel, eager_celery):
    make_rule(make_channel(url=f"{receiver.url}/hook", signing_key=SIGNING_KEY))
    job_id = running_jobs(emulator)[0]
    cs_job(emulator, job_id, vocab.JOB_SUBMIT_FAIL, "no resources")
    emulator.faults.configure({"path": r"/jobs$", "error_rate": 1.0, "error_statuses": [503]})
    assert not sync(synced.pk, "jobs").ok
    assert Incident.objects.count() == 0 and receiver.requests == []
    emulator.faults.clear()
    _poll(synced)  # CS's own answer: now it fires
    assert Incident.objects.count() == 1 and len(receiver.requests) == 1


def test_grouped_burst_one_message_per_rule_and_channel(
    synced, emulator, receiver, make_rule, make_channel, eager_celery
):
    first = make_channel(url=f"{receiver.url}/a", signing_key=SIGNING_KEY)
    second = make_channel(url=f"{receiver.url}/b", signing_key=SIGNING_KEY)
    make_rule(first, second, name="failures")
    make_rule(first, name="also failures")
    project = emulator.emulator.projects[emulator.account.project_id]
    now = emulator.clock.now()
    jobs = sorted(j for j, job in project.jobs.items() if job.status(now) != vocab.JOB_RUNNING_EXCEPTION)
    for job_id in jobs:
        cs_job(emulator, job_id, vocab.JOB_RUNNING_EXCEPTION, "cluster lost")
    with CaptureQueriesContext(connection) as queries:
        _poll(synced)
    assert Incident.objects.count() == 2 * len(jobs)
    assert len(receiver.requests) == 3  # 2 rules x their channels
    for request in receiver.requests:
        body = request.json
        assert body["counts"]["opened"] == len(jobs)
        assert len(body["opened"]) == min(20, len(jobs))
    assert len(queries) < 80, len(queries)


def test_flapping_gives_at_most_one_message_per_repeat_interval(
    synced, emulator, receiver, make_rule, make_channel, eager_celery, settings, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    from dashboard.alerts import evaluation

    settings.ALERT_RESOLVE_AFTER = 600  # flapping faster than this keeps one incident
    make_rule(make_channel(url=f"{receiver.url}/hook", signing_key=SIGNING_KEY), repeat_minutes=30)
    job_id = running_jobs(emulator)[0]
    shift = {"minutes": 0}
    monkeypatch.setattr(evaluation, "now", lambda: timezone.now() + timedelta(minutes=shift["minutes"]))
    for minute in range(0, 29, 2):  # fails and recovers every minute for 28 minutes
        shift["minutes"] = minute
        cs_job(emulator, job_id, vocab.JOB_RUNNING_EXCEPTION, "flap")
        _poll(synced)
        shift["minutes"] = minute + 1
        cs_job(emulator, job_id, vocab.JOB_RUNNING)
        _poll(synced)
    assert len(receiver.requests) == 1
    shift["minutes"] = 31
    cs_job(emulator, job_id, vocab.JOB_RUNNING_EXCEPTION, "flap")
    _poll(synced)
    assert len(receiver.requests) == 2  # one reminder after the interval
    assert receiver.requests[1].json["counts"] == {"reminders": 1}
    assert receiver.requests[1].json["reminders"][0]["url"].endswith(f"/{job_id}/")
    assert Incident.objects.count() == 1 and Incident.objects.get().fired_count > 10
