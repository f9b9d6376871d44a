"""In headless Chromium: the API documentation page renders with the site's Content Security Policy
(no script blocked), and the token page shows a new token once and it works against the API."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    yield page
    context.close()


def sign_in(page, user):
    page.goto("/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def test_docs_page_renders_under_the_csp(page, roles):
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("CS Dashboard API")
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    blocked = [p for p in page.problems if "Content Security Policy" in p or "Refused" in p]
    assert not blocked, blocked


def test_token_shown_once_and_usable(page, roles):
    sign_in(page, roles.viewer)
    page.goto("/settings/api-tokens/")
    page.fill("input[name=name]", "laptop")
    page.click("button.primary")
    token = page.locator("#new-token").inner_text().strip()
    assert token.startswith("csd_")
    answer = page.request.get("/api/v1/teams/", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 200 and answer.json()[0]["slug"] == "alpha"
    page.goto("/settings/api-tokens/")
    expect(page.locator("#new-token")).to_have_count(0)
    assert token not in page.content()
    page.once("dialog", lambda d: d.accept())
    page.click("button.danger")
    expect(page.locator("td", has_text="revoked")).to_be_visible()
    answer = page.request.get("/api/v1/teams/", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 401
