"""Poll health bookkeeping: the outcome of each sync in its ``PollHealth`` row, backoff after failures,
the readable error pages show, and what of it pages show at all (:class:`Shown`).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

import csapi
from dashboard.polling.conf import interval
from dashboard.polling.models import PollHealth
from dashboard.teams.models import Credential


def backoff_seconds(kind: str, failures: int) -> float:
    """interval x 2**(failures-1), capped at ``POLL_BACKOFF_MAX`` (never below the interval)."""
    every = interval(kind)
    if failures <= 0:
        return every
    return max(every, min(float(settings.POLL_BACKOFF_MAX), every * 2 ** min(failures - 1, 20)))


def readable_error(exc: BaseException) -> str:
    """The text shown on pages and in poll health: CS's own message, never a secret or a traceback."""
    if isinstance(exc, csapi.CSError):
        text = str(exc)
    else:
        text = f"Internal error while polling ({type(exc).__name__}); see the worker log."
    return text[:2000]


def health_row(credential_id: int, kind: str) -> PollHealth:
    health, _ = PollHealth.objects.get_or_create(credential_id=credential_id, kind=kind)
    return health


#: The request id csapi appends to an error's text: different on every attempt, so the same failure
#: repeated would otherwise read as a new error.
_REQUEST_ID = re.compile(r" \(request id [^)]*\)$")


@dataclass(frozen=True)
class Shown:
    """What pages show of one kind's poll health (``dashboard.polling.selectors``), beyond the ages they
    work out at each request: a sync that changes none of it changed nothing a cached page shows."""

    fetched: bool  # ever fetched: "never fetched" is shown as stale
    failing: bool
    error: str  # the error of a failing kind, without its request id
    needs_attention: bool

    @classmethod
    def of(cls, health: PollHealth, credential: Credential) -> Shown:
        return cls(
            fetched=health.last_success is not None,
            failing=health.consecutive_failures > 0,
            error=_REQUEST_ID.sub("", health.last_error) if health.consecutive_failures else "",
            needs_attention=credential.needs_attention,
        )


def record_success(health: PollHealth, *, items: int, started: float, finished: datetime) -> None:
    health.last_success = finished
    health.consecutive_failures = 0
    health.last_error = ""
    health.last_error_record = {}
    health.next_attempt = finished + timedelta(seconds=interval(health.kind))
    health.last_duration_ms = int((time.monotonic() - started) * 1000)
    health.last_items = items
    health.save(
        update_fields=[
            "last_success",
            "consecutive_failures",
            "last_error",
            "last_error_record",
            "next_attempt",
            "last_duration_ms",
            "last_items",
        ]
    )


def record_failure(
    health: PollHealth,
    *,
    error: str,
    record: dict | None = None,
    started: float,
    finished: datetime,
    retry_after: float | None = None,
) -> None:
    """``error``: the readable sentence (logs, admin); ``record``: the error as
    ``dashboard.teams.cs.error_record`` keeps it, for pages in the reader's language."""
    health.consecutive_failures += 1
    health.last_error = error
    health.last_error_record = record or {}
    health.last_error_at = finished
    wait = backoff_seconds(health.kind, health.consecutive_failures)
    if retry_after:
        wait = max(wait, min(float(retry_after), float(settings.POLL_BACKOFF_MAX)))
    health.next_attempt = finished + timedelta(seconds=wait)
    health.last_duration_ms = int((time.monotonic() - started) * 1000)
    health.save(
        update_fields=[
            "consecutive_failures",
            "last_error",
            "last_error_record",
            "last_error_at",
            "next_attempt",
            "last_duration_ms",
        ]
    )


def mark_needs_attention(credential: Credential, error: str, record: dict | None = None) -> None:
    """CS rejected the credential: stop polling it until a lead edits it (the form clears the flag)."""
    Credential.objects.filter(pk=credential.pk).update(
        needs_attention=True, last_error=error, last_error_record=record or {}
    )
    credential.needs_attention = True
    credential.last_error, credential.last_error_record = error, record or {}
