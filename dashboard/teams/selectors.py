"""Reads of teams: always for one user."""

from __future__ import annotations

from dashboard.teams.models import Credential, Membership, Role, Team


def teams_with_roles(user, *, with_credentials: bool = False) -> list[tuple[Team, Role]]:
    """The teams ``user`` may see, each with the user's role in it (site staff act as leads)."""
    teams = Team.objects.for_user(user)
    if with_credentials:
        teams = teams.prefetch_related("credentials")
    roles = {} if user.is_staff else dict(Membership.objects.filter(user=user).values_list("team_id", "role"))
    return [(team, Role(Role.LEAD if user.is_staff else roles.get(team.id, Role.VIEWER))) for team in teams]


def team_services(team: Team) -> set[str]:
    """The services the team's credentials speak (one query): which sections the usage pages show,
    whether the team has a queues page."""
    return set(Credential.objects.for_team(team).order_by().values_list("service", flat=True).distinct())
