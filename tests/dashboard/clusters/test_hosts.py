"""Host mappings: list with fuzzy search, add, edit, delete and hosts-file upload (checked first)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from csapi import limits
from dashboard.clusters.models import Cluster, HostMapping

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


def _upload(client, cluster, content: bytes, name="hosts"):
    return client.post(_url("hosts_upload", cluster), {"hosts_file": SimpleUploadedFile(name, content)})


def test_role_matrix(roles, login, cluster, cs_requests):
    url = _url("host_list", cluster)
    assert login(roles.outsider).get(url).status_code == 404
    assert login(roles.viewer).get(url).status_code == 200
    assert login(roles.viewer).post(url).status_code == 405
    before = cs_requests()
    for name in ("host_add", "hosts_delete", "hosts_upload"):
        assert login(roles.outsider).post(_url(name, cluster)).status_code == 404
        assert login(roles.viewer).post(_url(name, cluster)).status_code == 403
        assert login(roles.operator).post(_url(name, cluster)).status_code == 403
        assert login(roles.lead).get(_url(name, cluster)).status_code == 405
    assert login(roles.lead).get(_url("host_edit", cluster, host_id=424242)).status_code == 404
    assert cs_requests() == before


def test_add_search_edit_delete(roles, login, cluster):
    client = login(roles.lead)
    response = client.post(_url("host_add", cluster), {"ip": "10.0.0.7", "hostname": "kafka-7.internal"})
    assert response.status_code == 302, response.content.decode()[:2000]
    from dashboard.polling.services import sync

    sync(cluster.credential.pk, "clusters")
    mapping = HostMapping.objects.get(cluster=cluster, hostname="kafka-7.internal")
    # fuzzy search: any order of fragments of the name or the IP
    page = client.get(_url("host_list", cluster), {"q": "internal kafka"}).content.decode()
    assert "kafka-7.internal" in page
    assert "kafka-7.internal" not in client.get(_url("host_list", cluster), {"q": "zzz"}).content.decode()
    fragment = client.get(_url("host_list", cluster), {"q": "10.0.0"}, HTTP_HX_REQUEST="true")
    assert "kafka-7.internal" in fragment.content.decode() and "<html" not in fragment.content.decode()
    # edit
    response = client.post(
        _url("host_edit", cluster, host_id=mapping.host_id),
        {"ip": "10.0.0.8", "hostname": "kafka-7.internal"},
    )
    assert response.status_code == 302
    mapping.refresh_from_db()
    assert mapping.ip == "10.0.0.8"
    # delete
    response = client.post(_url("hosts_delete", cluster), {"hosts_id": [mapping.host_id]})
    assert response.status_code == 302
    assert not HostMapping.objects.filter(pk=mapping.pk).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"ip": "10.0.0.300", "hostname": "ok.internal"}, "ip"),
        ({"ip": "not-an-ip", "hostname": "ok.internal"}, "ip"),
        ({"ip": "10.0.0.1", "hostname": "bad host"}, "hostname"),
        ({"ip": "10.0.0.1", "hostname": "-leading.dash"}, "hostname"),
        ({"ip": "", "hostname": "x.internal"}, "ip"),
    ],
)
def test_add_field_errors_before_cs(roles, login, cluster, cs_requests, data, field):
    before = cs_requests()
    response = login(roles.lead).post(_url("host_add", cluster), data)
    assert response.status_code == 200
    assert field in response.context["add_form"].errors
    assert cs_requests() == before


def test_upload_good_file(roles, login, cluster):
    content = (
        b"# cluster hosts\n10.1.0.1 broker-1.internal broker-1\n\n10.1.0.2\tbroker-2.internal  # second\n"
    )
    response = _upload(login(roles.lead), cluster, content)
    assert response.status_code == 302, response.content.decode()[:3000]
    from dashboard.polling.services import sync

    sync(cluster.credential.pk, "clusters")
    names = set(HostMapping.objects.filter(cluster=cluster).values_list("hostname", flat=True))
    assert {"broker-1.internal", "broker-1", "broker-2.internal"} <= names


@pytest.mark.parametrize(
    ("content", "text"),
    [
        (b"10.1.0.1 ok.internal\njust-one-field\n10.1.0.999 x.internal\n", "Line 2"),
        (b"10.1.0.1 ok.internal\njust-one-field\n10.1.0.999 x.internal\n", "Line 3"),
        (b"10.1.0.1 bad_host!\n", "Line 1"),
        (b"", "empty"),
        (b"# only comments\n\n", "empty"),
        (b"\xff\xfe\x00bad", "UTF-8"),
    ],
)
def test_upload_bad_files_are_refused_line_by_line(roles, login, cluster, cs_requests, content, text):
    before = cs_requests()
    response = _upload(login(roles.lead), cluster, content)
    assert response.status_code == 400
    errors = " ".join(response.context["upload_form"].errors.get("hosts_file", []))
    assert text in errors, errors
    assert cs_requests() == before


def test_upload_too_many_mappings(roles, login, cluster, cs_requests):
    content = "".join(
        f"10.2.{i // 250}.{i % 250 + 1} h{i}.internal\n" for i in range(limits.HOST_MAPPINGS_MAX + 1)
    )
    before = cs_requests()
    response = _upload(login(roles.lead), cluster, content.encode())
    assert response.status_code == 400
    assert f"{limits.HOST_MAPPINGS_MAX:,}" in " ".join(response.context["upload_form"].errors["hosts_file"])
    assert cs_requests() == before


def test_upload_oversized_file(roles, login, cluster, cs_requests):
    content = b"# " + b"x" * limits.HOSTS_FILE_MAX_BYTES + b"\n10.0.0.1 a.internal\n"
    before = cs_requests()
    response = _upload(login(roles.lead), cluster, content)
    assert response.status_code == 400
    assert "at most" in " ".join(response.context["upload_form"].errors["hosts_file"])
    assert cs_requests() == before
