"""Server-rendered SVG charts (pygal) for the quota and billing pages: no script, no CDN.

The SVG is embedded inline without pygal's scripts (no ``js`` files, and its inline configuration
script is stripped), so the page's Content Security Policy (no inline scripts) holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pygal
from pygal.style import Style

from dashboard.usage.selectors import Series

_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1d2733",
    foreground_strong="#1d2733",
    foreground_subtle="#637083",
    opacity=".25",
    opacity_hover=".5",
    colors=("#1f6feb", "#1a7f37", "#b26a00", "#c62828", "#6e7781", "#8250df"),
    font_family="system-ui, sans-serif",
)


def _chart(title: str, y_title: str) -> pygal.DateTimeLine:
    return pygal.DateTimeLine(
        js=[],
        disable_xml_declaration=True,
        style=_STYLE,
        width=900,
        height=320,
        title=title,
        y_title=y_title,
        show_dots=False,
        fill=False,
        x_label_rotation=20,
        truncate_label=-1,
        x_value_formatter=lambda dt: dt.strftime("%Y-%m-%d %H:%M"),
        legend_at_bottom=True,
        show_x_guides=False,
        no_data_text="No snapshots yet",
        explicit_size=False,
    )


_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)


def _render(chart: pygal.DateTimeLine) -> str:
    svg = chart.render(is_unicode=True)
    # pygal always writes its tooltip configuration as an inline <script>; the page runs no inline
    # script (CSP), and the chart needs none.
    svg = _SCRIPT.sub("", svg)
    return svg.replace("<svg ", '<svg role="img" class="chart" ', 1)


def line_chart(title: str, y_title: str, series: Iterable[tuple[str, Series]]) -> str:
    """An inline SVG line chart of ``(label, Series)`` pairs over time."""
    chart = _chart(title, y_title)
    for label, s in series:
        if s.points:
            chart.add(label, s.points)
    return _render(chart)


def quota_chart(series: dict[str, list[Series]]) -> str:
    pairs = [(f"{s.name}: used", s) for s in series["used"]]
    pairs += [(f"{s.name}: quota", s) for s in series["quota"]]
    return line_chart("SPU use over time", "SPU", pairs)


def cost_chart(series: list[Series], unit: str = "") -> str:
    return line_chart(
        "Cost over time", f"Total cost{f' ({unit})' if unit else ''}", [(s.name, s) for s in series]
    )
