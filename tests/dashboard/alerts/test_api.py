"""The alerts API: leads create rules and channels (secrets never come back), operators acknowledge."""

from __future__ import annotations

import pytest

from dashboard.alerts.models import Channel, Incident, Rule
from tests.dashboard.alerts.conftest import SIGNING_KEY
from tests.dashboard.api.conftest import assert_error

pytestmark = pytest.mark.django_db
BASE = "/api/v1/teams/alpha/alerts/"


def test_rules_and_channels_through_the_api(roles, api, receiver):
    lead = api(roles.lead, token=True)
    url = f"{receiver.url}/hook?token=tok-1234"
    response = lead.post(
        BASE + "channels/",
        {"name": "hook", "kind": "webhook", "url": url, "signing_key": SIGNING_KEY},
        format="json",
    )
    assert response.status_code == 201, response.content
    channel = response.json()
    assert (
        channel["has_secret"]
        and "tok-1234" not in response.content.decode()
        and SIGNING_KEY not in response.content.decode()
    )
    assert channel["target_hint"] == f"http://{receiver.netloc}/…"
    bad = lead.post(BASE + "rules/", {"name": "q", "kind": "quota", "percent": 101}, format="json")
    assert assert_error(bad, 400, "invalid")["detail"]["percent"]
    empty = lead.post(BASE + "rules/", {"name": "q", "kind": "job_failed", "all_jobs": False}, format="json")
    assert "credentials" in assert_error(empty, 400)["detail"]
    created = lead.post(
        BASE + "rules/",
        {
            "name": "etl",
            "kind": "job_failed",
            "all_jobs": False,
            "name_pattern": "etl_*",
            "tags": ["env=prod"],
            "channels": [channel["id"]],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    rule = created.json()
    assert rule["channels"] == [channel["id"]] and rule["tags"] == ["env=prod"]
    patched = lead.patch(BASE + f"rules/{rule['id']}/", {"severity": "warning"}, format="json")
    assert patched.status_code == 200 and patched.json()["name_pattern"] == "etl_*"
    assert_error(
        api(roles.operator).post(BASE + "rules/", {"name": "x", "kind": "job_failed"}, format="json"), 403
    )
    other = Channel.objects.create(team=roles.other_team, name="beta", kind="email", emails="b@example.com")
    smuggled = lead.post(
        BASE + "rules/",
        {"name": "y", "kind": "job_failed", "channels": [str(other.public_id)]},
        format="json",
    )
    assert "channels" in assert_error(smuggled, 400)["detail"]
    assert Rule.objects.filter(team=roles.team).count() == 1


def test_incidents_list_and_acknowledge(roles, api):
    rule = Rule.objects.create(team=roles.team, name="failures", kind="job_failed")
    incident = Incident.objects.create(
        team=roles.team, rule=rule, subject="credential:1", subject_name="prod", summary="down"
    )
    listed = api(roles.viewer).get(BASE + "incidents/?state=open").json()
    assert [i["id"] for i in listed["results"]] == [str(incident.public_id)]
    assert_error(api(roles.viewer).post(BASE + f"incidents/{incident.public_id}/acknowledge/"), 403)
    done = api(roles.operator).post(BASE + f"incidents/{incident.public_id}/acknowledge/")
    assert done.status_code == 200 and done.json()["state"] == "acknowledged"
    detail = api(roles.viewer).get(BASE + f"incidents/{incident.public_id}/").json()
    assert detail["deliveries"] == [] and detail["acknowledged_at"]


def test_api_field_errors_are_in_the_callers_language(roles, api):
    from datetime import timedelta

    from django.utils import timezone

    operator = api(roles.operator, token=True)
    body = {"rule": "not-a-uuid", "until": (timezone.now() + timedelta(days=1)).isoformat()}
    english = operator.post(BASE + "silences/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(english, 400)["detail"]["rule"] == ["Not a valid id."]
    chinese = operator.post(BASE + "silences/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert assert_error(chinese, 400)["detail"]["rule"] == ["不是有效的 ID。"]
