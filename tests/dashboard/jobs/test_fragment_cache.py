"""Job pages are cached whole under the team's version, and never shown stale: every write path (a
user's action, a poll, a background fetch) changes the version, and per-request parts are filled in."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard.jobs.models import Job
from dashboard.teams.models import Team
from tests.dashboard.jobs.conftest import job_url, sync_kinds, team_url


def _row(page: str, job: Job) -> str:
    start = page.index(f'data-job="{job.credential.public_id}:{job.job_id}"')
    return page[start : page.index("</tr>", start)]


@pytest.mark.usefixtures("one_minute")
def test_cached_job_list_follows_an_action_and_the_next_poll(roles, login, stopped_job, emulator):
    viewer = login(roles.viewer)
    query = {"q": stopped_job.name}
    first = viewer.get(team_url("job_list"), query).content.decode()
    status = f'data-status="{stopped_job.status}"'
    assert status in _row(first, stopped_job)
    with CaptureQueriesContext(connection) as hit:
        again = viewer.get(team_url("job_list"), query).content.decode()
    assert _row(again, stopped_job) == _row(first, stopped_job)
    assert not any("jobs_job" in q["sql"] for q in hit.captured_queries), "a hit reads no job"

    assert login(roles.operator).post(job_url("job_run", stopped_job)).status_code == 302
    row = _row(viewer.get(team_url("job_list"), query).content.decode(), stopped_job)
    assert 'data-status="job_submitting"' in row and status not in row
    assert 'data-status="job_submitting"' in _row(
        viewer.get(team_url("job_list_rows"), query).content.decode(), stopped_job
    )

    emulator.clock.advance(120)
    sync_kinds(stopped_job.credential, ("jobs",))
    stopped_job.refresh_from_db()
    assert stopped_job.status == "job_running"
    assert 'data-status="job_running"' in _row(
        viewer.get(team_url("job_list"), query).content.decode(), stopped_job
    )
    assert 'data-status="job_running"' in _row(
        viewer.get(team_url("job_list_rows"), query).content.decode(), stopped_job
    )


def test_cached_job_list_is_per_role(roles, login, synced):
    viewer = login(roles.viewer).get(team_url("job_list")).content.decode()
    assert "data-select-all" not in viewer and 'name="jobs"' not in viewer
    operator = login(roles.operator).get(team_url("job_list")).content.decode()
    assert "data-select-all" in operator and 'name="jobs"' in operator
    rows = login(roles.operator).get(team_url("job_list_rows")).content.decode()
    assert 'name="jobs"' in rows
    assert 'name="jobs"' not in login(roles.viewer).get(team_url("job_list_rows")).content.decode()
    assert 'name="jobs"' not in login(roles.viewer).get(team_url("job_list")).content.decode()


def test_a_role_change_shows_at_once(roles, login, synced):
    from dashboard.teams.models import Membership, Role

    client = login(roles.viewer)
    assert 'name="jobs"' not in client.get(team_url("job_list")).content.decode()
    Membership.objects.filter(user=roles.viewer, team=roles.team).update(role=Role.OPERATOR)
    assert 'name="jobs"' in client.get(team_url("job_list")).content.decode()
    Membership.objects.filter(user=roles.viewer, team=roles.team).delete()
    assert client.get(team_url("job_list")).status_code == 404


def test_cached_page_carries_this_sessions_csrf_token_and_messages(roles, login, synced, running_job):
    operator = login(roles.operator)
    operator.get(team_url("job_list"))  # cached now
    page = operator.get(team_url("job_list")).content.decode()
    assert "pageslot-" not in page
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    # a browser-like client (CSRF checks on) posts the batch form with the token the cached page carried
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.cookies = operator.cookies
    confirm = strict.post(
        team_url("job_batch"),
        {
            "action": "stop",
            "jobs": [f"{running_job.credential.public_id}:{running_job.job_id}"],
            "csrfmiddlewaretoken": token,
        },
    )
    assert confirm.status_code == 200 and running_job.name in confirm.content.decode()

    # a flash message shows once, on the cached page too, and is not kept in the cache for the next visit
    response = operator.post(job_url("job_stop", running_job))
    assert response.status_code == 302
    shown = operator.get(team_url("job_list")).content.decode()
    assert 'class="messages"' in shown and "pageslot-" not in shown
    assert 'class="messages"' not in operator.get(team_url("job_list")).content.decode()
    other = login(roles.viewer).get(team_url("job_list")).content.decode()
    assert 'class="messages"' not in other


def test_cached_job_detail_follows_a_failure_seen_by_the_poller(roles, login, stopped_job, emulator):
    client = login(roles.viewer)
    url = job_url("job_detail", stopped_job)
    first = client.get(url).content.decode()
    assert 'data-status="job_running_exception"' not in first
    assert client.get(url).content.decode().count("data-status") == first.count("data-status")

    emulator.emulator.queue_outcomes("job_running_exception")
    assert login(roles.operator).post(job_url("job_run", stopped_job)).status_code == 302
    emulator.clock.advance(3700)  # the emulator fails a running job about an hour in
    sync_kinds(stopped_job.credential, ("jobs",))
    stopped_job.refresh_from_db()
    assert stopped_job.status == "job_running_exception" and stopped_job.status_desc

    page = client.get(url).content.decode()
    history = page[page.index("Status history") : page.index("Monitoring")]
    assert 'data-status="job_running_exception"' in history
    fields = page[page.index("<h2>Job</h2>") : page.index("<h2>Configuration</h2>")]
    assert stopped_job.status_desc[:40] in fields
    # the dashboard's action log shows who ran it
    assert "Ran a job" in page and roles.operator.username in page


def test_cached_job_detail_is_per_role(roles, login, running_job):
    url = job_url("job_detail", running_job)
    assert "job-actions" not in login(roles.viewer).get(url).content.decode()
    assert "job-actions" in login(roles.operator).get(url).content.decode()
    assert "job-actions" not in login(roles.viewer).get(url).content.decode()


def test_freshness_is_worked_out_per_request_from_cached_poll_health(roles, login, synced, settings):
    client = login(roles.viewer)
    assert "may be out of date" not in client.get(team_url("job_list")).content.decode()
    # No write happens, time passes: the page is served from the cache, the banner still appears (the
    # notice is worked out once per second).
    settings.POLL_STALE_FACTOR = 0.0
    time.sleep(1.05)
    assert "may be out of date" in client.get(team_url("job_list")).content.decode()
    assert "may be out of date" in client.get(team_url("job_list_rows")).content.decode()


def test_a_failed_poll_shows_at_once(roles, login, synced, emulator):
    client = login(roles.viewer)
    assert "CS error" not in client.get(team_url("job_list")).content.decode()
    emulator.emulator.faults.configure({"path": "/jobs", "error_rate": 1.0, "status": 503})
    from dashboard.polling.services import sync

    assert not sync(synced.pk, "jobs").ok
    assert "CS error" in client.get(team_url("job_list")).content.decode()


@pytest.mark.usefixtures("one_minute")
def test_a_team_page_hit_costs_three_queries(roles, login, running_job, django_assert_max_num_queries):
    client = login(roles.viewer)
    for url in (team_url("job_list"), team_url("job_list_rows")):
        client.get(url)
        # session (cache table or Redis), user, membership with the team's versions; nothing of the jobs
        with django_assert_max_num_queries(3):
            assert client.get(url).status_code == 200
    url = job_url("job_detail", running_job)
    client.get(url)
    with CaptureQueriesContext(connection) as hit:  # and a job's page: when its figures last changed
        assert client.get(url).status_code == 200
    assert len(hit.captured_queries) <= 4
    assert [q["sql"] for q in hit.captured_queries if "jobs_job" in q["sql"]] == [
        q["sql"] for q in hit.captured_queries if '"jobs_job"."metrics_at"' in q["sql"]
    ]


@pytest.mark.usefixtures("one_minute")
def test_members_of_a_role_share_a_page_each_with_their_own_name(roles, login, running_job, make_user):
    from dashboard.teams.models import Membership, Role

    second = make_user("second<viewer>")
    Membership.objects.create(team=roles.team, user=second, role=Role.VIEWER)
    for url in (team_url("job_list"), job_url("job_detail", running_job)):
        first = login(roles.viewer).get(url).content.decode()
        assert 'class="whoami"' in first and ">viewer</a>" in first
        with CaptureQueriesContext(connection) as hit:
            page = login(second).get(url).content.decode()
        assert not any("jobs_jobstatuschange" in q["sql"] for q in hit.captured_queries), "rendered anew"
        assert "second&lt;viewer&gt;</a>" in page and ">viewer</a>" not in page and "pageslot-" not in page


@pytest.mark.usefixtures("one_minute")
def test_new_figures_show_on_the_list_and_on_that_jobs_page_only(
    roles, login, running_job, stopped_job, emulator
):
    client = login(roles.viewer)
    running_url, stopped_url = job_url("job_detail", running_job), job_url("job_detail", stopped_job)
    listing = client.get(team_url("job_list"), {"q": running_job.name}).content.decode()
    before = client.get(running_url).content.decode()
    client.get(stopped_url)
    version = Team.objects.values_list("version", flat=True).get(pk=roles.team.pk)

    emulator.clock.advance(600)  # running jobs read more records
    sync_kinds(running_job.credential, ("metrics",))
    running_job.refresh_from_db()
    assert Team.objects.values_list("version", flat=True).get(pk=roles.team.pk) == version
    figure = f"{running_job.records_in:,}"
    assert figure not in before and figure not in _row(listing, running_job)
    assert figure in client.get(running_url).content.decode()
    with CaptureQueriesContext(connection) as render:  # the list shows the jobs' rates: rendered anew
        assert client.get(team_url("job_list"), {"q": running_job.name}).status_code == 200
    assert any("jobs_job" in q["sql"] and "read_rate" in q["sql"] for q in render.captured_queries)
    with CaptureQueriesContext(connection) as hit:  # the stopped job's page did not change: a hit
        assert client.get(stopped_url).status_code == 200
    assert len(hit.captured_queries) <= 4


def test_all_jobs_rows_link_to_each_jobs_page_and_team(roles, login, running_job):
    page = login(roles.viewer).get(reverse("jobs_all"), {"q": running_job.name}).content.decode()
    assert f'href="{job_url("job_detail", running_job)}"' in page
    assert f'href="{team_url("job_list")}"' in page


def test_all_jobs_follow_a_teams_version(roles, login, stopped_job):
    client = login(roles.viewer)
    query = {"q": stopped_job.name}
    assert 'data-status="job_submitting"' not in client.get(reverse("jobs_all"), query).content.decode()
    assert login(roles.operator).post(job_url("job_run", stopped_job)).status_code == 302
    assert 'data-status="job_submitting"' in client.get(reverse("jobs_all"), query).content.decode()
    assert Team.objects.get(pk=roles.team.pk).version > 0


def test_a_request_reads_poll_state_once_even_across_the_end_of_its_time_bucket(synced, monkeypatch):
    from dashboard.polling import selectors as polling_selectors

    team = Team.objects.get(pk=synced.team_id)  # one request's team instance
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)
    with CaptureQueriesContext(connection) as first:
        credentials, _health = polling_selectors.team_poll_state(team)
    assert [c.pk for c in credentials] == [synced.pk] and len(first) == 2
    # Later in the same request the clock is in the next bucket: the request keeps what it read.
    monkeypatch.setattr(time, "time", lambda: now + polling_selectors.POLL_STATE_TTL)
    with CaptureQueriesContext(connection) as later:
        assert polling_selectors.team_poll_state(team)[0] == credentials
    assert len(later) == 0
    # The next request (a new team instance) reads it again.
    with CaptureQueriesContext(connection) as next_request:
        polling_selectors.team_poll_state(Team.objects.get(pk=team.pk))
    assert len(next_request) == 3  # the team, its credentials, their health
