"""Poll health: per credential and kind of data, when it was last fetched and how it went.

The scheduler reads ``next_attempt`` (intervals and backoff are data, not beat entries); pages read
``last_success`` and ``last_error`` to show freshness.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from dashboard.teams.models import Credential


class Kind(models.TextChoices):
    JOBS = "jobs", "Jobs"
    METRICS = "metrics", "Job metrics"
    AUDIT = "audit", "Audit logs"
    CLUSTERS = "clusters", "Clusters"
    QUOTAS = "quotas", "User quotas"
    TEMPLATES = "templates", "Templates"
    OVERVIEW = "overview", "Overview and billing"


class PollHealth(models.Model):
    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="poll_health")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    last_attempt = models.DateTimeField(null=True, blank=True)
    last_success = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, help_text="Readable CS error of the last failure (no secrets).")
    last_error_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    next_attempt = models.DateTimeField(default=timezone.now, db_index=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_items = models.PositiveIntegerField(
        null=True, blank=True, help_text="Items seen by the last success."
    )
    complete_through = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Audit traces: every trace up to this time was read by a sync that finished.",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["credential", "kind"], name="unique_poll_health")]
        ordering = ["credential", "kind"]
        verbose_name_plural = "poll health"

    def __str__(self) -> str:
        return f"{self.credential_id}/{self.kind}"

    @property
    def failing(self) -> bool:
        return self.consecutive_failures > 0
