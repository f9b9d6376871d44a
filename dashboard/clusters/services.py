"""Writes for exclusive clusters, host mappings, VPC peerings and routes (reference 5.3.1-5.3.25).

One function per action. Each checks the lead role, calls CS through ``csapi``, records the outcome in
the dashboard's action log, updates the snapshot optimistically and asks the poller for a refresh.
CS errors are re-raised (``csapi.CSError``) for the caller to show; nothing here knows about requests.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from dashboard.clusters.models import Cluster, HostMapping, Peering, Queue, Route
from dashboard.jobs.rules import require_cluster_action
from dashboard.teams.access import TeamAccess, require_role
from dashboard.teams.models import Credential, Role
from dashboard.teams.services import action_record, cs_action
from dashboard.teams.versions import changes_team

logger = logging.getLogger(__name__)

__all__ = [
    "cluster_create",
    "cluster_delete",
    "cluster_restart",
    "cluster_stop",
    "cluster_update",
    "host_add",
    "host_update",
    "hosts_delete",
    "hosts_upload",
    "peering_accept",
    "peering_create",
    "peering_delete",
    "queue_set_price",
    "refresh",
    "route_create_local",
    "route_create_peer",
    "route_delete",
]


def refresh(credential: Credential, kinds: list[str]) -> None:
    """Ask the poller to sync ``kinds`` of ``credential`` soon (after the current transaction commits)."""
    from dashboard.polling.services import refresh_soon

    refresh_soon(credential, kinds)


def _own(access: TeamAccess, obj: Credential | Cluster | Queue) -> None:
    if obj.team_id != access.team.id:
        raise PermissionDenied("This object belongs to another team.")


def cs_call(*, min_role: int = Role.LEAD, target_type: str = "cluster", **kwargs) -> Any:
    """A cluster or quota action's CS call (lead by default), recorded in the action log either way."""
    return cs_action(min_role=min_role, target_type=target_type, **kwargs)


# ------------------------------------------------------------------------------------------ clusters
@changes_team
def cluster_create(*, access: TeamAccess, user, credential: Credential, data: dict) -> Cluster:
    """Create an exclusive cluster (5.3.1). ``data`` is the validated request body (name, desc, ...)."""
    data = dict(data)
    name = data.pop("name")
    result = cs_call(
        access=access,
        user=user,
        credential=credential,
        action="cluster.create",
        target_name=name,
        call=lambda c: c.clusters.create(name, **data),
    )
    cluster_id = int(result.get("cluster_id"))
    now = timezone.now()
    with transaction.atomic():
        cluster, _ = Cluster.objects.update_or_create(
            credential=credential,
            cluster_id=cluster_id,
            defaults={
                "team": access.team,
                "name": name,
                "desc": data.get("desc", ""),
                "maximum_spu_quota": data.get("maximum_spu_quota"),
                "status_code": 1,
                "status_name": "cluster_creating",
                "spu_used": 0,
                "vpc_cidr": data.get("vpc_cidr", ""),
                "subnet_cidr": data.get("subnet_cidr", ""),
                "subnet_gateway": data.get("subnet_gateway", ""),
                "created_at": now,
                "last_seen": now,
                "deleted_at": None,
                "fingerprint": "",
            },
        )
        refresh(credential, ["clusters", "overview"])
    return cluster


def _set_status(cluster: Cluster, code: int) -> None:
    from csapi import vocab

    status = vocab.cluster_status(code)
    Cluster.objects.filter(pk=cluster.pk).update(
        status_code=code,
        status_name=status.name,
        status_desc=status.description,
        last_seen=timezone.now(),
        fingerprint="",
    )
    cluster.status_code, cluster.status_name = code, status.name


@changes_team
def cluster_update(*, access: TeamAccess, user, cluster: Cluster, data: dict) -> Cluster:
    """Update a cluster's name, description, SPU quota or manager node SPUs (5.3.5; name is required)."""
    _own(access, cluster)
    require_role(access, Role.LEAD)
    require_cluster_action(cluster, "update")
    data = dict(data)
    name = data.pop("name")
    cs_call(
        access=access,
        user=user,
        credential=cluster.credential,
        action="cluster.update",
        target_id=cluster.cluster_id,
        target_name=name,
        call=lambda c: c.clusters.update(cluster.cluster_id, name=name, **data),
    )
    with transaction.atomic():
        cluster.name = name
        if "desc" in data:
            cluster.desc = data["desc"]
        if data.get("maximum_spu_quota") is not None:
            cluster.maximum_spu_quota = int(data["maximum_spu_quota"])
        if data.get("manager_node_spu") not in (None, ""):
            cluster.manager_node_spu = int(data["manager_node_spu"])
        cluster.fingerprint = ""
        cluster.last_seen = timezone.now()
        cluster.save(
            update_fields=[
                "name",
                "desc",
                "maximum_spu_quota",
                "manager_node_spu",
                "fingerprint",
                "last_seen",
            ]
        )
        refresh(cluster.credential, ["clusters"])
    return cluster


