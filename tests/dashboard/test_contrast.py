"""WCAG AA contrast of the stylesheet's colour pairs, light and dark (static/css/app.css).

The colours are custom properties, set once per scheme; this reads both sets and checks every pair the
pages use: 4.5:1 for text, 3:1 for chart lines and focus rings (non-text contrast).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

CSS = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()

TEXT_PAIRS = [
    ("fg", "bg"), ("fg", "card"), ("muted", "card"), ("muted", "bg"), ("muted", "teambar-bg"),
    ("muted", "highlight-bg"), ("fg", "highlight-bg"), ("accent", "card"), ("accent", "bg"),
    ("accent", "teambar-bg"), ("accent", "highlight-bg"), ("accent-fg", "accent"), ("ok", "ok-bg"),
    ("ok", "card"), ("warn", "warn-bg"), ("warn", "card"), ("bad", "bad-bg"), ("bad", "card"),
    ("idle", "idle-bg"), ("accent", "trans-bg"), ("fg", "info-bg"), ("fg", "code-bg"),
    ("topbar-fg", "topbar-bg"), ("topbar-strong", "topbar-bg"), ("fg", "teambar-bg"),
]  # fmt: skip
GRAPHIC_PAIRS = [(f"chart-{i}", "card") for i in range(1, 7)] + [
    ("focus", "card"), ("focus", "bg"), ("input-line", "card"),
]  # fmt: skip


def _variables(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([a-z0-9-]+):\s*(#[0-9a-fA-F]{6})", block))


def _schemes() -> dict[str, dict[str, str]]:
    light = _variables(CSS.split("@media (prefers-color-scheme: dark)", 1)[0].split(":root", 1)[1])
    dark_block = CSS.split("@media (prefers-color-scheme: dark)", 1)[1].split("}\n}", 1)[0]
    return {"light": light, "dark": {**light, **_variables(dark_block)}}


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ratio(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_pairs_meet_aa(scheme):
    colours = _schemes()[scheme]
    low = {f"{fg} on {bg}": round(ratio(colours[fg], colours[bg]), 2) for fg, bg in TEXT_PAIRS}
    assert {pair: r for pair, r in low.items() if r < 4.5} == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_chart_lines_and_focus_meet_non_text_contrast(scheme):
    colours = _schemes()[scheme]
    low = {f"{fg} on {bg}": round(ratio(colours[fg], colours[bg]), 2) for fg, bg in GRAPHIC_PAIRS}
    assert {pair: r for pair, r in low.items() if r < 3} == {}


def test_both_schemes_set_the_same_colours():
    light = _variables(CSS.split("@media (prefers-color-scheme: dark)", 1)[0].split(":root", 1)[1])
    dark_block = CSS.split("@media (prefers-color-scheme: dark)", 1)[1].split("}\n}", 1)[0]
    assert set(_variables(dark_block)) == set(light)
