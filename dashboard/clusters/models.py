"""Snapshots of exclusive clusters and what hangs off them (reference 5.3), kept fresh by the poller.

Clusters carry the team (denormalised from the credential); their jobs, host mappings, peerings and
routes are reached through the cluster, so selectors filter by ``cluster__team``.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from csapi import vocab
from dashboard.percent import percent
from dashboard.teams.models import Credential, Team


class ClusterQuerySet(models.QuerySet):
    def for_team(self, team: Team) -> ClusterQuerySet:
        return self.filter(team=team)

    def live(self) -> ClusterQuerySet:
        return self.filter(deleted_at__isnull=True)


class Cluster(models.Model):
    """An exclusive cluster as listed by ``GET /reserved_clusters`` (reference 5.3.4)."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="clusters")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="clusters")
    cluster_id = models.BigIntegerField("CS cluster id")
    name = models.CharField(max_length=255, blank=True)
    desc = models.TextField(blank=True)
    status_code = models.IntegerField(null=True, blank=True, help_text="Reference table 5-94.")
    status_name = models.CharField(max_length=64, blank=True)
    status_desc = models.TextField(blank=True)
    spu_used = models.IntegerField(null=True, blank=True)
    maximum_spu_quota = models.IntegerField(null=True, blank=True)
    manager_node_spu = models.IntegerField(null=True, blank=True)
    region_id = models.CharField(max_length=64, blank=True)
    error_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(null=True, blank=True, help_text="Creation time in CS.")
    vpc_cidr = models.CharField(max_length=64, blank=True)
    subnet_cidr = models.CharField(max_length=64, blank=True)
    subnet_gateway = models.CharField(max_length=64, blank=True)
    sys_enterprise_project_id = models.CharField(max_length=64, blank=True)
    sys_enterprise_project_name = models.CharField(max_length=255, blank=True)
    raw = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=40)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, help_text="Last written (created or changed).")
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = ClusterQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["credential", "cluster_id"], name="unique_cluster_per_credential"
            ),
        ]
        indexes = [
            models.Index(fields=["team", "name"], name="cluster_team_name"),
            models.Index(fields=["team", "status_code"], name="cluster_team_status"),
        ]
        ordering = ["name", "cluster_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.cluster_id})"

    @property
    def refusals(self) -> dict[str, str | None]:
        """Per action (update, stop, restart, delete, use): why it cannot be done now, or None."""
        from dashboard.jobs.rules import cluster_refusal

        return {action: cluster_refusal(self, action) for action in vocab.CLUSTER_ACTIONS}

    @property
    def can(self) -> dict[str, bool]:
        return {action: refusal is None for action, refusal in self.refusals.items()}

    @property
    def status_info(self) -> vocab.ClusterStatus:
        """Label, health and description of ``status_code`` (reference table 5-94, from csapi.vocab)."""
        return vocab.cluster_status(self.status_code if self.status_code is not None else self.status_name)

    @property
    def spu_free(self) -> int | None:
        if self.maximum_spu_quota is None:
            return None
        return self.maximum_spu_quota - (self.spu_used or 0)


class ClusterJob(models.Model):
    """A job running in an exclusive cluster (reference 5.3.8)."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="cluster_jobs")
    job_id = models.BigIntegerField("CS job id")
    name = models.CharField(max_length=255, blank=True)
    desc = models.TextField(blank=True)
    user_name = models.CharField(max_length=128, blank=True)
    job_type = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=64, blank=True)
    status_desc = models.TextField(blank=True)
    spu_number = models.IntegerField(null=True, blank=True)
    parallel_number = models.IntegerField(null=True, blank=True)
    create_time = models.DateTimeField(null=True, blank=True)
    start_time = models.DateTimeField(null=True, blank=True)
    duration = models.BigIntegerField(null=True, blank=True)
    root_id = models.BigIntegerField(null=True, blank=True)
    graph_editor_enabled = models.BooleanField(null=True, blank=True)
    raw = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=40)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cluster", "job_id"], name="unique_cluster_job")]
        ordering = ["-job_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.job_id}) in {self.cluster_id}"


class HostMapping(models.Model):
    """An IP-domain mapping of a cluster (reference 5.3.11)."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="host_mappings")
    host_id = models.BigIntegerField("CS mapping id")
    ip = models.CharField(max_length=64, blank=True)
    hostname = models.CharField(max_length=255, blank=True)
    raw = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=40)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cluster", "host_id"], name="unique_host_mapping")]
        ordering = ["hostname", "host_id"]

    def __str__(self) -> str:
        return f"{self.hostname} -> {self.ip}"


