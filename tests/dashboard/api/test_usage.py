"""Quotas, overview, cost and SPU history, poll health."""

from __future__ import annotations

import pytest

from dashboard.usage.models import UserQuota
from tests.dashboard.api.conftest import assert_error

TEAM = "/api/v1/teams/alpha/"


@pytest.mark.django_db
def test_reads_matrix(roles, api):
    for path in ("quotas/", "quotas/history/", "overview/", "cost-history/", "poll-health/"):
        assert_error(api(None).get(TEAM + path), 401)
        assert_error(api(roles.outsider).get(TEAM + path), 404)
        lead_only = path != "poll-health/"  # as on the pages: quotas and billing are a lead's
        for user in (roles.viewer, roles.operator):
            response = api(user).get(TEAM + path)
            assert response.status_code == (403 if lead_only else 200), path
        assert api(roles.lead).get(TEAM + path).status_code == 200, path
        assert_error(api(roles.lead).post(TEAM + path, {}, format="json"), 405)


@pytest.mark.django_db
def test_quotas_overview_and_histories_from_snapshots(roles, api, synced):
    client = api(roles.lead)
    quotas = client.get(TEAM + "quotas/").json()
    assert quotas["count"] == UserQuota.objects.filter(team=roles.team, deleted_at__isnull=True).count()
    overview = client.get(TEAM + "overview/").json()
    assert overview["snapshots"] and overview["snapshots"][0]["credential"] == str(synced.public_id)
    assert overview["freshness"]["kinds"]["overview"]["last_success"]
    costs = client.get(TEAM + "cost-history/").json()
    assert costs and costs[0]["credential_name"] == synced.name and costs[0]["points"]
    history = client.get(TEAM + "quotas/history/").json()
    assert set(history) == {"used", "quota"}


@pytest.mark.django_db
def test_quota_update_is_for_leads_and_checked_by_the_form(roles, api, synced):
    from csapi import limits

    quota = UserQuota.objects.filter(team=roles.team).select_related("credential").first()
    if quota is None:
        pytest.fail("the demo tenant has no users")
    url = f"{TEAM}quotas/{quota.credential.public_id}/{quota.user_id}/"
    assert api(roles.lead).get(url).json()["user_id"] == quota.user_id
    assert_error(api(roles.viewer).get(url), 403)
    assert_error(api(roles.operator).patch(url, {"spu_quota": 10}, format="json"), 403)
    body = assert_error(
        api(roles.lead).patch(url, {"spu_quota": limits.USER_SPU_QUOTA_MAX + 1}, format="json"),
        400,
        "invalid",
    )
    assert "spu_quota" in body["detail"]
    new = max(quota.spu_used or 0, 1) + 5
    response = api(roles.lead, token=True).patch(url, {"spu_quota": new}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["spu_quota"] == new
    assert_error(api(roles.lead).get(f"{TEAM}quotas/{quota.credential.public_id}/no-such-user/"), 404)


@pytest.mark.django_db
def test_poll_health_reports_each_credential_and_kind(roles, api, synced):
    body = api(roles.viewer).get(TEAM + "poll-health/").json()
    assert {row["credential"] for row in body["credentials"]} == {str(synced.public_id)}
    assert {row["kind"] for row in body["credentials"]} >= {"jobs", "clusters", "overview"}
    assert body["freshness"]["kinds"]["jobs"]["stale"] is False
    assert all(row["consecutive_failures"] == 0 for row in body["credentials"])
