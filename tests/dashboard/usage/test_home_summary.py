"""The home page's per-team summary: jobs by status, SPU in use against quota, cost so far."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard.teams.models import Membership, Role, Team
from dashboard.usage import selectors

pytestmark = pytest.mark.django_db


def test_home_shows_summary_with_links(roles, login, synced):
    page = login(roles.lead).get(reverse("home")).content.decode()
    summary = selectors.team_summaries([roles.team])[roles.team.id]
    assert summary.jobs_total > 0 and summary.spu_quota > 0 and summary.cost is not None
    assert reverse("job_list", kwargs={"team": "alpha"}) in page
    assert reverse("quota_list", kwargs={"team": "alpha"}) in page
    assert reverse("billing", kwargs={"team": "alpha"}) in page
    assert f"{summary.cost:.2f}" in page
    assert f"{summary.spu_used} of {summary.spu_quota}" in page


def test_viewers_see_jobs_but_not_lead_figures(roles, login, synced):
    page = login(roles.viewer).get(reverse("home")).content.decode()
    assert reverse("job_list", kwargs={"team": "alpha"}) in page
    assert reverse("billing", kwargs={"team": "alpha"}) not in page


def test_home_queries_do_not_grow_with_teams(roles, login, synced):
    client = login(roles.lead)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        return len(ctx)

    few = count()
    for i in range(8):
        team = Team.objects.create(name=f"Extra {i}", slug=f"extra-{i}")
        Membership.objects.create(team=team, user=roles.lead, role=Role.LEAD)
    assert count() == few
