"""Snapshots of CS jobs, templates and audit traces, kept fresh by the poller (dashboard.polling).

Pages read these tables only; they never call CS. Every table carries the team (denormalised from the
credential) so every selector can filter by team first. CS timestamps (milliseconds since the epoch)
are stored as aware datetimes; the payload as received is kept in ``raw``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from csapi import vocab
from dashboard.teams.models import Credential, Team


class JobQuerySet(models.QuerySet):
    def for_team(self, team: Team) -> JobQuerySet:
        return self.filter(team=team)

    def live(self) -> JobQuerySet:
        """Jobs present in the last complete listing (not deleted in CS)."""
        return self.filter(deleted_at__isnull=True)


class Job(models.Model):
    """One CS job as listed by ``GET /jobs?show_detail=true`` (reference 5.1.11/5.1.12).

    ``fingerprint`` is a hash of the listed payload without its ever-growing ``duration``: a poll
    that returns the same fingerprint writes nothing. ``last_seen`` is the time the row was last
    written (created, changed or restored); a row that is not deleted was present in its
    credential's last complete listing (``PollHealth`` kind ``jobs``, ``last_success``).
    """

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="jobs")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="jobs")
    job_id = models.BigIntegerField("CS job id")

    name = models.CharField(max_length=255, blank=True)
    desc = models.TextField(blank=True)
    username = models.CharField(max_length=128, blank=True)
    user_id = models.CharField(max_length=64, blank=True)
    project_id = models.CharField(max_length=64, blank=True)
    job_type = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=64, blank=True)
    status_desc = models.TextField(blank=True)
    run_mode = models.CharField(max_length=32, blank=True)
    cluster_id = models.BigIntegerField(null=True, blank=True)
    cluster_name = models.CharField(max_length=255, blank=True)
    spu_number = models.IntegerField(null=True, blank=True)
    parallel_number = models.IntegerField(null=True, blank=True)
    create_time = models.DateTimeField(null=True, blank=True)
    start_time = models.DateTimeField(null=True, blank=True)
    update_time = models.DateTimeField(null=True, blank=True)
    duration = models.BigIntegerField(
        null=True, blank=True, help_text="Running time in ms as of last_seen (see current_duration_ms)."
    )
    sql_body = models.TextField(blank=True)
    job_config = models.JSONField(null=True, blank=True)
    root_id = models.BigIntegerField(null=True, blank=True)
    edge_group_ids = models.TextField(blank=True)
    graph_editor_enabled = models.BooleanField(null=True, blank=True)
    has_savepoint = models.BooleanField(null=True, blank=True)
    checkpoint_enabled = models.BooleanField(null=True, blank=True)
    log_enabled = models.BooleanField(null=True, blank=True)
    jar_url = models.TextField(blank=True)
    main_class = models.TextField(blank=True)
    args = models.TextField(blank=True)
    execution_graph = models.TextField(blank=True)
    raw = models.JSONField(default=dict, help_text="The job exactly as CS listed it.")
    fingerprint = models.CharField(max_length=40)

    # Latest monitoring figures (reference 5.1.15), written by the metrics sync.
    read_rate = models.FloatField(null=True, blank=True)
    write_rate = models.FloatField(null=True, blank=True)
    records_in = models.BigIntegerField(null=True, blank=True)
    records_out = models.BigIntegerField(null=True, blank=True)
    corrupted_records = models.BigIntegerField(null=True, blank=True)
    metrics_at = models.DateTimeField(null=True, blank=True)

    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True, help_text="Gone from a complete CS listing.")

    objects = JobQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["credential", "job_id"], name="unique_job_per_credential"),
        ]
        indexes = [
            # Live jobs only: the status cards' counts and the list's row count read this index alone.
            models.Index(
                fields=["team", "status"],
                name="job_team_live_status",
                condition=models.Q(deleted_at__isnull=True),
            ),
            models.Index(fields=["team", "name"], name="job_team_name"),
            models.Index(fields=["team", "job_type"], name="job_team_type"),
            models.Index(fields=["team", "update_time"], name="job_team_updated"),
            models.Index(fields=["team", "create_time"], name="job_team_created"),
            models.Index(fields=["team", "cluster_id"], name="job_team_cluster"),
            models.Index(fields=["team", "deleted_at"], name="job_team_deleted"),
            models.Index(fields=["credential", "status"], name="job_cred_status"),
        ]
        ordering = ["-job_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.job_id})"

    @property
    def status_info(self) -> vocab.JobStatus:
        """Label and group of ``status`` (from csapi.vocab)."""
        return vocab.job_status(self.status)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def current_duration_ms(self) -> int | None:
        """``duration`` projected to now for a running job (CS's duration grows while it runs)."""
        if self.duration is None:
            return None
        if self.status in vocab.RUNNING_STATUSES and self.deleted_at is None:
            elapsed = (timezone.now() - self.last_seen).total_seconds()
            return self.duration + max(0, int(elapsed * 1000))
        return self.duration


class JobStatusChange(models.Model):
    """One status transition of a job, appended only when a poll sees a different status."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="status_changes")
    previous_status = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=64)
    status_desc = models.TextField(blank=True)
    observed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["job", "observed_at"], name="jobstatus_job_time")]
        ordering = ["-observed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.job_id}: {self.previous_status or '-'} -> {self.status} at {self.observed_at}"


class MetricSample(models.Model):
    """A job's monitoring figures at one time (reference 5.1.15); one row per job per sampling slot."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="metric_samples")
    sampled_at = models.DateTimeField()
    records_in = models.BigIntegerField(default=0, help_text="Sum of the sources' records.")
    records_out = models.BigIntegerField(default=0, help_text="Sum of the sinks' records.")
    corrupted_records = models.BigIntegerField(default=0)
    read_rate = models.FloatField(null=True, blank=True)
    write_rate = models.FloatField(null=True, blank=True)
    sources = models.JSONField(default=list)
    sinks = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "sampled_at"], name="unique_metric_sample"),
        ]
        indexes = [models.Index(fields=["sampled_at"], name="metric_sampled_at")]
        ordering = ["-sampled_at"]

    def __str__(self) -> str:
        return f"{self.job_id} at {self.sampled_at}"


