"""Template helpers for job pages: status badges, durations, rates and labels from csapi.vocab."""

from __future__ import annotations

from typing import Any

from django import template

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


@register.filter
def duration_ms(value: Any) -> str:
    """1d 2h, 3h 4m, 5m 6s, 7s."""
    try:
        seconds = int(value) // 1000
    except (TypeError, ValueError):
        return "—"
    if seconds < 0:
        return "—"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


@register.filter
def seconds_text(value: Any) -> str:
    """A number of seconds as a duration (the same words as ``duration_ms``)."""
    try:
        return duration_ms(int(float(value) * 1000))
    except (TypeError, ValueError):
        return "—"


@register.filter
def rate(value: Any) -> str:
    if value is None or value == "":
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "—"
    if number >= 1000:
        return f"{number / 1000:.1f}k/s"
    return f"{number:.1f}/s"


@register.filter
def pretty(value: Any) -> str:
    """A config value for display (booleans as yes/no, lists joined)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


@register.simple_tag
def sort_query(sort_links: dict, key: str) -> str:
    return sort_links.get(key, "")
