"""The alerts REST API under ``/api/v1/teams/<team_slug>/alerts/``: rules, channels, incidents (with
their deliveries), silences and maintenance windows. Writes are validated by the pages' forms;
leads manage rules, channels and maintenance, operators acknowledge and silence, viewers read.
Channel secrets are write-only: no answer carries them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from dashboard.alerts import selectors, services
from dashboard.alerts.forms import ChannelForm, MaintenanceForm, RuleForm, SilenceForm
from dashboard.alerts.models import (
    Channel,
    DeliveryAttempt,
    Incident,
    MaintenanceWindow,
    Notification,
    Rule,
    Silence,
)
from dashboard.api import docs
from dashboard.api.base import TeamEndpoint
from dashboard.api.inputs import bind, body_of, request_serializer
from dashboard.api.pagination import page_of, paginated
from dashboard.jobs.models import Job
from dashboard.teams.models import Role

TAGS = ["alerts"]
LEAD_MANAGES = {
    "GET": Role.VIEWER,
    "POST": Role.LEAD,
    "PUT": Role.LEAD,
    "PATCH": Role.LEAD,
    "DELETE": Role.LEAD,
}


def _invalid(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError({k: [str(m) for m in v] for k, v in error.message_dict.items()})
    return exceptions.ValidationError({"non_field_errors": [str(m) for m in error.messages]})


# ------------------------------------------------------------------------------------------ shapes


class RuleSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    credentials = serializers.SerializerMethodField()
    channels = serializers.SerializerMethodField()

    class Meta:
        model = Rule
        fields = [
            "id",
            "name",
            "kind",
            "severity",
            "enabled",
            "minutes",
            "percent",
            "budget",
            "all_jobs",
            "credentials",
            "name_pattern",
            "tags",
            "repeat_minutes",
            "channels",
            "silenced_until",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_credentials(self, rule) -> list[str]:
        return [str(c.public_id) for c in rule.credentials.all()]

    def get_channels(self, rule) -> list[str]:
        return [str(c.public_id) for c in rule.channels.all()]


class ChannelSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    has_secret = serializers.BooleanField(read_only=True, help_text="A URL/secret is stored (never shown).")
    failing = serializers.BooleanField(read_only=True)

    class Meta:
        model = Channel
        fields = [
            "id",
            "name",
            "kind",
            "enabled",
            "emails",
            "target_hint",
            "has_secret",
            "failing",
            "last_success_at",
            "last_failure_at",
            "last_error",
            "created_at",
        ]
        read_only_fields = fields


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "started_at", "finished_at", "ok", "error"]
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    channel = serializers.UUIDField(source="channel.public_id", read_only=True)
    channel_name = serializers.CharField(source="channel.name", read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "key",
            "channel",
            "channel_name",
            "event",
            "state",
            "attempts",
            "created_at",
            "sent_at",
            "last_error",
        ]
        read_only_fields = fields


class IncidentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    rule = serializers.UUIDField(source="rule.public_id", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    severity = serializers.CharField(source="rule.severity", read_only=True)
    job = serializers.SerializerMethodField(
        help_text="The job's key (credential uuid:job id), if a job fired."
    )

    class Meta:
        model = Incident
        fields = [
            "id",
            "rule",
            "rule_name",
            "severity",
            "subject_name",
            "job",
            "state",
            "summary",
            "status",
            "status_desc",
            "opened_at",
            "acknowledged_at",
            "resolved_at",
            "fired_count",
        ]
        read_only_fields = fields

    def get_job(self, incident) -> str | None:
        job = incident.job
        return f"{job.credential.public_id}:{job.job_id}" if job is not None else None


class IncidentDetailSerializer(IncidentSerializer):
    deliveries = serializers.SerializerMethodField()

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "deliveries"]
        read_only_fields = fields

    @extend_schema_field(NotificationSerializer(many=True))
    def get_deliveries(self, incident) -> list[dict[str, Any]]:
        return NotificationSerializer(selectors.incident_deliveries(incident), many=True).data


class SilenceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    rule = serializers.SerializerMethodField()
    job = serializers.SerializerMethodField()

    class Meta:
        model = Silence
        fields = ["id", "rule", "job", "until", "reason", "created_at"]
        read_only_fields = fields

    def get_rule(self, silence) -> str | None:
        return str(silence.rule.public_id) if silence.rule_id else None

    def get_job(self, silence) -> str | None:
        return f"{silence.job.credential.public_id}:{silence.job.job_id}" if silence.job_id else None


class MaintenanceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    credential = serializers.SerializerMethodField()

    class Meta:
        model = MaintenanceWindow
        fields = ["id", "name", "starts_at", "ends_at", "credential", "created_at"]
        read_only_fields = fields

    def get_credential(self, window) -> str | None:
        return str(window.credential.public_id) if window.credential_id else None


_UUIDS = serializers.ListField(child=serializers.UUIDField(), required=False)
RuleRequest = request_serializer(
    "AlertRuleRequest",
    RuleForm,
    dynamic=("credentials", "channels"),
    form_kwargs={"team": None},
    extra={
        "credentials": _UUIDS,
        "channels": serializers.ListField(child=serializers.UUIDField(), required=False),
        "tags": serializers.ListField(child=serializers.CharField(), required=False),
        "percent": serializers.FloatField(required=False, allow_null=True),
        "budget": serializers.FloatField(required=False, allow_null=True),
    },
)
ChannelRequest = request_serializer("AlertChannelRequest", ChannelForm, form_kwargs={"team": None})
SilenceRequest = request_serializer(
    "AlertSilenceRequest",
    SilenceForm,
    extra={
        "until": serializers.DateTimeField(),
        "rule": serializers.UUIDField(required=False, allow_null=True),
        "job": serializers.CharField(required=False, allow_blank=True, help_text="credential uuid:job id"),
    },
)
MaintenanceRequest = request_serializer(
    "AlertMaintenanceRequest",
    MaintenanceForm,
    dynamic=("credential",),
    form_kwargs={"team": None},
    extra={"starts_at": serializers.DateTimeField(), "ends_at": serializers.DateTimeField()},
)


def _rule_data(body: dict, rule: Rule | None = None) -> dict:
    """The form's input: the stored rule's values (for an update), then the request's."""
    # A new rule starts from the model's defaults (a JSON body that leaves a box out means "default").
    data: dict[str, Any] = {
        "severity": Rule._meta.get_field("severity").default,
        "enabled": True,
        "all_jobs": True,
        "repeat_minutes": Rule._meta.get_field("repeat_minutes").default,
    }
    if rule is not None:
        data = {
            f: getattr(rule, f)
            for f in (
                "name",
                "kind",
                "severity",
                "enabled",
                "minutes",
                "percent",
                "budget",
                "all_jobs",
                "name_pattern",
                "repeat_minutes",
            )
        }
        data["credentials"] = [str(c.public_id) for c in rule.credentials.all()]
        data["channels"] = [str(c.public_id) for c in rule.channels.all()]
        data["tags"] = ", ".join(rule.tags or [])
    data.update(body)
    if isinstance(data.get("tags"), list):
        data["tags"] = ", ".join(str(t) for t in data["tags"])
    for key in ("minutes", "percent", "budget"):
        if data.get(key) is None:
            data[key] = ""
    return data


