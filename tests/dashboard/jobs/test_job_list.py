"""Job list pages: access, filters, summary cards, sorting, paging, live fragment with 304, isolation."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard.jobs.models import Job

from .conftest import job_url, team_url

pytestmark = pytest.mark.django_db


def test_outsider_gets_404(roles, login, synced):
    assert login(roles.outsider).get(team_url("job_list")).status_code == 404
    assert login(roles.outsider).get(team_url("job_list_rows")).status_code == 404


def test_anonymous_is_sent_to_login(roles, login):
    response = login(None).get(team_url("job_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_wrong_method_is_405(roles, login):
    assert login(roles.viewer).post(team_url("job_list")).status_code == 405
    assert login(roles.viewer).post(reverse("jobs_all")).status_code == 405


def test_unknown_team_is_404(roles, login):
    assert login(roles.lead).get(team_url("job_list", team="nope")).status_code == 404


def test_viewer_sees_jobs_without_batch_controls(roles, login, synced):
    response = login(roles.viewer).get(team_url("job_list"))
    assert response.status_code == 200
    page = response.content.decode()
    job = Job.objects.filter(team=roles.team).first()
    assert job.name in page
    assert 'id="batch-form"' not in page
    assert "emulator" in page  # the credential is named on the page
    assert "New SQL job" not in page.split("<main", 1)[1]


def test_operator_sees_batch_controls_and_links(roles, login, synced):
    page = login(roles.operator).get(team_url("job_list")).content.decode()
    assert 'id="batch-form"' in page
    assert reverse("sql_job_create", kwargs={"team": "alpha"}) in page
    assert reverse("jar_job_create", kwargs={"team": "alpha"}) in page


def test_status_cards_count_and_filter(roles, login, synced):
    client = login(roles.viewer)
    response = client.get(team_url("job_list"))
    summary = {s["group"]: s["count"] for s in response.context["summary"]}
    running = Job.objects.filter(team=roles.team, status="job_running", deleted_at__isnull=True).count()
    assert summary["running"] == running > 0
    response = client.get(team_url("job_list"), {"status": "running"})
    jobs = list(response.context["jobs"])
    assert jobs and all(j.status == "job_running" for j in jobs)


@pytest.mark.parametrize(
    "params",
    [
        {"type": "flink_jar_job"},
        {"mode": "exclusive_cluster"},
        {"q": "a"},
        {"status": "job_running"},
        {"sort": "name"},
        {"sort": "-duration"},
    ],
)
def test_filters_and_sorting(roles, login, synced, params):
    response = login(roles.viewer).get(team_url("job_list"), params)
    assert response.status_code == 200
    jobs = list(response.context["jobs"])
    if "type" in params:
        assert jobs and all(j.job_type == params["type"] for j in jobs)
    if "mode" in params:
        assert jobs and all(j.run_mode == params["mode"] for j in jobs)
    if params.get("sort") == "name":
        names = [j.name for j in jobs]
        assert names == sorted(names)


def test_cluster_and_credential_filters(roles, login, synced):
    job = Job.objects.filter(team=roles.team, cluster_id__isnull=False).first()
    client = login(roles.viewer)
    jobs = list(client.get(team_url("job_list"), {"cluster": job.cluster_id}).context["jobs"])
    assert jobs and all(j.cluster_id == job.cluster_id for j in jobs)
    jobs = list(client.get(team_url("job_list"), {"credential": str(synced.public_id)}).context["jobs"])
    assert jobs


@pytest.mark.parametrize(
    "garbage",
    [
        {"status": "<script>"},
        {"sort": "password"},
        {"page": "-1"},
        {"page": "99999"},
        {"cluster": "x" * 500},
        {"credential": "not-a-uuid"},
        {"q": "\x00" * 3},
        {"page": "9" * 40},
    ],
)
def test_bad_query_values_never_fail(roles, login, synced, garbage):
    assert login(roles.viewer).get(team_url("job_list"), garbage).status_code == 200
    assert login(roles.viewer).get(team_url("job_list_rows"), garbage).status_code == 200


def test_pagination(roles, login, synced):
    response = login(roles.viewer).get(team_url("job_list"), {"page": 2})
    count = Job.objects.filter(team=roles.team, deleted_at__isnull=True).count()
    assert response.context["page"].paginator.count == count
    assert response.context["page"].number == min(2, response.context["page"].paginator.num_pages)


@pytest.mark.parametrize(
    "status", ["", "running", "failed", "stopped", "job_running", "job_cancel_success", "nope"]
)
def test_the_pager_counts_what_the_filter_keeps(roles, login, synced, status):
    """The list's total comes from the status counts the cards show: it equals the filtered rows."""
    from django.core.cache import caches

    from dashboard.jobs import selectors

    Job.objects.filter(team=roles.team).update(status="running")  # an alias of job_running, as CS 1.0 says
    Job.objects.filter(pk=Job.objects.filter(team=roles.team).first().pk).update(status="job_cancel_success")
    filters = selectors.JobFilters.from_query({"status": status})
    expected = selectors.job_list(roles.team, filters).count()
    client = login(roles.viewer)
    page = client.get(team_url("job_list"), {"status": status}).context["page"]
    assert page.paginator.count == expected
    caches["fragments"].clear()  # the rows view counts on its own: render its table anew
    assert (
        client.get(team_url("job_list_rows"), {"status": status}).context["page"].paginator.count == expected
    )
    if status == "running":
        assert expected == Job.objects.filter(team=roles.team, deleted_at__isnull=True).count() - 1 > 0


