"""The isolation walk: every URL of the site and the API, resolved with a second team's ids, requested
as an anonymous user, an outsider and each role of the wrong team. Every answer is a login redirect,
401, 403 or 404, no body shows the other team's data, and nothing reaches CS.

The walk runs twice: with the other team's CS objects, then, on every URL that names a credential, with
its DLI credential, DLI job and queue. A URL added later with a path argument this walk does not know
fails the test until the walk is told which object of the other team to use for it; a URL outside any team must be listed in
``NOT_TEAM_SCOPED`` with the reason it is safe.
"""

from __future__ import annotations

import re

import pytest
import requests
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dashboard.api.services import token_create
from dashboard.clusters.models import Cluster, HostMapping, Peering, Route
from dashboard.jobs.models import Job, Template
from dashboard.polling.services import sync_all
from dashboard.usage.models import UserQuota
from tests.dashboard.api import dli

pytestmark = pytest.mark.django_db

# URL names outside a team, and why they are safe to serve to anyone signed in (or to anyone).
NOT_TEAM_SCOPED = {
    "healthz": "health of the service, no team data",
    "login": "sign-in form",
    "logout": "sign-out",
    "home": "lists only the caller's own teams",
    "team_create": "creates a new team owned by the caller",
    "jobs_all": "jobs of the caller's own teams only",
    "jobs_all_rows": "jobs of the caller's own teams only",
    "api_schema": "the API description, no data",
    "api_docs": "the API documentation page, no data",
    "api_tokens": "the caller's own API tokens",
    "profile": "the caller's own language and time zone",
    "language_switch": "the caller's own language (a cookie, and their profile when signed in)",
    "api:team_list": "teams the caller belongs to",
    "api:not_found": "the API's 404 answer",
}


def _patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin/"):
                continue  # Django's admin: staff only, checked separately below
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry, prefix + str(entry.pattern)


@pytest.fixture
def beta(roles, other_cs_credential, emulator):
    """Team beta's data as the poller stores it, plus the strings that must never leak."""
    results = sync_all(other_cs_credential.id)
    assert all(r.ok for r in results.values()), results
    team = roles.other_team
    job = Job.objects.filter(team=team).exclude(sql_body="").first()
    template = Template.objects.filter(team=team).first()
    cluster = Cluster.objects.filter(team=team).first()
    host = HostMapping.objects.filter(cluster__team=team).first()
    peering = Peering.objects.filter(cluster__team=team).first()
    route = Route.objects.filter(peering__cluster__team=team).first()
    quota = UserQuota.objects.filter(team=team).first()
    for name, obj in {
        "job": job,
        "template": template,
        "cluster": cluster,
        "host": host,
        "peering": peering,
        "route": route,
        "quota": quota,
    }.items():
        assert obj is not None, f"the demo tenant has no {name} to walk with"
    token, _ = token_create(user=roles.other_lead, name="beta automation")
    from dashboard.teams.models import CloudCall

    call = CloudCall.objects.create(
        team=team,
        credential=other_cs_credential,
        user=roles.other_lead,
        action="test",
        state="failed",
        message="beta's call",
    )
    alerts = _beta_alerts(roles, other_cs_credential, job)
    beta_dli = _beta_dli(roles, emulator)
    kwargs = {
        **alerts.kwargs,
        "team": team.slug,
        "team_slug": team.slug,
        "credential": other_cs_credential.public_id,
        "job_id": job.job_id,
        "template_id": template.template_id,
        "cluster_id": cluster.cluster_id,
        "host_id": host.host_id,
        "peering_id": peering.peering_id,
        "route_id": route.route_id,
        "user_id": quota.user_id,
        "member_id": roles.other_lead.username,
        "token": token.public_id,
        "call": call.public_id,
        "queue_name": beta_dli.queue.queue_name,
    }
    secrets = [
        team.name,
        call.message,
        job.name,
        job.sql_body[:60],
        cluster.name,
        str(other_cs_credential.public_id),
        other_cs_credential.name,
        template.name,
        *alerts.secrets,
        *beta_dli.secrets,
    ]
    dli_kwargs = {**kwargs, **beta_dli.kwargs}
    return type(
        "Beta",
        (),
        {"kwargs": kwargs, "dli_kwargs": dli_kwargs, "secrets": [s for s in secrets if s and len(s) >= 4]},
    )


def _beta_dli(roles, emulator):
    """Team beta's DLI credential with a running DLI job (created through the jobs service against the
    emulator's DLI), its queues and its project quotas."""
    credential = dli.dli_credential_for(roles.other_team, emulator.tenants[1], emulator.url, name="beta-dli")
    queues = dli.queue_rows(credential)
    dli.quota_rows(credential)
    job = dli.running_job(roles.other_lead, credential, emulator, name="beta_dli_stream")
    queue = next(q for q in queues if q.queue_name == job.queue_name)
    kwargs = {"credential": credential.public_id, "job_id": job.job_id, "queue_name": queue.queue_name}
    secrets = [job.name, job.sql_body[:60], credential.name, str(credential.public_id), queue.queue_name]
    return type("BetaDLI", (), {"kwargs": kwargs, "secrets": secrets, "queue": queue, "job": job})


