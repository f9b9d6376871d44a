"""``{% local_time value %}``: a time in the person's time zone, with the zone named, in the site's one
format; ``relative=True`` shows "3 min ago" with the exact time on hover; ``seconds=True`` adds seconds.
``{{ value|local_datetime }}`` is the same text without the ``<time>`` element (for attributes)."""

from __future__ import annotations

from django import template

from dashboard import timefmt

register = template.Library()


@register.simple_tag
def local_time(value, relative: bool = False, seconds: bool = False):
    return timefmt.time_html(value, relative_to_now=relative, seconds=seconds)


@register.filter
def local_datetime(value, arg: str = ""):
    return timefmt.format_local(value, seconds=arg == "seconds")


@register.filter
def time_ago(value):
    return timefmt.relative(value)