def test_rows_fragment_answers_304_when_nothing_changed(roles, login, synced):
    running = Job.objects.filter(team=roles.team, status="job_running", deleted_at__isnull=True).first()
    query = {"q": running.name}
    client = login(roles.viewer)
    first = client.get(team_url("job_list_rows"), query)
    assert first.status_code == 200
    etag = first["ETag"]
    assert first["X-Rows-Version"] == etag.strip('"')
    with CaptureQueriesContext(connection) as queries:
        again = client.get(team_url("job_list_rows"), query, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert not [q for q in queries.captured_queries if "jobs_job" in q["sql"]]  # no job is read
    assert login(roles.operator).post(job_url("job_stop", running)).status_code == 302
    changed = client.get(team_url("job_list_rows"), query, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert 'data-status="job_canceling"' in changed.content.decode()


def test_other_teams_jobs_never_show(roles, login, synced, other_synced):
    page = login(roles.lead).get(team_url("job_list")).content.decode()
    other = Job.objects.filter(team=roles.other_team).values_list("job_id", flat=True)
    # the same page again comes from the fragment cache: read the rows it shows from the HTML
    again = login(roles.lead).get(team_url("job_list"), {"page": 1}).content.decode()
    shown = {int(j) for j in re.findall(r'data-job="[0-9a-f-]+:(\d+)"', again)}
    assert shown
    assert shown.isdisjoint(set(other)) or all(
        Job.objects.filter(team=roles.team, job_id=j).exists() for j in shown
    )
    assert "emulator-2" not in page


def test_all_jobs_page_covers_only_the_users_teams(roles, login, synced, other_synced):
    response = login(roles.lead).get(reverse("jobs_all"))
    assert response.status_code == 200
    teams = {j.team_id for j in response.context["jobs"]}
    assert teams == {roles.team.id}
    response = login(roles.outsider).get(reverse("jobs_all"))
    assert list(response.context["jobs"]) == []
    rows = login(roles.other_lead).get(reverse("jobs_all_rows"))
    assert rows.status_code == 200
    assert {j.team_id for j in rows.context["jobs"]} == {roles.other_team.id}


@pytest.mark.usefixtures("one_minute")
def test_list_query_count_is_constant(roles, login, synced):
    from django.core.cache import caches

    client = login(roles.viewer)
    client.get(team_url("job_list"))
    caches["fragments"].clear()  # compare renders of the table, not a render with a cache hit
    with CaptureQueriesContext(connection) as few:
        client.get(team_url("job_list"))
    with CaptureQueriesContext(connection) as cached:
        client.get(team_url("job_list"))
    assert len(cached) < len(few)  # the table came from the fragment cache: no count, no page query
    job = Job.objects.filter(team=roles.team).first()
    clones = []
    for i in range(60):
        clone = Job.objects.get(pk=job.pk)
        clone.pk = None
        clone.job_id = 9_000_000 + i
        clones.append(clone)
    Job.objects.bulk_create(clones)
    caches["fragments"].clear()  # a render again, now with more jobs
    with CaptureQueriesContext(connection) as many:
        client.get(team_url("job_list"))
    assert len(many) == len(few)


def test_live_table_shows_the_staleness_banner_when_polling_fails(roles, login, synced, emulator):
    from dashboard.polling.services import sync

    client = login(roles.viewer)
    fresh = client.get(team_url("job_list_rows"))
    assert "may be out of date" not in fresh.content.decode()
    emulator.emulator.faults.configure({"path": "/jobs", "error_rate": 1.0, "status": 503})
    assert not sync(synced.pk, "jobs").ok
    stale = client.get(team_url("job_list_rows"), HTTP_IF_NONE_MATCH=fresh["ETag"])
    assert stale.status_code == 200
    page = stale.content.decode()
    assert "may be out of date" in page and "CS error" in page
    assert "may be out of date" in client.get(team_url("job_list")).content.decode()


def test_filter_form_marks_the_chosen_values_and_escapes_names(roles, login, synced):
    from dashboard.clusters.models import Cluster

    cluster = Cluster.objects.filter(team=roles.team, deleted_at__isnull=True).first()
    Cluster.objects.filter(pk=cluster.pk).update(name='<b>"x"</b>')
    page = login(roles.viewer).get(team_url("job_list"), {"status": "failed", "cluster": cluster.cluster_id})
    html = page.content.decode()
    assert '<option value="failed" selected>' in html and '<option value="running">' in html
    assert f'<option value="{cluster.cluster_id}" selected>&lt;b&gt;&quot;x&quot;&lt;/b&gt;</option>' in html
    assert '<b>"x"</b>' not in html


def test_a_poll_failure_reads_in_each_readers_language(roles, login, synced, emulator):
    """The worker keeps the error's code and CS's words, not a sentence in its own language."""
    from dashboard.polling.models import PollHealth
    from dashboard.polling.services import sync

    emulator.emulator.faults.configure({"path": "/jobs", "error_rate": 1.0, "status": 503})
    assert not sync(synced.pk, "jobs").ok
    health = PollHealth.objects.get(credential=synced, kind="jobs")
    assert health.last_error_record["class"] == "CSServerError" and "request id" in health.last_error
    client = login(roles.viewer)
    english = client.get(team_url("job_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(team_url("job_list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "CS error: " in english and "CS had an internal error." in english
    assert "CS 错误：" in chinese and "CS 内部出错。" in chinese and "internal error" not in chinese
    assert "request id" not in english  # the sentence of the worker's log is not the page's
