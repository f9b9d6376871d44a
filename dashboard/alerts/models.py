"""Alert rules, channels, incidents and deliveries of a team.

The chain is rows all the way, so nothing lives only in a worker's memory:

- a :class:`Rule` says what to watch (a kind, its threshold, a scope of jobs) and where to tell
  (its :class:`Channel` rows);
- an evaluation after each poll (``dashboard.alerts.evaluation``) opens one :class:`Incident` per
  rule and subject (a job, a credential, a quota user) while the condition holds, and resolves it
  when it clears;
- what must be said is written as one :class:`Notification` per rule, channel and evaluation (the
  idempotency key is unique), with a :class:`DeliveryAttempt` row per try: the delivery log.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboard.jobs.models import Job
from dashboard.teams import crypto
from dashboard.teams.models import Credential, Team


class Severity(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class RuleKind(models.TextChoices):
    JOB_FAILED = "job_failed", _("A job enters a failure state")
    JOB_STOPPED = "job_stopped", _("A job stopped that nobody stopped from the dashboard")
    JOB_RESTARTED = "job_restarted", _("A job's restart count grew")
    NO_RECORDS = "no_records", _("A running job read no records for N minutes")
    QUOTA = "quota", _("SPU/CU in use at or above a share of a quota")
    DAILY_COST = "daily_cost", _("Estimated cost of the day above a budget")
    POLL_FAILING = "poll_failing", _("The poller cannot reach the cloud for N minutes")


#: Rule kinds whose subjects are jobs (they take a job scope); the others watch credentials.
JOB_KINDS = frozenset(
    {RuleKind.JOB_FAILED, RuleKind.JOB_STOPPED, RuleKind.JOB_RESTARTED, RuleKind.NO_RECORDS}
)
#: Which parameter each kind needs (the form and the API require it, the evaluation reads it).
KIND_PARAMETER = {
    RuleKind.NO_RECORDS: "minutes",
    RuleKind.POLL_FAILING: "minutes",
    RuleKind.QUOTA: "percent",
    RuleKind.DAILY_COST: "budget",
}


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Webhook (JSON, signed)")
    DINGTALK = "dingtalk", _("DingTalk robot")
    WECOM = "wecom", _("WeCom robot")
    FEISHU = "feishu", _("Feishu robot")
    LARK = "lark", _("Lark robot")
    SLACK = "slack", _("Slack incoming webhook")


class Channel(models.Model):
    """Where a team is told. The URL (robot tokens live in it) and the signing key are secrets:
    stored encrypted with the credential keys, written through forms, never shown again."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="alert_channels")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    emails = models.TextField(_("email addresses"), blank=True, help_text=_("One or more, comma-separated."))
    #: Where messages go, without anything secret (scheme and host), so people recognise it.
    target_hint = models.CharField(max_length=255, blank=True, editable=False)
    secret_encrypted = models.TextField(blank=True, editable=False)
    secret_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_failure_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="unique_alert_channel_name")]
        ordering = ["team", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def __repr__(self) -> str:
        return f"<Channel {self.public_id} {self.kind}>"

    # Secrets are write-only: set, and read to send, never displayed.
    def set_secrets(self, *, url: str = "", signing_key: str = "") -> None:
        import json

        self.secret_encrypted = crypto.encrypt(json.dumps({"url": url, "signing_key": signing_key}))
        self.secret_updated_at = timezone.now()

    def get_secrets(self) -> dict[str, str]:
        import json

        if not self.secret_encrypted:
            return {"url": "", "signing_key": ""}
        data = json.loads(crypto.decrypt(self.secret_encrypted))
        return {"url": str(data.get("url") or ""), "signing_key": str(data.get("signing_key") or "")}

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted)

    @property
    def failing(self) -> bool:
        return bool(
            self.last_failure_at and (not self.last_success_at or self.last_failure_at > self.last_success_at)
        )

    @property
    def recipients(self) -> list[str]:
        return [a.strip() for a in self.emails.replace(";", ",").split(",") if a.strip()]


