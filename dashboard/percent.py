"""Shares of a whole as the pages and the API show them: one rounding, one rule for an overrun."""

from __future__ import annotations


def percent(used: float | None, whole: float | None) -> int:
    """``used`` as a whole-number percentage of ``whole`` (0 without a whole). Not capped: a quota used
    beyond its size reads above 100 (a bar clips it; the number does not hide the overrun)."""
    if not whole:
        return 0
    return round(100 * (used or 0) / whole)
