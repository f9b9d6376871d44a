"""Template helpers for job pages: status badges, durations, rates and labels from csapi.vocab."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext

from csapi import vocab

register = template.Library()


@register.simple_tag
def status_badge(status: str, desc: str = "") -> str:
    from dashboard.jobs.presenters import status_badge_html

    return status_badge_html(status, desc)


@register.filter
def status_label(status: str) -> str:
    return vocab.job_status(status).label


@register.filter
def job_type_label(value: str) -> str:
    return vocab.JOB_TYPES.get(value or "") or vocab.DLI_JOB_TYPES.get(value or "", value or "")


@register.filter
def run_mode_label(value: str) -> str:
    return vocab.RUN_MODES.get(value or "", value or "")


_WORDS: dict[str, dict[str, str]] = {}


def _words() -> dict[str, str]:
    """The duration and rate formats in the active language (looked up once per language: a table
    formats three of them per row)."""
    language = get_language() or ""
    found = _WORDS.get(language)
    if found is None:
        found = _WORDS[language] = {
            "days": gettext("%(days)sd %(hours)sh"),
            "hours": gettext("%(hours)sh %(minutes)sm"),
            "minutes": gettext("%(minutes)sm %(seconds)ss"),
            "seconds": gettext("%(seconds)ss"),
            "rate": gettext("%(value)s/s"),
            "rate_k": gettext("%(value)sk/s"),
        }
    return found


@register.filter
def duration_ms(value: Any) -> str:
    """1d 2h, 3h 4m, 5m 6s, 7s (in Chinese 1天2小时, 3小时4分, 5分6秒, 7秒)."""
    try:
        seconds = int(value) // 1000
    except (TypeError, ValueError):
        return "—"
    if seconds < 0:
        return "—"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    words = _words()
    if days:
        return words["days"] % {"days": days, "hours": hours}
    if hours:
        return words["hours"] % {"hours": hours, "minutes": minutes}
    if minutes:
        return words["minutes"] % {"minutes": minutes, "seconds": secs}
    return words["seconds"] % {"seconds": secs}


@register.filter
def count(value: Any) -> str:
    """A count of records grouped as the reader's language groups digits (65,845), "—" for none."""
    if value is None or value == "" or isinstance(value, bool):
        return "—"
    try:
        return number_format(int(value), use_l10n=True, force_grouping=True)
    except (TypeError, ValueError):
        return "—"


@register.filter
def seconds_text(value: Any) -> str:
    """A number of seconds as a duration (the same words as ``duration_ms``)."""
    try:
        return duration_ms(int(float(value) * 1000))
    except (TypeError, ValueError):
        return "—"


@register.filter
def rate(value: Any) -> str:
    """Records per second: 12.5/s, 3.4k/s (in Chinese 12.5/秒, 3.4千/秒)."""
    if value is None or value == "":
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "—"
    if number >= 1000:
        return _words()["rate_k"] % {"value": f"{number / 1000:.1f}"}
    return _words()["rate"] % {"value": f"{number:.1f}"}


@register.filter
def pretty(value: Any) -> str:
    """A config value for display (booleans as yes/no, lists joined)."""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


@register.filter
def sink_field(key: str) -> str:
    """An APIG sink field's label (an unknown one by its key)."""
    return vocab.APIG_SINK_FIELDS.get(key, key)


@register.simple_tag
def sort_query(sort_links: dict, key: str) -> str:
    return sort_links.get(key, "")
