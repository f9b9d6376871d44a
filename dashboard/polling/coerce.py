"""CS values as the snapshot columns take them, and fingerprints of CS payloads.

CS answers are JSON decoded into plain dicts and lists. Fields are often missing, ``null``, ``""``
or of another type than documented (numbers as strings, booleans as ``"true"``); every conversion here
answers ``None`` (or ``""`` for text) for a value it cannot read instead of raising, so one odd field
never fails a sync.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

#: ``marshal`` format 2: every JSON type, floats in binary, and no back-references (format 3 and later
#: write a reference where the *same object* recurs, so equal values could encode differently).
_MARSHAL_VERSION = 2


def timestamp(value: Any) -> datetime | None:
    """A CS timestamp (ms since the epoch; 0 means "never") as an aware datetime."""
    if value in (None, "", 0, "0"):
        return None
    try:
        ms = float(value)
        if not math.isfinite(ms) or ms <= 0:
            return None
        return datetime.fromtimestamp(ms / 1000.0, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def integer(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if type(value) is int:
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError, OverflowError):
            return None


def number(value: Any) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def text(value: Any, max_length: int | None = None) -> str:
    if value is None:
        return ""
    if type(value) is not str:
        value = json.dumps(value, default=str) if isinstance(value, Mapping | list) else str(value)
    return value[:max_length] if max_length else value


def boolean(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        return None
    return bool(value)


def plain(value: Any) -> Any:
    """A JSON-ready copy: plain dicts and lists (csapi's result objects are dict subclasses), and
    anything JSON cannot hold as its text."""
    return json.loads(json.dumps(value, default=str))


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def fingerprint(payload: Mapping[str, Any], *, exclude: Iterable[str] = (), extra: Any = None) -> str:
    """A hash of ``payload`` (without the ``exclude`` keys) and ``extra``: equal payloads, equal hashes.

    The encoding is ``marshal``'s of the decoded JSON: exact about types (``1``, ``1.0``, ``True`` and
    ``"1"`` differ) and about order, since a decoded JSON object keeps CS's member order. It costs a
    fifth of a sorted JSON dump, which matters because every listed job is fingerprinted on every poll.
    CS writes its members in one order, so equal answers give equal fingerprints; if it ever reordered
    them, the cost is one rewrite of the rows, never a missed change (different bytes are different
    values). A stored fingerprint from another encoding (or from a Python whose ``marshal`` format 2
    differs) is simply a change once.
    """
    data = payload
    if exclude:
        data = dict(payload)
        for key in exclude:
            data.pop(key, None)
    try:
        encoded = marshal.dumps((data, extra), _MARSHAL_VERSION)
    except ValueError:  # not plain JSON data (result objects, or something CS cannot send)
        encoded = marshal.dumps((plain(data), plain(extra)), _MARSHAL_VERSION)
    return hashlib.blake2b(encoded, digest_size=20).hexdigest()
