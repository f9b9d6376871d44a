"""Fixtures of the alerts tests: real receivers, emulator jobs made to fail, rules and channels."""

from __future__ import annotations

import pytest

from csapi import vocab
from tests.dashboard.alerts.receivers import HttpReceiver, SmtpReceiver

SIGNING_KEY = "whsec-test-signing-key-0123456789"


@pytest.fixture
def receiver(settings):
    server = HttpReceiver()
    settings.OUTBOUND_ALLOWED_HOSTS = [*settings.OUTBOUND_ALLOWED_HOSTS, server.netloc]
    yield server
    server.close()


@pytest.fixture
def smtp(settings):
    server = SmtpReceiver()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _alert_timing(settings):
    settings.ALERT_RESOLVE_AFTER = 0
    settings.ALERT_RETRY_BASE = 0.01
    settings.ALERT_RETRY_MAX = 0.05
    settings.DASHBOARD_URL = "https://dash.example.com"


def cs_job(emulator, job_id: int, status: str, desc: str = "") -> None:
    """Give a job of the emulator's first tenant ``status`` from now on (as CS would report it)."""
    project = emulator.emulator.projects[emulator.account.project_id]
    with project.lock:
        job = project.jobs[job_id]
        now = emulator.clock.now()
        job.timeline = [entry for entry in job.timeline if entry[0] <= now] + [[now, status, desc]]


def running_jobs(emulator) -> list[int]:
    project = emulator.emulator.projects[emulator.account.project_id]
    now = emulator.clock.now()
    return sorted(j.job_id for j in project.jobs.values() if j.status(now) == vocab.JOB_RUNNING)


@pytest.fixture
def make_rule(roles):
    from dashboard.alerts import services
    from dashboard.alerts.models import Rule, RuleKind
    from dashboard.teams.access import TeamAccess
    from dashboard.teams.models import Role

    def make(*channels, kind=RuleKind.JOB_FAILED, team=None, **fields):
        team = team or roles.team
        access = TeamAccess(team=team, role=Role.LEAD)
        rule = Rule(team=team, name=fields.pop("name", f"{kind} {Rule.objects.count()}"), kind=kind, **fields)
        return services.rule_save(access=access, user=None, rule=rule, channels=channels)

    return make


@pytest.fixture
def make_channel(roles):
    from dashboard.alerts import services
    from dashboard.alerts.models import Channel, ChannelKind
    from dashboard.teams.access import TeamAccess
    from dashboard.teams.models import Role

    def make(kind=ChannelKind.WEBHOOK, *, url="", signing_key="", emails="", team=None, name=None):
        team = team or roles.team
        access = TeamAccess(team=team, role=Role.LEAD)
        channel = Channel(
            team=team, name=name or f"{kind} {Channel.objects.count()}", kind=kind, emails=emails
        )
        return services.channel_save(
            access=access, user=None, channel=channel, url=url, signing_key=signing_key
        )

    return make


# The API tests' clients (``api(user, token=True)``), shared with tests/dashboard/api.
from tests.dashboard.api.conftest import api  # noqa: E402, F401
