"""Language and time zone per person: the browser's language, the profile's choice, the header's switch,
the settings page, and times shown in the person's zone with the zone named."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from dashboard import timefmt
from dashboard.accounts.models import Profile

pytestmark = pytest.mark.django_db

HOME = "/"
PROFILE = reverse("profile")
SWITCH = reverse("language_switch")


def test_login_page_speaks_the_browsers_language(client):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")
    html = page.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html and "跳到主要内容" in html
    assert page["Content-Language"] == "zh-hans"
    english = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="en">' in english and "Sign in" in english


def test_chinese_field_errors(client):
    page = client.post("/login/", {"username": "", "password": ""}, HTTP_ACCEPT_LANGUAGE="zh-CN")
    html = page.content.decode()
    assert "该字段是必填项。" in html  # Django's own catalogue
    # The error is tied to its field: the input names the rendered error's id.
    assert 'aria-describedby="id_username_error"' in html and 'id="id_username_error"' in html


def test_profile_language_wins_over_the_browser(roles, login):
    client = login(roles.viewer)
    Profile.objects.create(user=roles.viewer, language="zh-hans")
    html = client.get(HOME, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans">' in html and "团队" in html and "查看者" in html
    Profile.objects.filter(user=roles.viewer).update(language="")
    html = client.get(HOME, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html


def test_language_switch_saves_the_profile_and_redirects_back(roles, login):
    client = login(roles.lead)
    response = client.post(SWITCH, {"language": "zh-hans", "next": "/t/alpha/"})
    assert response.status_code == 302 and response["Location"] == "/t/alpha/"
    assert Profile.objects.get(user=roles.lead).language == "zh-hans"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    html = client.get("/t/alpha/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans">' in html and "负责人" in html  # the role in the team bar
    # Somewhere else than this site is not where the switch sends anyone.
    response = client.post(SWITCH, {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_language_switch_works_signed_out_and_needs_post(client):
    response = client.post(SWITCH, {"language": "zh-hans", "next": "/login/"})
    assert response.status_code == 302
    assert '<html lang="zh-hans">' in client.get("/login/").content.decode()
    assert client.get(SWITCH).status_code == 405
    assert not Profile.objects.exists()


def test_language_switch_checks_csrf(roles):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(roles.lead, backend="dashboard.teams.auth.ModelBackend")
    assert client.post(SWITCH, {"language": "zh-hans"}).status_code == 403


def test_header_offers_the_other_language(roles, login):
    html = login(roles.viewer).get(HOME, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r'<button[^>]*name="language" value="zh-hans" lang="zh-hans">简体中文</button>', html)
    assert 'value="en"' not in html.split('class="langswitch"', 1)[1].split("</form>", 1)[0]
    assert 'class="skip-link" href="#main"' in html and 'id="main"' in html


def test_settings_page_saves_language_and_time_zone(roles, login):
    client = login(roles.operator)
    page = client.get(PROFILE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Asia/Shanghai, UTC+8" in html  # the default zone, named
    response = client.post(PROFILE, {"language": "zh-hans", "time_zone": "Europe/Berlin"})
    assert response.status_code == 302
    profile = Profile.objects.get(user=roles.operator)
    assert (profile.language, profile.time_zone) == ("zh-hans", "Europe/Berlin")
    html = client.get(PROFILE).content.decode()
    assert "设置已保存。" in html and "Europe/Berlin" in html
    bad = client.post(PROFILE, {"language": "fr", "time_zone": "Mars/Olympus"})
    assert bad.status_code == 200
    assert 'id="id_time_zone_error"' in bad.content.decode()


def test_settings_page_needs_sign_in(client):
    assert client.get(PROFILE).status_code == 302


def test_time_zone_from_profile_else_team_else_default(roles, login, settings):
    from dashboard.accounts.middleware import PreferencesMiddleware

    seen = []

    def view(request):
        seen.append(timezone.get_current_timezone_name())
        from django.http import HttpResponse

        return HttpResponse("")

    middleware = PreferencesMiddleware(view)
    from dashboard.teams.auth import ModelBackend

    def request_for(user):
        from django.test import RequestFactory

        request = RequestFactory().get("/")
        request.user = ModelBackend().get_user(user.pk)
        return request

    middleware(request_for(roles.viewer))
    assert seen[-1] == settings.DEFAULT_USER_TIME_ZONE == "Asia/Shanghai"
    roles.team.time_zone = "Asia/Tokyo"
    roles.team.save()
    middleware(request_for(roles.viewer))
    assert seen[-1] == "Asia/Tokyo"
    Profile.objects.create(user=roles.viewer, time_zone="UTC")
    middleware(request_for(roles.viewer))
    assert seen[-1] == "UTC"


def test_preferences_cost_no_query_of_their_own(roles, login):
    """The profile and the team's zone come with the user's row: a page costs what it did."""
    from dashboard.teams.auth import ModelBackend

    Profile.objects.create(user=roles.viewer, language="zh-hans", time_zone="UTC")
    with CaptureQueriesContext(connection) as queries:
        user = ModelBackend().get_user(roles.viewer.pk)
    assert len(queries) == 1
    from dashboard.accounts.middleware import preferences_of

    with CaptureQueriesContext(connection) as queries:
        assert preferences_of(user) == ("zh-hans", "UTC", "")
    assert len(queries) == 0


def test_times_name_their_zone():
    value = datetime(2026, 12, 1, 9, 30, 5, tzinfo=UTC)
    with timezone.override("Asia/Shanghai"):
        assert timefmt.format_local(value) == "2026-12-01 17:30 CST"
        assert timefmt.local_parts(value) == (
            "2026-12-01T17:30:05+08:00",
            "2026-12-01 17:30 CST",
            "2026-12-01 17:30:05 CST",
        )
        html = timefmt.time_html(value, relative_to_now=True, now=value + timedelta(minutes=3))
        assert html == (
            '<time datetime="2026-12-01T17:30:05+08:00" title="2026-12-01 17:30:05 CST '
            '(Asia/Shanghai, UTC+8)">3 min ago</time>'
        )
    with timezone.override("Asia/Singapore"):  # a zone whose abbreviation is a number
        assert timefmt.format_local(value) == "2026-12-01 17:30 UTC+8"
    with timezone.override("Asia/Kolkata"):
        assert timefmt.zone_description(timezone.localtime(value)) == "Asia/Kolkata, UTC+5:30"


@pytest.mark.parametrize(
    ("delta", "english", "chinese"),
    [
        (timedelta(seconds=10), "just now", "刚刚"),
        (timedelta(minutes=3), "3 min ago", "3 分钟前"),
        (timedelta(hours=2), "2 h ago", "2 小时前"),
        (timedelta(days=1), "1 day ago", "1 天前"),
        (timedelta(days=5), "5 days ago", "5 天前"),
        (-timedelta(minutes=3), "in 3 min", "3 分钟后"),
    ],
)
def test_relative_times(delta, english, chinese):
    now = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    with translation.override("en"):
        assert timefmt.relative(now - delta, now) == english
    with translation.override("zh-hans"):
        assert timefmt.relative(now - delta, now) == chinese


def test_job_rows_name_the_zone():
    from dashboard.jobs.presenters import local_parts

    with timezone.override("Asia/Shanghai"):
        assert local_parts(datetime(2026, 1, 1, tzinfo=UTC))[1] == "2026-01-01 08:00 CST"
    assert local_parts(None) == ("", "—", "—")


@pytest.mark.parametrize(
    "ms, english, chinese",
    [
        (7_000, "7s", "7秒"),
        (2_910_000, "48m 30s", "48分30秒"),
        (11_040_000, "3h 4m", "3小时4分"),
        (93_600_000, "1d 2h", "1天2小时"),
    ],
)
def test_durations_in_the_readers_language(ms, english, chinese):
    from dashboard.jobs.templatetags.jobs_tags import duration_ms, rate

    with translation.override("en"):
        assert duration_ms(ms) == english
        assert (rate(12.5), rate(3400)) == ("12.5/s", "3.4k/s")
    with translation.override("zh-hans"):
        assert duration_ms(ms) == chinese
        assert (rate(12.5), rate(3400)) == ("12.5/秒", "3.4千/秒")


def test_counts_are_grouped_for_the_reader():
    from dashboard.jobs.templatetags.jobs_tags import count

    with translation.override("en"):
        assert (count(65845), count(None), count("x")) == ("65,845", "—", "—")
    with translation.override("zh-hans"):
        assert count(1234567) == "1234567"  # Django's Chinese number format groups with no separator
