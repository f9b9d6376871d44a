"""Rate limits for write requests: per API token (or browser session), per user and per team.

Counters live in the Django cache (shared by every web process). A user's tokens share the user's
budget, so more tokens do not buy more writes, and a team's members share the team's, so one team
cannot flood the cloud through many users. The team's counter is kept only for requests the team
resolved for (members with the method's role): an outsider cannot spend another team's budget.
Reads are not limited here: they are served from the database snapshots and never reach the cloud.
"""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from dashboard.api.models import ApiToken

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class WriteRateThrottle(SimpleRateThrottle):
    """Per API token, or per user for browser sessions, or per address when anonymous."""

    scope = "api_write"

    def get_cache_key(self, request, view) -> str | None:
        if request.method in SAFE_METHODS:
            return None
        if isinstance(request.auth, ApiToken):
            ident = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class UserWriteRateThrottle(SimpleRateThrottle):
    """Per signed-in user, whichever of their tokens or sessions they use."""

    scope = "api_write_user"

    def get_cache_key(self, request, view) -> str | None:
        if request.method in SAFE_METHODS or not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": f"user:{request.user.pk}"}


class TeamWriteRateThrottle(SimpleRateThrottle):
    """Per team, once the team has been resolved for the caller (``TeamEndpoint`` checks it then)."""

    scope = "api_write_team"

    def get_cache_key(self, request, view) -> str | None:
        access = getattr(view, "access", None)
        if request.method in SAFE_METHODS or access is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": f"team:{access.team.pk}"}
