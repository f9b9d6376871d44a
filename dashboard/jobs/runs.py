"""A job's runs, kept from its status changes: one query for the open runs, one insert, one update.

The poller calls :func:`record_status_changes` with the status changes a page of the listing wrote (a
job first seen counts as a change from ""), the services with the change an action made. A run opens
when a job enters an active status (submitting, running, savepointing, stopping...) and closes, with
the status it ended in and CS's description, when the job leaves them. A job first seen already
stopped gets the run CS reports (its ``start_time`` and ``duration``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from csapi import vocab
from dashboard.jobs.models import JobRun
from dashboard.polling import bulk

#: Statuses in which a run is under way (it started and has not ended).
ACTIVE_STATUSES: frozenset[str] = frozenset(
    {
        vocab.JOB_SUBMITTING,
        vocab.JOB_DOWNLOADING,
        vocab.JOB_RUNNING,
        vocab.JOB_SAVEPOINTING,
        vocab.JOB_CANCELING,
        vocab.JOB_ARREARAGE_RECOVERING,
    }
)


@dataclass(frozen=True)
class StatusChange:
    """A job's new status as a sync or an action saw it, with what its run needs."""

    job_pk: int
    team_id: int
    credential_id: int
    previous: str
    status: str
    desc: str
    observed_at: datetime
    start_time: datetime | None = None
    duration_ms: int | None = None
    spu: int | None = None
    cluster_id: int | None = None
    cluster_name: str = ""
    username: str = ""


def _start_of(change: StatusChange) -> datetime:
    """When the new run started: CS's start time when it belongs to this run (the job is new to the
    dashboard, or CS's time is no older than a few minutes), else when the change was seen."""
    start = change.start_time
    if (
        start
        and start <= change.observed_at
        and (change.previous == "" or change.observed_at - start < timedelta(minutes=10))
    ):
        return start
    return change.observed_at


def _active(status: str) -> bool:
    return vocab.job_status(status).name in ACTIVE_STATUSES


def record_status_changes(changes: Iterable[StatusChange]) -> int:
    """Open and close runs for ``changes`` (at most one per job); returns the SQL statements it ran
    (a SELECT of the open runs, then at most one UPDATE and one INSERT)."""
    changes = list({c.job_pk: c for c in changes}.values())
    if not changes:
        return 0
    open_runs = {
        r.job_id: r for r in JobRun.objects.filter(job_id__in=[c.job_pk for c in changes], ended_at=None)
    }
    create: list[tuple[Any, ...]] = []  # rows in _RUN_COLUMNS order
    close: list[JobRun] = []
    for change in changes:
        run = open_runs.get(change.job_pk)
        active = _active(change.status)
        if (
            run is not None
            and active
            and change.start_time
            and abs((change.start_time - run.started_at).total_seconds()) > 60
            and change.start_time > run.started_at
        ):
            # CS reports a later start than the open run's: a stop and start happened between polls
            run.ended_at, run.end_status, run.end_desc = change.start_time, "", ""
            close.append(run)
            run = None
        if run is None and active:
            create.append(_run_row(change, _start_of(change), None, "", ""))
        elif run is not None and not active:
            run.ended_at = max(change.observed_at, run.started_at)
            run.end_status, run.end_desc = change.status, change.desc
            close.append(run)
        elif (
            run is None and not active and change.previous == "" and change.start_time and change.duration_ms
        ):
            # first seen stopped: the run CS reports, as far as it tells
            ended = change.start_time + timedelta(milliseconds=change.duration_ms)
            create.append(_run_row(change, change.start_time, ended, change.status, change.desc))
    if close:
        JobRun.objects.bulk_update(close, ["ended_at", "end_status", "end_desc"], batch_size=len(close))
    if create:  # one INSERT, as the poller writes the page's jobs (a first sync opens a run per job)
        bulk.insert(bulk.columns(JobRun, _RUN_COLUMNS), create)
    return 1 + bool(close) + bool(create)


_RUN_COLUMNS = (
    "job_id",
    "team_id",
    "credential_id",
    "started_at",
    "ended_at",
    "end_status",
    "end_desc",
    "spu",
    "cluster_id",
    "cluster_name",
    "username",
)


def _run_row(
    change: StatusChange, started: datetime, ended: datetime | None, status: str, desc: str
) -> tuple:
    """A new run of ``change``'s job, in ``_RUN_COLUMNS`` order."""
    return (
        change.job_pk,
        change.team_id,
        change.credential_id,
        started,
        ended,
        status,
        desc,
        change.spu,
        change.cluster_id,
        change.cluster_name,
        change.username,
    )
