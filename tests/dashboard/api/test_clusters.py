"""Cluster endpoints: members read, leads write (operators are refused), against the emulator."""

from __future__ import annotations

import pytest

from dashboard.clusters.models import Cluster, HostMapping
from tests.dashboard.api.conftest import assert_error

CLUSTERS = "/api/v1/teams/alpha/clusters/"


def cluster_url(cluster: Cluster, suffix: str = "") -> str:
    return f"{CLUSTERS}{cluster.credential.public_id}/{cluster.cluster_id}/{suffix}"


@pytest.fixture
def cluster(roles, synced):
    cluster = (
        Cluster.objects.filter(team=roles.team, deleted_at__isnull=True).select_related("credential").first()
    )
    if cluster is None:
        pytest.fail("the demo tenant has no exclusive cluster")
    return cluster


@pytest.mark.django_db
def test_list_and_detail_for_every_member(roles, api, cluster):
    for user in (roles.viewer, roles.operator, roles.lead):
        body = api(user).get(CLUSTERS).json()
        assert cluster.cluster_id in {c["cluster_id"] for c in body["results"]}
        detail = api(user).get(cluster_url(cluster)).json()
        assert detail["name"] == cluster.name and isinstance(detail["jobs"], list)
    assert_error(api(None).get(CLUSTERS), 401)
    assert_error(api(roles.outsider).get(CLUSTERS), 404)
    assert_error(api(roles.outsider).get(cluster_url(cluster)), 404)
    assert_error(api(roles.other_lead).get(cluster_url(cluster)), 404)
    assert_error(api(roles.lead).put(cluster_url(cluster), {}), 405)
    assert_error(api(roles.lead).get(cluster_url(cluster, "stop/")), 405)


@pytest.mark.django_db
def test_cluster_writes_need_the_lead_role(roles, api, cluster):
    for path, method in (
        ("", "patch"),
        ("", "delete"),
        ("stop/", "post"),
        ("restart/", "post"),
        ("hosts/", "post"),
        ("peerings/", "post"),
    ):
        response = getattr(api(roles.operator), method)(cluster_url(cluster, path), {}, format="json")
        assert_error(response, 403, "permission_denied")
    assert_error(api(roles.operator).post(CLUSTERS, {"name": "x"}, format="json"), 403)


@pytest.mark.django_db
def test_lead_updates_and_stops_a_cluster(roles, api, cluster):
    client = api(roles.lead, token=True)
    response = client.patch(cluster_url(cluster), {"desc": "from the API"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["desc"] == "from the API"
    assert response.json()["name"] == cluster.name
    response = client.post(cluster_url(cluster, "stop/"))
    assert response.status_code == 202, response.content


@pytest.mark.django_db
def test_cluster_validation_comes_from_the_form(roles, api, synced):
    from csapi import limits

    body = {
        "credential": str(synced.public_id),
        "name": "bad name!",
        "maximum_spu_quota": limits.CLUSTER_SPU_QUOTA_MAX + 1,
    }
    detail = assert_error(api(roles.lead).post(CLUSTERS, body, format="json"), 400, "invalid")["detail"]
    assert "name" in detail and "maximum_spu_quota" in detail


@pytest.mark.django_db
def test_host_mappings(roles, api, cluster):
    client = api(roles.lead)
    response = client.post(
        cluster_url(cluster, "hosts/"), {"ip": "192.168.0.10", "hostname": "kafka-1.internal"}, format="json"
    )
    assert response.status_code == 202, response.content
    body = client.get(cluster_url(cluster, "hosts/")).json()
    assert body["count"] == HostMapping.objects.filter(cluster=cluster).count()
    bad = assert_error(
        client.post(cluster_url(cluster, "hosts/"), {"ip": "not-an-ip", "hostname": "x"}, format="json"), 400
    )
    assert "ip" in bad["detail"]
    mapping = HostMapping.objects.filter(cluster=cluster).first()
    if mapping is not None:
        one = api(roles.viewer).get(cluster_url(cluster, f"hosts/{mapping.host_id}/"))
        assert one.json()["hostname"] == mapping.hostname
        response = client.post(
            cluster_url(cluster, "hosts/delete/"), {"hosts_id": [mapping.host_id]}, format="json"
        )
        assert response.status_code == 200, response.content
    assert_error(
        client.post(cluster_url(cluster, "hosts/delete/"), {"hosts_id": [987654321]}, format="json"), 400
    )


@pytest.mark.django_db
def test_hosts_upload_is_checked_line_by_line(roles, api, cluster):
    import io

    good = io.BytesIO(b"192.168.0.11 kafka-2.internal\n")
    good.name = "hosts"
    response = api(roles.lead).post(
        cluster_url(cluster, "hosts/upload/"), {"hosts_file": good}, format="multipart"
    )
    assert response.status_code == 200, response.content
    bad = io.BytesIO(b"999.1.1.1 broken\n")
    bad.name = "hosts"
    body = assert_error(
        api(roles.lead).post(cluster_url(cluster, "hosts/upload/"), {"hosts_file": bad}, format="multipart"),
        400,
    )
    assert "hosts_file" in body["detail"]


@pytest.mark.django_db
def test_peerings_and_routes(roles, api, cluster):
    client = api(roles.viewer)
    peerings = client.get(cluster_url(cluster, "peerings/")).json()
    assert isinstance(peerings, list)
    assert_error(client.get(cluster_url(cluster, "peerings/no-such-peering/")), 404)
    bad = assert_error(
        api(roles.lead).post(
            cluster_url(cluster, "peerings/"), {"name": "p", "vpc_id": "nope"}, format="json"
        ),
        400,
    )
    assert "vpc_id" in bad["detail"]
    for peering in peerings[:1]:
        url = cluster_url(cluster, f"peerings/{peering['peering_id']}/")
        assert client.get(url).json()["peering_id"] == peering["peering_id"]
        assert isinstance(client.get(url + "routes/").json(), list)
        assert_error(
            api(roles.operator).post(url + "routes/", {"destination": "10.0.0.0/16"}, format="json"), 403
        )
        bad = assert_error(api(roles.lead).post(url + "routes/", {"destination": "nope"}, format="json"), 400)
        assert "destination" in bad["detail"]
