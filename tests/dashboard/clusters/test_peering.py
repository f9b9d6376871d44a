"""VPC peering (create, list, show, delete, accept) and routes (local, peer, delete; CIDR checked)."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from dashboard.clusters.models import Cluster, Peering, Route

pytestmark = pytest.mark.django_db


@pytest.fixture
def cluster(synced):
    return Cluster.objects.filter(credential=synced, status_code=5).order_by("cluster_id").first()


def _url(name, cluster, **extra):
    return reverse(
        name,
        kwargs={
            "team": "alpha",
            "credential": cluster.credential.public_id,
            "cluster_id": cluster.cluster_id,
            **extra,
        },
    )


def test_role_matrix(roles, login, cluster, cs_requests):
    url = _url("peering_list", cluster)
    assert login(roles.outsider).get(url).status_code == 404
    assert login(roles.viewer).get(url).status_code == 200
    assert login(roles.viewer).post(url).status_code == 405
    before = cs_requests()
    for name in ("peering_create", "peering_accept"):
        assert login(roles.outsider).post(_url(name, cluster)).status_code == 404
        assert login(roles.viewer).post(_url(name, cluster)).status_code == 403
        assert login(roles.operator).post(_url(name, cluster)).status_code == 403
        assert login(roles.lead).get(_url(name, cluster)).status_code == 405
    assert login(roles.lead).get(_url("peering_detail", cluster, peering_id="nope")).status_code == 404
    assert login(roles.lead).post(_url("peering_delete", cluster, peering_id="nope")).status_code == 404
    assert cs_requests() == before


def test_create_route_and_delete(roles, login, cluster, emulator):
    client = login(roles.lead)
    vpc = str(uuid.uuid4())
    response = client.post(_url("peering_create", cluster), {"name": "to-warehouse", "vpc_id": vpc})
    assert response.status_code == 302, response.content.decode()[:3000]
    peering = Peering.objects.get(cluster=cluster, name="to-warehouse")
    assert peering.accept_vpc_id == vpc
    page = client.get(_url("peering_list", cluster)).content.decode()
    assert "to-warehouse" in page
    detail = _url("peering_detail", cluster, peering_id=peering.peering_id)
    assert client.get(detail).status_code == 200
    # a pending peering takes no routes: CS says why, on the field
    response = client.post(
        _url("route_create_local", cluster, peering_id=peering.peering_id),
        {"local-destination": "192.168.0.0/16"},
    )
    assert response.status_code == 200
    assert "cs-error" in response.content.decode()
    # accept it (the same tenant owns both VPCs here), then route both ways
    response = client.post(_url("peering_accept", cluster), {"peering_id": peering.peering_id})
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(
        _url("route_create_local", cluster, peering_id=peering.peering_id),
        {"local-destination": "192.168.0.0/16"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(
        _url("route_create_peer", cluster, peering_id=peering.peering_id),
        {"peer-destination": "172.16.0.0/23", "peer-vpc_id": vpc},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    routes = Route.objects.filter(peering=peering)
    assert {r.destination for r in routes} >= {"192.168.0.0/16", "172.16.0.0/23"}
    route = routes.get(destination="192.168.0.0/16")
    assert (
        client.post(
            _url("route_delete", cluster, peering_id=peering.peering_id, route_id=route.route_id)
        ).status_code
        == 302
    )
    assert not Route.objects.filter(pk=route.pk).exists()
    assert client.post(_url("peering_delete", cluster, peering_id=peering.peering_id)).status_code == 302
    assert not Peering.objects.filter(pk=peering.pk).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "vpc_id": str(uuid.uuid4())}, "name"),
        ({"name": "x" * 65, "vpc_id": str(uuid.uuid4())}, "name"),
        ({"name": "ok", "vpc_id": "not-a-vpc"}, "vpc_id"),
        ({"name": "ok", "vpc_id": str(uuid.uuid4()), "accept_tenant_id": "bad tenant!"}, "accept_tenant_id"),
    ],
)
def test_peering_field_errors_before_cs(roles, login, cluster, cs_requests, data, field):
    before = cs_requests()
    response = login(roles.lead).post(_url("peering_create", cluster), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert cs_requests() == before


@pytest.mark.parametrize("destination", ["", "192.168.0.0/33", "300.0.0.0/8", "nonsense"])
def test_route_cidr_checked_before_cs(roles, login, cluster, cs_requests, destination):
    peering = Peering.objects.create(
        cluster=cluster, peering_id="p-1", name="p", status="ACTIVE", fingerprint=""
    )
    before = cs_requests()
    client = login(roles.lead)
    response = client.post(
        _url("route_create_local", cluster, peering_id=peering.peering_id), {"local-destination": destination}
    )
    assert "destination" in response.context["local_form"].errors
    response = client.post(
        _url("route_create_peer", cluster, peering_id=peering.peering_id),
        {"peer-destination": destination, "peer-vpc_id": "not-a-uuid"},
    )
    errors = response.context["peer_form"].errors
    assert "destination" in errors and "vpc_id" in errors
    assert cs_requests() == before
