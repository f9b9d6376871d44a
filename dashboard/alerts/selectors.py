"""Reads of the alerts app, each scoped to a team first."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from dashboard.alerts.models import (
    Channel,
    DeliveryAttempt,
    Incident,
    IncidentState,
    MaintenanceWindow,
    Notification,
    Rule,
    Silence,
)
from dashboard.teams.models import Team

INCIDENT_STATES = tuple(IncidentState.values)


def rule_list(team: Team) -> QuerySet[Rule]:
    return (
        Rule.objects.filter(team=team)
        .prefetch_related("channels", "credentials")
        .annotate(open_count=Count("incidents", filter=Q(incidents__resolved_at__isnull=True)))
    )


def rule_get(team: Team, public_id) -> Rule:
    return get_object_or_404(Rule.objects.filter(team=team), public_id=public_id)


def channel_list(team: Team) -> QuerySet[Channel]:
    return Channel.objects.filter(team=team)


def channel_get(team: Team, public_id) -> Channel:
    return get_object_or_404(Channel.objects.filter(team=team), public_id=public_id)


def incident_list(team: Team, *, state: str = "") -> QuerySet[Incident]:
    rows = Incident.objects.filter(team=team).select_related("rule", "job__credential", "acknowledged_by")
    if state in INCIDENT_STATES:
        rows = rows.filter(state=state)
    elif state == "unresolved":
        rows = rows.filter(resolved_at__isnull=True)
    return rows


def incident_get(team: Team, public_id) -> Incident:
    return get_object_or_404(incident_list(team), public_id=public_id)


def incident_deliveries(incident: Incident) -> QuerySet[Notification]:
    """The messages that named an incident, with their channels (the delivery log per channel)."""
    return incident.notifications.select_related("channel").order_by("-created_at")[:50]


def channel_deliveries(channel: Channel, limit: int = 50) -> QuerySet[DeliveryAttempt]:
    return (
        DeliveryAttempt.objects.filter(notification__channel=channel)
        .select_related("notification", "notification__rule")
        .order_by("-started_at", "-id")[:limit]
    )


def open_incidents_for_job(job) -> list[Incident]:
    """The job detail page's open incidents (one query)."""
    return list(
        Incident.objects.filter(job=job, resolved_at__isnull=True)
        .select_related("rule")
        .order_by("-opened_at")[:20]
    )


def open_incident_counts(teams: Iterable[Team]) -> dict[int, dict[str, int]]:
    """Unresolved incidents per team and state, for the home page (one query)."""
    out: dict[int, dict[str, int]] = {}
    rows = (
        Incident.objects.filter(team__in=list(teams), resolved_at__isnull=True)
        .values("team_id", "state")
        .annotate(n=Count("id"))
    )
    for row in rows:
        out.setdefault(row["team_id"], {})[row["state"]] = row["n"]
    return out


def silence_list(team: Team) -> QuerySet[Silence]:
    return Silence.objects.filter(team=team).select_related("rule", "job", "created_by")


def silence_get(team: Team, public_id) -> Silence:
    return get_object_or_404(silence_list(team), public_id=public_id)


def maintenance_list(team: Team) -> QuerySet[MaintenanceWindow]:
    return MaintenanceWindow.objects.filter(team=team).select_related("credential")


def maintenance_get(team: Team, public_id) -> MaintenanceWindow:
    return get_object_or_404(maintenance_list(team), public_id=public_id)
