"""Rate limits for write requests: per API token, or per user for browser sessions.

Counters live in the Django cache (shared by every web process). Reads are not limited here: they
are served from the database snapshots and never reach CS.
"""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from dashboard.api.models import ApiToken

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class WriteRateThrottle(SimpleRateThrottle):
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