def _cluster_action(access, user, cluster: Cluster, action: str, call, status: int, kinds) -> Cluster:
    _own(access, cluster)
    require_role(access, Role.LEAD)
    require_cluster_action(cluster, action)
    cs_call(
        access=access,
        user=user,
        credential=cluster.credential,
        action=f"cluster.{action}",
        target_id=cluster.cluster_id,
        target_name=cluster.name,
        call=call,
    )
    with transaction.atomic():
        _set_status(cluster, status)
        refresh(cluster.credential, kinds)
    return cluster


@changes_team
def cluster_stop(*, access: TeamAccess, user, cluster: Cluster) -> Cluster:
    """Terminate a running cluster (5.3.6): CS stops the jobs running in it, then the cluster."""
    return _cluster_action(
        access,
        user,
        cluster,
        "stop",
        lambda c: c.clusters.stop(cluster.cluster_id),
        9,
        ["clusters", "jobs", "overview"],
    )


@changes_team
def cluster_restart(*, access: TeamAccess, user, cluster: Cluster) -> Cluster:
    """Restart a stopped cluster (5.3.7). Jobs stopped with it stay stopped until run again."""
    return _cluster_action(
        access,
        user,
        cluster,
        "restart",
        lambda c: c.clusters.restart(cluster.cluster_id),
        28,
        ["clusters", "overview"],
    )


@changes_team
def cluster_delete(*, access: TeamAccess, user, cluster: Cluster) -> Cluster:
    """Delete a cluster (5.3.3): jobs running in it stop automatically and immediately."""
    return _cluster_action(
        access,
        user,
        cluster,
        "delete",
        lambda c: c.clusters.delete(cluster.cluster_id),
        16,
        ["clusters", "jobs", "overview", "quotas"],
    )


# ------------------------------------------------------------------------------------- host mappings
def _host_ids(result: Any) -> list[int]:
    """Mapping ids from an add answer (a list of ``{"host_id"}``/``{"id"}`` entries, or one object)."""
    items = result if isinstance(result, list) else [result]
    ids = []
    for item in items:
        if isinstance(item, dict):
            value = item.get("host_id", item.get("id"))
            if isinstance(value, list):
                ids.extend(int(v) for v in value)
            elif value not in (None, ""):
                ids.append(int(value))
    return ids


def _insert_hosts(cluster: Cluster, pairs: list[tuple[str, str]], ids: list[int]) -> None:
    if len(ids) != len(pairs):
        return  # ids unknown: the refresh brings the rows
    HostMapping.objects.bulk_create(
        [
            HostMapping(cluster=cluster, host_id=host_id, ip=ip, hostname=hostname, fingerprint="")
            for host_id, (ip, hostname) in zip(ids, pairs, strict=True)
        ],
        ignore_conflicts=True,
    )


@changes_team
def host_add(*, access: TeamAccess, user, cluster: Cluster, ip: str, hostname: str) -> None:
    """Add one IP-domain mapping (5.3.9)."""
    _own(access, cluster)
    result = cs_call(
        access=access,
        user=user,
        credential=cluster.credential,
        action="cluster.host_add",
        target_id=cluster.cluster_id,
        target_name=cluster.name,
        message=f"{hostname} -> {ip}",
        call=lambda c: c.hosts.add(cluster.cluster_id, [{"hostname": hostname, "ip": ip}]),
    )
    with transaction.atomic():
        _insert_hosts(cluster, [(ip, hostname)], _host_ids(result))
        refresh(cluster.credential, ["clusters"])


@changes_team
def host_update(*, access: TeamAccess, user, mapping: HostMapping, ip: str, hostname: str) -> HostMapping:
    """Change one IP-domain mapping (5.3.10)."""
    cluster = mapping.cluster
    _own(access, cluster)
    cs_call(
        access=access,
        user=user,
        credential=cluster.credential,
        action="cluster.host_update",
        target_id=cluster.cluster_id,
        target_name=cluster.name,
        message=f"{hostname} -> {ip}",
        call=lambda c: c.hosts.update(cluster.cluster_id, mapping.host_id, hostname=hostname, ip=ip),
    )
    with transaction.atomic():
        mapping.ip, mapping.hostname, mapping.fingerprint = ip, hostname, ""
        mapping.save(update_fields=["ip", "hostname", "fingerprint"])
        refresh(cluster.credential, ["clusters"])
    return mapping


