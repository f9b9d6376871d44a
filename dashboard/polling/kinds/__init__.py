"""One module per kind of CS data the poller copies: ``jobs``, ``metrics``, ``audit``, ``templates``,
``clusters``, ``queues`` (DLI), and ``usage`` (user quotas, DLI project quotas and the account overview).

Each ``sync_<kind>(credential, *, client=None, synced=None)`` fetches that kind from CS and writes its
snapshots, and answers a :class:`Synced`: how many items CS listed, and how many rows the sync wrote.
A sync that wrote nothing changed nothing a page shows, so it leaves the team's version alone (the
runner, ``dashboard.polling.runner``, decides). The runner passes its own ``synced`` and reads it even
when the sync fails: pages a listing committed before CS failed are writes too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Synced:
    """Counted as the sync goes, each write once it is committed."""

    items: int = 0  # what CS listed (jobs, traces, samples fetched, ...)
    written: int = 0  # rows created, changed, marked deleted or appended
    figures: int = 0  # of ``written``: jobs whose latest figures (and a metric sample) were written
