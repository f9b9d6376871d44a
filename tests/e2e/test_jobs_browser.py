"""The jobs pages in headless Chromium against the live server and the CS emulator.

A SQL job is created from a template through the form, run, watched turning to running in the live
table without a reload, and stopped; a JAR is uploaded with the progress bar reaching 100 %; two jobs
are stopped in one batch.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from csapi.emulator.seed import make_jar
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server, roles, cs_credential, settings, eager_celery):
    from dashboard.polling.services import sync

    settings.JOBS_LIVE_INTERVAL_MS = 700
    for kind in ("clusters", "jobs", "templates"):
        assert sync(cs_credential.id, kind).ok
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


def _sync_jobs(credential):
    from dashboard.polling.services import sync

    assert sync(credential.id, "jobs").ok


def test_sql_job_from_template_run_and_stop(page, cs_credential, emulator):
    from dashboard.jobs.models import Job, Template

    page.goto("/")
    page.click("text=All jobs")
    expect(page.locator("h1")).to_have_text("All jobs")
    page.click("text=New SQL job")
    template = Template.objects.filter(credential=cs_credential).order_by("name").first()
    page.fill("input[name=name]", "e2e_sql_job")
    page.select_option("select[name=template]", f"{cs_credential.public_id}:{template.template_id}")
    expect(page.locator("textarea[name=sql_body]")).to_have_value(template.sql_body)
    page.click("button[value=save]")
    expect(page.locator("h1")).to_contain_text("e2e_sql_job")
    job = Job.objects.get(credential=cs_credential, name="e2e_sql_job")
    assert job.sql_body == template.sql_body

    page.click("form[action$='/run/'] button[type=submit]")
    expect(page.locator(".msg-success")).to_contain_text("being submitted")

    page.goto("/t/alpha/jobs/?q=e2e_sql_job")
    row = page.locator(f"tr[data-job='{cs_credential.public_id}:{job.job_id}']")
    expect(row.locator(".badge")).not_to_have_attribute("data-status", "job_running")
    emulator.clock.advance(300)
    _sync_jobs(cs_credential)
    # the live table picks the change up in place: no reload
    expect(row.locator(".badge")).to_have_attribute("data-status", "job_running", timeout=10_000)
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1

    page.click("text=e2e_sql_job >> nth=0")
    page.click("form[action$='/stop/'] button[type=submit]")
    expect(page.locator(".msg-success")).to_contain_text("stopping")
    job.refresh_from_db()
    assert job.status in ("job_canceling", "job_cancel_success")


def test_jar_upload_shows_progress(page, cs_credential, tmp_path):
    from dashboard.clusters.models import Cluster
    from dashboard.jobs.models import Job

    jar = tmp_path / "clicks.jar"
    jar.write_bytes(make_jar("com.example.Clicks", extra=400_000))
    cluster = Cluster.objects.filter(credential=cs_credential, status_code=5).first()
    page.goto("/t/alpha/jobs/")
    page.click("main >> text=Upload JAR job")
    page.select_option("select[name=cluster_id]", str(cluster.cluster_id))
    page.set_input_files("input[name=jar]", str(jar))
    # first without a name: uploaded (100 %), then refused with the field error, page kept
    page.click("button[value=save]")
    expect(page.locator("[data-upload-percent]")).to_contain_text("100 %")
    assert page.locator("[data-upload-progress] progress").evaluate("el => el.value") == 100
    expect(page.locator("#field-name .field-error")).to_be_visible()
    page.fill("input[name=name]", "e2e_jar_job")
    page.set_input_files("input[name=jar]", str(jar))
    page.click("button[value=save]")
    expect(page.locator("h1")).to_contain_text("e2e_jar_job")
    assert Job.objects.get(credential=cs_credential, name="e2e_jar_job").main_class == "com.example.Clicks"


def test_batch_stop_two_jobs(page, cs_credential):
    from dashboard.jobs.models import Job

    running = list(Job.objects.filter(credential=cs_credential, status="job_running").order_by("-job_id")[:2])
    page.goto("/t/alpha/jobs/?status=running")
    for job in running:
        page.check(f"input[name=jobs][value='{cs_credential.public_id}:{job.job_id}']")
    expect(page.locator("[data-selected-count]")).to_contain_text("2 jobs selected")
    page.click("#batch-form button[value=stop]")
    expect(page.locator("h1")).to_contain_text("Stop 2 jobs")
    for job in running:
        expect(page.locator(".confirm-jobs")).to_contain_text(job.name)
    page.click("button[data-confirm-batch]")
    expect(page.locator(".msg-success")).to_contain_text("2 stopping")
    for job in running:
        job.refresh_from_db()
        assert job.status in ("job_canceling", "job_cancel_success")
