"""Snapshots of user SPU quotas and of the billing overview, kept fresh by the poller.

``UserQuotaSample`` and ``OverviewSnapshot`` are time series (one row per poll) for the charts.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from dashboard.percent import percent
from dashboard.teams.models import Credential, Team


class UserQuota(models.Model):
    """A user's SPU quota (reference 5.3.14)."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="user_quotas")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="user_quotas")
    user_id = models.CharField("CS user id", max_length=64)
    user_name = models.CharField(max_length=128, blank=True)
    spu_quota = models.IntegerField(null=True, blank=True)
    spu_used = models.IntegerField(null=True, blank=True)
    clusters = models.JSONField(default=list, help_text='[{"id": ..., "name": ...}, ...]')
    raw = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=40)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, help_text="Last written (created or changed).")
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["credential", "user_id"], name="unique_user_quota_per_credential"
            ),
        ]
        indexes = [models.Index(fields=["team", "user_name"], name="quota_team_user")]
        ordering = ["user_name", "user_id"]

    def __str__(self) -> str:
        return f"{self.user_name}: {self.spu_used}/{self.spu_quota} SPU"

    @property
    def spu_free(self) -> int | None:
        if self.spu_quota is None:
            return None
        return self.spu_quota - (self.spu_used or 0)


class UserQuotaSample(models.Model):
    """Totals of all user quotas of a credential at one poll (the SPU-over-time chart)."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="quota_samples")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="quota_samples")
    sampled_at = models.DateTimeField(default=timezone.now)
    spu_used = models.IntegerField(default=0, help_text="Sum of the users' used SPUs.")
    spu_quota = models.IntegerField(default=0, help_text="Sum of the users' SPU quotas.")
    users = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["credential", "sampled_at"], name="unique_quota_sample"),
        ]
        indexes = [models.Index(fields=["team", "sampled_at"], name="quotasample_team_time")]
        ordering = ["-sampled_at"]

    def __str__(self) -> str:
        return f"{self.credential_id} at {self.sampled_at}: {self.spu_used}/{self.spu_quota}"


class OverviewSnapshot(models.Model):
    """Summary statistics of jobs, clusters and prices at one poll (reference 5.1.3)."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="overview_snapshots")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="overview_snapshots")
    taken_at = models.DateTimeField(default=timezone.now)
    cs_time = models.DateTimeField(null=True, blank=True, help_text="CS's current_time of the answer.")
    total_cost = models.FloatField(null=True, blank=True)
    # job_overview
    total_jobs = models.IntegerField(null=True, blank=True)
    running_jobs_count = models.IntegerField(null=True, blank=True)
    finished_job_count = models.IntegerField(null=True, blank=True)
    exception_job_count = models.IntegerField(null=True, blank=True)
    running_job_charge = models.FloatField(null=True, blank=True)
    running_job_price = models.FloatField(null=True, blank=True, help_text="Per hour, all running jobs.")
    running_job_total_spu = models.IntegerField(null=True, blank=True)
    running_job_total_time = models.FloatField(null=True, blank=True)
    # cluster_overview
    total_clusters = models.IntegerField(null=True, blank=True)
    running_cluster_count = models.IntegerField(null=True, blank=True)
    exception_cluster_count = models.IntegerField(null=True, blank=True)
    other_cluster_count = models.IntegerField(null=True, blank=True)
    running_cluster_charge = models.FloatField(null=True, blank=True)
    running_cluster_price = models.FloatField(
        null=True, blank=True, help_text="Per hour, all running clusters."
    )
    running_cluster_total_spu = models.IntegerField(null=True, blank=True)
    running_cluster_total_time = models.FloatField(null=True, blank=True)
    billing_unit = models.CharField(max_length=16, blank=True)
    time_unit = models.CharField(max_length=16, blank=True)
    raw = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["credential", "taken_at"], name="unique_overview_snapshot"),
        ]
        indexes = [models.Index(fields=["team", "taken_at"], name="overview_team_time")]
        ordering = ["-taken_at"]
        get_latest_by = "taken_at"

    def __str__(self) -> str:
        return f"{self.credential_id} at {self.taken_at}"

    @property
    def price_per_hour(self) -> float:
        return (self.running_job_price or 0) + (self.running_cluster_price or 0)

    @property
    def running_spu(self) -> int:
        return (self.running_job_total_spu or 0) + (self.running_cluster_total_spu or 0)


class ProjectQuota(models.Model):
    """One of a DLI project's quotas (D23): of a resource ``type`` (CU, QUEUE, ...), ``used`` of ``quota``.

    DLI's quotas are per project, not per user as CS's SPU quotas are; the dashboard keeps the latest
    answer, and the CUs in use over time as ``UserQuotaSample`` rows (their ``spu_*`` columns hold CUs).
    """

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="project_quotas")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="project_quotas")
    type = models.CharField(max_length=64)
    quota = models.IntegerField(null=True, blank=True)
    used = models.FloatField(null=True, blank=True)
    min = models.IntegerField(null=True, blank=True)
    max = models.IntegerField(null=True, blank=True)
    raw = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=40)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["credential", "type"], name="unique_project_quota")]
        ordering = ["type"]

    def __str__(self) -> str:
        return f"{self.type}: {self.used}/{self.quota}"

    @property
    def percent(self) -> int:
        return percent(self.used, self.quota)