@changes_team
def hosts_delete(*, access: TeamAccess, user, cluster: Cluster, host_ids: Iterable[int]) -> int:
    """Delete IP-domain mappings (5.3.12); returns how many."""
    _own(access, cluster)
    ids = sorted({int(i) for i in host_ids})
    cs_call(
        access=access,
        user=user,
        credential=cluster.credential,
        action="cluster.hosts_delete",
        target_id=cluster.cluster_id,
        target_name=cluster.name,
        message=f"{len(ids)} mapping(s)",
        call=lambda c: c.hosts.delete(cluster.cluster_id, ids),
    )
    with transaction.atomic():
        HostMapping.objects.filter(cluster=cluster, host_id__in=ids).delete()
        refresh(cluster.credential, ["clusters"])
    return len(ids)


@changes_team
def hosts_upload(
    *,
    access: TeamAccess,
    user,
    cluster: Cluster,
    data: bytes,
    mappings: list[tuple[str, str]],
    filename: str = "hosts",
) -> int:
    """Send a hosts file (5.3.13) already checked by ``csapi.validation.parse_hosts_file``; returns the count."""
    _own(access, cluster)
    result = cs_call(
        access=access,
        user=user,
        credential=cluster.credential,
        action="cluster.hosts_upload",
        target_id=cluster.cluster_id,
        target_name=cluster.name,
        message=f"{len(mappings)} mapping(s)",
        call=lambda c: c.hosts.upload_file(cluster.cluster_id, data, filename=filename or "hosts"),
    )
    with transaction.atomic():
        _insert_hosts(cluster, mappings, _host_ids(result))
        refresh(cluster.credential, ["clusters"])
    return len(mappings)


# ------------------------------------------------------------------------------------ peering, routes
def _peering_row(cluster: Cluster, peering: Any) -> Peering:
    get = peering.get if hasattr(peering, "get") else (lambda k, d=None: d)
    row, _ = Peering.objects.update_or_create(
        cluster=cluster,
        peering_id=str(get("id") or get("peering_id")),
        defaults={
            "name": get("name") or "",
            "status": get("status") or "",
            "request_vpc_id": (get("request_vpc_info") or {}).get("vpc_id", "") or "",
            "request_tenant_id": (get("request_vpc_info") or {}).get("tenant_id", "") or "",
            "accept_vpc_id": (get("accept_vpc_info") or {}).get("vpc_id", "") or "",
            "accept_tenant_id": (get("accept_vpc_info") or {}).get("tenant_id", "") or "",
            "raw": dict(peering) if isinstance(peering, dict) else {},
            "fingerprint": "",
        },
    )
    return row


@changes_team
def peering_create(
    *, access: TeamAccess, user, cluster: Cluster, name: str, vpc_id: str, accept_tenant_id: str = ""
) -> Peering:
    """Create a VPC peering connection from the cluster's VPC to ``vpc_id`` (5.3.17)."""
    _own(access, cluster)
    result = cs_call(
        access=access,
        user=user,
        credential=cluster.credential,
        action="cluster.peering_create",
        target_id=cluster.cluster_id,
        target_name=cluster.name,
        message=f"{name} -> {vpc_id}",
        call=lambda c: c.peerings.create(
            cluster.cluster_id, vpc_id=vpc_id, name=name, accept_tenant_id=accept_tenant_id or None
        ),
    )
    with transaction.atomic():
        row = _peering_row(cluster, result)
        refresh(cluster.credential, ["clusters"])
    return row


@changes_team
def peering_delete(*, access: TeamAccess, user, peering: Peering) -> None:
    """Delete a VPC peering connection (5.3.20)."""
    cluster = peering.cluster
    _own(access, cluster)
    cs_call(
        access=access,
        user=user,
        credential=cluster.credential,
        action="cluster.peering_delete",
        target_id=cluster.cluster_id,
        target_name=cluster.name,
        message=peering.name or peering.peering_id,
        call=lambda c: c.peerings.delete(cluster.cluster_id, peering.peering_id),
    )
    with transaction.atomic():
        Peering.objects.filter(pk=peering.pk).delete()
        refresh(cluster.credential, ["clusters"])


