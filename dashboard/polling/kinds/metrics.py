"""Metrics: the monitoring figures of the running jobs (CS 5.1.15, DLI D12), one ``jobs/metrics`` call per
batch of ids.

Each job's figures (record counts and rates) go to two places: its row's latest figures (``read_rate``
... ``metrics_at``) and a ``MetricSample`` for the charts. Both are written only when the figures
differ from the row's: an idle job costs no write, and its chart holds its last value rather than
growing a flat line of identical points. ``metrics_at`` is therefore when the figures last changed;
when they were last fetched is the metrics kind's poll health. Per batch: one SELECT of the running
jobs with their figures, and for the changed ones one multi-row INSERT of samples (one per job and
slot of the metrics interval, so a repeated poll adds no duplicate) and one multi-row UPDATE of the
jobs (:mod:`dashboard.polling.bulk`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

import csapi
from csapi import vocab
from csapi.dli import limits as dli_limits
from dashboard.jobs.models import Job, MetricSample
from dashboard.polling import bulk
from dashboard.polling.clients import client as _client
from dashboard.polling.coerce import integer, mapping, number, plain
from dashboard.polling.conf import interval
from dashboard.polling.kinds import Synced
from dashboard.polling.models import Kind
from dashboard.teams.models import Credential

#: The latest figures on a job's row, in this order in :data:`Figures`.
FIGURE_FIELDS = ("records_in", "records_out", "corrupted_records", "read_rate", "write_rate")
Figures = tuple[int, int, int, float | None, float | None]


def metric_slot(now: datetime) -> datetime:
    """Samples are one per job per slot of the metrics interval: a repeated poll adds no duplicate."""
    step = max(1, int(interval(Kind.METRICS)))
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % step, tz=UTC)


def _sum_records(streams: Any, key: str) -> int:
    total = 0
    for stream in streams if isinstance(streams, list) else []:
        total += integer(mapping(stream).get(key)) or 0
    return total


def figures(metrics: Mapping[str, Any]) -> tuple[Figures, Any, Any]:
    """(figures, sources, sinks) of one job's ``metrics`` object: records summed over the streams."""
    sources = plain(metrics.get("sources") or [])
    sinks = plain(metrics.get("sinks") or [])
    corrupted = _sum_records(sources, "corrupted_records") + _sum_records(sinks, "corrupted_records")
    return (
        (
            _sum_records(sources, "records"),
            _sum_records(sinks, "records"),
            corrupted,
            number(metrics.get("total_read_rate")),
            number(metrics.get("total_write_rate")),
        ),
        sources,
        sinks,
    )


SAMPLE_FIELDS = ("job_id", "sampled_at", *FIGURE_FIELDS, "sources", "sinks")
JOB_FIGURE_FIELDS = ("id", *FIGURE_FIELDS, "metrics_at")


def write_batch(
    stored: Mapping[int, tuple[int, Figures]], answer: list[Mapping[str, Any]], now: datetime
) -> int:
    """Store one ``jobs/metrics`` answer for the jobs ``stored`` (job_id -> (pk, stored figures)).

    Returns the number of jobs whose figures changed (each one sample and one row update).
    """
    slot = metric_slot(now)
    samples: list[tuple[Any, ...]] = []  # in SAMPLE_FIELDS order
    updates: list[tuple[Any, ...]] = []  # in JOB_FIGURE_FIELDS order
    for item in answer:
        found = stored.get(integer(item.get("job_id")) or -1)
        if found is None:
            continue
        pk, before = found
        after, sources, sinks = figures(mapping(item.get("metrics")))
        if after == before:
            continue
        samples.append((pk, slot, *after, sources, sinks))
        updates.append((pk, *after, now))
    if updates:
        with transaction.atomic():
            # One sample per job and slot: figures that changed twice within a slot keep the first.
            bulk.insert(
                bulk.columns(MetricSample, SAMPLE_FIELDS),
                samples,
                conflict=("job_id", "sampled_at"),
                ignore_conflicts=True,
            )
            bulk.update(bulk.columns(Job, JOB_FIGURE_FIELDS), "id", updates)
    return len(updates)


def sync_metrics(
    credential: Credential, *, client: csapi.CSClient | None = None, synced: Synced | None = None
) -> Synced:
    """Fetch the figures of the credential's running jobs, ``POLL_METRICS_BATCH`` ids per call.

    DLI's D12 (``client.jobs.metrics`` of a ``DLIClient``) answers the same figures in the same shape
    (``metrics.jobs[].metrics``: sources, sinks, total read and write rates); it takes at most
    ``BATCH_MAX`` ids per call, so a DLI credential's batches are capped there.
    """
    client = client or _client(credential)
    synced = synced or Synced()
    batch = max(1, settings.POLL_METRICS_BATCH)
    if credential.is_dli:
        batch = min(batch, dli_limits.BATCH_MAX)
    after = 0
    running = Job.objects.filter(
        credential=credential, deleted_at__isnull=True, status__in=vocab.RUNNING_STATUSES
    ).order_by("job_id")
    while True:
        rows = list(running.filter(job_id__gt=after).values_list("pk", "job_id", *FIGURE_FIELDS)[:batch])
        if not rows:
            break
        after = rows[-1][1]
        stored = {row[1]: (row[0], tuple(row[2:])) for row in rows}
        answer = client.jobs.metrics(list(stored))
        synced.items += len(answer)
        changed = write_batch(stored, answer, timezone.now())
        synced.written += changed
        synced.figures += changed
        if len(rows) < batch:
            break
    return synced
