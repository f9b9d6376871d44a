"""Fuzz every form of the site: random values in every field the page offers, as the team's lead.

No input makes a page fail (the test client re-raises any exception a view lets through), and a
refused form writes nothing: no snapshot row, action log entry or CS call changes.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import requests
from django.apps import apps
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.jobs.models import Job
from dashboard.polling.services import sync_all
from dashboard.teams.models import ActionLog

pytestmark = pytest.mark.django_db

READ_POSTS = {"POST /v3/auth/tokens", "POST /v1.0/{project_id}/jobs/metrics"}


class _Forms(HTMLParser):
    """The POST forms of a page: their action and the names of their fields (with choices)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self.forms.append({"action": a.get("action") or "", "fields": {}})
        elif not self.forms:
            return
        elif (
            tag in ("input", "textarea")
            and a.get("name")
            and a.get("type") not in ("hidden", "submit", "file")
        ):
            self.forms[-1]["fields"].setdefault(a["name"], [])
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.forms[-1]["fields"].setdefault(a["name"], [])
        elif tag == "option" and self._select:
            self.forms[-1]["fields"][self._select].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


NASTY = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "401",
        "99999999999999999999",
        "1e9",
        "NaN",
        "null",
        "true",
        "a" * 600,
        "名字",
        "x" * 58,
        "bad name!",
        "<script>alert(1)</script>",
        "'; DROP TABLE jobs; --",
        "\x00",
        "obs://bucket/path",
        "10.0.0.0/33",
        "300.1.1.1",
        "127.0.0.1",
        "exactly_once",
        "shared_cluster",
    ]
)


def _value(choices):
    if choices:
        return st.one_of(st.sampled_from(choices), NASTY)
    return st.one_of(NASTY, st.text(max_size=40), st.integers(-5, 500).map(str))


def _writes(emulator) -> int:
    counts = requests.get(f"{emulator.url}/_emulator/stats", timeout=10).json()["by_operation"]
    return sum(n for op, n in counts.items() if not op.startswith("GET ") and op not in READ_POSTS)


def _row_counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in ("jobs", "clusters", "usage", "teams", "alerts") and m is not ActionLog
    }


@pytest.fixture
def forms(roles, cs_credential, emulator, login):
    assert all(r.ok for r in sync_all(cs_credential.id).values())
    from csapi import vocab

    # an editable job (a running one is not offered for editing)
    job = (
        Job.objects.filter(credential=cs_credential)
        .exclude(sql_body="")
        .exclude(status__in=vocab.JOB_BUSY_STATUSES)
        .first()
    )
    client = login(roles.lead)
    team = roles.team.slug
    pages = [
        reverse(name, kwargs={"team": team})
        for name in (
            "sql_job_create",
            "jar_job_create",
            "template_create",
            "cluster_create",
            "members",
            "credential_create",
            "alert_rule_create",
            "alert_channel_create",
            "alert_maintenance",
        )
    ]
    pages.append(
        reverse(
            "job_edit", kwargs={"team": team, "credential": cs_credential.public_id, "job_id": job.job_id}
        )
    )
    pages.append(reverse("credential_detail", kwargs={"team": team, "credential": cs_credential.public_id}))
    from dashboard.clusters.models import Cluster
    from dashboard.usage.models import UserQuota

    cluster = Cluster.objects.filter(credential=cs_credential, status_code=vocab.CLUSTER_RUNNING).first()
    quota = UserQuota.objects.filter(credential=cs_credential).first()
    base = {"team": team, "credential": cs_credential.public_id}
    pages += [
        reverse("host_list", kwargs={**base, "cluster_id": cluster.cluster_id}),
        reverse("peering_list", kwargs={**base, "cluster_id": cluster.cluster_id}),
        reverse("cluster_update", kwargs={**base, "cluster_id": cluster.cluster_id}),
        reverse("quota_edit", kwargs={**base, "user_id": quota.user_id}),
    ]
    found = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        parser = _Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = form["action"] or url
            # Forms that change state without fields (run, stop, delete...) are not for fuzzing.
            if form["fields"] and not re.search(
                r"/(delete|remove|stop|restart|run|revoke|logout)/?$", action
            ):
                found.append((action, form["fields"]))
    assert len(found) >= 10, found
    return client, found


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_no_input_breaks_a_form(forms, emulator, data):
    client, found = forms
    action, fields = data.draw(st.sampled_from(found))
    values = {name: data.draw(_value(choices), label=name) for name, choices in fields.items()}
    before_rows, before_writes = _row_counts(), _writes(emulator)
    before_failures = ActionLog.objects.filter(outcome="failure").count()
    response = client.post(action, values)
    assert response.status_code in (200, 302, 400, 403, 404, 413), (action, values, response.status_code)
    if response.status_code == 400 and "field-error" in response.content.decode():
        assert _row_counts() == before_rows and _writes(emulator) == before_writes, (action, values)
    if response.status_code == 200 and "field-error" in response.content.decode():
        # Refused: nothing was written. Refused by the form itself (no failed CS call in the action
        # log), nothing reached CS either.
        assert _row_counts() == before_rows, (action, values)
        if ActionLog.objects.filter(outcome="failure").count() == before_failures:
            assert _writes(emulator) == before_writes, (action, values)
