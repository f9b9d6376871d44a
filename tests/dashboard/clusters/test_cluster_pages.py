"""Cluster list and detail (viewers and up) and the cluster actions (leads), against the emulator."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from csapi import vocab
from dashboard.clusters.models import Cluster
from dashboard.teams.models import ActionLog

pytestmark = pytest.mark.django_db


def _first(credential) -> Cluster:
    return Cluster.objects.filter(credential=credential).order_by("cluster_id").first()


def _url(name, cluster, **extra):
    return reverse(
        name,
        kwargs={
            "team": cluster.team.slug,
            "credential": cluster.credential.public_id,
            "cluster_id": cluster.cluster_id,
            **extra,
        },
    )


# ------------------------------------------------------------------------------------------ role matrix
def test_list_role_matrix(roles, login, synced):
    url = reverse("cluster_list", kwargs={"team": "alpha"})
    assert login(roles.outsider).get(url).status_code == 404
    assert login(None).get(url).status_code == 302  # to the login page
    for user in (roles.viewer, roles.operator, roles.lead):
        assert login(user).get(url).status_code == 200
    assert login(roles.lead).post(url).status_code == 405
    assert login(roles.lead).get(reverse("cluster_list", kwargs={"team": "nope"})).status_code == 404


def test_detail_role_matrix_and_bad_ids(roles, login, synced, other_cs_credential):
    cluster = _first(synced)
    url = _url("cluster_detail", cluster)
    assert login(roles.outsider).get(url).status_code == 404
    assert login(roles.viewer).get(url).status_code == 200
    assert login(roles.viewer).post(url).status_code == 405
    bad = reverse(
        "cluster_detail",
        kwargs={"team": "alpha", "credential": cluster.credential.public_id, "cluster_id": 999999},
    )
    assert login(roles.lead).get(bad).status_code == 404
    random_cred = reverse(
        "cluster_detail",
        kwargs={"team": "alpha", "credential": uuid.uuid4(), "cluster_id": cluster.cluster_id},
    )
    assert login(roles.lead).get(random_cred).status_code == 404
    # another team's credential id under this team's slug
    foreign = reverse(
        "cluster_detail",
        kwargs={
            "team": "alpha",
            "credential": other_cs_credential.public_id,
            "cluster_id": cluster.cluster_id,
        },
    )
    assert login(roles.lead).get(foreign).status_code == 404


@pytest.mark.parametrize("name", ["cluster_stop", "cluster_restart", "cluster_delete"])
def test_actions_need_lead(roles, login, synced, name, cs_requests):
    cluster = _first(synced)
    before = cs_requests()
    assert login(roles.outsider).post(_url(name, cluster)).status_code == 404
    assert login(roles.viewer).post(_url(name, cluster)).status_code == 403
    assert login(roles.operator).post(_url(name, cluster)).status_code == 403
    assert login(roles.lead).get(_url(name, cluster)).status_code == 405
    assert cs_requests() == before


def test_create_and_update_need_lead(roles, login, synced):
    cluster = _first(synced)
    for url in (reverse("cluster_create", kwargs={"team": "alpha"}), _url("cluster_update", cluster)):
        assert login(roles.outsider).get(url).status_code == 404
        assert login(roles.viewer).get(url).status_code == 403
        assert login(roles.operator).post(url, {"name": "x"}).status_code == 403
        assert login(roles.lead).get(url).status_code == 200
        assert login(roles.lead).put(url).status_code == 405


# ------------------------------------------------------------------------------------------- pages
def test_list_shows_status_spu_and_running_jobs(roles, login, synced):
    clusters = list(Cluster.objects.filter(credential=synced))
    assert clusters
    page = login(roles.viewer).get(reverse("cluster_list", kwargs={"team": "alpha"})).content.decode()
    for cluster in clusters:
        assert cluster.name in page
        assert f"badge-{cluster.status_info.health}" in page
        assert str(cluster.status_info.label) in page
    assert "<meter" in page
    assert "New cluster" not in page  # viewers do not see write links


def test_every_status_code_has_a_name_and_colour(roles, login, synced):
    cluster = _first(synced)
    url = reverse("cluster_list", kwargs={"team": "alpha"})
    client = login(roles.viewer)
    for code, status in vocab.CLUSTER_STATUSES.items():
        Cluster.objects.filter(pk=cluster.pk).update(status_code=code)
        page = client.get(url).content.decode()
        assert str(status.label) in page
        assert f"badge-{status.health}" in page


def test_detail_shows_every_field_and_jobs(roles, login, synced):
    cluster = _first(synced)
    page = login(roles.lead).get(_url("cluster_detail", cluster)).content.decode()
    for value in (
        cluster.name,
        str(cluster.cluster_id),
        cluster.vpc_cidr,
        cluster.subnet_cidr,
        cluster.subnet_gateway,
        str(cluster.maximum_spu_quota),
        cluster.region_id,
    ):
        assert value in page
    assert "stop automatically and immediately" in page  # the delete confirmation
    assert "running job(s)" in page


# ----------------------------------------------------------------------------------------- actions
def test_create_cluster_goes_to_cs(roles, login, synced):
    response = login(roles.lead).post(
        reverse("cluster_create", kwargs={"team": "alpha"}),
        {
            "credential": synced.public_id,
            "name": "analytics-3",
            "desc": "batch",
            "maximum_spu_quota": 12,
            "vpc_cidr": "10.8.0.0/16",
            "subnet_cidr": "10.8.1.0/24",
            "subnet_gateway": "10.8.1.1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    cluster = Cluster.objects.get(credential=synced, name="analytics-3")
    assert cluster.status_code == 1 and cluster.maximum_spu_quota == 12
    assert ActionLog.objects.filter(action="cluster.create", outcome="success").exists()


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"name": ""}, "name", "required"),
        ({"name": "has space"}, "name", "letters, digits"),
        ({"name": "x" * 101}, "name", "longer than 100"),
        ({"name": "ok", "desc": "d" * 513}, "desc", "512"),
        ({"name": "ok", "maximum_spu_quota": 0}, "maximum_spu_quota", "greater than 0"),
        ({"name": "ok", "maximum_spu_quota": 401}, "maximum_spu_quota", "400"),
        ({"name": "ok", "vpc_cidr": "10.0.0.0/33"}, "vpc_cidr", "CIDR"),
        ({"name": "ok", "vpc_cidr": "10.0.0.0/16", "subnet_cidr": "192.168.0.0/24"}, "subnet_cidr", "inside"),
        ({"name": "ok", "subnet_gateway": "300.1.1.1"}, "subnet_gateway", "IP address"),
    ],
)
def test_create_field_errors_before_cs(roles, login, synced, cs_requests, data, field, text):
    before = cs_requests()
    response = login(roles.lead).post(
        reverse("cluster_create", kwargs={"team": "alpha"}), {"credential": synced.public_id, **data}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert text in " ".join(form.errors[field])
    assert cs_requests() == before


def test_cs_error_shows_description_and_solution_on_field(roles, login, synced):
    existing = _first(synced)
    response = login(roles.lead).post(
        reverse("cluster_create", kwargs={"team": "alpha"}),
        {
            "credential": synced.public_id,
            "name": existing.name,
            "maximum_spu_quota": 2,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "cs-error" in page and "CS.20006" in page
    assert response.context["form"].errors["name"]
    assert ActionLog.objects.filter(action="cluster.create", outcome="failure").exists()


def test_update_cluster(roles, login, synced):
    cluster = Cluster.objects.filter(credential=synced, status_code=5).first()
    response = login(roles.lead).post(
        _url("cluster_update", cluster),
        {
            "name": cluster.name,
            "desc": "new words",
            "maximum_spu_quota": cluster.maximum_spu_quota,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    cluster.refresh_from_db()
    assert cluster.desc == "new words"


def test_update_field_error_before_cs(roles, login, synced, cs_requests):
    cluster = _first(synced)
    before = cs_requests()
    response = login(roles.lead).post(
        _url("cluster_update", cluster), {"name": "bad name!", "maximum_spu_quota": 500}
    )
    errors = response.context["form"].errors
    assert "name" in errors and "maximum_spu_quota" in errors
    assert cs_requests() == before


def test_stop_restart_delete(roles, login, synced, emulator):
    cluster = Cluster.objects.filter(credential=synced, status_code=5).first()
    client = login(roles.lead)
    assert client.post(_url("cluster_stop", cluster)).status_code == 302
    cluster.refresh_from_db()
    assert cluster.status_code == 9
    # restarting a cluster that is still stopping is refused before CS is asked: shown, nothing sent
    response = client.post(_url("cluster_restart", cluster), follow=True)
    assert response.status_code == 200
    assert "only a stopped cluster can be restarted" in response.content.decode()
    assert not ActionLog.objects.filter(action="cluster.restart").exists()
    emulator.clock.advance(3600)
    from dashboard.polling.services import sync

    assert sync(synced.pk, "clusters").ok
    assert client.post(_url("cluster_restart", cluster)).status_code == 302
    cluster.refresh_from_db()
    assert cluster.status_code == 28
    assert client.post(_url("cluster_delete", cluster)).status_code == 302
    cluster.refresh_from_db()
    assert cluster.status_code == 16
    actions = set(ActionLog.objects.filter(outcome="success").values_list("action", flat=True))
    assert {"cluster.stop", "cluster.restart", "cluster.delete"} <= actions


def test_cs_unreachable_is_readable(roles, login, synced, emulator):
    cluster = _first(synced)
    synced.cs_endpoint = "http://127.0.0.1:9"
    synced.save()
    response = login(roles.lead).post(_url("cluster_stop", cluster))
    assert response.status_code == 200
    assert "cs-error" in response.content.decode()
