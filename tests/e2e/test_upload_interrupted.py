"""A JAR upload whose connection to the web server breaks half-way (the web process restarting, say)
shows a clear error, keeps the form, writes nothing, and succeeds when sent again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from csapi.emulator.seed import make_jar
from tests.e2e.test_jobs_browser import page  # noqa: F401  (the signed-in operator's page)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_interrupted_upload_can_be_retried(page, cs_credential, tmp_path):  # noqa: F811
    from dashboard.clusters.models import Cluster
    from dashboard.jobs.models import Job

    jar = tmp_path / "orders.jar"
    jar.write_bytes(make_jar("com.example.Orders", extra=300_000))
    cluster = Cluster.objects.filter(credential=cs_credential, status_code=5).first()
    page.goto("/t/alpha/jobs/new/jar/")
    page.fill("input[name=name]", "e2e_retried_jar")
    page.select_option("select[name=cluster_id]", str(cluster.cluster_id))
    page.set_input_files("input[name=jar]", str(jar))

    # The connection breaks while the upload is on its way.
    page.route("**/jobs/new/jar/", lambda route: route.abort("connectionreset"))
    page.click("button[value=save]")
    expect(page.locator("[data-upload-percent]")).to_contain_text("The upload failed")
    assert not Job.objects.filter(name="e2e_retried_jar").exists()
    expect(page.locator("input[name=name]")).to_have_value("e2e_retried_jar")  # nothing typed is lost
    expect(page.locator("button[value=save]")).to_be_enabled()

    # The server is back: the same form goes through.
    page.unroute("**/jobs/new/jar/")
    page.click("button[value=save]")
    expect(page.locator("h1")).to_contain_text("e2e_retried_jar")
    assert (
        Job.objects.get(credential=cs_credential, name="e2e_retried_jar").main_class == "com.example.Orders"
    )
