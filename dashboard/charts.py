"""Charts as data: the server says what to draw, ``static/js/charts.js`` draws it (Chart.js, from npm).

A :class:`Chart` is a title, a unit, how its numbers read (counts, rates, money, SPUs) and its series
of (time, value) points. :func:`render` turns it into ``partials/chart.html``: a caption, a canvas host
carrying the data as JSON in a ``data-chart`` attribute (no script in the page: the Content Security
Policy allows none inline), and a summary table (latest, lowest, highest per series) that is the
chart's text alternative and what a browser without script shows. A chart with fewer than two points
says so instead of drawing empty axes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString, mark_safe

from dashboard import timefmt

#: How a chart's numbers read: "count" (1.2 M), "rate" (per second), "money" (13,067 CNY), "spu".
NUMBER_KINDS = ("count", "rate", "money", "spu")


@dataclass
class ChartSeries:
    label: str
    points: list[tuple[datetime, float | None]] = field(default_factory=list)


@dataclass
class Chart:
    key: str
    title: str
    unit: str = ""
    number: str = "count"
    series: list[ChartSeries] = field(default_factory=list)

    @property
    def point_count(self) -> int:
        return max((sum(1 for _, v in s.points if v is not None) for s in self.series), default=0)


def _library_url() -> str:
    """Where Chart.js is served from (``make assets`` copies it to ``static/vendor/``); "" when it is not
    there, and the summary table stands alone."""
    try:
        return static("vendor/chart.umd.min.js")
    except ValueError:  # a manifest without the file: no library was built
        return ""


def _clean(value: float | None) -> float | int | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return round(value, 4) if isinstance(value, float) else value


def _number(value: float | None, kind: str, unit: str) -> str:
    if value is None:
        return timefmt.EMPTY
    places = 2 if kind == "money" else (0 if kind in ("count", "spu") else 1)
    if kind == "rate" and abs(value) >= 100:
        places = 0
    text = formats.number_format(round(value, places), places, use_l10n=True, force_grouping=True)
    return f"{text} {unit}" if unit and kind == "money" else text


def _summary(chart: Chart) -> list[dict[str, str]]:
    rows = []
    for s in chart.series:
        values = [v for _, v in s.points if v is not None]
        if not values:
            continue
        rows.append(
            {
                "label": s.label,
                "latest": _number(values[-1], chart.number, chart.unit),
                "low": _number(min(values), chart.number, chart.unit),
                "high": _number(max(values), chart.number, chart.unit),
            }
        )
    return rows


def chart_context(chart: Chart) -> dict[str, Any]:
    """What ``partials/chart.html`` places: ids, the JSON data, the summary and the period covered."""
    times = [t for s in chart.series for t, v in s.points if v is not None]
    enough = chart.point_count >= 2
    start, end = (min(times), max(times)) if times else (None, None)
    zone_label = timefmt.zone_label(timezone.localtime(end)) if end else ""
    data = {
        "title": str(chart.title),
        "unit": str(chart.unit),
        "number": chart.number,
        "locale": translation.get_language() or "en",
        "timeZone": timezone.get_current_timezone_name(),
        "zoneLabel": zone_label,
        "series": [
            {
                "label": str(s.label),
                "points": [[int(t.timestamp() * 1000), _clean(v)] for t, v in s.points],
            }
            for s in chart.series
            if s.points
        ],
    }
    return {
        "key": chart.key,
        "dom_id": f"chart-{chart.key}",
        "title": chart.title,
        "unit": chart.unit,
        "enough": enough,
        "samples": chart.point_count,
        "start": timefmt.format_local(start) if start else "",
        "end": timefmt.format_local(end) if end else "",
        "summary": _summary(chart),
        "data_json": json.dumps(data, separators=(",", ":"), ensure_ascii=False) if enough else "",
        "library_url": _library_url() if enough else "",
    }


def render(chart: Chart, *, template: str = "partials/chart.html") -> SafeString:
    """The chart's HTML (caption, canvas host with its data, summary table or "not enough samples")."""
    return mark_safe(render_to_string(template, {"chart": chart_context(chart)}))  # noqa: S308 - escaped template


def render_all(charts: Iterable[Chart]) -> dict[str, SafeString]:
    return {chart.key: render(chart) for chart in charts}


def series_from(label: str, points: Sequence[tuple[datetime, float | None]]) -> ChartSeries:
    return ChartSeries(label, list(points))
