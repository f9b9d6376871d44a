"""The shell around every page, in headless Chromium: any screen, keyboard and screen reader, both
languages, both colour schemes, and times in the person's zone.

- At 390 x 844 no main page scrolls sideways; the navigation folds behind its Menu button.
- axe-core (from npm, ``make assets``) finds no serious or critical violation on the main pages, in
  the light and the dark scheme.
- A zh-CN browser gets the Chinese page; a person in Asia/Shanghai sees times 8 h ahead of UTC, the
  zone named; Tab from the SQL form's name field reaches its Save button (the editor lets focus go).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def shell(live_server, roles, cs_credential, dli_credential, emulator, eager_celery):
    """Team alpha with everything of both services synced from the emulator, a job with two metric
    samples, and the main pages' paths (CS and DLI)."""
    from dashboard.jobs.models import Job, MetricSample
    from dashboard.polling.services import sync

    for kind in ("clusters", "jobs", "metrics", "templates", "quotas", "overview"):
        assert sync(cs_credential.id, kind).ok
    for kind in ("queues", "jobs", "metrics", "templates", "quotas"):
        assert sync(dli_credential.id, kind).ok
    emulator.clock.advance(1800)
    assert sync(cs_credential.id, "overview").ok  # a second point for the cost chart
    job = Job.objects.filter(credential=cs_credential, status="job_running").order_by("job_id").first()
    sample = MetricSample.objects.filter(job=job).latest("sampled_at")
    sample.pk, sample.sampled_at = None, sample.sampled_at - timedelta(minutes=1)
    sample.save()
    pages = {
        "home": "/",
        "job list": "/t/alpha/jobs/",
        "job detail": f"/t/alpha/jobs/{cs_credential.public_id}/{job.job_id}/",
        "clusters": "/t/alpha/clusters/",
        "quotas": "/t/alpha/quotas/",
        "billing": "/t/alpha/billing/",
        "credentials": "/t/alpha/credentials/",
        "members": "/t/alpha/members/",
        "SQL form": "/t/alpha/jobs/new/sql/",
        "DLI jobs": "/t/alpha/jobs/?service=dli",
        "DLI job detail": _first_dli_job(dli_credential),
        "DLI SQL form": "/t/alpha/jobs/new/sql/?service=dli",
        "queues": "/t/alpha/queues/",
        "settings": "/settings/profile/",
    }
    return type("Shell", (), {"pages": pages, "job": job, "url": live_server.url})


def _first_dli_job(credential) -> str:
    from dashboard.jobs.models import Job

    job = Job.objects.filter(credential=credential).order_by("job_id").first()
    return f"/t/alpha/jobs/{credential.public_id}/{job.job_id}/"


def _signed_in(browser, base_url, username, **context):
    context.setdefault("locale", "en-US")
    ctx = browser.new_context(base_url=base_url, **context)
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return ctx, page


def test_no_sideways_scroll_at_390(browser, shell, roles, tmp_path):
    ctx, page = _signed_in(browser, shell.url, roles.lead.username, viewport=PHONE)
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        wide = {}
        for name, path in shell.pages.items():
            page.goto(path)
            page.wait_for_load_state("load")
            width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if width[0] > width[1]:
                wide[name] = width
                page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
        assert wide == {}, f"pages wider than the screen (scrollWidth, innerWidth): {wide}"
        assert refused == []  # the charts and the editor load under the site's CSP
        page.goto(shell.pages["job detail"])
        expect(page.locator(".chart-canvas canvas").first).to_be_visible()  # drawn, scaled to the phone
        assert page.locator(".chart-canvas canvas").first.evaluate(
            "c => c.getBoundingClientRect().width <= 390"
        )
        # The navigation folds behind the Menu button, which opens and closes it.
        nav = page.locator(".mainnav")
        toggle = page.get_by_role("button", name="Menu")
        expect(nav).to_be_hidden()
        expect(toggle).to_have_attribute("aria-expanded", "false")
        toggle.click()
        expect(nav).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("Escape")
        expect(nav).to_be_hidden()
    finally:
        ctx.close()


