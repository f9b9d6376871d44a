"""The one place that decides who may see and change a team's data.

Every view and API view starts with :func:`get_team_for_user`: an outsider gets 404 (the team's
existence is not revealed), a member below the required role gets 403. Site staff act as leads.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from dashboard.prepared import PreparedQuery, instance
from dashboard.teams.models import Membership, Role, Team


@dataclass(frozen=True)
class TeamAccess:
    team: Team
    role: int

    @property
    def is_operator(self) -> bool:
        return self.role >= Role.OPERATOR

    @property
    def is_lead(self) -> bool:
        return self.role >= Role.LEAD

    @property
    def role_label(self) -> str:
        return Role(self.role).label


def role_in_team(user, team: Team) -> int | None:
    """The user's role in ``team``, or None for an outsider."""
    if not user.is_authenticated:
        return None
    if user.is_staff:
        return Role.LEAD
    return Membership.objects.filter(team=team, user=user).values_list("role", flat=True).first()


_TEAM_COLUMNS = ("id", "name", "slug", "created_at", "version", "figures_version")

# The two lookups every team page makes, compiled to SQL once (see dashboard.prepared).
_MEMBERSHIP = PreparedQuery(
    lambda slug, user_id: Membership.objects.filter(team__slug=slug, user_id=user_id).values_list(
        "role", *(f"team__{c}" for c in _TEAM_COLUMNS)
    )[:1],
    slug=str,
    user_id=int,
)
_TEAM_BY_SLUG = PreparedQuery(
    lambda slug: Team.objects.filter(slug=slug).values_list(*_TEAM_COLUMNS)[:1],
    slug=str,
)


def get_team_for_user(user, team_slug: str, min_role: int = Role.VIEWER) -> TeamAccess:
    """Resolve ``team_slug`` for ``user`` with at least ``min_role``: 404 for outsiders, 403 below the role."""
    if not user.is_authenticated or not isinstance(team_slug, str):
        raise Http404("No such team")
    if user.is_staff:
        row = _TEAM_BY_SLUG.first(slug=team_slug)
        team, role = (instance(Team, _TEAM_COLUMNS, row), Role.LEAD) if row else (None, None)
    else:
        row = _MEMBERSHIP.first(slug=team_slug, user_id=user.pk)
        team, role = (instance(Team, _TEAM_COLUMNS, row[1:]), row[0]) if row else (None, None)
    if team is None:
        raise Http404("No such team")
    if role < min_role:
        raise PermissionDenied(f"This needs the {Role(min_role).label.lower()} role in {team.name}.")
    return TeamAccess(team=team, role=role)


def require_role(access: TeamAccess, min_role: int) -> None:
    """Raise 403 unless ``access`` carries at least ``min_role`` (for services called with an access)."""
    if access.role < min_role:
        raise PermissionDenied(f"This needs the {Role(min_role).label.lower()} role in {access.team.name}.")


def team_view(**roles: int):
    """Declare a team page's least role per HTTP method, and enforce it before the view runs.

        @team_view(GET=Role.VIEWER, POST=Role.OPERATOR)
        def job_batch(request, access, ...): ...

    The view receives the :class:`TeamAccess` as ``access`` instead of the ``team`` slug. An
    anonymous caller is sent to sign in, a method not declared gets 405, an outsider 404, a member
    below the method's role 403 (naming the role). HEAD needs what GET needs. The declaration is kept
    on the view (``required_roles``) for the role-matrix tests, as the API's ``TeamEndpoint`` keeps its.
    """
    import functools

    from django.contrib.auth.views import redirect_to_login
    from django.http import HttpResponseNotAllowed

    declared = {method.upper(): role for method, role in roles.items()}
    if "GET" in declared:
        declared.setdefault("HEAD", declared["GET"])

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, team: str, **kwargs):
            role = declared.get(request.method)
            if role is None:
                return HttpResponseNotAllowed(sorted(declared))
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            access = get_team_for_user(request.user, team, role)
            return view(request, *args, access=access, **kwargs)

        wrapper.required_roles = dict(declared)
        return wrapper

    return decorate
