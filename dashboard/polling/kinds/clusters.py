"""Exclusive clusters (5.3.4) and, per live cluster, its jobs, host mappings, VPC peerings and routes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

import csapi
from dashboard.clusters.models import Cluster, ClusterJob, HostMapping, Peering, Route
from dashboard.polling.clients import client as _client
from dashboard.polling.coerce import boolean, integer, mapping, text, timestamp
from dashboard.polling.kinds import Synced
from dashboard.polling.snapshots import keyed, upsert
from dashboard.teams.models import Credential


def cluster_values(c: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": text(c.get("name"), 255),
        "desc": text(c.get("desc")),
        "status_code": integer(c.get("status_code")),
        "status_name": text(c.get("status_name"), 64),
        "status_desc": text(c.get("status_desc")),
        "spu_used": integer(c.get("spu_used")),
        "maximum_spu_quota": integer(c.get("maximum_spu_quota")),
        "manager_node_spu": integer(c.get("manager_node_spu")),
        "region_id": text(c.get("region_id"), 64),
        "error_reason": text(c.get("error_reason")),
        "created_at": timestamp(c.get("created_at")),
        "vpc_cidr": text(c.get("vpc_cidr"), 64),
        "subnet_cidr": text(c.get("subnet_cidr"), 64),
        "subnet_gateway": text(c.get("subnet_gateway"), 64),
        "sys_enterprise_project_id": text(c.get("sys_enterprise_project_id"), 64),
        "sys_enterprise_project_name": text(c.get("sys_enterprise_project_name"), 255),
    }


def cluster_job_values(j: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": text(j.get("name"), 255),
        "desc": text(j.get("desc")),
        "user_name": text(j.get("user_name") or j.get("username"), 128),
        "job_type": text(j.get("job_type"), 64),
        "status": text(j.get("status"), 64),
        "status_desc": text(j.get("status_desc")),
        "spu_number": integer(j.get("spu_number")),
        "parallel_number": integer(j.get("parallel_number")),
        "create_time": timestamp(j.get("create_time")),
        "start_time": timestamp(j.get("start_time")),
        "duration": integer(j.get("duration")),
        "root_id": integer(j.get("root_id")),
        "graph_editor_enabled": boolean(j.get("graph_editor_enabled")),
    }


def host_values(h: Mapping[str, Any]) -> dict[str, Any]:
    info = mapping(h.get("info"))
    return {
        "ip": text(info.get("ip", h.get("ip")), 64),
        "hostname": text(info.get("hostname", h.get("hostname")), 255),
    }


def peering_values(p: Mapping[str, Any]) -> dict[str, Any]:
    request = mapping(p.get("request_vpc_info"))
    accept = mapping(p.get("accept_vpc_info"))
    return {
        "name": text(p.get("name"), 255),
        "status": text(p.get("status"), 32),
        "request_vpc_id": text(request.get("vpc_id"), 64),
        "request_tenant_id": text(request.get("tenant_id"), 64),
        "request_vpc_cidr": text(request.get("vpc_cidr"), 64),
        "request_subnet_cidr": text(request.get("subnet_cidr"), 64),
        "accept_vpc_id": text(accept.get("vpc_id"), 64),
        "accept_tenant_id": text(accept.get("tenant_id"), 64),
    }


def route_values(r: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": text(r.get("type"), 32),
        "destination": text(r.get("destination"), 64),
        "nexthop": text(r.get("nexthop"), 64),
        "vpc_id": text(r.get("vpc_id"), 64),
        "tenant_id": text(r.get("tenant_id"), 64),
    }


def cluster_children(client: csapi.CSClient, cluster_id: int) -> tuple[list, list, list, dict]:
    """A cluster's jobs, host mappings and peerings, and each peering's routes, as (key, values) sets."""
    jobs = list(
        keyed(
            client.clusters.iter_jobs(cluster_id, page_size=settings.POLL_PAGE_SIZE),
            lambda j: integer(j.get("job_id")),
            cluster_job_values,
        )
    )
    hosts = list(
        keyed(
            client.hosts.iter(cluster_id, page_size=settings.POLL_PAGE_SIZE),
            lambda h: integer(h.get("id")),
            host_values,
        )
    )
    peerings = list(keyed(client.peerings.list(cluster_id), lambda p: text(p.get("id"), 64), peering_values))
    routes = {
        peering_id: list(
            keyed(client.routes.list(cluster_id, peering_id), lambda r: text(r.get("id"), 64), route_values)
        )
        for peering_id, _p in peerings
    }
    return jobs, hosts, peerings, routes


def sync_clusters(
    credential: Credential, *, client: csapi.CSClient | None = None, synced: Synced | None = None
) -> Synced:
    """Snapshot the exclusive clusters, then per live cluster its jobs, host mappings, peerings and routes.

    One list call per cluster for each (and one route list per peering). A cluster's children are
    written in one transaction after all of that cluster's lists were read.
    """
    client = client or _client(credential)
    synced = synced or Synced()
    now = timezone.now()
    items = list(
        keyed(
            client.clusters.iter(page_size=settings.POLL_PAGE_SIZE),
            lambda c: integer(c.get("cluster_id")),
            cluster_values,
        )
    )
    clusters = upsert(
        Cluster,
        scope={"credential_id": credential.pk},
        extra={"team_id": credential.team_id},
        key_field="cluster_id",
        items=items,
        now=now,
        soft_delete=True,
    )
    synced.items = len(items)
    synced.written += clusters.written
    for cluster_id, _values in items:
        cluster_pk = clusters.pks[cluster_id]
        try:
            jobs, hosts, peerings, routes = cluster_children(client, cluster_id)
        except csapi.CSNotFound:  # deleted since it was listed: the next cycle marks it deleted
            continue
        scope = {"cluster_id": cluster_pk}
        written = 0
        with transaction.atomic():
            for model, key_field, children in (
                (ClusterJob, "job_id", jobs),
                (HostMapping, "host_id", hosts),
            ):
                written += upsert(
                    model, scope=scope, key_field=key_field, items=children, now=now, soft_delete=False
                ).written
            peered = upsert(
                Peering, scope=scope, key_field="peering_id", items=peerings, now=now, soft_delete=False
            )
            written += peered.written
            for peering_id, route_items in routes.items():
                written += upsert(
                    Route,
                    scope={"peering_id": peered.pks[peering_id]},
                    key_field="route_id",
                    items=route_items,
                    now=now,
                    soft_delete=False,
                ).written
        synced.written += written  # the cluster's children, committed together
    return synced