class Rule(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="alert_rules")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("when"), max_length=16, choices=RuleKind.choices)
    severity = models.CharField(
        _("severity"), max_length=16, choices=Severity.choices, default=Severity.CRITICAL
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    minutes = models.PositiveIntegerField(_("minutes"), null=True, blank=True)
    percent = models.FloatField(_("percent of the quota"), null=True, blank=True)
    budget = models.FloatField(_("budget of the day"), null=True, blank=True)
    # Scope: all jobs (and credentials), or a selection.
    all_jobs = models.BooleanField(_("all jobs"), default=True)
    credentials = models.ManyToManyField(
        Credential, blank=True, related_name="+", verbose_name=_("credentials")
    )
    name_pattern = models.CharField(
        _("job name pattern"), max_length=255, blank=True, help_text=_("Shell-style: etl_*, *_prod, ...")
    )
    tags = models.JSONField(_("tags"), default=list, blank=True, help_text=_('"key=value" or "key" entries'))
    repeat_minutes = models.PositiveIntegerField(
        _("remind every (minutes)"), default=60, help_text=_("0: never remind.")
    )
    channels = models.ManyToManyField(Channel, blank=True, related_name="rules", verbose_name=_("channels"))
    silenced_until = models.DateTimeField(_("silenced until"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="unique_alert_rule_name")]
        indexes = [models.Index(fields=["team", "enabled", "kind"], name="alertrule_team_kind")]
        ordering = ["team", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_job_rule(self) -> bool:
        return self.kind in JOB_KINDS

    def silenced_at(self, now) -> bool:
        return bool(self.silenced_until and self.silenced_until > now)


class IncidentState(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class IncidentQuerySet(models.QuerySet):
    def unresolved(self) -> IncidentQuerySet:
        return self.filter(resolved_at__isnull=True)


class Incident(models.Model):
    """One firing of a rule for one subject, from the poll that saw it to the poll that saw it clear."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="alert_incidents")
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="incidents")
    #: What fires: ``job:<pk>``, ``credential:<pk>``, ``quota:<pk>:<user id>``. One open incident per
    #: rule and subject (a partial unique constraint).
    subject = models.CharField(max_length=160)
    subject_name = models.CharField(max_length=255, blank=True)
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="incidents")
    credential = models.ForeignKey(
        Credential, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=16, choices=IncidentState.choices, default=IncidentState.OPEN)
    summary = models.TextField(blank=True, help_text=_("What changed, in a sentence."))
    status = models.CharField(max_length=64, blank=True)
    status_desc = models.TextField(blank=True, help_text=_("The cloud's own description of the status."))
    opened_at = models.DateTimeField(default=timezone.now)
    #: Since when the condition no longer holds (None while it holds); resolved after ALERT_RESOLVE_AFTER.
    clear_since = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: The last message about this subject (inherited from the rule's previous incident of the same
    #: subject), and whether this incident's opening was told: the flap guard and the reminder clock.
    last_notified_at = models.DateTimeField(null=True, blank=True)
    announced = models.BooleanField(default=False)
    fired_count = models.PositiveIntegerField(default=1, help_text=_("Times it fired again while open."))

    objects = IncidentQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject"], condition=Q(resolved_at__isnull=True), name="one_open_incident"
            )
        ]
        indexes = [
            models.Index(fields=["team", "resolved_at"], name="incident_team_open"),
            models.Index(fields=["job", "resolved_at"], name="incident_job_open"),
            models.Index(fields=["rule", "subject", "opened_at"], name="incident_rule_subject"),
        ]
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.subject} ({self.state})"


class Silence(models.Model):
    """No messages for a rule, a job, or a job under one rule, until a time (incidents are still kept)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="alert_silences")
    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, null=True, blank=True, related_name="silences")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    until = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["team", "until"], name="silence_team_until")]
        ordering = ["-until"]

    def __str__(self) -> str:
        return f"silence of {self.rule_id or '-'}/{self.job_id or '-'} until {self.until}"


class MaintenanceWindow(models.Model):
    """A planned time without messages for the whole team or one credential's jobs."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="alert_maintenance")
    name = models.CharField(_("name"), max_length=100)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    credential = models.ForeignKey(
        Credential,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("credential"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["team", "ends_at"], name="maintenance_team_end")]
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_at} - {self.ends_at})"


class JobWatch(models.Model):
    """What the evaluation last saw of a job where a change, not a value, fires (the restart count)."""

    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="alert_watch")
    restart_count = models.IntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.job_id}: {self.restart_count} restarts"


class NotificationState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Retrying")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """One message to one channel: everything one rule has to say after one evaluation (grouped).

    ``key`` is the idempotency key: unique, sent along (webhook header, email Message-ID) so receivers
    can tell a resend after an interrupted attempt from a new message. ``payload`` is fixed when the
    row is written, so every attempt sends the same words.
    """

    class Event(models.TextChoices):
        ALERT = "alert", _("Alert")
        TEST = "test", _("Test message")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(max_length=100, unique=True)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="alert_notifications")
    rule = models.ForeignKey(
        Rule, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=16, choices=Event.choices, default=Event.ALERT)
    incidents = models.ManyToManyField(Incident, blank=True, related_name="notifications")
    payload = models.JSONField(default=dict)
    state = models.CharField(
        max_length=16, choices=NotificationState.choices, default=NotificationState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    #: While a worker sends: until when its claim holds (a claim that ran out was cut off mid-way).
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["channel", "created_at"], name="notification_channel"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"


class DeliveryAttempt(models.Model):
    """One try at sending a notification: the delivery log of a channel."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="attempts_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(null=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.notification_id} try {self.number}: {self.ok}"


class AlertMark(models.Model):
    """Up to when a credential's synced data was evaluated: the next evaluation reads from here, so
    the status changes a failed sync wrote before it broke off are read by the next good one."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    through = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["credential", "kind"], name="unique_alert_mark")]

    def __str__(self) -> str:
        return f"{self.credential_id}/{self.kind} through {self.through}"
