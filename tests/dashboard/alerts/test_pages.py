"""The alerts pages: field errors for bad rules, roles, and incidents on the job page and the home page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.alerts.models import Incident, Rule
from dashboard.jobs.models import Job

pytestmark = pytest.mark.django_db


def _rule_form(**overrides):
    data = {
        "name": "failures",
        "kind": "job_failed",
        "severity": "critical",
        "enabled": "on",
        "all_jobs": "on",
        "repeat_minutes": 60,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"kind": "quota", "percent": "150"}, "percent", "less than or equal to 100"),
        ({"kind": "quota", "percent": "0"}, "percent", "greater than or equal to 1"),
        ({"kind": "quota"}, "percent", "needs a value"),
        ({"kind": "no_records", "minutes": "0"}, "minutes", "greater than or equal to 1"),
        ({"kind": "poll_failing", "minutes": "999999"}, "minutes", "less than or equal to"),
        ({"kind": "daily_cost", "budget": "-5"}, "budget", "greater than or equal to"),
        ({"all_jobs": None}, "credentials", "at least one credential"),
        ({"repeat_minutes": "-1"}, "repeat_minutes", "greater than or equal to 0"),
        ({"tags": "=x"}, "tags", "is not a tag"),
    ],
)
def test_bad_rules_are_field_errors(roles, login, overrides, field, message):
    response = login(roles.lead).post(
        reverse("alert_rule_create", kwargs={"team": "alpha"}), _rule_form(**overrides)
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors and message in " ".join(form.errors[field]), form.errors
    assert not Rule.objects.exists()


def test_roles_on_the_pages(roles, login):
    create = reverse("alert_rule_create", kwargs={"team": "alpha"})
    assert login(roles.operator).post(create, _rule_form()).status_code == 403
    assert login(roles.outsider).get(reverse("alert_rules", kwargs={"team": "alpha"})).status_code == 404
    assert login(roles.lead).post(create, _rule_form()).status_code == 302
    rule = Rule.objects.get()
    assert login(roles.viewer).get(reverse("alert_rules", kwargs={"team": "alpha"})).status_code == 200
    silence = reverse("alert_rule_silence", kwargs={"team": "alpha", "rule": rule.public_id})
    assert login(roles.viewer).post(silence, {"until": "2999-01-01T00:00"}).status_code == 403
    assert login(roles.operator).post(silence, {"until": "2999-01-01T00:00"}).status_code == 302
    rule.refresh_from_db()
    assert rule.silenced_until is None  # more than 90 days: refused
    from zoneinfo import ZoneInfo

    from django.conf import settings

    # the form reads the time in the person's zone (the default one: no profile)
    soon = timezone.localtime(timezone.now() + timedelta(hours=2), ZoneInfo(settings.DEFAULT_USER_TIME_ZONE))
    soon = soon.strftime("%Y-%m-%dT%H:%M")
    assert login(roles.operator).post(silence, {"until": soon}).status_code == 302
    rule.refresh_from_db()
    assert rule.silenced_until is not None


def test_job_page_and_home_show_open_incidents(roles, synced, login):
    job = Job.objects.filter(credential=synced).first()
    rule = Rule.objects.create(team=roles.team, name="failures", kind="job_failed")
    incident = Incident.objects.create(
        team=roles.team,
        rule=rule,
        subject=f"job:{job.pk}",
        subject_name=job.name,
        job=job,
        credential=synced,
        summary="Running → Running exception",
    )
    client = login(roles.viewer)
    page = client.get(
        reverse("job_detail", kwargs={"team": "alpha", "credential": synced.public_id, "job_id": job.job_id})
    )
    assert "Running → Running exception" in page.content.decode()
    home = client.get(reverse("home")).content.decode()
    assert "1 open incident" in home
    detail = client.get(reverse("alert_incident", kwargs={"team": "alpha", "incident": incident.public_id}))
    assert detail.status_code == 200 and job.name in detail.content.decode()
    ack = reverse("alert_incident_ack", kwargs={"team": "alpha", "incident": incident.public_id})
    assert client.post(ack).status_code == 403
    assert login(roles.operator).post(ack).status_code == 302
    incident.refresh_from_db()
    assert incident.state == "acknowledged"
    # The job page was cached; acknowledging changed the team's version, so it shows the new state.
    page = login(roles.viewer).get(
        reverse("job_detail", kwargs={"team": "alpha", "credential": synced.public_id, "job_id": job.job_id})
    )
    assert "acknowledged" in page.content.decode()
