"""The quota and billing pages in headless Chromium against the live server and the CS emulator.

A lead opens the quota page, sees the users sorted by usage with the near-quota one highlighted,
raises that user's quota and sees the new value after the refresh; then opens billing and sees the
cost chart (drawn from its data, with its summary table) and the per-job cost table.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect  # noqa: E402

from tests.conftest import PASSWORD  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def busy_user(cs_credential):
    """The tenant user using the most SPUs, with a CS quota set to exactly that (100 % used)."""
    from dashboard.teams.cs import client_for

    with client_for(cs_credential) as client:
        users = list(client.quotas.iter())
        user = max(users, key=lambda u: u.get("spu_used") or 0)
        assert user["spu_used"], "the demo seed runs jobs"
        client.quotas.update(user["user_id"], spu_quota=user["spu_used"])
    return user


@pytest.fixture
def page(browser, live_server, roles, cs_credential, busy_user, emulator, eager_celery):
    from dashboard.polling.services import sync

    for kind in ("clusters", "jobs", "quotas", "overview"):
        assert sync(cs_credential.id, kind).ok
    emulator.clock.advance(1800)
    assert sync(cs_credential.id, "overview").ok  # a second point for the cost chart
    assert sync(cs_credential.id, "quotas").ok  # and for the SPU chart
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/login/")
    page.fill("input[name=username]", roles.lead.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
    yield page
    context.close()


def test_quota_raise_and_billing(page, busy_user):
    page.goto("/t/alpha/quotas/")
    expect(page.locator("h1")).to_have_text("SPU quotas")
    rows = page.locator("#quotas tbody tr")
    expect(rows.first).to_have_attribute("data-user", busy_user["user_name"])
    expect(rows.first).to_have_class(re.compile(r"\bnear-quota\b"))
    expect(page.locator("#quota-chart canvas")).to_be_visible()  # drawn by Chart.js

    raised = busy_user["spu_used"] * 3
    rows.first.get_by_role("link", name="Edit").click()
    page.fill("input[name=spu_quota]", str(raised))
    page.get_by_role("button", name="Save quota").click()
    page.wait_for_url(re.compile(r".*/t/alpha/quotas/$"))
    expect(page.locator(".msg-success")).to_contain_text(f"{raised} SPUs")
    row = page.locator(f'#quotas tbody tr[data-user="{busy_user["user_name"]}"]')
    expect(row.locator(".quota-value")).to_have_text(str(raised))
    expect(row).not_to_have_class(re.compile(r"\bnear-quota\b"))
    page.reload()  # the refreshed snapshot (synced from CS after the change) agrees
    expect(row.locator(".quota-value")).to_have_text(str(raised))

    page.get_by_role("link", name="Billing").first.click()
    expect(page.locator("h1")).to_have_text("Billing overview")
    expect(page.locator("#billing-summary")).to_contain_text("Total cost")
    chart = page.locator("#cost-chart canvas")
    expect(chart).to_be_visible()
    assert chart.evaluate("c => c.width > 0 && c.height > 0")
    expect(page.locator("#cost-chart .chart-summary tbody tr").first).to_be_visible()  # the text alternative
    job_rows = page.locator("#job-costs tbody tr")
    expect(job_rows.first).to_be_visible()
    assert job_rows.count() > 0
    page.locator("#job-costs th a", has_text="Job").click()
    expect(page).to_have_url(re.compile(r"sort=-?name"))
    expect(page.locator("#job-costs tbody tr").first).to_be_visible()
