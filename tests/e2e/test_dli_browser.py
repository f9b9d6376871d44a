"""DLI jobs in headless Chromium against the live server and the emulator's DLI.

A DLI SQL job is created through DLI's form (queue picked, SQL typed in the editor), run, watched
turning to running in place (no reload), given a savepoint, stopped, and its savepoint path shown; a CS
SQL job is copied to DLI as a draft; DLI's form and a DLI job's page fit a 390 px phone.

Until DLI's job sync is polled, the job's snapshot is brought up to date by ``refresh_job`` (the same
reading of DLI's job detail the poller makes; it uses the poller's sync as soon as DLI's job kind is
polled): the page refreshes in place from the snapshot either way.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.dashboard.jobs.dli_support import load_queues, refresh_job, short

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def dli_page(browser, live_server, roles, cs_credential, dli_credential, settings, eager_celery, emulator):
    from dashboard.polling.services import sync

    settings.JOBS_LIVE_INTERVAL_MS = 700
    for kind in ("clusters", "jobs", "templates"):
        assert sync(cs_credential.id, kind).ok
    load_queues(dli_credential)
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/login/")
    page.fill("input[name=username]", roles.operator.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
    yield page
    context.close()


def test_dli_sql_job_create_run_savepoint_stop(dli_page, dli_credential, emulator):
    from dashboard.jobs.models import Job

    page = dli_page
    prod = f"{short(emulator)}_flink_prod"
    page.goto("/t/alpha/jobs/new/sql/")
    page.click("nav.service-switch >> text=DLI")
    expect(page.locator("h1")).to_have_text("New DLI SQL job")
    expect(page.locator("input[name=spu_number]")).to_have_count(0)
    page.fill("input[name=name]", "e2e_dli_job")
    page.select_option("select[name=queue_name]", prod)
    page.fill("input[name=cu_number]", "3")
    page.fill("input[name=parallel_number]", "2")
    page.fill("input[name=obs_bucket]", "e2e-bucket")
    editor = page.locator(".ace_editor")
    expect(editor).to_be_visible()
    editor.click()
    page.keyboard.type("INSERT INTO snk SELECT a FROM src;")
    page.click("button[value=save]")
    expect(page.locator("h1")).to_contain_text("e2e_dli_job")
    expect(page.locator("#job-fields")).to_contain_text(prod)
    job = Job.objects.get(credential=dli_credential, name="e2e_dli_job")
    assert (job.service, job.spu_number, job.queue_name) == ("dli", 3, prod)

    page.click("form[action$='/run/'] button.primary")
    expect(page.locator(".msg-success")).to_contain_text("being submitted")
    badge = page.locator("#job-live h1 .badge")
    expect(badge).to_have_attribute("data-status", "job_submitting")
    page.evaluate("window.__notReloaded = true")
    emulator.advance(30)
    refresh_job(job)
    # the live part of the page picks the change up in place: no reload
    expect(badge).to_have_attribute("data-status", "job_running", timeout=10_000)
    assert page.evaluate("window.__notReloaded === true")

    page.fill("input[name=savepoint_path]", "obs://e2e-bucket/savepoints/")
    page.click("text=Trigger savepoint")
    expect(page.locator(".msg-success")).to_contain_text("obs://e2e-bucket/savepoints/")
    emulator.advance(10)
    refresh_job(job)
    page.click("form[action$='/stop/'] button[type=submit]")
    expect(page.locator(".msg-success")).to_contain_text("stopping")
    emulator.advance(10)
    job = refresh_job(job)
    assert job.status == "job_cancel_success"
    expect(badge).to_have_attribute("data-status", "job_cancel_success", timeout=10_000)
    expect(page.locator("#job-savepoint")).to_contain_text("obs://e2e-bucket/savepoints/")
    expect(page.locator("button.run-from-savepoint")).to_be_visible()


def test_copy_cs_job_to_dli(dli_page, cs_credential, dli_credential, emulator):
    from dashboard.jobs.models import Job

    page = dli_page
    prod = f"{short(emulator)}_flink_prod"
    cs_job = (
        Job.objects.filter(credential=cs_credential, job_type="flink_sql_job")
        .exclude(sql_body="")
        .order_by("job_id")
        .first()
    )
    page.goto(f"/t/alpha/jobs/{cs_credential.public_id}/{cs_job.job_id}/")
    page.click("text=Copy to DLI")
    expect(page.locator("h1")).to_contain_text(f"Copy {cs_job.name} to DLI")
    expect(page.locator(".copy-dropped")).to_contain_text("pick a queue")
    expect(page.locator("input[name=name]")).to_have_value(cs_job.name)
    page.select_option("select[name=queue_name]", prod)
    page.click("text=Create the DLI job as a draft")
    expect(page.locator(".msg-success")).to_contain_text("copied to DLI as a draft")
    expect(page.locator("#job-live h1 .badge")).to_have_attribute("data-status", "job_init")
    copy = Job.objects.get(credential=dli_credential, name=cs_job.name)
    assert copy.sql_body == cs_job.sql_body and copy.queue_name == prod


def test_dli_pages_fit_a_phone(dli_page, roles, dli_credential, emulator):
    from dashboard.jobs import services
    from dashboard.teams.access import TeamAccess
    from dashboard.teams.models import Role

    job = services.job_create_sql(
        access=TeamAccess(roles.team, Role.OPERATOR),
        user=roles.operator,
        credential=dli_credential,
        data={
            "name": "phone_job",
            "queue_name": f"{short(emulator)}_flink_prod",
            "sql_body": "INSERT INTO snk SELECT a FROM src;",
            "cu_number": 2,
            "obs_bucket": "e2e-bucket",
            "tags": [{"key": "team", "value": "alpha"}],
        },
        run=True,
    )
    emulator.advance(30)
    refresh_job(job)
    page = dli_page
    page.set_viewport_size(PHONE)
    paths = (
        "/t/alpha/jobs/new/sql/?service=dli",
        "/t/alpha/jobs/new/jar/?service=dli",
        "/t/alpha/jobs/?service=dli",
        f"/t/alpha/jobs/{dli_credential.public_id}/{job.job_id}/",
    )
    for path in paths:
        page.goto(path)
        page.wait_for_load_state("load")
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], (path, width)
    expect(page.locator("text=Trigger savepoint")).to_be_visible()
