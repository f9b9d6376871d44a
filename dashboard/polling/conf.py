"""The poller's settings, read in one place (``POLL_*`` in ``dashboard/settings.py``), and the constants
that are not worth a setting.

Settings are read at call time, never at import, so tests and management commands can override them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

#: How often each kind prunes its time series (see :mod:`dashboard.polling.retention`). Pruning scans
#: by age; once an hour keeps the tables within an hour of the retention at a negligible cost.
PRUNE_EVERY = timedelta(hours=1)
#: Rows one DELETE statement removes: short statements, so a page write waiting on them waits briefly.
PRUNE_BATCH = 2000
#: Seconds one prune may run before it stops and leaves the rest to the next sync of that kind (a backlog,
#: e.g. after the retention was shortened, drains over several syncs instead of holding one).
PRUNE_BUDGET_SECONDS = 5.0


def interval(kind: str) -> float:
    """Seconds between two syncs of ``kind`` for one credential (``POLL_INTERVALS``)."""
    return float(settings.POLL_INTERVALS.get(kind, 60))


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Time-series rows older than this go (``POLL_RETENTION_DAYS``)."""
    return (now or timezone.now()) - timedelta(days=settings.POLL_RETENTION_DAYS)
