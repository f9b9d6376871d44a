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

from csapi import vocab
from dashboard.jobs.models import JobRun

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
    create: list[JobRun] = []
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
            create.append(
                JobRun(
                    job_id=change.job_pk,
                    team_id=change.team_id,
                    credential_id=change.credential_id,
                    started_at=_start_of(change),
                    spu=change.spu,
                    cluster_id=change.cluster_id,
                    cluster_name=change.cluster_name,
                    username=change.username,
                )
            )
        elif run is not None and not active:
            run.ended_at = max(change.observed_at, run.started_at)
            run.end_status, run.end_desc = change.status, change.desc
            close.append(run)
        elif (
            run is None and not active and change.previous == "" and change.start_time and change.duration_ms
        ):
            # first seen stopped: the run CS reports, as far as it tells
            create.append(
                JobRun(
                    job_id=change.job_pk,
                    team_id=change.team_id,
                    credential_id=change.credential_id,
                    started_at=change.start_time,
                    ended_at=change.start_time + timedelta(milliseconds=change.duration_ms),
                    end_status=change.status,
                    end_desc=change.desc,
                    spu=change.spu,
                    cluster_id=change.cluster_id,
                    cluster_name=change.cluster_name,
                    username=change.username,
                )
            )
    if close:
        JobRun.objects.bulk_update(close, ["ended_at", "end_status", "end_desc"], batch_size=len(close))
    if create:
        JobRun.objects.bulk_create(create, batch_size=len(create))
    return 1 + bool(close) + bool(create)