def _save_rule(request, access, rule: Rule | None) -> Rule:
    instance = rule or Rule(team=access.team)
    form = bind(RuleForm, _rule_data(body_of(request), rule), instance=instance, team=access.team)
    saved = form.save(commit=False)
    saved.tags = form.cleaned_data["tags"]
    return services.rule_save(
        access=access,
        user=request.user,
        rule=saved,
        credentials=form.cleaned_data["credentials"],
        channels=form.cleaned_data["channels"],
    )


# ------------------------------------------------------------------------------------------ rules


class RuleList(TeamEndpoint):
    required_roles = LEAD_MANAGES

    @extend_schema(
        tags=TAGS,
        operation_id="alert_rules_list",
        summary="The team's alert rules",
        parameters=docs.PAGE_PARAMS,
        responses=docs.responses(page_of(RuleSerializer, freshness=False)),
    )
    def get(self, request, access, **kwargs):
        return paginated(request, self, selectors.rule_list(access.team).order_by("name"), RuleSerializer)

    @extend_schema(
        tags=TAGS,
        operation_id="alert_rule_create",
        summary="Create an alert rule",
        request=RuleRequest,
        responses=docs.responses(RuleSerializer, write=True, status=201),
    )
    def post(self, request, access, **kwargs):
        return Response(RuleSerializer(_save_rule(request, access, None)).data, status=201)


