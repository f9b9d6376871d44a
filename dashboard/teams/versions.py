"""Team versions: a counter per team that changes whenever something the team's pages show changed.

Pages of a team are cached under its version (``dashboard.pagecache``), so what keeps them true is one
rule: every write to a team's data is followed by a bump, made where the write is made and after it
commits (a bump that lands before the write would let a page be cached with the old data under the
new version):

- every write service (create, run, stop, delete, cluster and quota changes, members, credentials)
  is decorated with :func:`changes_team`: it bumps once the service has written, including a cloud
  failure it recorded, and not when it refused before writing anything (role, validation);
- a sync bumps only when it wrote rows or changed the health a page shows (``dashboard.polling``);
  new figures of running jobs (the metrics sync) bump the team's ``figures_version`` instead, which
  the job list keys on beside ``version`` and a job's page replaces with the job's ``metrics_at``;
- a background fetch of a job's plan and a finished cloud call bump for their team;
- an admin change (anything that writes an admin ``LogEntry``) and the demo seed bump every team.

Reads, refused requests, throttled API calls and sign-in attempts write nothing and bump nothing.
The counter is read with the team itself (``access.team.version``), so a cached page costs no query
to validate.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404

from dashboard.teams.models import Team


def team_changed(*team_ids: int) -> None:
    """Mark the teams' pages as changed (one UPDATE)."""
    ids = {i for i in team_ids if i is not None}
    if ids:
        Team.objects.filter(pk__in=ids).update(version=F("version") + 1)


def team_changed_on_commit(*team_ids: int) -> None:
    """Mark the teams' pages as changed, visible to readers when the current transaction commits.

    Call it after the writes it follows. The UPDATE joins the writes' transaction (or commits at once
    in autocommit mode, after them), so no reader ever sees the new version with the old data; a
    bump in a second transaction after the commit would only let a reader cache the new data under
    the old version for a moment, and it would never run inside a test's transaction.
    """
    team_changed(*team_ids)


def figures_changed_on_commit(*team_ids: int) -> None:
    """Mark the teams' job figures as changed (after the metrics writes, in their transaction, as
    :func:`team_changed_on_commit`)."""
    ids = {i for i in team_ids if i is not None}
    if ids:
        Team.objects.filter(pk__in=ids).update(figures_version=F("figures_version") + 1)


def all_teams_changed() -> None:
    """Mark every team's pages as changed (after an admin change or a seed, which can touch any team)."""
    Team.objects.update(version=F("version") + 1)


#: Refusals raised before a service writes anything: they leave the version alone.
_REFUSALS = (PermissionDenied, ValidationError, Http404)


def changes_team(service: Callable) -> Callable:
    """Decorate a write service that takes ``access`` (a ``TeamAccess``): bump the team after it wrote.

    A service that refuses (role, validation, a vanished object) before writing raises one of
    ``_REFUSALS``; anything else it raises (a cloud failure it recorded) still bumps.
    """

    @functools.wraps(service)
    def wrapper(*args: Any, access, **kwargs: Any) -> Any:
        try:
            result = service(*args, access=access, **kwargs)
        except _REFUSALS:
            raise
        except BaseException:
            team_changed_on_commit(access.team.id)
            raise
        team_changed_on_commit(access.team.id)
        return result

    return wrapper


def _admin_changed(sender, instance, created, **kwargs) -> None:
    """An admin change can touch any team's data: every team's pages render again."""
    if created:
        all_teams_changed()


def connect_admin_signal() -> None:
    from django.contrib.admin.models import LogEntry
    from django.db.models.signals import post_save

    post_save.connect(_admin_changed, sender=LogEntry, dispatch_uid="team-versions-admin")