def _serious_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, { resultTypes: ["violations"] });
            return result.violations
              .filter(v => v.impact === "serious" || v.impact === "critical")
              .map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")) }));
        }"""
    )


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation(browser, shell, roles, scheme, locale):
    assert AXE.exists(), "axe-core is installed by `make assets` (npm ci)"
    # axe is injected as a script tag, which the site's CSP (rightly) refuses: this context lets it in.
    ctx, page = _signed_in(
        browser, shell.url, roles.lead.username, color_scheme=scheme, bypass_csp=True, locale=locale
    )
    try:
        found = {}
        for name, path in shell.pages.items():
            page.goto(path)
            page.wait_for_load_state("load")
            if path == shell.pages["job detail"]:
                expect(page.locator(".chart-canvas canvas").first).to_be_visible()  # drawn before checking
            violations = _serious_violations(page)
            if violations:
                found[name] = violations
        assert found == {}, found
    finally:
        ctx.close()


def test_chinese_browser_gets_chinese_pages_and_field_errors(browser, shell, roles):
    ctx = browser.new_context(base_url=shell.url, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto("/login/")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.locator("h1")).to_have_text("登录")
        page.click("button[type=submit]")  # nothing filled in
        expect(page.locator("#id_username_error")).to_contain_text("该字段是必填项。")
        expect(page.locator("#id_username")).to_have_attribute(
            "aria-describedby", re.compile("id_username_error")
        )
        page.fill("input[name=username]", roles.lead.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        page.goto("/t/alpha/")
        expect(page.locator(".mainnav")).to_contain_text("集群")
        expect(page.locator(".mainnav")).to_contain_text("所有作业")
        expect(page.locator(".teambar .role")).to_contain_text("负责人")
        # The switch in the header changes the language, and the profile remembers it.
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator(".mainnav")).to_contain_text("Clusters")
        page.goto("/t/alpha/billing/")
        expect(page.locator("html")).to_have_attribute("lang", "en")
    finally:
        ctx.close()


def test_a_person_in_shanghai_sees_times_8_hours_ahead_of_utc(browser, shell, roles):
    from dashboard.accounts.models import Profile

    Profile.objects.create(user=roles.viewer, time_zone="Asia/Shanghai")
    ctx, page = _signed_in(browser, shell.url, roles.viewer.username)
    try:
        page.goto("/settings/profile/")
        shown = page.locator("#your-time time")
        expect(shown).to_contain_text("CST")
        expect(page.locator("#your-time")).to_contain_text("Asia/Shanghai, UTC+8")
        stamp = shown.get_attribute("datetime")
        assert stamp.endswith("+08:00"), stamp
        local = datetime.fromisoformat(stamp)
        utc_now = datetime.now(UTC)
        assert abs((local - utc_now).total_seconds()) < 120  # the same moment...
        assert local.replace(tzinfo=None) - utc_now.replace(tzinfo=None) == pytest.approx(
            timedelta(hours=8), abs=timedelta(minutes=2)
        )  # ...8 h ahead on the clock
        text = shown.inner_text()
        assert text.startswith(local.strftime("%Y-%m-%d %H:%M")), text
        assert "UTC+8" in shown.get_attribute("title")
    finally:
        ctx.close()


def test_tab_from_the_name_reaches_save(browser, shell, roles):
    ctx, page = _signed_in(browser, shell.url, roles.operator.username)
    try:
        page.goto(shell.pages["SQL form"])
        expect(page.locator(".ace_editor")).to_be_visible()
        expect(page.locator(".editor-hint")).to_contain_text("Esc")
        page.focus("input[name=name]")
        reached = False
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.matches('button[value=save]')"):
                reached = True
                break
        assert reached, "Tab never reached the Save button"
        # Typing in the editor, then Esc and Tab, leaves it too.
        page.locator(".ace_editor").click()
        page.keyboard.type("SELECT 1")
        assert page.evaluate("!!document.activeElement.closest('.ace_editor')")
        page.keyboard.press("Escape")
        page.keyboard.press("Tab")
        assert page.evaluate("!document.activeElement.closest('.ace_editor')")
    finally:
        ctx.close()


def test_skip_link_moves_to_the_content(browser, shell, roles):
    ctx, page = _signed_in(browser, shell.url, roles.viewer.username)
    try:
        page.goto("/")
        page.keyboard.press("Tab")
        skip = page.locator(".skip-link")
        expect(skip).to_be_focused()
        expect(skip).to_be_visible()
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
    finally:
        ctx.close()


def test_live_table_refresh_keeps_the_focus(browser, shell, roles, settings):
    from dashboard.jobs.models import Job
    from dashboard.teams.versions import team_changed

    settings.JOBS_LIVE_INTERVAL_MS = 500
    ctx, page = _signed_in(browser, shell.url, roles.operator.username)
    try:
        page.goto("/t/alpha/jobs/")
        row = page.locator("#job-rows tr[data-job]").nth(1)
        key = row.get_attribute("data-job")
        link = row.locator("td a").first
        link.focus()
        other = page.locator("#job-rows tr[data-job]").nth(2).get_attribute("data-job")
        Job.objects.filter(team=roles.team, job_id=int(other.split(":")[1])).update(
            name="renamed_while_focused"
        )
        team_changed(roles.team.pk)
        expect(page.locator("#job-rows")).to_contain_text("renamed_while_focused", timeout=10_000)
        focused = page.evaluate("document.activeElement.closest('tr[data-job]')?.getAttribute('data-job')")
        assert focused == key
        assert page.evaluate("document.activeElement.tagName") == "A"
    finally:
        ctx.close()


def test_billing_prints_without_the_page_chrome(browser, shell, roles):
    ctx, page = _signed_in(browser, shell.url, roles.lead.username)
    try:
        page.goto("/t/alpha/billing/")
        page.emulate_media(media="print")
        expect(page.locator(".topbar")).to_be_hidden()
        expect(page.locator("#job-costs .pagehead .button")).to_be_hidden()  # Export CSV
        expect(page.locator("#job-costs table").last).to_be_visible()
        expect(page.locator("#billing-summary")).to_be_visible()
    finally:
        ctx.close()
