"""Teams, members with roles, CS credentials, and the dashboard's own action log."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboard.teams import crypto


class Role(models.IntegerChoices):
    VIEWER = 10, _("Viewer")
    OPERATOR = 20, _("Operator")
    LEAD = 30, _("Lead")


class TeamQuerySet(models.QuerySet):
    def for_user(self, user) -> TeamQuerySet:
        """Teams ``user`` may see: all for site staff, otherwise those they are a member of."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(memberships__user=user)


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True, help_text="Public id used in URLs.")
    created_at = models.DateTimeField(default=timezone.now)
    #: The time zone of members who have not chosen one (an IANA name); empty: ``DEFAULT_USER_TIME_ZONE``.
    time_zone = models.CharField(max_length=64, blank=True, default="")
    #: Changes whenever anything the team's pages show may have changed (``dashboard.teams.versions``).
    version = models.PositiveBigIntegerField(default=0, editable=False)
    #: Changes when the metrics sync wrote new figures of the team's running jobs, which only the job
    #: list shows beside ``version`` (a job's page follows its own ``metrics_at``): the figures of a
    #: team's running jobs change on every metrics cycle, the rest of its pages need not follow them.
    figures_version = models.PositiveBigIntegerField(default=0, editable=False)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("team_detail", kwargs={"team": self.slug})


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.PositiveSmallIntegerField(choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="unique_team_member")]
        ordering = ["team", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.get_role_display()})"


class Service(models.TextChoices):
    """Which cloud API a credential speaks: Cloud Stream Service (v1.0) or its successor, DLI's Flink jobs."""

    CS = "cs", "Cloud Stream Service (CS)"
    DLI = "dli", "Data Lake Insight (DLI)"


class AuthType(models.TextChoices):
    PASSWORD = "password", "IAM password"
    AKSK = "aksk", "Access key (AK/SK)"


def default_cs_endpoint(region: str) -> str:
    return f"https://cs.{region}.myhuaweicloud.com"


def default_iam_endpoint(region: str) -> str:
    return f"https://iam.{region}.myhuaweicloud.com"


def default_vpc_endpoint(region: str) -> str:
    return f"https://vpc.{region}.myhuaweicloud.com"


def default_dli_endpoint(region: str) -> str:
    return f"https://dli.{region}.myhuaweicloud.com"


class CredentialQuerySet(models.QuerySet):
    def for_team(self, team: Team) -> CredentialQuerySet:
        return self.filter(team=team)


class Credential(models.Model):
    """A team's access to one CS project. The secret (IAM password or SK) is stored encrypted only."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="credentials")
    name = models.CharField(max_length=100)
    region = models.CharField(max_length=64)
    service = models.CharField(max_length=8, choices=Service.choices, default=Service.CS)
    cs_endpoint = models.URLField(max_length=255, blank=True)
    dli_endpoint = models.URLField(max_length=255, blank=True)
    iam_endpoint = models.URLField(max_length=255, blank=True)
    vpc_endpoint = models.URLField(max_length=255, blank=True)
    project_id = models.CharField(max_length=64)
    auth_type = models.CharField(max_length=16, choices=AuthType.choices, default=AuthType.PASSWORD)
    domain_name = models.CharField("IAM domain (account) name", max_length=64, blank=True)
    username = models.CharField("IAM user name", max_length=64, blank=True)
    access_key = models.CharField("access key id (AK)", max_length=128, blank=True)
    secret_encrypted = models.TextField(editable=False)
    secret_updated_at = models.DateTimeField(null=True, blank=True, editable=False)

    last_verified_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    #: The same error as ``dashboard.teams.cs.error_record`` keeps it: worded in each reader's language.
    last_error_record = models.JSONField(default=dict, blank=True, editable=False)
    cs_versions = models.JSONField(
        default=dict, blank=True, help_text="CS release and engine versions (5.1.4)."
    )
    registered_at = models.DateTimeField(null=True, blank=True)
    needs_attention = models.BooleanField(
        default=False, help_text="Set when CS rejected the credential; polling pauses until it is fixed."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CredentialQuerySet.as_manager()

    #: Fields that decide where the secret is sent: changing one needs the secret entered again, so
    #: that nobody can point a stored password at a host of their choosing.
    SECRET_BOUND_FIELDS = (
        "service",
        "auth_type",
        "region",
        "cs_endpoint",
        "dli_endpoint",
        "iam_endpoint",
        "vpc_endpoint",
        "domain_name",
        "username",
        "access_key",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="unique_credential_name_per_team")
        ]
        ordering = ["team", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.region}, {self.project_id})"

    def __repr__(self) -> str:
        return f"<Credential {self.public_id} {self.name!r}>"

    def get_absolute_url(self) -> str:
        return reverse("credential_detail", kwargs={"team": self.team.slug, "credential": self.public_id})

    # Secrets are write-only: they can be set and used to build a client, never displayed.
    def set_secret(self, value: str) -> None:
        if not value:
            raise ValueError("a credential secret cannot be empty")
        self.secret_encrypted = crypto.encrypt(value)
        self.secret_updated_at = timezone.now()

    def get_secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted)

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted)

    @property
    def effective_cs_endpoint(self) -> str:
        return (self.cs_endpoint or default_cs_endpoint(self.region)).rstrip("/")

    @property
    def effective_dli_endpoint(self) -> str:
        return (self.dli_endpoint or default_dli_endpoint(self.region)).rstrip("/")

    @property
    def effective_endpoint(self) -> str:
        """The endpoint of the credential's service (CS's or DLI's)."""
        return self.effective_dli_endpoint if self.is_dli else self.effective_cs_endpoint

    @property
    def is_dli(self) -> bool:
        return self.service == Service.DLI

    @property
    def last_error_text(self) -> str:
        """The last error in the reader's language (the stored sentence when it has no record)."""
        from dashboard.teams.cs import recorded_error_text

        return recorded_error_text(self.last_error_record, self.last_error)

    @property
    def effective_iam_endpoint(self) -> str:
        return (self.iam_endpoint or default_iam_endpoint(self.region)).rstrip("/")

    @property
    def effective_vpc_endpoint(self) -> str:
        return (self.vpc_endpoint or default_vpc_endpoint(self.region)).rstrip("/")

    @property
    def cs_release(self) -> str:
        """The CS release the last test connection reported ("" when unknown)."""
        versions = self.cs_versions if isinstance(self.cs_versions, dict) else {}
        return str(versions.get("version") or versions.get("id") or "")

    @property
    def identity(self) -> str:
        """Who this credential acts as, without any secret."""
        if self.auth_type == AuthType.AKSK:
            return f"AK {self.access_key[:4]}…{self.access_key[-4:]}" if len(self.access_key) > 8 else "AK"
        return f"{self.domain_name}/{self.username}"


