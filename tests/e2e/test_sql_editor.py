"""The SQL editor: ACE (from the django-ace package) with SQL highlighting and line numbers, whose text
is what the form submits."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_jobs_browser import page  # noqa: F401  (the signed-in operator's page)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sql_editor_highlights_numbers_lines_and_submits(page, cs_credential, tmp_path):  # noqa: F811
    from dashboard.jobs.models import Job

    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/t/alpha/jobs/new/sql/")
    editor = page.locator(".ace_editor")
    expect(editor).to_be_visible()
    expect(page.locator("textarea[name=sql_body]")).to_be_hidden()
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("SELECT id, amount\nFROM orders\nWHERE amount > 10;")
    expect(page.locator(".ace_gutter-cell")).to_have_count(3)  # line numbers
    expect(page.locator(".ace_keyword").first).to_be_visible()  # SQL keywords highlighted
    page.screenshot(path=str(tmp_path / "editor.png"))
    page.fill("input[name=name]", "e2e_editor_job")
    page.click("button[value=save]")
    expect(page.locator("h1")).to_contain_text("e2e_editor_job")
    assert (
        Job.objects.get(name="e2e_editor_job").sql_body
        == "SELECT id, amount\nFROM orders\nWHERE amount > 10;"
    )
    assert not [e for e in errors if "Content Security Policy" in e], errors
