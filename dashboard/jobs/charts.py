"""Server-rendered SVG charts (pygal) of a job's metric samples: no script, safe to inline."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pygal
from pygal.style import Style

from dashboard.jobs.models import MetricSample

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)

_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1d2733",
    foreground_strong="#1d2733",
    foreground_subtle="#637083",
    colors=("#1f6feb", "#1a7f37", "#c62828", "#b26a00"),
    font_family="system-ui, sans-serif",
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=12,
    title_font_size=14,
)


def _chart(title: str, samples: Sequence[MetricSample], series: Sequence[tuple[str, str]]) -> str:
    chart = pygal.Line(
        title=title,
        style=_STYLE,
        width=640,
        height=260,
        show_dots=len(samples) < 40,
        dots_size=2,
        x_label_rotation=0,
        show_minor_x_labels=False,
        truncate_label=-1,
        legend_at_bottom=True,
        disable_xml_declaration=True,
        js=(),  # no script: the page's Content Security Policy allows none inline
        no_data_text="No samples yet",
        explicit_size=False,
    )
    labels = [s.sampled_at.strftime("%H:%M") for s in samples]
    chart.x_labels = labels
    step = max(1, len(labels) // 8)
    chart.x_labels_major = labels[::step]
    for label, attr in series:
        chart.add(label, [getattr(s, attr) for s in samples])
    # pygal embeds its tooltip configuration as an inline <script>; the page allows no inline script
    # and the charts need none, so it is dropped.
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def job_charts(samples: Sequence[MetricSample]) -> dict[str, str]:
    """SVG markup of the records, corrupted records and rate charts (empty dict without samples)."""
    if not samples:
        return {}
    return {
        "records": _chart(
            "Records in / out", samples, [("Records in", "records_in"), ("Records out", "records_out")]
        ),
        "corrupted": _chart("Corrupted records", samples, [("Corrupted", "corrupted_records")]),
        "rates": _chart(
            "Read / write rate (records/s)",
            samples,
            [("Read rate", "read_rate"), ("Write rate", "write_rate")],
        ),
    }
