"""The emulator's injectable clock.

Every time the emulator states (job and cluster statuses, metrics, cost, token expiry, audit times)
is read from one :class:`Clock`, so tests can move time forward instead of sleeping.

The clock runs at ``speed`` times real time from a starting instant (``speed=0`` freezes it), and
``advance(seconds)`` jumps it forward. It is safe to use from several threads.
"""

from __future__ import annotations

import threading
import time

__all__ = ["Clock"]


class Clock:
    """A settable, advanceable clock (epoch seconds) running at ``speed`` x real time."""

    def __init__(self, start: float | None = None, *, speed: float = 1.0) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
        self._lock = threading.Lock()
        self._base_virtual = time.time() if start is None else float(start)
        self._base_real = time.monotonic()
        self._speed = float(speed)

    # ------------------------------------------------------------------ reading
    def now(self) -> float:
        """The current emulated time, epoch seconds."""
        with self._lock:
            return self._base_virtual + (time.monotonic() - self._base_real) * self._speed

    def now_ms(self) -> int:
        """The current emulated time, epoch milliseconds (the unit of every CS timestamp)."""
        return int(self.now() * 1000)

    @property
    def speed(self) -> float:
        return self._speed

    # ------------------------------------------------------------------ changing
    def _rebase(self) -> None:
        real = time.monotonic()
        self._base_virtual += (real - self._base_real) * self._speed
        self._base_real = real

    def advance(self, seconds: float) -> float:
        """Move the clock ``seconds`` forward (never backward); returns the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._rebase()
            self._base_virtual += seconds
            return self._base_virtual

    def set(self, when: float) -> None:
        """Set the current emulated time to ``when`` (epoch seconds)."""
        with self._lock:
            self._base_virtual = float(when)
            self._base_real = time.monotonic()

    def set_speed(self, speed: float) -> None:
        """Run from now on at ``speed`` x real time (0 freezes the clock)."""
        if speed < 0:
            raise ValueError("speed must be >= 0")
        with self._lock:
            self._rebase()
            self._speed = float(speed)

    def freeze(self) -> None:
        self.set_speed(0.0)

    def __repr__(self) -> str:
        return f"Clock(now={self.now():.3f}, speed={self._speed})"