class RuleDetail(TeamEndpoint):
    required_roles = LEAD_MANAGES

    @extend_schema(
        tags=TAGS,
        operation_id="alert_rule_retrieve",
        summary="One alert rule",
        responses=docs.responses(RuleSerializer),
    )
    def get(self, request, access, rule, **kwargs):
        return Response(RuleSerializer(selectors.rule_get(access.team, rule)).data)

    @extend_schema(
        tags=TAGS,
        operation_id="alert_rule_update",
        summary="Change an alert rule (fields not sent stay)",
        request=RuleRequest,
        responses=docs.responses(RuleSerializer, write=True),
    )
    def patch(self, request, access, rule, **kwargs):
        return Response(
            RuleSerializer(_save_rule(request, access, selectors.rule_get(access.team, rule))).data
        )

    @extend_schema(
        tags=TAGS,
        operation_id="alert_rule_delete",
        summary="Delete an alert rule and its incidents",
        responses=docs.responses(OpenApiResponse(description="Deleted."), write=True, status=204),
    )
    def delete(self, request, access, rule, **kwargs):
        services.rule_delete(access=access, user=request.user, rule=selectors.rule_get(access.team, rule))
        return Response(status=204)


class SilenceUntil(serializers.Serializer):
    until = serializers.DateTimeField(
        allow_null=True, help_text="Silenced until this time; null lifts the silence."
    )


class RuleSilence(TeamEndpoint):
    required_roles = {"POST": Role.OPERATOR}

    @extend_schema(
        tags=TAGS,
        operation_id="alert_rule_silence",
        summary="Silence a rule until a time (null: speak again)",
        request=SilenceUntil,
        responses=docs.responses(RuleSerializer, write=True),
    )
    def post(self, request, access, rule, **kwargs):
        found = selectors.rule_get(access.team, rule)
        body = body_of(request)
        until = None
        if body.get("until") is not None:
            until = bind(SilenceForm, {"until": body.get("until")}).cleaned_data["until"]
        return Response(
            RuleSerializer(
                services.rule_silence(access=access, user=request.user, rule=found, until=until)
            ).data
        )


# ------------------------------------------------------------------------------------------ channels


def _save_channel(request, access, channel: Channel | None) -> Channel:
    instance = channel or Channel(team=access.team)
    data: dict[str, Any] = {"enabled": True}
    if channel is not None:
        data = {
            "name": channel.name,
            "kind": channel.kind,
            "enabled": channel.enabled,
            "emails": channel.emails,
        }
    data.update(body_of(request))
    form = bind(ChannelForm, data, instance=instance, team=access.team)
    try:
        return services.channel_save(
            access=access,
            user=request.user,
            channel=form.save(commit=False),
            url=form.cleaned_data.get("url") or "",
            signing_key=form.cleaned_data.get("signing_key") or "",
        )
    except DjangoValidationError as error:
        raise _invalid(error) from None


class ChannelList(TeamEndpoint):
    required_roles = LEAD_MANAGES

    @extend_schema(
        tags=TAGS,
        operation_id="alert_channels_list",
        summary="The team's alert channels",
        parameters=docs.PAGE_PARAMS,
        responses=docs.responses(page_of(ChannelSerializer, freshness=False)),
    )
    def get(self, request, access, **kwargs):
        return paginated(
            request, self, selectors.channel_list(access.team).order_by("name"), ChannelSerializer
        )

    @extend_schema(
        tags=TAGS,
        operation_id="alert_channel_create",
        summary="Create a channel (its URL and secret are write-only)",
        request=ChannelRequest,
        responses=docs.responses(ChannelSerializer, write=True, status=201),
    )
    def post(self, request, access, **kwargs):
        return Response(ChannelSerializer(_save_channel(request, access, None)).data, status=201)


class ChannelDetail(TeamEndpoint):
    required_roles = LEAD_MANAGES

    @extend_schema(
        tags=TAGS,
        operation_id="alert_channel_retrieve",
        summary="One channel",
        responses=docs.responses(ChannelSerializer),
    )
    def get(self, request, access, channel, **kwargs):
        return Response(ChannelSerializer(selectors.channel_get(access.team, channel)).data)

    @extend_schema(
        tags=TAGS,
        operation_id="alert_channel_update",
        summary="Change a channel (empty URL and secret keep the stored ones)",
        request=ChannelRequest,
        responses=docs.responses(ChannelSerializer, write=True),
    )
    def patch(self, request, access, channel, **kwargs):
        return Response(
            ChannelSerializer(
                _save_channel(request, access, selectors.channel_get(access.team, channel))
            ).data
        )

    @extend_schema(
        tags=TAGS,
        operation_id="alert_channel_delete",
        summary="Delete a channel",
        responses=docs.responses(OpenApiResponse(description="Deleted."), write=True, status=204),
    )
    def delete(self, request, access, channel, **kwargs):
        services.channel_delete(
            access=access, user=request.user, channel=selectors.channel_get(access.team, channel)
        )
        return Response(status=204)


