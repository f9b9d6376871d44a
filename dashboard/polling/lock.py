"""The per-credential, per-kind lock: one sync of a kind of a credential at a time, across every worker.

The lock is a lease on the kind's ``PollHealth`` row, taken and given back by conditional UPDATEs:

- acquire: ``SET lock_owner = <token>, locked_until = now + POLL_LOCK_TIMEOUT WHERE`` the row is
  free (no owner, or the lease ended): the database serialises concurrent UPDATEs of one row, so
  exactly one process wins;
- release: ``SET lock_owner = '' WHERE lock_owner = <token>``: atomic and owner-checked, so a holder
  whose lease ended and was taken over can never release its successor's lock.

Why the database and not Redis (redis-py's ``Lock`` has the same two atomic steps): the lock guards
writes to the database, so it lives as long as they do. Redis here is a broker and a cache without
persistence; a Redis restart in the middle of a sync (the process fault tests do exactly that) would
drop the lock while the sync runs on, and let a second sync of the same credential start beside it.
The cost is two single-row UPDATEs per sync, of the row the sync updates anyway.

A lease outlives the task's hard time limit (``POLL_LOCK_TIMEOUT`` > ``POLL_TASK_TIME_LIMIT``), so a
live holder never loses it. The token names its holder (host, pid): a lock left by a killed process
of the same host is taken over at once (by compare-and-swap on the dead holder's token); one left on
another host expires with its lease.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from dashboard.polling.models import PollHealth

logger = logging.getLogger(__name__)


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_is_dead(token: str) -> bool:
    """Whether a lock token names a process of this host that no longer runs (a killed worker)."""
    try:
        host, pid, _nonce = str(token).split(":", 2)
        if host != socket.gethostname():
            return False
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (ValueError, PermissionError, OSError):
        return False
    return False


def acquire(credential_id: int, kind: str, token: str) -> bool:
    """Take the lock of ``kind`` of the credential for ``token``; whether it was free (or its holder dead)."""
    rows = PollHealth.objects.filter(credential_id=credential_id, kind=kind)
    now = timezone.now()
    lease = {"lock_owner": token, "locked_until": now + timedelta(seconds=settings.POLL_LOCK_TIMEOUT)}
    free = Q(lock_owner="") | Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    if rows.filter(free).update(**lease):
        return True
    held = rows.values_list("lock_owner", flat=True).first()
    if held is None:  # no health row yet: make it, then take the lock like anyone else
        PollHealth.objects.get_or_create(credential_id=credential_id, kind=kind)
        return bool(rows.filter(free).update(**lease))
    if held and owner_is_dead(held):
        # Compare-and-swap on the dead holder's token: of two processes taking over, one wins.
        taken = bool(rows.filter(lock_owner=held).update(**lease))
        if taken:
            logger.warning(
                "poll %s of credential %s: took over the lock of dead %s", kind, credential_id, held
            )
        return taken
    return False


def release(credential_id: int, kind: str, token: str) -> bool:
    """Give the lock back if ``token`` still holds it; whether it did (False: the lease had ended and
    another process took it, which a holder must never undo)."""
    released = PollHealth.objects.filter(credential_id=credential_id, kind=kind, lock_owner=token).update(
        lock_owner="", locked_until=None
    )
    if not released:
        logger.warning(
            "poll %s of credential %s: the lock was no longer held by %s", kind, credential_id, token
        )
    return bool(released)


@contextmanager
def poll_lock(credential_id: int, kind: str) -> Iterator[bool]:
    """Hold the lock of ``kind`` of the credential for the ``with`` block; yields whether it was acquired
    (a sync that did not get it must not run)."""
    token = f"{_owner()}:{uuid.uuid4().hex}"
    acquired = acquire(credential_id, kind, token)
    try:
        yield acquired
    finally:
        if acquired:
            release(credential_id, kind, token)
