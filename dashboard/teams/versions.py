"""Team versions: a counter per team that changes whenever anything the team's pages show may change.

Pages of a team are cached whole under its version (``dashboard.pagecache``), so what keeps them true
is one rule: every write to a team's data is followed by :func:`team_changed`. Writes come from four
places, and each is covered once, here or at its source:

- a write request (POST, PUT, PATCH, DELETE) to one of the team's URLs, by the UI or the REST API,
  with whatever the view wrote (snapshots, action log, credentials, members):
  :class:`TeamVersionMiddleware`, after the view has run;
- a poll of one of the team's credentials that wrote snapshot rows or changed what pages show of its
  health (a failure, its error, a recovery, a credential marked as needing attention), once its writes
  commit: ``dashboard.polling.runner``;
- a background fetch of a job's execution plan and APIG sinks: ``dashboard.jobs.services.job_details_fetch``;
- the admin site and the demo seed: every team (:func:`all_teams_changed`).

The counter is read with the team itself (``access.team.version``), so a cached page costs no query
to validate. A bump that lands before the write it follows would let a page be cached with the old
data under the new version; every call site therefore bumps after its writes.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from dashboard.teams.models import Team

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def team_changed(*team_ids: int) -> None:
    """Mark the teams' pages as changed (one UPDATE)."""
    ids = {i for i in team_ids if i is not None}
    if ids:
        Team.objects.filter(pk__in=ids).update(version=F("version") + 1)


def team_changed_on_commit(*team_ids: int) -> None:
    """Mark the teams' pages as changed once the current transaction commits (at once outside one).

    For services and syncs: a page rendered between the write and the commit would otherwise be
    cached under the new version with the old data.
    """
    ids = tuple(i for i in team_ids if i is not None)
    if ids:
        transaction.on_commit(lambda: team_changed(*ids))


def all_teams_changed() -> None:
    """Mark every team's pages as changed (after an admin change or a seed, which can touch any team)."""
    Team.objects.update(version=F("version") + 1)


class TeamVersionMiddleware:
    """After a write request to a team's URL (``<team>`` or ``<team_slug>`` in the route), mark that team's pages as changed.

    Only a signed-in user's request that the view did not refuse (403, 404) counts, so an outsider cannot
    make another team's pages render again. A write to the admin site changes every team's version.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = None
        try:
            response = self.get_response(request)
            return response
        finally:
            if request.method in WRITE_METHODS:
                self._after_write(request, response)

    @staticmethod
    def _after_write(request, response) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        if response is not None and response.status_code in (403, 404, 405):
            return
        match = getattr(request, "resolver_match", None)
        if match is None:
            return
        if match.app_name == "admin" or match.namespace == "admin":
            all_teams_changed()
            return
        slug = match.kwargs.get("team") or match.kwargs.get("team_slug")  # pages / REST API
        if isinstance(slug, str) and slug:
            Team.objects.filter(slug=slug).update(version=F("version") + 1)