class ChannelTest(TeamEndpoint):
    required_roles = {"POST": Role.LEAD}

    @extend_schema(
        tags=TAGS,
        operation_id="alert_channel_test",
        summary="Send a test message (queued; see the deliveries)",
        request=None,
        responses=docs.responses(NotificationSerializer, write=True, status=202),
    )
    def post(self, request, access, channel, **kwargs):
        found = selectors.channel_get(access.team, channel)
        return Response(
            NotificationSerializer(
                services.channel_test(access=access, user=request.user, channel=found)
            ).data,
            status=202,
        )


class ChannelDeliveries(TeamEndpoint):
    required_roles = {"GET": Role.VIEWER}

    @extend_schema(
        tags=TAGS,
        operation_id="alert_channel_deliveries",
        summary="The channel's delivery log (newest first)",
        parameters=docs.PAGE_PARAMS,
        responses=docs.responses(page_of(NotificationSerializer, freshness=False)),
    )
    def get(self, request, access, channel, **kwargs):
        found = selectors.channel_get(access.team, channel)
        rows = (
            Notification.objects.filter(channel=found)
            .select_related("channel")
            .order_by("-created_at", "-id")
        )
        return paginated(request, self, rows, NotificationSerializer)


# ------------------------------------------------------------------------------------------ incidents


class IncidentList(TeamEndpoint):
    required_roles = {"GET": Role.VIEWER}

    @extend_schema(
        tags=TAGS,
        operation_id="alert_incidents_list",
        summary="The team's incidents (newest first)",
        parameters=[
            *docs.PAGE_PARAMS,
            OpenApiParameter(
                "state",
                OpenApiTypes.STR,
                enum=["unresolved", "open", "acknowledged", "resolved"],
                description="Only incidents in this state (default: all).",
            ),
        ],
        responses=docs.responses(page_of(IncidentSerializer, freshness=False)),
    )
    def get(self, request, access, **kwargs):
        rows = selectors.incident_list(access.team, state=str(request.query_params.get("state", "")))
        return paginated(request, self, rows, IncidentSerializer)


class IncidentDetail(TeamEndpoint):
    required_roles = {"GET": Role.VIEWER}

    @extend_schema(
        tags=TAGS,
        operation_id="alert_incident_retrieve",
        summary="One incident with the messages that named it",
        responses=docs.responses(IncidentDetailSerializer),
    )
    def get(self, request, access, incident, **kwargs):
        return Response(IncidentDetailSerializer(selectors.incident_get(access.team, incident)).data)


class IncidentAcknowledge(TeamEndpoint):
    required_roles = {"POST": Role.OPERATOR}

    @extend_schema(
        tags=TAGS,
        operation_id="alert_incident_acknowledge",
        summary="Acknowledge: no more reminders",
        request=None,
        responses=docs.responses(IncidentSerializer, write=True),
    )
    def post(self, request, access, incident, **kwargs):
        found = selectors.incident_get(access.team, incident)
        return Response(
            IncidentSerializer(
                services.incident_acknowledge(access=access, user=request.user, incident=found)
            ).data
        )


# ------------------------------------------------------------------------------------------ silences, maintenance


def _job_of(access, key: str) -> Job:
    credential, _sep, job_id = str(key).partition(":")
    try:
        job = Job.objects.filter(
            team=access.team, credential__public_id=credential, job_id=int(job_id)
        ).first()
    except (ValueError, DjangoValidationError):
        job = None
    if job is None:
        raise exceptions.ValidationError(
            {"job": [_("No such job in this team (give credential uuid:job id).")]}
        )
    return job


