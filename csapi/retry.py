"""Retry policy for CS calls.

* Idempotent calls (GET, PUT, DELETE, HEAD, OPTIONS, and calls marked idempotent such as the job
  metrics query) retry on connection errors, timeouts and 5xx answers, with capped exponential
  backoff and full jitter (:func:`backoff_delay`).
* HTTP 429 means CS did not process the request: every call retries, after ``Retry-After`` seconds
  when CS says so (capped at ``max_retry_after``), else after the backoff delay.
* A non-idempotent call (POST create/run/stop, PATCH) is retried only when the request cannot have
  reached CS: the connection was never established (refused, DNS failure, connect timeout).
  A read timeout, a reset after sending or a 5xx answer is final for it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

__all__ = [
    "IDEMPOTENT_METHODS",
    "RETRYABLE_STATUSES",
    "RetryPolicy",
    "backoff_delay",
    "is_idempotent",
    "request_not_sent",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
#: 5xx answers worth retrying for idempotent calls (501 and 505 will not get better).
RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Full-jitter exponential backoff: uniform in ``[0, min(cap, base * 2**attempt)]``.

    ``attempt`` counts from 0 (the delay before the first retry).
    """
    ceiling = min(cap, base * (2 ** max(0, attempt)))
    return (rng or random).uniform(0, ceiling)


def is_idempotent(method: str, idempotent: bool | None = None) -> bool:
    """Whether a call may be repeated safely; ``idempotent`` overrides the method's default."""
    if idempotent is not None:
        return idempotent
    return method.upper() in IDEMPOTENT_METHODS


def request_not_sent(exc: BaseException) -> bool:
    """Whether a ``requests`` exception proves the request never reached the server."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if not isinstance(exc, requests.ConnectionError):
        return False
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, NewConnectionError | ConnectTimeoutError | NameResolutionError):
            return True
        for arg in getattr(current, "args", ()):
            if isinstance(arg, NewConnectionError | ConnectTimeoutError | NameResolutionError):
                return True
            reason = getattr(arg, "reason", None)
            if isinstance(reason, NewConnectionError | ConnectTimeoutError | NameResolutionError):
                return True
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException) and id(reason) not in seen:
            current = reason
            continue
        current = current.__cause__ or current.__context__
    return False


@dataclass
class RetryPolicy:
    """How often and how long to retry.

    ``retries`` is the number of retries after the first attempt. ``sleep`` and ``rng`` are injectable
    so tests can pin delays.
    """

    retries: int = 3
    base: float = 0.25
    cap: float = 8.0
    max_retry_after: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        if retry_after is not None:
            return max(0.0, min(retry_after, self.max_retry_after))
        return backoff_delay(attempt, self.base, self.cap, self.rng)

    def retry_on_exception(self, exc: BaseException, idempotent: bool) -> bool:
        """Whether a transport failure may be retried for this kind of call."""
        if request_not_sent(exc):
            return True
        if not idempotent:
            return False
        return isinstance(
            exc, requests.Timeout | requests.ConnectionError | requests.exceptions.ChunkedEncodingError
        )

    def retry_on_status(self, status: int, idempotent: bool) -> bool:
        """Whether an HTTP status may be retried for this kind of call."""
        if status == 429:
            return True
        return idempotent and status in RETRYABLE_STATUSES
