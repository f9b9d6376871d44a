"""Time zones: which exist, which a person is in, and how a time names its zone.

Pure functions over ``zoneinfo`` (no database): the middleware activates the zone a request's user is
in, and :mod:`dashboard.timefmt` names it beside every time shown.
"""

from __future__ import annotations

import functools
import zoneinfo

from django.conf import settings


@functools.cache
def available() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted (``UTC`` first), without the legacy aliases."""
    names = {
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    }
    return ("UTC", *sorted(names))


@functools.lru_cache(maxsize=256)
def get(name: str) -> zoneinfo.ZoneInfo:
    """The zone called ``name``; the site's default zone for a name that is not one."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE)