class SilenceList(TeamEndpoint):
    required_roles = {"GET": Role.VIEWER, "POST": Role.OPERATOR}

    @extend_schema(
        tags=TAGS,
        operation_id="alert_silences_list",
        summary="Silences that have not ended",
        parameters=docs.PAGE_PARAMS,
        responses=docs.responses(page_of(SilenceSerializer, freshness=False)),
    )
    def get(self, request, access, **kwargs):
        from django.utils import timezone

        rows = (
            selectors.silence_list(access.team)
            .filter(until__gt=timezone.now())
            .select_related("job__credential")
        )
        return paginated(request, self, rows, SilenceSerializer)

    @extend_schema(
        tags=TAGS,
        operation_id="alert_silence_create",
        summary="Silence a rule, a job, or a job under a rule",
        request=SilenceRequest,
        responses=docs.responses(SilenceSerializer, write=True, status=201),
    )
    def post(self, request, access, **kwargs):
        body = body_of(request)
        form = bind(SilenceForm, body)
        rule = None
        if body.get("rule"):
            rule = Rule.objects.filter(team=access.team, public_id=_uuid(body["rule"], "rule")).first()
            if rule is None:
                raise exceptions.ValidationError({"rule": [_("No such rule in this team.")]})
        job = _job_of(access, body["job"]) if body.get("job") else None
        try:
            silence = services.silence_create(
                access=access,
                user=request.user,
                rule=rule,
                job=job,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
            )
        except DjangoValidationError as error:
            raise _invalid(error) from None
        return Response(SilenceSerializer(silence).data, status=201)


def _uuid(value, field: str):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise exceptions.ValidationError({field: [_("Not a valid id.")]}) from None


class SilenceDetail(TeamEndpoint):
    required_roles = {"GET": Role.VIEWER, "DELETE": Role.OPERATOR}

    @extend_schema(
        tags=TAGS,
        operation_id="alert_silence_retrieve",
        summary="One silence",
        responses=docs.responses(SilenceSerializer),
    )
    def get(self, request, access, silence, **kwargs):
        return Response(SilenceSerializer(selectors.silence_get(access.team, silence)).data)

    @extend_schema(
        tags=TAGS,
        operation_id="alert_silence_delete",
        summary="Lift a silence",
        responses=docs.responses(OpenApiResponse(description="Lifted."), write=True, status=204),
    )
    def delete(self, request, access, silence, **kwargs):
        services.silence_delete(
            access=access, user=request.user, silence=selectors.silence_get(access.team, silence)
        )
        return Response(status=204)


class MaintenanceList(TeamEndpoint):
    required_roles = {"GET": Role.VIEWER, "POST": Role.LEAD}

    @extend_schema(
        tags=TAGS,
        operation_id="alert_maintenance_list",
        summary="Maintenance windows",
        parameters=docs.PAGE_PARAMS,
        responses=docs.responses(page_of(MaintenanceSerializer, freshness=False)),
    )
    def get(self, request, access, **kwargs):
        return paginated(request, self, selectors.maintenance_list(access.team), MaintenanceSerializer)

    @extend_schema(
        tags=TAGS,
        operation_id="alert_maintenance_create",
        summary="Plan a maintenance window (no messages during it)",
        request=MaintenanceRequest,
        responses=docs.responses(MaintenanceSerializer, write=True, status=201),
    )
    def post(self, request, access, **kwargs):
        form = bind(MaintenanceForm, body_of(request), team=access.team)
        try:
            window = services.maintenance_save(
                access=access, user=request.user, window=form.save(commit=False)
            )
        except DjangoValidationError as error:
            raise _invalid(error) from None
        return Response(MaintenanceSerializer(window).data, status=201)


class MaintenanceDetail(TeamEndpoint):
    required_roles = {"GET": Role.VIEWER, "DELETE": Role.LEAD}

    @extend_schema(
        tags=TAGS,
        operation_id="alert_maintenance_retrieve",
        summary="One maintenance window",
        responses=docs.responses(MaintenanceSerializer),
    )
    def get(self, request, access, window, **kwargs):
        return Response(MaintenanceSerializer(selectors.maintenance_get(access.team, window)).data)

    @extend_schema(
        tags=TAGS,
        operation_id="alert_maintenance_delete",
        summary="Delete a maintenance window",
        responses=docs.responses(OpenApiResponse(description="Deleted."), write=True, status=204),
    )
    def delete(self, request, access, window, **kwargs):
        services.maintenance_delete(
            access=access, user=request.user, window=selectors.maintenance_get(access.team, window)
        )
        return Response(status=204)
