"""Job detail page: access matrix, every field, history timeline, charts, plan, audit and action log."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard.jobs.models import Job, JobStatusChange

from .conftest import job_url

pytestmark = pytest.mark.django_db


def test_matrix(roles, login, sql_job):
    url = job_url("job_detail", sql_job)
    assert login(roles.outsider).get(url).status_code == 404
    assert login(roles.other_lead).get(url).status_code == 404
    assert login(roles.viewer).get(url).status_code == 200
    assert login(roles.viewer).post(url).status_code == 405


def test_bad_ids_are_404(roles, login, sql_job):
    client = login(roles.lead)
    kwargs = {"team": "alpha", "credential": sql_job.credential.public_id, "job_id": 999999999}
    assert client.get(reverse("job_detail", kwargs=kwargs)).status_code == 404
    kwargs.update(credential=uuid.uuid4(), job_id=sql_job.job_id)
    assert client.get(reverse("job_detail", kwargs=kwargs)).status_code == 404
    assert client.get(f"/t/alpha/jobs/{sql_job.credential.public_id}/abc/").status_code == 404


def test_another_teams_credential_is_404(roles, login, synced, other_synced):
    other = Job.objects.filter(team=roles.other_team).first()
    url = reverse(
        "job_detail",
        kwargs={"team": "alpha", "credential": other.credential.public_id, "job_id": other.job_id},
    )
    assert login(roles.lead).get(url).status_code == 404


def test_detail_shows_fields_config_sql_and_history(roles, login, sql_job):
    JobStatusChange.objects.create(
        job=sql_job,
        previous_status="job_running",
        status="job_running_exception",
        status_desc="Checkpoint storage unreachable",
    )
    page = login(roles.viewer).get(job_url("job_detail", sql_job)).content.decode()
    assert sql_job.name in page
    assert "Configuration" in page and "Checkpoint mode" in page and "Checkpoint interval (s)" in page
    assert "Checkpoint storage unreachable" in page
    assert "Status history" in page
    assert 'name="resume_savepoint"' not in page  # viewers get no actions


def test_cs_fields_are_words_and_api_keys_only_in_the_raw_disclosure(roles, login, sql_job):
    import re

    from django.utils.html import escape

    Job.objects.filter(pk=sql_job.pk).update(
        raw={**sql_job.raw, "graph_editor_enabled": False, "brand_new_field": 3},
        job_config={**(sql_job.job_config or {}), "root_id": -1, "checkpoint_mode": 1},
    )
    for language, words in (("en", ("Graph editor", "Exactly once")), ("zh-CN", ("图形编辑器", "精确一次"))):
        page = (
            login(roles.viewer)
            .get(job_url("job_detail", sql_job), HTTP_ACCEPT_LANGUAGE=language)
            .content.decode()
        )
        raw = re.search(r'<details class="raw-fields">.*?</details>', page, re.S)
        assert raw and "brand_new_field" in raw.group(0)
        outside = page.replace(raw.group(0), "")
        for key in (
            "graph_editor_enabled",
            "checkpoint_mode",
            "root_id",
            "brand_new_field",
            "checkpoint_interval",
        ):
            assert f"<dt>{key}</dt>" not in outside and f"<code>{key}</code>" not in outside, key
        assert all(escape(w) in outside for w in words), (language, words)
        assert ">-1<" not in outside  # "no root job" is not shown as CS's -1


def test_running_job_with_one_sample_says_so(roles, login, running_job):
    page = login(roles.viewer).get(job_url("job_detail", running_job)).content.decode()
    assert "Not enough samples yet" in page and "data-chart=" not in page


def test_running_job_has_charts(roles, login, running_job):
    from datetime import timedelta

    from dashboard.jobs.models import MetricSample

    sample = MetricSample.objects.filter(job=running_job).latest("sampled_at")
    sample.pk, sample.sampled_at = None, sample.sampled_at - timedelta(minutes=1)
    sample.save()  # a second sample: a line can be drawn
    page = login(roles.viewer).get(job_url("job_detail", running_job)).content.decode()
    assert "data-chart=" in page and "Records in" in page  # drawn by static/js/charts.js
    assert 'id="chart-records-summary"' in page  # the text alternative
    body = page.split("<main", 1)[1]
    assert "<script" not in body  # no inline script anywhere (CSP)


def test_execution_plan_is_drawn_from_the_snapshot(roles, login, sql_job):
    plan = [
        {"id": 1, "type": "Source", "contents": "Source: car_infos<script>", "parallelism": 2},
        {
            "id": 2,
            "type": "Operator",
            "contents": "Calc",
            "parallelism": 2,
            "predecessors": [{"id": 1, "ship_strategy": "FORWARD"}],
        },
        {
            "id": 3,
            "type": "Sink",
            "contents": "Sink: warnings",
            "parallelism": 2,
            "predecessors": [{"id": 2, "ship_strategy": "HASH"}],
        },
    ]
    Job.objects.filter(pk=sql_job.pk).update(execution_graph=json.dumps(plan))
    page = login(roles.viewer).get(job_url("job_detail", sql_job)).content.decode()
    assert 'class="plan-graph"' in page
    assert "car_infos&lt;script&gt;" in page and "car_infos<script>" not in page
    assert "HASH" in page and "Source #1" in page and "parallelism 2" in page
    chinese = (
        login(roles.viewer).get(job_url("job_detail", sql_job), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    )
    assert "输入流 #1" in chinese and "算子 #2" in chinese and "并行度 2" in chinese


def test_detail_never_calls_cs(roles, login, sql_job, cs_calls):
    before = cs_calls.total()
    assert login(roles.viewer).get(job_url("job_detail", sql_job)).status_code == 200
    assert cs_calls.total() == before


def test_detail_query_count_is_constant(roles, login, running_job):
    client = login(roles.viewer)
    client.get(job_url("job_detail", running_job))
    with CaptureQueriesContext(connection) as first:
        client.get(job_url("job_detail", running_job))
    JobStatusChange.objects.bulk_create(
        [JobStatusChange(job=running_job, status="job_running") for _ in range(30)]
    )
    with CaptureQueriesContext(connection) as second:
        client.get(job_url("job_detail", running_job))
    assert len(first) == len(second)


def test_deleted_job_is_404(roles, login, sql_job):
    from django.utils import timezone

    Job.objects.filter(pk=sql_job.pk).update(deleted_at=timezone.now())
    assert login(roles.viewer).get(job_url("job_detail", sql_job)).status_code == 404


def test_every_audit_event_the_emulator_records_has_a_label():
    """CS's audit event names (as the emulator records them after the reference) are shown in words."""
    import ast
    from pathlib import Path

    from csapi.vocab import AUDIT_EVENTS

    source = Path(__file__).resolve().parents[3] / "csapi" / "emulator" / "service.py"
    events = {
        node.args[3].value
        for node in ast.walk(ast.parse(source.read_text()))
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", "") == "trace"
        and len(node.args) > 3
        and isinstance(node.args[3], ast.Constant)
    }
    assert {"startJob", "createCluster"} <= events
    assert sorted(events - set(AUDIT_EVENTS)) == []
