"""The quota page and quota edit (leads only), against the emulator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.teams.models import ActionLog
from dashboard.usage import selectors
from dashboard.usage.models import UserQuota, UserQuotaSample

pytestmark = pytest.mark.django_db

LIST = reverse("quota_list", kwargs={"team": "alpha"})


def _edit_url(quota):
    return reverse(
        "quota_edit",
        kwargs={"team": "alpha", "credential": quota.credential.public_id, "user_id": quota.user_id},
    )


def test_quota_list_role_matrix(roles, login, synced):
    assert login(roles.outsider).get(LIST).status_code == 404
    assert login(roles.viewer).get(LIST).status_code == 403
    assert login(roles.operator).get(LIST).status_code == 403
    assert login(roles.lead).get(LIST).status_code == 200
    assert login(roles.lead).post(LIST).status_code == 405


def test_quota_edit_role_matrix(roles, login, synced, cs_requests, other_cs_credential):
    quota = UserQuota.objects.filter(credential=synced).first()
    url = _edit_url(quota)
    before = cs_requests()
    assert login(roles.outsider).get(url).status_code == 404
    assert login(roles.viewer).get(url).status_code == 403
    assert login(roles.operator).post(url, {"spu_quota": 5}).status_code == 403
    assert login(roles.lead).delete(url).status_code == 405
    assert (
        login(roles.lead)
        .get(
            reverse(
                "quota_edit",
                kwargs={"team": "alpha", "credential": quota.credential.public_id, "user_id": "nobody"},
            )
        )
        .status_code
        == 404
    )
    assert (
        login(roles.lead)
        .get(
            reverse(
                "quota_edit",
                kwargs={
                    "team": "alpha",
                    "credential": other_cs_credential.public_id,
                    "user_id": quota.user_id,
                },
            )
        )
        .status_code
        == 404
    )
    assert cs_requests() == before


def test_quota_list_sorted_by_usage_with_near_quota_highlighted(roles, login, synced):
    quotas = list(UserQuota.objects.filter(credential=synced))
    assert len(quotas) >= 2
    near, far = quotas[0], quotas[1]
    UserQuota.objects.filter(pk=near.pk).update(spu_used=45, spu_quota=50)
    UserQuota.objects.filter(pk=far.pk).update(spu_used=1, spu_quota=100)
    sample = UserQuotaSample.objects.filter(credential=synced).latest("sampled_at")
    sample.pk, sample.sampled_at = None, sample.sampled_at - timedelta(minutes=5)
    sample.save()  # two samples: the chart has a line to draw
    response = login(roles.lead).get(LIST)
    rows = response.context["rows"]
    usages = [r.usage for r in rows]
    assert usages == sorted(usages, reverse=True)
    assert rows[0].pk == near.pk and rows[0].near_quota
    assert not next(r for r in rows if r.pk == far.pk).near_quota
    page = response.content.decode()
    assert "highlight near-quota" in page
    assert "data-chart=" in page and "SPU use over time" in page
    assert "<script" not in page.split("<main", 1)[1]  # the chart's data is an attribute, no script
    totals = response.context["totals"]
    assert totals.spu_quota == sum(
        UserQuota.objects.filter(team=roles.team).values_list("spu_quota", flat=True)
    )


@pytest.mark.parametrize("sort", ["user", "-user", "used", "-quota", "account", "bogus"])
def test_quota_list_sorts(roles, login, synced, sort):
    response = login(roles.lead).get(LIST, {"sort": sort})
    assert response.status_code == 200
    assert response.context["sort"] in {sort, "-usage"}


def test_raise_quota(roles, login, synced):
    quota = UserQuota.objects.filter(credential=synced).order_by("user_id").first()
    new = (quota.spu_quota or 0) + 7
    clusters = [c["id"] for c in quota.clusters]
    response = login(roles.lead).post(_edit_url(quota), {"spu_quota": new, "clusters": clusters})
    assert response.status_code == 302, response.content.decode()[:3000]
    quota.refresh_from_db()
    assert quota.spu_quota == new
    assert ActionLog.objects.filter(action="quota.update", outcome="success").exists()
    # CS agrees
    from dashboard.polling.services import sync

    sync(synced.pk, "quotas")
    quota.refresh_from_db()
    assert quota.spu_quota == new


@pytest.mark.parametrize(("value", "text"), [(-1, "non-negative"), (1001, "1,000"), ("x", "whole number")])
def test_quota_field_errors_before_cs(roles, login, synced, cs_requests, value, text):
    quota = UserQuota.objects.filter(credential=synced).first()
    before = cs_requests()
    response = login(roles.lead).post(_edit_url(quota), {"spu_quota": value})
    assert response.status_code == 200
    assert text in " ".join(response.context["form"].errors["spu_quota"])
    assert cs_requests() == before


def test_quota_below_use_is_refused_clearly(roles, login, synced, cs_requests):
    quota = UserQuota.objects.filter(credential=synced).first()
    UserQuota.objects.filter(pk=quota.pk).update(spu_used=20)
    before = cs_requests()
    response = login(roles.lead).post(_edit_url(quota), {"spu_quota": 10})
    assert "already uses 20 SPUs" in " ".join(response.context["form"].errors["spu_quota"])
    assert cs_requests() == before


def test_cs_refusal_shows_description_and_solution(roles, login, synced):
    quota = UserQuota.objects.filter(credential=synced).order_by("-spu_used").first()
    if not quota.spu_used:
        pytest.fail("the seed has no user with SPUs in use")
    # the snapshot thinks nothing is in use; CS knows better (CS.21091)
    UserQuota.objects.filter(pk=quota.pk).update(spu_used=0)
    response = login(roles.lead).post(_edit_url(quota), {"spu_quota": 0})
    assert response.status_code == 200
    page = response.content.decode()
    assert "cs-error" in page and "CS.21091" in page
    assert response.context["form"].errors["spu_quota"]


def test_quota_series_is_downsampled_in_the_database(roles, synced, django_assert_max_num_queries):
    now = timezone.now()
    UserQuotaSample.objects.bulk_create(
        [
            UserQuotaSample(
                credential=synced,
                team=roles.team,
                sampled_at=now - timedelta(minutes=5 * i),
                spu_used=i % 50,
                spu_quota=100,
                users=3,
            )
            for i in range(2000)
        ]
    )
    with django_assert_max_num_queries(3):
        series = selectors.quota_series(roles.team, points=100)
    points = series["used"][0].points
    assert 90 <= len(points) <= 110
    assert points == sorted(points)
    assert points[-1][0] == max(UserQuotaSample.objects.values_list("sampled_at", flat=True))


def test_a_quota_used_beyond_its_size_reads_above_100_percent(roles, login, synced):
    over, unset = list(UserQuota.objects.filter(credential=synced))[:2]
    UserQuota.objects.filter(pk=over.pk).update(spu_used=13, spu_quota=10)
    UserQuota.objects.filter(pk=unset.pk).update(spu_used=4, spu_quota=0)
    response = login(roles.lead).get(LIST)
    rows = {r.pk: r for r in response.context["rows"]}
    assert rows[over.pk].usage_percent == 130  # the overrun is not hidden behind a full bar
    assert rows[unset.pk].usage_percent == 100  # SPUs in use without a quota: full
    assert "<small>130 %</small>" in response.content.decode()
    api = login(roles.lead).get(reverse("api:quota_list", kwargs={"team_slug": "alpha"})).json()
    assert {q["user_id"]: q["usage_percent"] for q in api["results"]}[over.user_id] == 130
