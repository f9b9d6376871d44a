"""The DLI queues, quotas and billing pages on a phone, in headless Chromium: nothing scrolls sideways,
and a lead sets a queue's price per CU-hour that the billing estimate then uses
(bad prices are refused by the browser's own checks first, and by the server: test_queues_page)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.test_shell import PHONE, _signed_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dli_team(live_server, roles, cs_credential, dli_credential, emulator, eager_celery):
    """Team alpha with a CS and a DLI credential, both polled, and a finished run of a DLI job."""
    from dashboard.clusters.models import Queue
    from dashboard.jobs.models import Job, JobRun
    from dashboard.polling.services import sync

    for kind in ("jobs", "quotas", "overview"):
        assert sync(cs_credential.id, kind).ok
    for kind in ("queues", "quotas"):
        assert sync(dli_credential.id, kind).ok
    queue = Queue.objects.filter(credential=dli_credential).order_by("-cu_count").first()
    job = Job.objects.create(
        team=roles.team,
        credential=dli_credential,
        service="dli",
        job_id=123456,
        name="a_rather_long_dli_stream_job_name_that_must_wrap_on_a_phone_screen",
        status="job_cancel_success",
        queue_name=queue.queue_name,
        spu_number=4,
        fingerprint="e2e",
    )
    now = timezone.now()
    JobRun.objects.create(
        job=job,
        team=roles.team,
        credential=dli_credential,
        started_at=now - timedelta(hours=3),
        ended_at=now - timedelta(hours=1),
        spu=4,
        cluster_name=queue.queue_name,
    )
    return type("DLITeam", (), {"url": live_server.url, "queue": queue})


def test_dli_pages_fit_a_phone_and_a_price_prices_the_estimate(browser, dli_team, roles, tmp_path):
    ctx, page = _signed_in(browser, dli_team.url, roles.lead.username, viewport=PHONE)
    try:
        wide = {}
        for path in ("/t/alpha/queues/", "/t/alpha/quotas/", "/t/alpha/billing/"):
            page.goto(path)
            page.wait_for_load_state("load")
            width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if width[0] > width[1]:
                wide[path] = width
                page.screenshot(
                    path=str(tmp_path / f"{path.strip('/').replace('/', '-')}.png"), full_page=True
                )
        assert wide == {}, f"pages wider than the screen (scrollWidth, innerWidth): {wide}"

        page.goto("/t/alpha/billing/")
        expect(page.locator("#dli-unpriced")).to_contain_text(dli_team.queue.queue_name)
        page.goto("/t/alpha/queues/")
        card = page.locator(f'[data-queue="{dli_team.queue.queue_name}"]')
        card.get_by_role("spinbutton", name="Price per CU-hour").fill("0.25")
        card.get_by_role("button", name="Set price").click()
        expect(page.locator(f'[data-queue="{dli_team.queue.queue_name}"] .queue-price')).to_contain_text(
            "0.25"
        )
        page.goto("/t/alpha/billing/")
        expect(page.locator("#dli-unpriced")).to_have_count(0)
        # 4 CUs x 2 h x 0.25 per CU-hour
        expect(page.locator("#dli-estimate")).to_contain_text("Estimated DLI cost in the period: 2.00")
    finally:
        ctx.close()