def _beta_alerts(roles, credential, job):
    """Team beta's alert rule, channel, incident, silence and maintenance window (ids and names)."""
    from django.utils import timezone

    from dashboard.alerts.models import Channel, Incident, MaintenanceWindow, Rule, Silence

    team = roles.other_team
    channel = Channel(team=team, name="beta pager channel", kind="webhook")
    channel.set_secrets(url="https://hooks.example.com/beta", signing_key="beta-signing-key-123456")
    channel.save()
    rule = Rule.objects.create(team=team, name="beta failure rule", kind="job_failed")
    rule.channels.add(channel)
    incident = Incident.objects.create(
        team=team,
        rule=rule,
        subject=f"job:{job.pk}",
        subject_name=job.name,
        job=job,
        credential=credential,
        summary="beta incident summary",
    )
    until = timezone.now() + timezone.timedelta(hours=1)
    silence = Silence.objects.create(team=team, rule=rule, until=until, reason="beta silence reason")
    window = MaintenanceWindow.objects.create(
        team=team, name="beta maintenance window", starts_at=timezone.now(), ends_at=until
    )
    kwargs = {
        "rule": rule.public_id,
        "channel": channel.public_id,
        "incident": incident.public_id,
        "silence": silence.public_id,
        "window": window.public_id,
    }
    secrets = [channel.name, rule.name, incident.summary, silence.reason, window.name, "hooks.example.com"]
    return type("BetaAlerts", (), {"kwargs": kwargs, "secrets": secrets})


def _url(name, pattern, route, kwargs):
    # Path arguments of the whole route: the including patterns' and this pattern's.
    needed = set(re.findall(r"<(?:\w+:)?(\w+)>", route)) | set(re.findall(r"\(\?P<(\w+)>", route))
    missing = needed - set(kwargs)
    assert not missing, (
        f"{name} ({route}) takes {sorted(missing)}: teach the isolation walk which object to use"
    )
    return reverse(name, kwargs={k: kwargs[k] for k in needed})


READ_POSTS = {
    "POST /v3/auth/tokens",
    "POST /v1.0/{project_id}/jobs/metrics",
    "POST /v1.0/{project_id}/streaming/jobs/metrics",
}


def _writes(emulator) -> int:
    """CS calls that change something (every call but reads and token requests)."""
    counts = requests.get(f"{emulator.url}/_emulator/stats", timeout=10).json()["by_operation"]
    return sum(n for op, n in counts.items() if not op.startswith("GET ") and op not in READ_POSTS)


def test_every_url_is_closed_to_other_teams(roles, beta, client, emulator):
    walked = _walk(roles, beta, client, emulator, beta.kwargs)
    assert walked > 50 * 5


def test_every_url_is_closed_to_other_teams_dli_objects(roles, beta, client, emulator):
    """Every URL that names a credential, with the other team's DLI credential, job and queue."""
    walked = _walk(
        roles, beta, client, emulator, beta.dli_kwargs, only=lambda route: "<uuid:credential>" in route
    )
    assert walked > 20 * 5


def _walk(roles, beta, client, emulator, kwargs, only=None) -> int:
    tokens = {
        user: token_create(user=getattr(roles, user), name="walk")[1]
        for user in ("outsider", "lead", "operator", "viewer")
    }
    walked = 0
    writes_before = _writes(emulator)
    for name, pattern, route in _patterns():
        if name in NOT_TEAM_SCOPED or (only is not None and not only(route)):
            continue
        url = _url(name, pattern, route, kwargs)
        is_api = route.startswith("api/")
        for who in (None, "outsider", "lead", "operator", "viewer"):
            cache.clear()  # write rate limits are not under test here
            client.logout()
            headers = {}
            if who is not None:
                if is_api:
                    headers["HTTP_AUTHORIZATION"] = f"Bearer {tokens[who]}"
                else:
                    client.force_login(getattr(roles, who), backend="dashboard.teams.auth.ModelBackend")
            answers = {}
            for method in ("get", "post", "put", "patch", "delete"):
                response = getattr(client, method)(url, **headers)
                answers[method] = response.status_code
                body = response.content.decode(errors="replace")
                for secret in beta.secrets:
                    assert secret not in body, (
                        f"{method.upper()} {url} as {who or 'anonymous'} shows {secret!r}"
                    )
                if who is None and not is_api:
                    assert response.status_code in (302, 405), (method, url, response.status_code)
                    if response.status_code == 302:
                        assert response["Location"].startswith(reverse("login")), (url, response["Location"])
                else:
                    allowed = (401, 403, 404, 405) if who is None else (403, 404, 405)
                    assert response.status_code in allowed, (
                        method,
                        url,
                        who,
                        response.status_code,
                        body[:300],
                    )
            # A method the view does not serve may answer 405, but some method must reach the access check.
            assert set(answers.values()) != {405}, (url, who, answers)
            walked += 1
    assert _writes(emulator) == writes_before, "a request from outside the team reached the cloud"
    return walked


def test_walk_knows_every_non_team_url(roles):
    names = {name for name, _, _ in _patterns()}
    for name in NOT_TEAM_SCOPED:
        assert name in names, f"{name} is listed as not team-scoped but no longer exists"


def test_another_users_api_token_cannot_be_revoked(roles, login):
    token, _ = token_create(user=roles.other_lead, name="mine")
    response = login(roles.lead).post(reverse("api_token_revoke", kwargs={"token": token.public_id}))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_admin_is_staff_only(roles, login):
    response = login(roles.lead).get("/admin/teams/credential/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
