"""What the jobs pages say and do can be trusted: regression tests for each defect found.

Save and run refused by CS keeps the saved job; batches act per job; actions follow the job's state;
runs and savepoints are shown; the page refreshes itself; odd corners (drafts, the shared cluster,
filters after a batch) say the right thing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from csapi import vocab
from dashboard.jobs.models import Job, JobRun, Savepoint
from dashboard.teams.models import ActionLog
from tests.dashboard.jobs.conftest import job_url, sync_kinds, team_url

pytestmark = pytest.mark.django_db


def _sql(credential, **extra):
    data = {
        "credential": credential.public_id,
        "name": "save_and_run_job",
        "sql_body": "INSERT INTO sink SELECT * FROM source;",
        "run_mode": vocab.SHARED_CLUSTER,
        "job_type": vocab.FLINK_SQL_JOB,
        "spu_number": 400,  # more than the CS user's quota has free: CS creates it, then refuses the run
        "parallel_number": 1,
        "submit": "run",
    }
    data.update(extra)
    return data


# ------------------------------------------------------------------------------------- save and run
def test_save_and_run_refused_lands_on_the_saved_job(roles, login, synced):
    client = login(roles.operator)
    response = client.post(team_url("sql_job_create"), _sql(synced))
    job = Job.objects.get(credential=synced, name="save_and_run_job")
    assert job.status == vocab.JOB_INIT
    assert response.status_code == 302 and response["Location"] == job_url("job_edit", job)
    page = client.get(response["Location"]).content.decode()
    assert "saved as a draft; CS refused to run it" in page and "CS.13001" in page
    assert 'value="400"' in page  # the fields are kept: the saved job's own
    # fixing the value and pressing "Save and run" again updates and runs that job: no second job
    response = client.post(job_url("job_edit", job), _sql(synced, spu_number=2))
    assert response.status_code == 302
    assert Job.objects.filter(credential=synced, name="save_and_run_job").count() == 1
    job.refresh_from_db()
    assert job.spu_number == 2 and job.status == vocab.JOB_SUBMITTING


def test_api_create_with_run_answers_the_job_and_the_run_error(roles, synced):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(roles.operator)
    body = {k: v for k, v in _sql(synced).items() if k != "submit"}
    body["credential"] = str(synced.public_id)
    response = client.post("/api/v1/teams/alpha/jobs/sql/", {**body, "run": True}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == vocab.JOB_INIT and data["name"] == "save_and_run_job"
    assert data["run_error"]["cs"]["code"] == "CS.13001"
    assert Job.objects.filter(credential=synced, name="save_and_run_job").count() == 1


# ------------------------------------------------------------------------------------- batches
def _jobs(synced):
    running = Job.objects.filter(credential=synced, status=vocab.JOB_RUNNING, deleted_at=None).first()
    draft = Job.objects.filter(credential=synced, status=vocab.JOB_INIT, deleted_at=None).first()
    assert running and draft, "the demo seed has a running job and a draft"
    return running, draft


def test_batch_stop_acts_on_each_job_it_can_and_reports_per_job(roles, login, synced):
    running, draft = _jobs(synced)
    client = login(roles.operator)
    keys = [f"{j.credential.public_id}:{j.job_id}" for j in (running, draft)]
    confirm = client.post(team_url("job_batch"), {"jobs": keys, "action": "stop"})
    page = confirm.content.decode()
    assert "skipped" in page and f"{draft.name} is a draft" in page  # marked before anything is sent
    response = client.post(
        team_url("job_batch"),
        {"jobs": keys, "action": "stop", "confirmed": "on", "back": "status=running&page=2"},
        follow=True,
    )
    text = response.content.decode()
    assert "1 stopping: " in text and running.name in text
    assert "1 skipped: " in text and "has never run" in text
    running.refresh_from_db()
    draft.refresh_from_db()
    assert running.status == vocab.JOB_CANCELING and draft.status == vocab.JOB_INIT
    # the list's filters are kept
    assert response.redirect_chain[-1][0].endswith("?status=running&page=2")


def test_a_vanished_job_does_not_stop_a_batch(roles, login, synced):
    running, _draft = _jobs(synced)
    keys = [f"{running.credential.public_id}:{running.job_id}", f"{running.credential.public_id}:999999999"]
    response = login(roles.operator).post(
        team_url("job_batch"), {"jobs": keys, "action": "stop", "confirmed": "on"}, follow=True
    )
    text = response.content.decode()
    assert "1 stopping" in text and "no longer exists" in text


# ------------------------------------------------------------------------------------- state gating
def test_actions_offered_follow_the_jobs_state(roles, login, synced):
    running, draft = _jobs(synced)
    client = login(roles.operator)
    page = client.get(job_url("job_detail", running)).content.decode()
    assert job_url("job_stop", running) in page
    assert job_url("job_run", running) not in page and job_url("job_edit", running) not in page
    assert "CS stops it first, then deletes it" in page
    page = client.get(job_url("job_detail", draft)).content.decode()
    assert job_url("job_run", draft) in page and job_url("job_stop", draft) not in page
    assert 'name="resume_savepoint"' not in page  # no savepoint to resume from
    # asking anyway changes nothing and sends nothing
    response = client.post(job_url("job_stop", draft), follow=True)
    assert "has never run" in response.content.decode()
    assert not ActionLog.objects.filter(action="job.stop").exists()
    response = client.get(job_url("job_edit", running), follow=True)
    assert "stop it before editing it" in response.content.decode()


def test_sql_form_offers_only_running_clusters(roles, login, synced):
    from dashboard.clusters.models import Cluster

    Cluster.objects.filter(credential=synced).update(status_code=vocab.CLUSTER_DELETING)
    running = Cluster.objects.filter(credential=synced).first()
    Cluster.objects.filter(pk=running.pk).update(status_code=vocab.CLUSTER_RUNNING)
    form = login(roles.operator).get(team_url("sql_job_create")).context["form"]
    offered = {value for value, _label in form.fields["cluster_id"].choices if value}
    assert offered == {str(running.cluster_id)}


# ------------------------------------------------------------------------------------- runs, savepoints
def test_stop_with_savepoint_is_shown_with_who_and_where(roles, login, synced, emulator):
    running, _draft = _jobs(synced)
    client = login(roles.operator)
    assert client.post(job_url("job_stop", running), {"trigger_savepoint": "on"}).status_code == 302
    savepoint = Savepoint.objects.get(job=running)
    assert savepoint.requested_by == roles.operator
    page = client.get(job_url("job_detail", running)).content.decode()
    assert "by operator" in page and "being made while the job stops" in page
    emulator.clock.advance(60)
    sync_kinds(synced, ("jobs",))
    running.refresh_from_db()
    assert running.status == vocab.JOB_CANCEL_SUCCESS
    page = client.get(job_url("job_detail", running)).content.decode()
    assert "ready: a run can resume from it" in page
    assert 'name="resume_savepoint"' in page  # now there is one to resume from
    run = JobRun.objects.filter(job=running).order_by("-started_at").first()
    assert run.ended_at is not None and run.end_status == vocab.JOB_CANCEL_SUCCESS
    # and CS resumes from it
    assert client.post(job_url("job_run", running), {"resume_savepoint": "on"}).status_code == 302
    running.refresh_from_db()
    assert running.status == vocab.JOB_SUBMITTING


def test_a_failed_run_shows_cs_description_on_the_run_it_ended(roles, login, synced, emulator):
    from dashboard.polling.services import sync

    job = Job.objects.filter(
        credential=synced, status=vocab.JOB_CANCEL_SUCCESS, job_type=vocab.FLINK_SQL_JOB
    ).first()
    emulator.emulator.queue_outcomes("job_submit_fail")
    assert login(roles.operator).post(job_url("job_run", job)).status_code == 302
    emulator.clock.advance(60)
    assert sync(synced.pk, "jobs").ok
    run = JobRun.objects.filter(job=job).order_by("-started_at").first()
    assert run.end_status == vocab.JOB_SUBMIT_FAIL and run.end_desc
    page = login(roles.viewer).get(job_url("job_detail", job)).content.decode()
    assert run.end_desc in page


def test_history_names_what_is_unknown_and_updated_follows_the_poll(roles, login, synced):
    running, _draft = _jobs(synced)
    page = login(roles.viewer).get(job_url("job_detail", running)).content.decode()
    assert "when the dashboard first saw the job: unknown" in page
    from dashboard.polling.models import PollHealth

    poll = PollHealth.objects.get(credential=synced, kind="jobs").last_success
    rows = login(roles.viewer).get(team_url("job_list"), {"q": running.name}).content.decode()
    from django.conf import settings
    from django.utils import timezone

    from dashboard.jobs.presenters import local_parts

    with timezone.override(settings.DEFAULT_USER_TIME_ZONE):  # the viewer's zone: no profile, the default
        day, clock = local_parts(poll.replace(second=0, microsecond=0))[1].split(" ", 1)
    assert f'<span class="nobr">{day}</span> <span class="nobr">{clock}</span></time>' in rows


def test_live_detail_answers_304_while_nothing_changed(roles, login, synced, emulator):
    running, _draft = _jobs(synced)
    client = login(roles.viewer)
    url = job_url("job_detail_live", running)
    first = client.get(url)
    assert first.status_code == 200 and "ETag" in first
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert login(roles.operator).post(job_url("job_stop", running)).status_code == 302
    again = login(roles.viewer).get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and 'data-status="job_canceling"' in again.content.decode()


# ------------------------------------------------------------------------------------- small things
def test_the_idle_card_does_not_count_drafts(roles, login, synced):
    response = login(roles.viewer).get(team_url("job_list"))
    summary = {s["group"]: s["count"] for s in response.context["summary"]}
    drafts = Job.objects.filter(team=roles.team, status=vocab.JOB_INIT, deleted_at=None).count()
    idle = Job.objects.filter(team=roles.team, status=vocab.JOB_IDLE, deleted_at=None).count()
    assert summary["draft"] == drafts > 0 and summary["idle"] == idle


def test_the_shared_cluster_is_named_not_numbered(roles, login, synced):
    job = Job.objects.filter(team=roles.team, run_mode=vocab.SHARED_CLUSTER, deleted_at=None).first()
    rows = login(roles.viewer).get(team_url("job_list"), {"q": job.name}).content.decode()
    row = rows[rows.index(f'data-job="{job.credential.public_id}:{job.job_id}"') :]
    row = row[: row.index("</tr>")]
    assert "Shared cluster" in row and ">100000<" not in row


def test_error_pages_are_the_sites_and_name_the_role(roles, login, synced):
    response = login(roles.viewer).get(team_url("members"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "lead role" in page and 'class="brand"' in page  # inside the site layout
    response = login(roles.viewer).get("/no/such/page/")
    assert response.status_code == 404 and "This page does not exist" in response.content.decode()


def test_viewers_navigation_offers_only_what_they_can_use(roles, login, synced):
    viewer = login(roles.viewer).get(team_url("job_list")).content.decode()
    assert reverse("sql_job_create", kwargs={"team": "alpha"}) not in viewer
    assert reverse("billing", kwargs={"team": "alpha"}) not in viewer
    operator = login(roles.operator).get(team_url("job_list")).content.decode()
    assert reverse("sql_job_create", kwargs={"team": "alpha"}) in operator


def test_a_jar_manifest_without_main_class_needs_one(roles, login, synced):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        archive.writestr("a/B.class", b"\xca\xfe")
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "plain.jar"
    response = login(roles.operator).post(
        team_url("jar_job_create"),
        {
            "credential": synced.public_id,
            "name": "nomain",
            "desc": "x",
            "job_type": vocab.FLINK_JAR_JOB,
            "cluster_id": "",
            "spu_number": 2,
            "manager_spu": 1,
            "parallel_number": 1,
            "jar": upload,
        },
    )
    assert response.status_code == 400
    assert "names no Main-Class" in " ".join(response.context["form"].errors["main_class"])


def test_an_oversized_jar_is_stopped_at_the_limit(roles, login, synced):
    import io

    from csapi import limits

    upload = io.BytesIO(b"x" * (limits.UPLOAD_MAX_BYTES + 4096))
    upload.name = "huge.jar"
    response = login(roles.operator).post(
        team_url("jar_job_create"),
        {
            "credential": synced.public_id,
            "name": "huge",
            "desc": "x",
            "job_type": vocab.FLINK_JAR_JOB,
            "spu_number": 2,
            "manager_spu": 1,
            "parallel_number": 1,
            "jar": upload,
        },
    )
    assert response.status_code == 400
    assert "larger than 8 MB" in " ".join(response.context["form"].errors["jar"])
    assert not Job.objects.filter(name="huge").exists()