#: Every action the dashboard records (``ActionLog.action``), in words; the REST API keeps the key.
ACTION_LABELS: dict[str, Any] = {
    "team.create": _("Created the team"),
    "member.add": _("Added a member"),
    "member.role": _("Changed a member's role"),
    "member.remove": _("Removed a member"),
    "credential.create": _("Added a credential"),
    "credential.update": _("Changed a credential"),
    "credential.delete": _("Deleted a credential"),
    "credential.test": _("Tested a credential"),
    "credential.register": _("Registered the project with CS"),
    "credential.authorize_obs": _("Authorized CS to use OBS"),
    "job.create_sql": _("Created a SQL job"),
    "job.create_jar": _("Created a JAR job"),
    "job.update_sql": _("Changed a SQL job"),
    "job.update_jar": _("Changed a JAR job"),
    "job.run": _("Ran a job"),
    "job.stop": _("Stopped a job"),
    "job.delete": _("Deleted a job"),
    "job.savepoint": _("Triggered a savepoint"),
    "job.run_batch": _("Ran jobs"),
    "job.stop_batch": _("Stopped jobs"),
    "job.delete_batch": _("Deleted jobs"),
    "template.create": _("Created a template"),
    "template.update": _("Changed a template"),
    "template.delete": _("Deleted a template"),
    "cluster.create": _("Created a cluster"),
    "cluster.update": _("Changed a cluster"),
    "cluster.stop": _("Stopped a cluster"),
    "cluster.restart": _("Restarted a cluster"),
    "cluster.delete": _("Deleted a cluster"),
    "cluster.host_add": _("Added a host"),
    "cluster.host_update": _("Changed a host"),
    "cluster.hosts_upload": _("Uploaded hosts"),
    "cluster.hosts_delete": _("Deleted hosts"),
    "cluster.peering_create": _("Created a VPC peering"),
    "cluster.peering_accept": _("Accepted a VPC peering"),
    "cluster.peering_delete": _("Deleted a VPC peering"),
    "cluster.route_create": _("Added a route"),
    "cluster.route_create_peer": _("Added a route to a peering"),
    "cluster.route_delete": _("Deleted a route"),
    "quota.update": _("Changed a quota"),
    "queue.price": _("Set a queue's price"),
    "alert_rule.create": _("Created an alert rule"),
    "alert_rule.update": _("Changed an alert rule"),
    "alert_rule.delete": _("Deleted an alert rule"),
    "alert_rule.silence": _("Silenced an alert rule"),
    "alert_channel.create": _("Added an alert channel"),
    "alert_channel.update": _("Changed an alert channel"),
    "alert_channel.delete": _("Deleted an alert channel"),
    "alert_channel.test": _("Tested an alert channel"),
    "alert_silence.create": _("Silenced alerts"),
    "alert_silence.delete": _("Ended a silence"),
    "alert_maintenance.save": _("Saved a maintenance window"),
    "alert_maintenance.delete": _("Deleted a maintenance window"),
    "alert_incident.acknowledge": _("Acknowledged an incident"),
}


class ActionLog(models.Model):
    """The dashboard's own record of who did what: one row per write, with its outcome."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Succeeded")
        FAILURE = "failure", _("Failed")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="action_logs")
    credential = models.ForeignKey(
        Credential, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_logs"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.CharField(max_length=128, blank=True)
    target_name = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.target_type} {self.target_name}: {self.outcome}"

    @property
    def action_label(self) -> Any:
        """The action in words (:data:`ACTION_LABELS`)."""
        return ACTION_LABELS.get(self.action, self.action)


class CloudCall(models.Model):
    """A call to the cloud that a person started and waits for (test connection, register, ...).

    It runs in a Celery worker with a short deadline, never in the web request, so a slow or silent
    endpoint ties up no web worker; the page follows its state. Only ids and non-secret parameters
    are stored.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="cloud_calls")
    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="cloud_calls")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(max_length=32)
    params = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    message = models.TextField(blank=True)
    error = models.JSONField(default=dict, blank=True, help_text="code, description, cause and solution")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "state"]), models.Index(fields=["user", "state"])]

    def __str__(self) -> str:
        return f"{self.action} on {self.credential_id}: {self.state}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)
