"""Rendered fragments of the job pages are cached, and never shown stale: the key follows what they show."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard.jobs.models import Job, JobStatusChange
from tests.dashboard.jobs.conftest import job_url, team_url


def _row(page: str, job: Job) -> str:
    start = page.index(f'data-job="{job.credential.public_id}:{job.job_id}"')
    return page[start:page.index("</tr>", start)]


def _poll_status(job: Job, status: str, desc: str = "") -> None:
    """What the poller writes on a status change: the snapshot columns with last_seen, and a history entry."""
    now = timezone.now()
    JobStatusChange.objects.create(job=job, previous_status=job.status, status=status, status_desc=desc,
                                   observed_at=now)
    Job.objects.filter(pk=job.pk).update(status=status, status_desc=desc, last_seen=now)


def test_cached_job_list_changes_with_a_jobs_status(roles, login, running_job):
    client = login(roles.viewer)
    query = {"q": running_job.name}
    first = client.get(team_url("job_list"), query).content.decode()
    assert 'data-status="job_running"' in _row(first, running_job)
    with CaptureQueriesContext(connection) as hit:
        again = client.get(team_url("job_list"), query).content.decode()
    assert _row(again, running_job) == _row(first, running_job)
    assert not any("LIMIT" in q["sql"] and "status_desc" in q["sql"] for q in hit.captured_queries)

    _poll_status(running_job, "job_running_exception", "Checkpoint storage unreachable")
    page = client.get(team_url("job_list"), query).content.decode()
    row = _row(page, running_job)
    assert 'data-status="job_running_exception"' in row and 'data-status="job_running"' not in row
    live = client.get(team_url("job_list_rows"), query).content.decode()
    assert 'data-status="job_running_exception"' in _row(live, running_job)


def test_cached_job_list_is_per_role(roles, login, synced):
    viewer = login(roles.viewer).get(team_url("job_list")).content.decode()
    assert "data-select-all" not in viewer and 'name="jobs"' not in viewer
    operator = login(roles.operator).get(team_url("job_list")).content.decode()
    assert "data-select-all" in operator and 'name="jobs"' in operator
    rows = login(roles.operator).get(team_url("job_list_rows")).content.decode()
    assert 'name="jobs"' in rows
    assert 'name="jobs"' not in login(roles.viewer).get(team_url("job_list_rows")).content.decode()
    assert 'name="jobs"' not in login(roles.viewer).get(team_url("job_list")).content.decode()


def test_cached_job_detail_changes_with_the_jobs_status(roles, login, running_job):
    client = login(roles.viewer)
    url = job_url("job_detail", running_job)
    first = client.get(url).content.decode()
    assert "Checkpoint storage unreachable" not in first
    assert client.get(url).content.decode().count('data-status="job_running"') == first.count(
        'data-status="job_running"')

    _poll_status(running_job, "job_running_exception", "Checkpoint storage unreachable")
    page = client.get(url).content.decode()
    history = page[page.index("Status history"):page.index("Monitoring")]
    assert 'data-status="job_running_exception"' in history
    assert "Checkpoint storage unreachable" in history
    fields = page[page.index("<h2>Job</h2>"):page.index("<h2>Configuration</h2>")]
    assert "Checkpoint storage unreachable" in fields

    # any write to the snapshot shows, even one that does not touch last_seen
    Job.objects.filter(pk=running_job.pk).update(desc="Orders enrichment")
    assert "Orders enrichment" in client.get(url).content.decode()


def test_cached_job_detail_is_per_role(roles, login, running_job):
    url = job_url("job_detail", running_job)
    assert "job-actions" not in login(roles.viewer).get(url).content.decode()
    assert "job-actions" in login(roles.operator).get(url).content.decode()
    assert "job-actions" not in login(roles.viewer).get(url).content.decode()



def test_cached_job_detail_shows_a_new_action_log_entry(roles, login, running_job):
    from dashboard.teams.models import ActionLog

    client = login(roles.viewer)
    url = job_url("job_detail", running_job)
    assert "Restarted by the on-call" not in client.get(url).content.decode()
    ActionLog.objects.create(team=roles.team, credential=running_job.credential, action="job.run",
                             target_type="job", target_id=f"{running_job.credential.public_id}:{running_job.job_id}",
                             target_name=running_job.name, outcome="success", message="Restarted by the on-call")
    assert "Restarted by the on-call" in client.get(url).content.decode()


def test_all_jobs_rows_link_to_each_jobs_page_and_team(roles, login, running_job):
    from django.urls import reverse

    page = login(roles.viewer).get(reverse("jobs_all"), {"q": running_job.name}).content.decode()
    assert f'href="{job_url("job_detail", running_job)}"' in page
    assert f'href="{team_url("job_list")}"' in page
