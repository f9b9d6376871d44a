"""The per-credential, per-kind lock: a lease on the PollHealth row, taken by one process at a time and
given back only by its holder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from dashboard.polling import lock
from dashboard.polling.models import Kind, PollHealth
from dashboard.teams.models import Credential, Team


@pytest.fixture
def cred(db):
    team = Team.objects.create(name="Lock", slug="lock")
    return Credential.objects.create(
        team=team, name="lock", region="cn-north-1", project_id="p", secret_encrypted="x"
    )


def _holder(cred) -> str:
    return PollHealth.objects.values_list("lock_owner", flat=True).get(credential=cred, kind=Kind.JOBS)


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(done.stdout)


def test_one_holder_at_a_time_and_only_the_holder_releases(cred):
    assert lock.acquire(cred.pk, Kind.JOBS, "me")  # makes the health row on first use
    assert not lock.acquire(cred.pk, Kind.JOBS, "other")
    assert lock.acquire(cred.pk, Kind.METRICS, "other")  # another kind has its own lock
    assert not lock.release(cred.pk, Kind.JOBS, "other")  # not its lock: nothing happens
    assert _holder(cred) == "me"
    assert lock.release(cred.pk, Kind.JOBS, "me")
    assert lock.acquire(cred.pk, Kind.JOBS, "other")


def test_a_lease_that_ended_is_taken_over_and_the_late_holder_cannot_release_it(cred):
    assert lock.acquire(cred.pk, Kind.JOBS, "slow")
    PollHealth.objects.filter(credential=cred, kind=Kind.JOBS).update(
        locked_until=timezone.now() - timedelta(1)
    )
    assert lock.acquire(cred.pk, Kind.JOBS, "next")
    assert not lock.release(cred.pk, Kind.JOBS, "slow")  # the slow holder finishing late
    assert _holder(cred) == "next"  # the successor still holds it


def test_a_lock_left_by_a_dead_process_of_this_host_is_taken_over_at_once(cred):
    dead = f"{socket.gethostname()}:{_dead_pid()}:nonce"
    assert lock.acquire(cred.pk, Kind.JOBS, dead)
    assert lock.owner_is_dead(dead)
    assert lock.acquire(cred.pk, Kind.JOBS, "me") and _holder(cred) == "me"
    # A live holder, or one on another host (whose processes this host cannot see), keeps it.
    for token in (f"{socket.gethostname()}:{os.getpid()}:n", f"elsewhere:{_dead_pid()}:n"):
        PollHealth.objects.filter(credential=cred, kind=Kind.JOBS).update(lock_owner=token)
        assert not lock.owner_is_dead(token)
        assert not lock.acquire(cred.pk, Kind.JOBS, "me")


def test_the_context_manager_releases_on_error(cred):
    with pytest.raises(RuntimeError):
        with lock.poll_lock(cred.pk, Kind.JOBS) as held:
            assert held and _holder(cred)
            raise RuntimeError("a failed sync")
    assert _holder(cred) == ""


@pytest.mark.django_db(transaction=True)
def test_processes_racing_for_a_free_lock_get_one_winner():
    """Eight threads, each with its own database connection, race for the same free lock: the
    conditional UPDATE lets exactly one win, on either backend."""
    team = Team.objects.create(name="Race", slug="race")
    cred = Credential.objects.create(
        team=team, name="race", region="cn-north-1", project_id="p", secret_encrypted="x"
    )
    PollHealth.objects.create(credential=cred, kind=Kind.JOBS)
    for round_ in range(5):
        start = threading.Barrier(8)
        won: list[str] = []

        def race(
            n: int, round_: int = round_, start: threading.Barrier = start, won: list[str] = won
        ) -> None:
            try:
                start.wait()
                if lock.acquire(cred.pk, Kind.JOBS, f"t{round_}-{n}"):
                    won.append(f"t{round_}-{n}")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=race, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert len(won) == 1 and _holder(cred) == won[0]
        assert lock.release(cred.pk, Kind.JOBS, won[0])
