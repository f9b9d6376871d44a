"""One way to show a time across the site: in the person's time zone, with the zone named.

Every time reads ``2026-12-01 17:30 CST`` (``YYYY-MM-DD HH:MM`` and the zone's abbreviation, or
``UTC+5:30`` where the zone has none), optionally with seconds; a relative time ("3 min ago",
"3 分钟前") carries the exact time in its ``title``. Templates use ``{% local_time %}``
(``dashboard.accounts.templatetags.local_time``); presenters that build table rows in Python call
:func:`local_parts` and :func:`relative` directly, which cost a few string operations per value and
no template machinery.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from dashboard.htmltext import esc

EMPTY = "—"

#: The one date-and-time format of the site (strftime), without and with seconds.
DATETIME = "%Y-%m-%d %H:%M"
DATETIME_SECONDS = DATETIME + ":%S"
DATE = "%Y-%m-%d"
#: A time to the minute is the one to the second without its ":SS" (one strftime per time shown).
_MINUTE_LENGTH = len("2026-12-01 17:30")


def _offset_text(offset: timedelta | None) -> str:
    """``UTC+8``, ``UTC+5:30``, ``UTC-3``, ``UTC``."""
    if offset is None or not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


_ZONE_NAMES: dict[tuple[str | None, timedelta | None], str] = {}


def zone_label(local: datetime) -> str:
    """The name of ``local``'s zone as shown beside a time: its abbreviation (``CST``, ``UTC``,
    ``CET``), or its offset (``UTC+8``) where the zone's abbreviation is only a number (``+08``)."""
    name = local.tzname()
    offset = local.utcoffset()
    key = (name, offset)
    found = _ZONE_NAMES.get(key)
    if found is None:
        found = name if name and name[0].isalpha() else _offset_text(offset)
        if len(_ZONE_NAMES) < 1000:
            _ZONE_NAMES[key] = found
    return found


def zone_description(local: datetime) -> str:
    """``Asia/Shanghai, UTC+8``: the zone's full name and offset (for titles and the settings page)."""
    key = getattr(local.tzinfo, "key", None) or local.tzname() or "UTC"
    return f"{key}, {_offset_text(local.utcoffset())}"


def format_local(value: datetime | None, *, seconds: bool = False) -> str:
    """``2026-12-01 17:30 CST`` in the active time zone (``—`` for no time)."""
    if value is None:
        return EMPTY
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local.strftime(DATETIME_SECONDS if seconds else DATETIME)} {zone_label(local)}"


def local_parts(value: datetime | None) -> tuple[str, str, str]:
    """(ISO 8601 with offset, ``YYYY-MM-DD HH:MM ZONE``, ``YYYY-MM-DD HH:MM:SS ZONE``) of ``value`` in
    the active time zone; ``("", "—", "—")`` for no time."""
    if value is None:
        return "", EMPTY, EMPTY
    local = timezone.localtime(value)
    zone = zone_label(local)
    minute = local.strftime(DATETIME)
    return local.isoformat(), f"{minute} {zone}", f"{minute}:{local.second:02d} {zone}"


def relative(value: datetime | None, now: datetime | None = None) -> str:
    """``just now``, ``3 min ago``, ``2 h ago``, ``5 days ago``, ``in 3 min``; the date beyond 30 days."""
    if value is None:
        return EMPTY
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 45:
        return gettext("just now")
    minutes = round(seconds / 60)
    if minutes < 60:
        if future:
            return gettext("in %(n)d min") % {"n": minutes}
        return gettext("%(n)d min ago") % {"n": minutes}
    hours = round(seconds / 3600)
    if hours < 24:
        if future:
            return gettext("in %(n)d h") % {"n": hours}
        return gettext("%(n)d h ago") % {"n": hours}
    days = round(seconds / 86400)
    if days <= 30:
        if future:
            return ngettext("in %(n)d day", "in %(n)d days", days) % {"n": days}
        return ngettext("%(n)d day ago", "%(n)d days ago", days) % {"n": days}
    local = timezone.localtime(value)
    return local.strftime(DATE)


def time_html(
    value: datetime | None,
    *,
    relative_to_now: bool = False,
    seconds: bool = False,
    now: datetime | None = None,
) -> SafeString | str:
    """``<time datetime="ISO" title="exact time, zone">text</time>``: the exact time in the site's
    format, or (``relative_to_now``) "3 min ago" with the exact time in the title."""
    if value is None:
        return EMPTY
    local = timezone.localtime(value)
    zone = zone_label(local)
    stamp = local.strftime(DATETIME_SECONDS)
    exact = f"{stamp} {zone}"
    if relative_to_now:
        text = relative(value, now)
    else:
        text = exact if seconds else f"{stamp[:_MINUTE_LENGTH]} {zone}"
    return mark_safe(  # noqa: S308 (every value escaped)
        f'<time datetime="{local.isoformat()}" title="{esc(exact)} ({esc(zone_description(local))})">'
        f"{esc(text)}</time>"
    )
