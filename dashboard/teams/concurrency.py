"""How many on-demand cloud calls a team and a user may have under way at once.

An on-demand call (test connection, a job action, a cluster action) holds a worker while the cloud
answers; a deadline bounds each one (``CS_INTERACTIVE_DEADLINE``) and these counters bound how many
one team or one user can hold together, so a silent endpoint of one team cannot starve the others.
Counters live in the shared cache with a lifetime a little longer than the deadline, so a process
killed mid-call frees its slot by itself.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import cache

from csapi import CSError

logger = logging.getLogger(__name__)


class CallLimitReached(CSError):
    """The team or the user already has as many cloud calls under way as allowed; nothing was sent.

    A ``CSError`` so that every page and API view that shows a refused cloud call shows this one too.
    """

    default_message = "Too many cloud calls under way"

    def __init__(self, scope: str, limit: int) -> None:
        self.scope, self.limit = scope, limit
        who = "Your team already has" if scope == "team" else "You already have"
        super().__init__(
            f"{who} {limit} cloud call{'s' if limit != 1 else ''} under way; try again when one has finished."
        )


def _ttl() -> int:
    return int(settings.CS_INTERACTIVE_DEADLINE * 2 + 30)


def _take(key: str, limit: int) -> bool:
    cache.add(key, 0, _ttl())
    try:
        value = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, _ttl())
        value = 1
    if value > limit:
        _give(key)
        return False
    cache.touch(key, _ttl())
    return True


def _give(key: str) -> None:
    try:
        if cache.decr(key) < 0:
            cache.set(key, 0, _ttl())
    except ValueError:
        pass  # expired: nothing to give back


@contextlib.contextmanager
def cloud_call_slot(*, team_id: int, user_id: int | None) -> Iterator[None]:
    """Hold one of the team's and one of the user's slots for the duration of a cloud call."""
    team_key = f"cloudcalls:team:{team_id}"
    if not _take(team_key, settings.CS_INTERACTIVE_PER_TEAM):
        raise CallLimitReached("team", settings.CS_INTERACTIVE_PER_TEAM)
    user_key = f"cloudcalls:user:{user_id}" if user_id is not None else None
    if user_key and not _take(user_key, settings.CS_INTERACTIVE_PER_USER):
        _give(team_key)
        raise CallLimitReached("user", settings.CS_INTERACTIVE_PER_USER)
    try:
        yield
    finally:
        _give(team_key)
        if user_key:
            _give(user_key)