class AuditTrace(models.Model):
    """One CS audit log trace (reference 5.1.14). CS gives traces no id: ``key`` is a hash of the trace."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="audit_traces")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="audit_traces")
    key = models.CharField(max_length=64, help_text="sha256 of the trace as received.")
    resource_type = models.CharField(max_length=32, blank=True)
    resource_id = models.CharField(max_length=64, blank=True, help_text="Job, template or cluster id.")
    resource_name = models.CharField(max_length=255, blank=True)
    event_name = models.CharField(max_length=128, blank=True)
    event_type = models.CharField(max_length=64, blank=True)
    event_rating = models.CharField(max_length=32, blank=True)
    op_user = models.CharField(max_length=128, blank=True)
    op_time = models.DateTimeField(null=True, blank=True)
    op_ip = models.CharField(max_length=64, blank=True)
    op_result = models.TextField(blank=True)
    result_code = models.CharField(max_length=32, blank=True, help_text="CS.xxxxx prefix of op_result.")
    raw = models.JSONField(default=dict)
    first_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["credential", "key"], name="unique_audit_trace")]
        indexes = [
            models.Index(fields=["team", "op_time"], name="audit_team_time"),
            models.Index(fields=["team", "resource_id"], name="audit_team_resource"),
            models.Index(fields=["credential", "op_time"], name="audit_cred_time"),
        ]
        ordering = ["-op_time", "-id"]

    def __str__(self) -> str:
        return f"{self.event_name} {self.resource_name} by {self.op_user} at {self.op_time}"


class Template(models.Model):
    """A custom job template (reference 5.2.4)."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="templates")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="templates")
    template_id = models.BigIntegerField("CS template id")
    name = models.CharField(max_length=255, blank=True)
    desc = models.TextField(blank=True)
    sql_body = models.TextField(blank=True)
    job_type = models.CharField(max_length=64, blank=True)
    create_time = models.DateTimeField(null=True, blank=True)
    update_time = models.DateTimeField(null=True, blank=True)
    raw = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=40)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["credential", "template_id"], name="unique_template_per_credential"
            ),
        ]
        indexes = [models.Index(fields=["team", "name"], name="template_team_name")]
        ordering = ["name", "template_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.template_id})"


class SqlVersion(models.Model):
    """A saved version of a SQL job's statement, written by the SQL editor (version history)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="sql_versions")
    credential = models.ForeignKey(
        Credential, on_delete=models.SET_NULL, null=True, blank=True, related_name="sql_versions"
    )
    job_id = models.BigIntegerField("CS job id")
    job_name = models.CharField(max_length=255, blank=True)
    sql_body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sql_versions",
    )
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["team", "job_id", "created_at"], name="sqlversion_team_job")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.job_name or self.job_id} at {self.created_at}"


class JobDetails(models.Model):
    """What CS tells about one job only on request: its execution plan (5.1.13) and APIG sinks (5.1.16).

    Fetched in the background when someone opens the job and the stored copy is missing or older
    than the job's last update, so the poller never makes one call per job.
    """

    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="details")
    plan = models.JSONField(null=True, blank=True)
    apig_sinks = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="The readable CS error of the last fetch, if it failed.")
    fetched_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "job details"

    def __str__(self) -> str:
        return f"details of {self.job}"
