"""Writes of the alerts app: one function per action, each checking the role and bumping the team.

:func:`evaluate_after_sync` is the poller's one entry point: it runs after every sync attempt and
never raises into the poller.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.alerts import evaluation
from dashboard.alerts.channels import target_hint
from dashboard.alerts.models import (
    Channel,
    ChannelKind,
    Incident,
    IncidentState,
    MaintenanceWindow,
    Notification,
    Rule,
    Silence,
)
from dashboard.teams.access import TeamAccess, require_role
from dashboard.teams.models import Credential, Role
from dashboard.teams.services import action_record, signed_in
from dashboard.teams.versions import changes_team, team_changed

logger = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------------ the poller's hook


def evaluate_after_sync(*, credential_id: int, kind: str, ok: bool, started_at: datetime) -> None:
    """Evaluate the team's rules after one sync attempt (see :mod:`dashboard.alerts.evaluation`).

    Alerts must never break polling: anything that goes wrong here is logged and swallowed.
    """
    try:
        outcome = evaluation.evaluate(credential_id=credential_id, kind=kind, ok=ok, started_at=started_at)
    except Exception:
        logger.exception("alert evaluation after the %s sync of credential %s failed", kind, credential_id)
        return
    if outcome.changed:
        team_changed(*Credential.objects.filter(pk=credential_id).values_list("team_id", flat=True))


def alerts_tick() -> int:
    """Evaluate what no sync evaluates: reminders and resolutions that came due, silences and
    maintenance windows that ended, and credentials whose polling is paused (needs attention).
    Run from beat (``sweep``); returns how many credentials it looked at."""
    credential_ids = list(
        Credential.objects.filter(team__alert_rules__enabled=True).distinct().values_list("pk", flat=True)
    )
    started = timezone.now()
    for credential_id in credential_ids:
        evaluate_after_sync(credential_id=credential_id, kind="tick", ok=False, started_at=started)
    return len(credential_ids)


# ------------------------------------------------------------------------------------------ rules


def _own(access: TeamAccess, obj) -> None:
    if obj.team_id != access.team.id:
        raise PermissionDenied(_("This belongs to another team."))


@changes_team
@transaction.atomic
def rule_save(*, access: TeamAccess, user, rule: Rule, credentials=(), channels=()) -> Rule:
    """Create or update a rule (the form has validated it); its scope and channels must be the team's."""
    require_role(access, Role.LEAD)
    creating = rule.pk is None
    rule.team = access.team
    if creating:
        rule.created_by = signed_in(user)
    credentials, channels = list(credentials), list(channels)
    if any(c.team_id != access.team.id for c in [*credentials, *channels]):
        raise PermissionDenied(_("A credential or channel of another team cannot be used."))
    rule.save()
    rule.credentials.set(credentials)
    rule.channels.set(channels)
    action_record(
        team=access.team,
        user=user,
        action="alert_rule.create" if creating else "alert_rule.update",
        target_type="alert_rule",
        target_id=str(rule.public_id),
        target_name=rule.name,
    )
    return rule


@changes_team
@transaction.atomic
def rule_delete(*, access: TeamAccess, user, rule: Rule) -> None:
    require_role(access, Role.LEAD)
    _own(access, rule)
    action_record(
        team=access.team,
        user=user,
        action="alert_rule.delete",
        target_type="alert_rule",
        target_id=str(rule.public_id),
        target_name=rule.name,
    )
    rule.delete()


@changes_team
@transaction.atomic
def rule_silence(*, access: TeamAccess, user, rule: Rule, until: datetime | None) -> Rule:
    """Silence a rule until a time (None lifts the silence). Operators may do this."""
    require_role(access, Role.OPERATOR)
    _own(access, rule)
    rule.silenced_until = until
    rule.save(update_fields=["silenced_until", "updated_at"])
    action_record(
        team=access.team,
        user=user,
        action="alert_rule.silence",
        target_type="alert_rule",
        target_id=str(rule.public_id),
        target_name=rule.name,
        message=until.isoformat() if until else "lifted",
    )
    return rule


# ------------------------------------------------------------------------------------------ channels


@changes_team
@transaction.atomic
def channel_save(
    *, access: TeamAccess, user, channel: Channel, url: str = "", signing_key: str = ""
) -> Channel:
    """Create or update a channel. Empty ``url``/``signing_key`` on update keep the stored secrets."""
    require_role(access, Role.LEAD)
    creating = channel.pk is None
    channel.team = access.team
    if channel.kind != ChannelKind.EMAIL:
        stored = channel.get_secrets() if channel.has_secret else {"url": "", "signing_key": ""}
        if url:
            # A new address takes only the key given with it: a stored key never follows a URL elsewhere.
            new_url, new_key = url, signing_key
        else:
            new_url, new_key = stored["url"], signing_key or stored["signing_key"]
        if not new_url:
            raise ValidationError({"url": _("Enter the URL messages are sent to.")})
        channel.set_secrets(url=new_url, signing_key=new_key)
        channel.target_hint = target_hint(new_url)
    else:
        channel.secret_encrypted = ""
        channel.target_hint = ""
    channel.save()
    action_record(
        team=access.team,
        user=user,
        action="alert_channel.create" if creating else "alert_channel.update",
        target_type="alert_channel",
        target_id=str(channel.public_id),
        target_name=channel.name,
        message="secrets replaced" if (url or signing_key) and not creating else "",
    )
    return channel


