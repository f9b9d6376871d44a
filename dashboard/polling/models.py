"""Poll health: per credential and kind of data, when it was last fetched and how it went.

The scheduler reads ``next_attempt`` (intervals and backoff are data, not beat entries); pages read
``last_success`` and ``last_error`` to show freshness. The row also carries the sync's lease
(``lock_owner``, ``locked_until``: see :mod:`dashboard.polling.lock`) and when the kind last pruned
its time series (``pruned_at``: see :mod:`dashboard.polling.retention`).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from dashboard.teams.models import Credential, Service


class Kind(models.TextChoices):
    JOBS = "jobs", "Jobs"
    METRICS = "metrics", "Job metrics"
    AUDIT = "audit", "Audit logs"
    CLUSTERS = "clusters", "Clusters"
    QUOTAS = "quotas", "Quotas"
    TEMPLATES = "templates", "Templates"
    OVERVIEW = "overview", "Overview and billing"
    QUEUES = "queues", "Queues"


#: What each service has to poll. DLI has no audit logs (they go to Cloud Trace Service), no billing
#: overview and no exclusive clusters; it has queues, and its quotas are the project's.
KINDS_BY_SERVICE: dict[str, tuple[str, ...]] = {
    Service.CS: (
        Kind.JOBS,
        Kind.METRICS,
        Kind.AUDIT,
        Kind.CLUSTERS,
        Kind.QUOTAS,
        Kind.TEMPLATES,
        Kind.OVERVIEW,
    ),
    Service.DLI: (
        Kind.JOBS,
        Kind.METRICS,
        Kind.TEMPLATES,
        Kind.QUEUES,
        Kind.QUOTAS,
    ),
}


def kinds_of(service: str) -> tuple[str, ...]:
    """The poll kinds of a credential speaking ``service``."""
    return KINDS_BY_SERVICE[service]


class PollHealth(models.Model):
    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="poll_health")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    last_attempt = models.DateTimeField(null=True, blank=True)
    last_success = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, help_text="Readable CS error of the last failure (no secrets).")
    #: The same error as ``dashboard.teams.cs.error_record`` keeps it: worded in each reader's language.
    last_error_record = models.JSONField(default=dict, blank=True, editable=False)
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
    lock_owner = models.CharField(
        max_length=255, blank=True, help_text="host:pid:token of the process running this sync, if one is."
    )
    locked_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The lease of lock_owner ends here (a crashed holder's lock expires).",
    )
    pruned_at = models.DateTimeField(
        null=True, blank=True, help_text="When this kind last pruned its time series of this credential."
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
