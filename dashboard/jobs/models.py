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
    # DLI only (the successor of CS): where the job runs and how it is sized; spu_number holds its CUs.
    # (database defaults too: a bulk write of CS's listing need not name DLI's columns)
    service = models.CharField(
        max_length=8, default="cs", db_default="cs", help_text="cs or dli: the credential's service."
    )
    queue_name = models.CharField(max_length=128, blank=True, default="", db_default="")
    manager_cu_number = models.IntegerField(null=True, blank=True)
    tm_cus = models.IntegerField(null=True, blank=True, help_text="CUs per task manager (DLI).")
    tm_slot_num = models.IntegerField(null=True, blank=True, help_text="Slots per task manager (DLI).")
    restart_times = models.IntegerField(null=True, blank=True, help_text="Restarts after exceptions (DLI).")
    savepoint_path = models.TextField(blank=True, default="", db_default="")
    flink_version = models.CharField(max_length=32, blank=True, default="", db_default="")
    tags = models.JSONField(null=True, blank=True)
    resume_checkpoint = models.BooleanField(null=True, blank=True)
    resume_max_num = models.IntegerField(null=True, blank=True)
    raw = models.JSONField(default=dict, help_text="The job exactly as the cloud listed it.")
    fingerprint = models.CharField(max_length=40)

    # Latest monitoring figures (reference 5.1.15), written by the metrics sync on every cycle: none of
    # them is indexed, so the update stays on the row's page (migration 0007 leaves room there).
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
    def savepoint_exists(self) -> bool:
        """Whether a run can resume from a savepoint: the cloud says so (DLI), or a stop with a savepoint
        asked for from the dashboard has finished (CS tells nothing about savepoints; it refuses a resume
        without one with CS.13017)."""
        found = self.__dict__.get("_savepoint_exists")
        if found is None:
            found = bool(self.has_savepoint) or (
                self.status not in vocab.JOB_BUSY_STATUSES and self.savepoints.exists()
            )
            self.__dict__["_savepoint_exists"] = found
        return found

    @property
    def refusals(self) -> dict[str, str | None]:
        """Per action (run, edit, stop, delete, resume, savepoint): why it cannot be done now, or None."""
        from dashboard.jobs.rules import job_refusal

        return {action: job_refusal(self, action) for action in vocab.JOB_ACTIONS}

    @property
    def can(self) -> dict[str, bool]:
        """Per action: whether the job's state allows it (pages offer only these)."""
        return {action: refusal is None for action, refusal in self.refusals.items()}

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


class JobRun(models.Model):
    """One run of a job as the dashboard saw it: from its start to the status it ended in.

    Opened when the poller (or a run from the dashboard) sees the job start, closed when it sees it
    stop or fail. A run still open accrues time (and cost) up to now. Runs stay when the job is
    deleted in CS, so costs of the past stay too. A job first seen already stopped gets the run CS
    reports (its start time and duration); what came before that is unknown.
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="runs")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="job_runs")
    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="job_runs")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_status = models.CharField(max_length=64, blank=True)
    end_desc = models.TextField(blank=True)
    spu = models.PositiveIntegerField(
        null=True, blank=True, help_text="Compute units the run used (SPU or CU)."
    )
    cluster_id = models.BigIntegerField(null=True, blank=True)
    cluster_name = models.CharField(max_length=255, blank=True)
    username = models.CharField(max_length=128, blank=True, help_text="The CS user the job runs as.")

    class Meta:
        indexes = [
            models.Index(fields=["job", "started_at"], name="jobrun_job_start"),
            models.Index(fields=["team", "started_at"], name="jobrun_team_start"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["job"], condition=models.Q(ended_at__isnull=True), name="one_open_run_per_job"
            )
        ]
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"run of {self.job_id} from {self.started_at}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def running_seconds(self, now=None, *, start=None, end=None) -> float:
        """Seconds the run ran, within [start, end) when given (a billing period)."""
        begin = max(self.started_at, start) if start else self.started_at
        finish = self.ended_at or now or timezone.now()
        if end is not None:
            finish = min(finish, end)
        return max(0.0, (finish - begin).total_seconds())

    @property
    def end_info(self) -> vocab.JobStatus | None:
        return vocab.job_status(self.end_status) if self.end_status else None


class Savepoint(models.Model):
    """A savepoint of a job: asked for from the dashboard (who, when) and, where the cloud says, where."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="savepoints")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    requested_at = models.DateTimeField(default=timezone.now)
    location = models.TextField(
        blank=True, help_text="Where it is kept: the job's OBS bucket, or DLI's path."
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["job", "requested_at"], name="savepoint_job_time")]

    def __str__(self) -> str:
        return f"savepoint of {self.job_id} at {self.requested_at}"
