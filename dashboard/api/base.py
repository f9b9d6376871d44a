"""The base of every team API view: the team is resolved, and the role checked per HTTP method, before
the handler runs; the handler receives the :class:`~dashboard.teams.access.TeamAccess` as ``access``.

    class JobList(TeamEndpoint):
        required_roles = {"GET": Role.VIEWER, "POST": Role.OPERATOR}

        def get(self, request, access, **kwargs): ...

An anonymous caller gets 401, an outsider 404 (the team's existence is not revealed), a member below
the method's role 403, an unsupported method 405.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from rest_framework import exceptions
from rest_framework.views import APIView

from dashboard.teams.access import TeamAccess, get_team_for_user
from dashboard.teams.models import Role

READ = {"GET": Role.VIEWER}
OPERATE = {
    "GET": Role.VIEWER,
    "POST": Role.OPERATOR,
    "PUT": Role.OPERATOR,
    "PATCH": Role.OPERATOR,
    "DELETE": Role.OPERATOR,
}
LEAD_WRITES = {
    "GET": Role.VIEWER,
    "POST": Role.LEAD,
    "PUT": Role.LEAD,
    "PATCH": Role.LEAD,
    "DELETE": Role.LEAD,
}
#: What only a lead's pages show (quotas, billing and their history): the same in the API.
LEAD_ONLY = dict.fromkeys(("GET", "POST", "PUT", "PATCH", "DELETE"), Role.LEAD)


class TeamEndpoint(APIView):
    """An API view under ``/api/v1/teams/<team_slug>/``."""

    #: The least role per HTTP method. HEAD needs what GET needs, OPTIONS any membership; a method missing here
    #: that has a handler is a configuration error (refused, never silently allowed).
    required_roles: dict[str, int] = READ
    access: TeamAccess

    def required_role(self, method: str) -> int:
        if method == "OPTIONS":  # describes the endpoint, shows no data: any member
            return Role.VIEWER
        if method == "HEAD":
            method = "GET"
        try:
            return self.required_roles[method]
        except KeyError:
            raise ImproperlyConfigured(f"{type(self).__name__} has no required role for {method}") from None

    def convert_args(self, request, *args, team_slug: str, **kwargs):
        """Resolve the team for the caller with the method's role (404 outsider, 403 below the role)."""
        access = get_team_for_user(request.user, team_slug, self.required_role(request.method))
        self.access = access
        return args, {**kwargs, "access": access}

    def dispatch(self, request, *args, **kwargs):
        # DRF's APIView.dispatch, with the team resolved between authentication and the handler.
        self.args = args
        self.kwargs = kwargs
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = self.default_response_headers
        try:
            self.initial(request, *args, **kwargs)
            method = request.method.lower()
            handler = getattr(self, method, None) if method in self.http_method_names else None
            if handler is None:
                raise exceptions.MethodNotAllowed(request.method)
            args, kwargs = self.convert_args(request, *args, **kwargs)
            self.check_team_throttles(request)
            response = handler(request, *args, **kwargs)
        except Exception as exc:
            response = self.handle_exception(exc)
        self.response = self.finalize_response(request, response, *args, **kwargs)
        return self.response

    def check_team_throttles(self, request) -> None:
        """The team's write budget, counted only once the caller is known to act for the team."""
        from dashboard.api.throttling import TeamWriteRateThrottle

        for throttle in self.get_throttles():
            if isinstance(throttle, TeamWriteRateThrottle) and not throttle.allow_request(request, self):
                self.throttled(request, throttle.wait())

    def get_serializer_context(self) -> dict:
        return {"request": self.request, "view": self, "access": getattr(self, "access", None)}