@changes_team
def peering_accept(*, access: TeamAccess, user, cluster: Cluster, peering_id: str) -> Any:
    """Accept a peering request another tenant sent to this tenant's VPC (5.3.21)."""
    _own(access, cluster)
    result = cs_call(
        access=access,
        user=user,
        credential=cluster.credential,
        action="cluster.peering_accept",
        target_id=cluster.cluster_id,
        target_name=cluster.name,
        message=peering_id,
        call=lambda c: c.peerings.accept(peering_id),
    )
    with transaction.atomic():
        Peering.objects.filter(cluster__team=access.team, peering_id=peering_id).update(
            status=(result.get("status") if hasattr(result, "get") else None) or "ACTIVE", fingerprint=""
        )
        refresh(cluster.credential, ["clusters"])
    return result


def _route_row(peering: Peering, route: Any, **defaults) -> Route:
    get = route.get if hasattr(route, "get") else (lambda k, d=None: d)
    row, _ = Route.objects.update_or_create(
        peering=peering,
        route_id=str(get("id") or get("route_id")),
        defaults={
            "type": get("type") or "peering",
            "destination": get("destination") or defaults.get("destination", ""),
            "nexthop": get("nexthop") or peering.peering_id,
            "vpc_id": get("vpc_id") or defaults.get("vpc_id", ""),
            "tenant_id": get("tenant_id") or "",
            "raw": dict(route) if isinstance(route, dict) else {},
            "fingerprint": "",
        },
    )
    return row


@changes_team
def route_create_local(*, access: TeamAccess, user, peering: Peering, destination: str) -> Route:
    """Route traffic from the cluster's VPC to ``destination`` over the peering (5.3.22)."""
    cluster = peering.cluster
    _own(access, cluster)
    result = cs_call(
        access=access,
        user=user,
        credential=cluster.credential,
        action="cluster.route_create",
        target_id=cluster.cluster_id,
        target_name=cluster.name,
        message=f"local {destination}",
        call=lambda c: c.routes.create_local(cluster.cluster_id, peering.peering_id, destination=destination),
    )
    with transaction.atomic():
        row = _route_row(peering, result, destination=destination)
        refresh(cluster.credential, ["clusters"])
    return row


@changes_team
def route_create_peer(*, access: TeamAccess, user, peering: Peering, destination: str, vpc_id: str) -> Route:
    """Route traffic from the peer VPC ``vpc_id`` to ``destination`` over the peering (5.3.23)."""
    cluster = peering.cluster
    _own(access, cluster)
    result = cs_call(
        access=access,
        user=user,
        credential=cluster.credential,
        action="cluster.route_create_peer",
        target_id=cluster.cluster_id,
        target_name=cluster.name,
        message=f"peer {vpc_id} {destination}",
        call=lambda c: c.routes.create_peer(
            nexthop=peering.peering_id, destination=destination, vpc_id=vpc_id
        ),
    )
    with transaction.atomic():
        row = _route_row(peering, result, destination=destination, vpc_id=vpc_id)
        refresh(cluster.credential, ["clusters"])
    return row


@changes_team
def route_delete(*, access: TeamAccess, user, route: Route) -> None:
    """Delete a route of a peering connection (5.3.25)."""
    peering = route.peering
    cluster = peering.cluster
    _own(access, cluster)
    cs_call(
        access=access,
        user=user,
        credential=cluster.credential,
        action="cluster.route_delete",
        target_id=cluster.cluster_id,
        target_name=cluster.name,
        message=route.destination,
        call=lambda c: c.routes.delete(cluster.cluster_id, peering.peering_id, route.route_id),
    )
    with transaction.atomic():
        Route.objects.filter(pk=route.pk).delete()
        refresh(cluster.credential, ["clusters"])


# -------------------------------------------------------------------------------------------- queues
@changes_team
def queue_set_price(*, access: TeamAccess, user, queue: Queue, cu_price) -> Queue:
    """Set (or clear, with None) the price of one CU-hour of a DLI queue: a lead's figure the billing
    estimate uses; DLI is not called. Recorded in the action log; the poller never overwrites it."""
    require_role(access, Role.LEAD)
    _own(access, queue)
    previous = queue.cu_price
    queue.cu_price = cu_price
    Queue.objects.filter(pk=queue.pk, team=access.team).update(cu_price=cu_price)
    action_record(
        team=access.team,
        user=user,
        credential=queue.credential,
        action="queue.price",
        target_type="queue",
        target_id=queue.queue_name,
        target_name=queue.queue_name,
        message=f"price per CU-hour: {previous if previous is not None else 'none'} -> "
        f"{cu_price if cu_price is not None else 'none'}",
    )
    return queue