@changes_team
@transaction.atomic
def channel_delete(*, access: TeamAccess, user, channel: Channel) -> None:
    require_role(access, Role.LEAD)
    _own(access, channel)
    action_record(
        team=access.team,
        user=user,
        action="alert_channel.delete",
        target_type="alert_channel",
        target_id=str(channel.public_id),
        target_name=channel.name,
    )
    channel.delete()


@changes_team
@transaction.atomic
def channel_test(*, access: TeamAccess, user, channel: Channel) -> Notification:
    """Queue a test message to the channel; the channel page shows how it went."""
    import uuid

    require_role(access, Role.LEAD)
    _own(access, channel)
    at = timezone.now()
    notification = Notification.objects.create(
        key=f"t-{channel.public_id.hex[:12]}-{uuid.uuid4().hex[:12]}",
        team=access.team,
        channel=channel,
        event=Notification.Event.TEST,
        payload={
            "test": True,
            "team": {"slug": access.team.slug, "name": access.team.name},
            "user": getattr(user, "username", ""),
            "generated_at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S %Z"),
        },
        next_attempt_at=at,
    )
    ids = [notification.pk]
    transaction.on_commit(lambda: evaluation.enqueue(ids))
    action_record(
        team=access.team,
        user=user,
        action="alert_channel.test",
        target_type="alert_channel",
        target_id=str(channel.public_id),
        target_name=channel.name,
    )
    return notification


# ------------------------------------------------------------------------------------------ incidents


@changes_team
@transaction.atomic
def incident_acknowledge(*, access: TeamAccess, user, incident: Incident) -> Incident:
    """Someone is on it: no more reminders (the resolved message still goes)."""
    require_role(access, Role.OPERATOR)
    _own(access, incident)
    if incident.resolved_at is None and incident.state == IncidentState.OPEN:
        incident.state = IncidentState.ACKNOWLEDGED
        incident.acknowledged_at = timezone.now()
        incident.acknowledged_by = signed_in(user)
        incident.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
        action_record(
            team=access.team,
            user=user,
            action="alert_incident.acknowledge",
            target_type="alert_incident",
            target_id=str(incident.public_id),
            target_name=incident.subject_name,
        )
    return incident


@changes_team
@transaction.atomic
def silence_create(
    *, access: TeamAccess, user, until: datetime, rule: Rule | None = None, job=None, reason: str = ""
) -> Silence:
    """No messages for a rule, a job, or a job under one rule, until ``until``."""
    require_role(access, Role.OPERATOR)
    if rule is None and job is None:
        raise ValidationError(_("Silence a rule, a job, or both."))
    for obj in (rule, job):
        if obj is not None:
            _own(access, obj)
    if until <= timezone.now():
        raise ValidationError({"until": _("Choose a time in the future.")})
    silence = Silence.objects.create(
        team=access.team,
        rule=rule,
        job=job,
        until=until,
        reason=reason[:255],
        created_by=signed_in(user),
    )
    action_record(
        team=access.team,
        user=user,
        action="alert_silence.create",
        target_type="alert_silence",
        target_id=str(silence.public_id),
        target_name=(job.name if job else rule.name)[:255],
        message=until.isoformat(),
    )
    return silence


@changes_team
@transaction.atomic
def silence_delete(*, access: TeamAccess, user, silence: Silence) -> None:
    require_role(access, Role.OPERATOR)
    _own(access, silence)
    action_record(
        team=access.team,
        user=user,
        action="alert_silence.delete",
        target_type="alert_silence",
        target_id=str(silence.public_id),
    )
    silence.delete()


@changes_team
@transaction.atomic
def maintenance_save(*, access: TeamAccess, user, window: MaintenanceWindow) -> MaintenanceWindow:
    require_role(access, Role.LEAD)
    if window.credential_id is not None and window.credential.team_id != access.team.id:
        raise PermissionDenied(_("A credential of another team cannot be used."))
    if window.ends_at <= window.starts_at:
        raise ValidationError({"ends_at": _("The end must come after the start.")})
    creating = window.pk is None
    window.team = access.team
    if creating:
        window.created_by = signed_in(user)
    window.save()
    action_record(
        team=access.team,
        user=user,
        action="alert_maintenance.save",
        target_type="alert_maintenance",
        target_id=str(window.public_id),
        target_name=window.name,
    )
    return window


@changes_team
@transaction.atomic
def maintenance_delete(*, access: TeamAccess, user, window: MaintenanceWindow) -> None:
    require_role(access, Role.LEAD)
    _own(access, window)
    action_record(
        team=access.team,
        user=user,
        action="alert_maintenance.delete",
        target_type="alert_maintenance",
        target_id=str(window.public_id),
        target_name=window.name,
    )
    window.delete()
