"""The team version follows every write, wherever it is made, and nothing else: cached pages depend on it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dashboard.teams.models import Team

pytestmark = pytest.mark.django_db


def _version(team: Team) -> int:
    return Team.objects.values_list("version", flat=True).get(pk=team.pk)


def test_a_write_changes_only_that_teams_version_and_a_refused_form_nothing(roles, login, cs_credential):
    alpha, beta = _version(roles.team), _version(roles.other_team)
    response = login(roles.lead).post(reverse("template_create", kwargs={"team": "alpha"}), {"name": ""})
    assert response.status_code in (200, 400)  # refused by the form: nothing written, nothing bumped
    assert _version(roles.team) == alpha
    response = login(roles.lead).post(
        reverse("template_create", kwargs={"team": "alpha"}),
        {"credential": cs_credential.public_id, "name": "versioned", "desc": "", "sql_body": "SELECT 1"},
    )
    assert response.status_code == 302
    assert _version(roles.team) == alpha + 1
    assert _version(roles.other_team) == beta


def test_a_service_called_outside_a_request_bumps_after_its_commit(roles, cs_credential):
    """A shell, a task or a command writing through a service: no middleware sees it, the service does."""
    from django.db import transaction

    from dashboard.jobs.services import template_create
    from dashboard.teams.access import TeamAccess
    from dashboard.teams.models import Role

    access = TeamAccess(team=roles.team, role=Role.LEAD)
    before = _version(roles.team)
    with transaction.atomic():
        template_create(
            access=access,
            user=roles.lead,
            credential=cs_credential,
            data={"name": "from-shell", "desc": "", "sql_body": "SELECT 1"},
        )
    assert _version(roles.team) == before + 1


def test_throttled_api_writes_and_sign_in_attempts_leave_the_version_alone(roles, client, throttle_rates):
    from dashboard.api.services import token_create

    throttle_rates(api_write="1/min")
    _row, raw = token_create(user=roles.operator, name="t")
    before = _version(roles.team)
    for _ in range(3):
        client.post(
            "/api/v1/teams/alpha/jobs/run/",
            {"jobs": []},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
    assert _version(roles.team) == before
    client.post("/admin/login/", {"username": "lead", "password": "wrong"})
    client.post(reverse("login"), {"username": "lead", "password": "wrong"})
    assert _version(roles.team) == before


def test_reads_refusals_and_outsiders_leave_the_version_alone(roles, login):
    before = _version(roles.team)
    login(roles.viewer).get(reverse("job_list", kwargs={"team": "alpha"}))
    assert login(roles.viewer).post(reverse("job_batch", kwargs={"team": "alpha"}), {}).status_code == 403
    assert login(roles.outsider).post(reverse("job_batch", kwargs={"team": "alpha"}), {}).status_code == 404
    assert login(None).post(reverse("job_batch", kwargs={"team": "alpha"}), {}).status_code in (302, 403)
    assert _version(roles.team) == before


def test_a_poll_changes_the_version_whether_it_succeeds_or_fails(roles, cs_credential, emulator):
    from dashboard.polling.services import sync

    before = _version(roles.team)
    assert sync(cs_credential.pk, "jobs").ok
    assert _version(roles.team) == before + 1
    emulator.emulator.faults.configure({"path": "/jobs", "error_rate": 1.0, "status": 503})
    assert not sync(cs_credential.pk, "jobs").ok
    assert _version(roles.team) == before + 2
    assert _version(roles.other_team) == 0


def test_a_background_fetch_of_job_details_changes_the_version(roles, cs_credential):
    from dashboard.jobs.models import Job
    from dashboard.jobs.services import job_details_fetch
    from dashboard.polling.services import sync

    assert sync(cs_credential.pk, "jobs").ok
    job = Job.objects.filter(credential=cs_credential, job_type="flink_sql_job").first()
    before = _version(roles.team)
    assert job_details_fetch(job_pk=job.pk) is not None
    assert _version(roles.team) == before + 1


def test_an_api_write_changes_the_version(roles, cs_credential):
    from rest_framework.test import APIClient

    from dashboard.api.services import token_create
    from dashboard.clusters.models import Cluster
    from dashboard.polling.services import sync

    assert sync(cs_credential.pk, "clusters").ok
    cluster = Cluster.objects.filter(team=roles.team, deleted_at__isnull=True).first()
    _row, raw = token_create(user=roles.lead, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    before = _version(roles.team)
    url = f"/api/v1/teams/alpha/clusters/{cs_credential.public_id}/{cluster.cluster_id}/"
    assert client.patch(url, {"desc": "from the API"}, format="json").status_code == 200
    assert _version(roles.team) == before + 1


def test_an_admin_change_changes_every_teams_version(roles, admin_client):
    alpha, beta = _version(roles.team), _version(roles.other_team)
    response = admin_client.post(
        f"/admin/teams/team/{roles.team.pk}/change/",
        {
            "name": "Alpha Renamed",
            "slug": "alpha",
            "created_at_0": "2026-01-01",
            "created_at_1": "00:00:00",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert _version(roles.team) == alpha + 1 and _version(roles.other_team) == beta + 1
