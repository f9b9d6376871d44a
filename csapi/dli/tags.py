"""DLI's job tags in one shape, ``[{"key": k, "value": v}]``, from that list or from a mapping (the
forms, the API, the poller and the alert rules each receive one or the other)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def tag_list(value: Any) -> list[dict[str, str]] | None:
    """``value`` as DLI's list of ``{"key", "value"}`` texts; None when it is neither a mapping nor a
    list of mappings (no tags given, or a shape DLI does not use)."""
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, list | tuple):
        pairs = [(t.get("key"), t.get("value")) for t in value if isinstance(t, Mapping)]
    else:
        return None
    return [{"key": _text(k), "value": _text(v)} for k, v in pairs]
