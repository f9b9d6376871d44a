"""What the jobs and billing pages say, in headless Chromium: save-and-run refused by CS, a mixed
batch stop, a running job's cost rising between two polls, a stop with a savepoint on the job page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from csapi import vocab
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(browser, live_server, user):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
    return context, page


@pytest.fixture
def synced_team(roles, cs_credential, settings, eager_celery):
    from dashboard.polling.services import sync

    settings.JOBS_LIVE_INTERVAL_MS = 700
    for kind in ("clusters", "jobs", "templates", "overview", "quotas"):
        assert sync(cs_credential.id, kind).ok
    return cs_credential


@pytest.fixture
def operator(browser, live_server, roles, synced_team):
    context, page = _login(browser, live_server, roles.operator)
    yield page
    context.close()


def test_save_and_run_refused_by_cs_keeps_the_job(operator, synced_team):
    from dashboard.jobs.models import Job

    page = operator
    page.goto("/t/alpha/jobs/new/sql/")
    page.fill("input[name=name]", "e2e_too_big")
    page.locator(".ace_editor").click()
    page.keyboard.type("INSERT INTO sink SELECT * FROM source;")
    page.fill("input[name=spu_number]", "400")
    page.click("button[value=run]")
    expect(page.locator(".msg-warning")).to_contain_text("saved as a draft; CS refused to run it")
    expect(page.locator("input[name=spu_number]")).to_have_value("400")  # the fields are kept
    page.fill("input[name=spu_number]", "2")
    page.click("button[value=run]")
    expect(page.locator(".msg-success")).to_contain_text("saved and submitted")
    assert Job.objects.filter(credential=synced_team, name="e2e_too_big").count() == 1


def test_mixed_batch_stop(operator, synced_team):
    from dashboard.jobs.models import Job

    page = operator
    running = Job.objects.filter(credential=synced_team, status=vocab.JOB_RUNNING, deleted_at=None).first()
    draft = Job.objects.filter(credential=synced_team, status=vocab.JOB_INIT, deleted_at=None).first()
    # the two jobs are on different pages of the list: select one here, the other as a second page would
    page.goto(f"/t/alpha/jobs/?q={running.name}")
    page.check(f"input[name=jobs][value='{synced_team.public_id}:{running.job_id}']")
    page.evaluate(
        """([form, value]) => {
             const box = document.createElement('input');
             box.type = 'hidden'; box.name = 'jobs'; box.value = value; box.setAttribute('form', form);
             document.body.appendChild(box);
           }""",
        ["batch-form", f"{synced_team.public_id}:{draft.job_id}"],
    )
    page.click("#batch-form button[value=stop]")
    expect(page.locator(".confirm-jobs .skipped")).to_contain_text(draft.name)
    expect(page.locator(".confirm-jobs .skipped")).to_contain_text("is a draft")
    page.click("button[data-confirm-batch]")
    expect(page.locator(".msg-success")).to_contain_text("1 stopping")
    expect(page.locator(".msg-warning")).to_contain_text("1 skipped")
    running.refresh_from_db()
    draft.refresh_from_db()
    assert running.status == vocab.JOB_CANCELING and draft.status == vocab.JOB_INIT


def test_a_running_jobs_cost_rises_between_two_polls(browser, live_server, roles, synced_team, emulator):
    from dashboard.jobs.models import JobRun
    from dashboard.polling.services import sync

    run = JobRun.objects.filter(team=roles.team, ended_at=None, spu__gt=0).select_related("job").first()
    # a big job, so that seconds of running show in a cost with two decimals
    JobRun.objects.filter(pk=run.pk).update(spu=400)
    context, page = _login(browser, live_server, roles.lead)
    try:
        page.goto("/t/alpha/billing/?period=month&sort=-cost")
        row = page.locator(f"tr[data-job-cost='{run.job.job_id}']")
        first = float(row.locator("td").nth(6).inner_text().split()[0])
        page.wait_for_timeout(3000)
        emulator.clock.advance(60)
        assert sync(synced_team.pk, "jobs").ok and sync(synced_team.pk, "overview").ok
        page.reload()
        second = float(
            page.locator(f"tr[data-job-cost='{run.job.job_id}']").locator("td").nth(6).inner_text().split()[0]
        )
        assert second > first
    finally:
        context.close()


def test_stop_with_savepoint_is_shown_on_the_job_page(operator, synced_team, emulator):
    from dashboard.jobs.models import Job
    from dashboard.polling.services import sync

    page = operator
    job = Job.objects.filter(credential=synced_team, status=vocab.JOB_RUNNING, deleted_at=None).first()
    page.goto(f"/t/alpha/jobs/{synced_team.public_id}/{job.job_id}/")
    page.check("input[name=trigger_savepoint]")
    page.click("form[action$='/stop/'] button[type=submit]")
    expect(page.locator("#job-savepoint")).to_contain_text("by operator")
    emulator.clock.advance(60)
    assert sync(synced_team.pk, "jobs").ok
    # the page refreshes in place: the savepoint turns ready and a resume is offered
    expect(page.locator("#job-savepoint")).to_contain_text("ready: a run can resume from it", timeout=10_000)
    expect(page.locator("input[name=resume_savepoint]")).to_be_visible()
