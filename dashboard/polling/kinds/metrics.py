"""Metrics: the monitoring figures of the running jobs (5.1.15), one ``jobs/metrics`` call per batch of ids.

Each job's figures (record counts and rates) go to two places: its row's latest figures (``read_rate``
... ``metrics_at``) and a ``MetricSample`` for the charts. Both are written only when the figures
differ from the row's: an idle job costs no write, and its chart holds its last value rather than
growing a flat line of identical points. ``metrics_at`` is therefore when the figures last changed;
when they were last fetched is the metrics kind's poll health. Per batch: one SELECT of the running
jobs with their figures, one ``bulk_create`` of samples (one per job and slot of the metrics
interval, so a repeated poll adds no duplicate) and one ``bulk_update`` of the changed jobs.
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
from dashboard.jobs.models import Job, MetricSample
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


def write_batch(
    stored: Mapping[int, tuple[int, Figures]], answer: list[Mapping[str, Any]], now: datetime
) -> int:
    """Store one ``jobs/metrics`` answer for the jobs ``stored`` (job_id -> (pk, stored figures)).

    Returns the number of jobs whose figures changed (each one sample and one row update).
    """
    slot = metric_slot(now)
    samples: list[MetricSample] = []
    rows: list[Job] = []
    for item in answer:
        found = stored.get(integer(item.get("job_id")) or -1)
        if found is None:
            continue
        pk, before = found
        now_figures, sources, sinks = figures(mapping(item.get("metrics")))
        if now_figures == before:
            continue
        records_in, records_out, corrupted, read_rate, write_rate = now_figures
        samples.append(
            MetricSample(
                job_id=pk,
                sampled_at=slot,
                records_in=records_in,
                records_out=records_out,
                corrupted_records=corrupted,
                read_rate=read_rate,
                write_rate=write_rate,
                sources=sources,
                sinks=sinks,
            )
        )
        rows.append(
            Job(
                pk=pk,
                records_in=records_in,
                records_out=records_out,
                corrupted_records=corrupted,
                read_rate=read_rate,
                write_rate=write_rate,
                metrics_at=now,
            )
        )
    if rows:
        with transaction.atomic():
            # One sample per job and slot: figures that changed twice within a slot keep the first.
            MetricSample.objects.bulk_create(samples, ignore_conflicts=True)
            Job.objects.bulk_update(rows, [*FIGURE_FIELDS, "metrics_at"])
    return len(rows)


def sync_metrics(credential: Credential, *, client: csapi.CSClient | None = None) -> Synced:
    """Fetch the figures of the credential's running jobs, ``POLL_METRICS_BATCH`` ids per call."""
    client = client or _client(credential)
    batch = max(1, settings.POLL_METRICS_BATCH)
    after = 0
    items = written = 0
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
        items += len(answer)
        written += write_batch(stored, answer, timezone.now())
        if len(rows) < batch:
            break
    return Synced(items=items, written=written)