class Peering(models.Model):
    """A VPC peering connection of a cluster (reference 5.3.18)."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="peerings")
    peering_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=32, blank=True)
    request_vpc_id = models.CharField(max_length=64, blank=True)
    request_tenant_id = models.CharField(max_length=64, blank=True)
    request_vpc_cidr = models.CharField(max_length=64, blank=True)
    request_subnet_cidr = models.CharField(max_length=64, blank=True)
    accept_vpc_id = models.CharField("peer VPC id", max_length=64, blank=True)
    accept_tenant_id = models.CharField("peer tenant id", max_length=64, blank=True)
    raw = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=40)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cluster", "peering_id"], name="unique_peering")]
        ordering = ["name", "peering_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"


class Route(models.Model):
    """A route of a VPC peering connection (reference 5.3.24)."""

    peering = models.ForeignKey(Peering, on_delete=models.CASCADE, related_name="routes")
    route_id = models.CharField(max_length=64)
    type = models.CharField(max_length=32, blank=True)
    destination = models.CharField("destination CIDR", max_length=64, blank=True)
    nexthop = models.CharField(max_length=64, blank=True)
    vpc_id = models.CharField(max_length=64, blank=True)
    tenant_id = models.CharField(max_length=64, blank=True)
    raw = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=40)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["peering", "route_id"], name="unique_route")]
        ordering = ["destination", "route_id"]

    def __str__(self) -> str:
        return f"{self.destination} via {self.nexthop}"


class Queue(models.Model):
    """A DLI queue (D20/D21), where DLI Flink jobs run: DLI's counterpart of an exclusive cluster.

    ``cu_price`` is the price of one CU-hour a lead sets for the queue (DLI has no billing overview),
    so that the dashboard can estimate what the jobs on it cost.
    """

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="queues")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="queues")
    queue_name = models.CharField(max_length=128)
    description = models.TextField(blank=True)
    owner = models.CharField(max_length=128, blank=True)
    queue_type = models.CharField(max_length=32, blank=True, help_text="general, sql, ...")
    resource_mode = models.IntegerField(null=True, blank=True)
    cu_count = models.IntegerField(null=True, blank=True)
    used_cu = models.FloatField(null=True, blank=True)
    engine = models.CharField(max_length=64, blank=True)
    elastic_resource_pool = models.CharField(max_length=128, blank=True)
    charging_mode = models.IntegerField(null=True, blank=True)
    create_time = models.DateTimeField(null=True, blank=True)
    cu_price = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Price of one CU-hour (set by a lead).",
    )
    raw = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=40)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = ClusterQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["credential", "queue_name"], name="unique_queue_per_credential")
        ]
        ordering = ["queue_name"]

    def __str__(self) -> str:
        return self.queue_name

    @property
    def free_cu(self) -> float | None:
        if self.cu_count is None:
            return None
        return max(0.0, self.cu_count - (self.used_cu or 0.0))

    @property
    def used_percent(self) -> int:
        return percent(self.used_cu, self.cu_count)

    @property
    def type_label(self) -> str:
        """The queue type in words (``csapi.vocab.DLI_QUEUE_TYPES``)."""
        return vocab.DLI_QUEUE_TYPES.get(self.queue_type, self.queue_type or "—")

    @property
    def engine_label(self) -> str:
        return self.engine.capitalize() if self.engine else "—"
