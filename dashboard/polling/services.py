"""Sync services: copy CS state into the dashboard's snapshot tables, idempotently.

One function per kind of data (``sync_jobs``, ``sync_metrics``, ``sync_audit``, ``sync_clusters``,
``sync_quotas``, ``sync_templates``, ``sync_overview``), each taking a credential (and optionally a
ready ``CSClient``) and returning how many items it saw. :func:`sync` wraps one of them with the
per-credential lock and the poll health bookkeeping (backoff, readable error, authentication
failures); the Celery tasks call it with ids only.

Costs: one list call per page; the job listing is streamed page by page (nothing holds the whole
tenant) and every page of jobs costs a constant number of SQL statements: one SELECT of the stored
fingerprints covering the page, then at most one multi-row upsert of the new and changed jobs and one
multi-row INSERT of status changes (built by :mod:`dashboard.polling.bulk`). A job whose listed payload
did not change costs no write.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

import csapi
from csapi.models import Page
from csapi.pagination import CursorPager
from dashboard.clusters.models import Cluster, ClusterJob, HostMapping, Peering, Route
from dashboard.jobs.models import AuditTrace, Job, JobStatusChange, MetricSample, Template
from dashboard.jobs.runs import StatusChange, record_status_changes
from dashboard.polling import bulk
from dashboard.polling.models import Kind, PollHealth
from dashboard.teams.models import Credential
from dashboard.teams.versions import team_changed
from dashboard.usage.models import OverviewSnapshot, UserQuota, UserQuotaSample

logger = logging.getLogger(__name__)

KINDS: tuple[str, ...] = tuple(Kind.values)
RUNNING_STATUSES = csapi.vocab.RUNNING_STATUSES
#: Listed job fields that change on every poll of a running job without anything happening:
#: left out of the fingerprint so that an unchanged job costs no write.
VOLATILE_JOB_FIELDS = frozenset({"duration"})
_DELETE_CHUNK = 500


# ------------------------------------------------------------------------------------------ values


def _ts(value: Any) -> datetime | None:
    """A CS timestamp (ms since the epoch; 0 means "never") as an aware datetime."""
    if value in (None, "", 0, "0"):
        return None
    try:
        ms = float(value)
        if not math.isfinite(ms) or ms <= 0:
            return None
        return datetime.fromtimestamp(ms / 1000.0, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError, OverflowError):
            return None


def _float(value: Any) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _str(value: Any, max_length: int | None = None) -> str:
    if value is None:
        return ""
    text = (
        value
        if isinstance(value, str)
        else json.dumps(value, default=str)
        if isinstance(value, Mapping | list)
        else str(value)
    )
    return text[:max_length] if max_length else text


def _bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        return None
    return bool(value)


def _plain(value: Any) -> Any:
    """A JSON-ready copy (CS objects are dicts already; anything odd becomes a string)."""
    return json.loads(json.dumps(value, default=str))


def fingerprint(payload: Mapping[str, Any], *, exclude: Iterable[str] = (), extra: Any = None) -> str:
    """A stable hash of a payload (key order does not matter), without the ``exclude`` keys."""
    data = payload
    if exclude:
        data = dict(payload)
        for key in exclude:
            data.pop(key, None)
    text = _FINGERPRINT_ENCODER.encode([data, extra])
    return hashlib.blake2b(text.encode(), digest_size=20).hexdigest()


#: ``json.dumps(..., sort_keys=True, separators=(",", ":"), default=str)`` without building an
#: encoder per call (the same text: fingerprints stay comparable with stored ones).
_FINGERPRINT_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _interval(kind: str) -> float:
    return float(settings.POLL_INTERVALS.get(kind, 60))


# ------------------------------------------------------------------------------------------ results


@dataclass
class SyncResult:
    kind: str
    ok: bool
    items: int = 0
    skipped: str = ""
    error: str = ""


# ------------------------------------------------------------------------------------------ jobs


_JOB_SNAPSHOT_FIELDS = (
    "name",
    "desc",
    "username",
    "user_id",
    "project_id",
    "job_type",
    "status",
    "status_desc",
    "run_mode",
    "cluster_id",
    "cluster_name",
    "spu_number",
    "parallel_number",
    "create_time",
    "start_time",
    "update_time",
    "duration",
    "sql_body",
    "job_config",
    "root_id",
    "edge_group_ids",
    "graph_editor_enabled",
    "has_savepoint",
    "checkpoint_enabled",
    "log_enabled",
    "jar_url",
    "main_class",
    "args",
    "execution_graph",
    "raw",
    "fingerprint",
    "last_seen",
    "deleted_at",
)


def job_values(
    payload: Mapping[str, Any], *, cluster_names: Mapping[int, str] | None = None
) -> dict[str, Any]:
    """The snapshot columns of a listed job (5.1.11 with show_detail, 5.1.12)."""
    cfg = _mapping(payload.get("job_config"))
    cluster_id = _int(payload.get("cluster_id"))
    cluster_name = _str(payload.get("cluster_name"), 255)
    if not cluster_name and cluster_names and cluster_id is not None:
        cluster_name = cluster_names.get(cluster_id, "")
    root_id = payload.get("root_id", cfg.get("root_id"))
    return {
        "name": _str(payload.get("name"), 255),
        "desc": _str(payload.get("desc")),
        "username": _str(payload.get("username") or payload.get("user_name"), 128),
        "user_id": _str(payload.get("user_id"), 64),
        "project_id": _str(payload.get("project_id"), 64),
        "job_type": _str(payload.get("job_type"), 64),
        "status": _str(payload.get("status") or payload.get("status_name"), 64),
        "status_desc": _str(payload.get("status_desc")),
        "run_mode": _str(payload.get("run_mode"), 32),
        "cluster_id": cluster_id,
        "cluster_name": cluster_name,
        "spu_number": _int(payload.get("spu_number")),
        "parallel_number": _int(payload.get("parallel_number")),
        "create_time": _ts(payload.get("create_time")),
        "start_time": _ts(payload.get("start_time")),
        "update_time": _ts(payload.get("update_time")),
        "duration": _int(payload.get("duration")),
        "sql_body": _str(payload.get("sql_body")),
        "job_config": dict(cfg) if cfg else None,
        "root_id": _int(root_id),
        "edge_group_ids": _str(payload.get("edge_group_ids", cfg.get("edge_group_ids"))),
        "graph_editor_enabled": _bool(payload.get("graph_editor_enabled")),
        "has_savepoint": _bool(payload.get("has_savepoint")),
        "checkpoint_enabled": _bool(cfg.get("checkpoint_enabled", payload.get("checkpoint_enabled"))),
        "log_enabled": _bool(cfg.get("log_enabled", payload.get("log_enabled"))),
        "jar_url": _str(payload.get("jar_url")),
        "main_class": _str(payload.get("main_class")),
        "args": _str(payload.get("args")),
        "execution_graph": _str(payload.get("execution_graph")),
        "raw": payload,
    }


def _job_fingerprint(payload: Mapping[str, Any], cluster_name: str) -> str:
    return fingerprint(payload, exclude=VOLATILE_JOB_FIELDS, extra=cluster_name or None)


@dataclass
class JobPageResult:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    status_changes: int = 0
    statements: int = 0


#: The columns a page of jobs writes: identity, snapshot and first_seen. The metrics columns are left
#: out: a new row gets their default (NULL) and a changed row keeps what the metrics sync wrote.
_JOB_WRITE_FIELDS = ("credential_id", "team_id", "job_id", *_JOB_SNAPSHOT_FIELDS, "first_seen")
_HISTORY_FIELDS = ("job_id", "previous_status", "status", "status_desc", "observed_at")


def _job_columns() -> bulk.Columns:
    return bulk.columns(Job, _JOB_WRITE_FIELDS)


def _apply_job_page(
    credential: Credential,
    page: list[Mapping[str, Any]],
    existing: dict[int, tuple[int, str, str, datetime | None]],
    now: datetime,
    cluster_names: Mapping[int, str],
) -> JobPageResult:
    """Write one page of listed jobs: one upsert of the new and changed, one insert of status history.

    A job whose fingerprint (hash of the listed payload without ``duration``) matches the stored one
    and that is not marked deleted costs nothing beyond computing the fingerprint. The others are
    written by one ``INSERT ... ON CONFLICT (credential_id, job_id) DO UPDATE`` (the snapshot columns
    and ``last_seen``; ``first_seen`` and the metrics columns of a stored job stay), which returns the
    ids the status history needs.
    """
    result = JobPageResult()
    rows: dict[int, tuple[Any, ...]] = {}  # job_id -> row in _JOB_WRITE_FIELDS order
    statuses: dict[int, tuple[str, str, str]] = {}  # job_id -> (previous, status, desc), if changed
    runs_info: dict[int, dict[str, Any]] = {}  # job_id -> the row's values (start, SPUs, cluster) for runs
    cred_pk = credential.pk
    team_pk = credential.team_id
    for payload in page:
        job_id = int(payload["job_id"])
        cluster_name = _str(payload.get("cluster_name"), 255) or cluster_names.get(
            _int(payload.get("cluster_id")) or -1, ""
        )
        fp = _job_fingerprint(payload, cluster_name)
        found = existing.get(job_id)
        if found is not None and found[1] == fp and found[3] is None:
            result.unchanged += 1  # the common case: nothing to build, nothing to write
            continue
        values = job_values(payload, cluster_names=cluster_names)
        values["fingerprint"] = fp
        values["last_seen"] = now
        values["deleted_at"] = None
        rows[job_id] = (cred_pk, team_pk, job_id, *[values[f] for f in _JOB_SNAPSHOT_FIELDS], now)
        runs_info[job_id] = values
        status, desc = values["status"], values["status_desc"]
        if found is None:
            statuses[job_id] = ("", status, desc)
        elif found[2] != status:
            statuses[job_id] = (found[2], status, desc)
        else:
            statuses.pop(job_id, None)  # a job listed twice on the page: the last listing wins
    if not rows:
        return result
    with transaction.atomic():
        written = bulk.insert(
            _job_columns(),
            list(rows.values()),
            conflict=("credential_id", "job_id"),
            update=_JOB_SNAPSHOT_FIELDS,
            returning=("id", "job_id"),
        )
        result.statements += written.statements
        if statuses:
            pks = {job_id: pk for pk, job_id in written.returned}
            history = bulk.insert(
                bulk.columns(JobStatusChange, _HISTORY_FIELDS),
                [
                    (pks[job_id], previous, status, desc, now)
                    for job_id, (previous, status, desc) in statuses.items()
                ],
            )
            result.statements += history.statements
            result.statements += (
                record_status_changes(
                    _run_change(pks[job_id], credential, previous, status, desc, now, runs_info[job_id])
                    for job_id, (previous, status, desc) in statuses.items()
                )
                and 2
            )
    result.created = sum(1 for job_id in rows if existing.get(job_id) is None)
    result.changed = len(rows) - result.created
    result.status_changes = len(statuses)
    return result


def _run_change(pk, credential, previous, status, desc, now, values) -> StatusChange:
    return StatusChange(
        job_pk=pk,
        team_id=credential.team_id,
        credential_id=credential.pk,
        previous=previous,
        status=status,
        desc=desc,
        observed_at=now,
        start_time=values.get("start_time"),
        duration_ms=values.get("duration"),
        spu=values.get("spu_number"),
        cluster_id=values.get("cluster_id"),
        cluster_name=values.get("cluster_name") or "",
        username=values.get("username") or "",
    )


def job_pages(client: csapi.CSClient, page_size: int) -> CursorPager:
    """The job listing with details, ascending ids, page by page, as plain dicts.

    The listing's own page method with ``dict`` items: the same request and the same fields as
    ``client.jobs.iter(show_detail=True, order="asc")``, without wrapping every item (and every
    nested mapping) in a result object the poller does not use.
    """

    def fetch(query: dict[str, Any]) -> Page:
        return client._list_page("/jobs", query, "jobs", dict)

    return CursorPager(
        fetch, id_key="job_id", page_size=page_size, params={"show_detail": True, "order": "asc"}
    )


def sync_jobs(credential: Credential, *, client: csapi.CSClient | None = None) -> int:
    """Snapshot every job of ``credential`` (listing with show_detail, ascending job ids, page by page).

    Pages are read in ascending id order, so each page is authoritative for the id range between the
    previous page's last id and its own: the one SELECT per page covers that range, which gives both
    the stored fingerprints and the stored jobs missing from CS. Those are marked deleted only after
    the listing completed; a failed listing marks nothing.
    """
    client = client or _client(credential)
    now = timezone.now()
    cluster_names = dict(
        Cluster.objects.filter(credential=credential, deleted_at__isnull=True).values_list(
            "cluster_id", "name"
        )
    )
    pager = job_pages(client, settings.POLL_PAGE_SIZE)
    ordered = True
    previous_last: int | None = None
    missing: list[int] = []
    seen: set[int] = set()
    total = 0
    for page in pager.pages():
        page = [job for job in page if _int(job.get("job_id")) is not None]
        if not page:
            continue
        ids = [int(job["job_id"]) for job in page]
        if ordered and (
            any(b <= a for a, b in zip(ids, ids[1:], strict=False))
            or (previous_last is not None and ids[0] <= previous_last)
        ):
            ordered = False  # CS ignored the order: fall back to comparing ids after the listing
        rows = Job.objects.filter(credential=credential)
        if ordered:
            rows = rows.filter(job_id__lte=ids[-1])
            if previous_last is not None:
                rows = rows.filter(job_id__gt=previous_last)
        else:
            rows = rows.filter(job_id__in=ids)
        existing = {
            job_id: (pk, fp, status, deleted_at)
            for pk, job_id, fp, status, deleted_at in rows.values_list(
                "pk", "job_id", "fingerprint", "status", "deleted_at"
            )
        }
        page_ids = set(ids)
        if ordered:
            missing.extend(j for j, row in existing.items() if j not in page_ids and row[3] is None)
        seen.update(page_ids)
        _apply_job_page(credential, page, existing, now, cluster_names)
        total += len(page)
        previous_last = ids[-1]
        if ordered and isinstance(pager.total, int) and total >= pager.total:
            # Every job CS counted has been read: skip the empty page that would only confirm the end.
            # Only jobs created after the listing began (higher ids, not stored yet) can follow.
            break
    # The listing completed: what CS no longer lists is gone.
    live = Job.objects.filter(credential=credential, deleted_at__isnull=True)
    if ordered:
        tail = live.filter(job_id__gt=previous_last) if previous_last is not None else live
        missing.extend(tail.values_list("job_id", flat=True))
        for start in range(0, len(missing), _DELETE_CHUNK):
            live.filter(job_id__in=missing[start : start + _DELETE_CHUNK]).update(deleted_at=now)
    else:
        gone = [j for j in live.values_list("job_id", flat=True).iterator() if j not in seen]
        for start in range(0, len(gone), _DELETE_CHUNK):
            live.filter(job_id__in=gone[start : start + _DELETE_CHUNK]).update(deleted_at=now)
    return total


# ------------------------------------------------------------------------------------------ metrics


def _metric_slot(now: datetime) -> datetime:
    """Samples are one per job per slot of the metrics interval: a repeated poll adds no duplicate."""
    step = max(1, int(_interval(Kind.METRICS)))
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % step, tz=UTC)


def _sum_records(streams: Any, key: str) -> int:
    total = 0
    for stream in streams if isinstance(streams, list) else []:
        total += _int(_mapping(stream).get(key)) or 0
    return total


_METRIC_SAMPLE_FIELDS = (
    "job_id",
    "sampled_at",
    "records_in",
    "records_out",
    "corrupted_records",
    "read_rate",
    "write_rate",
    "sources",
    "sinks",
)
_JOB_METRICS_FIELDS = (
    "id",
    "read_rate",
    "write_rate",
    "records_in",
    "records_out",
    "corrupted_records",
    "metrics_at",
)


def sync_metrics(credential: Credential, *, client: csapi.CSClient | None = None) -> int:
    """Fetch the monitoring figures of the running jobs: one ``jobs/metrics`` call per batch of ids.

    Per batch, one multi-row INSERT of the samples (conflicts with a sample of the same slot ignored)
    and one multi-row UPDATE of the jobs' latest figures.
    """
    client = client or _client(credential)
    batch = max(1, settings.POLL_METRICS_BATCH)
    after = 0
    seen = 0
    running = Job.objects.filter(credential=credential, deleted_at__isnull=True, status__in=RUNNING_STATUSES)
    while True:
        rows = list(running.filter(job_id__gt=after).order_by("job_id").values_list("pk", "job_id")[:batch])
        if not rows:
            break
        after = rows[-1][1]
        pks = {job_id: pk for pk, job_id in rows}
        answer = client.jobs.metrics(list(pks))
        now = timezone.now()
        slot = _metric_slot(now)
        samples: list[tuple[Any, ...]] = []  # in _METRIC_SAMPLE_FIELDS order
        updates: list[tuple[Any, ...]] = []  # in _JOB_METRICS_FIELDS order
        for item in answer:
            pk = pks.get(_int(item.get("job_id")) or -1)
            if pk is None:
                continue
            metrics = _mapping(item.get("metrics"))
            sources = _plain(metrics.get("sources") or [])
            sinks = _plain(metrics.get("sinks") or [])
            records_in = _sum_records(sources, "records")
            records_out = _sum_records(sinks, "records")
            corrupted = _sum_records(sources, "corrupted_records") + _sum_records(sinks, "corrupted_records")
            read_rate = _float(metrics.get("total_read_rate"))
            write_rate = _float(metrics.get("total_write_rate"))
            samples.append(
                (pk, slot, records_in, records_out, corrupted, read_rate, write_rate, sources, sinks)
            )
            updates.append((pk, read_rate, write_rate, records_in, records_out, corrupted, now))
        with transaction.atomic():
            # One sample per job and slot: a repeated poll within the slot adds nothing.
            bulk.insert(
                bulk.columns(MetricSample, _METRIC_SAMPLE_FIELDS),
                samples,
                conflict=("job_id", "sampled_at"),
                ignore_conflicts=True,
            )
            bulk.update(bulk.columns(Job, _JOB_METRICS_FIELDS), "id", updates)
        seen += len(samples)
        if len(rows) < batch:
            break
    return seen


# ------------------------------------------------------------------------------------------ audit


def _resource_type(event_name: str) -> str:
    lowered = event_name.lower()
    for kind in ("template", "cluster", "job"):
        if kind in lowered:
            return kind
    return ""


def audit_key(trace: Mapping[str, Any]) -> str:
    """CS gives traces no id: the key is a hash of the whole trace as received."""
    text = json.dumps(trace, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def sync_audit(credential: Credential, *, client: csapi.CSClient | None = None) -> int:
    """Fetch new audit traces (newest first, 50 a page) down to those a finished sync already read.

    A sync stops at a page that brings nothing new and reaches back to ``complete_through``: the
    newest trace time when the last *finished* sync began. A sync cut off half-way (a CS fault, a
    killed worker) does not move that mark, so the next one reads on past the pages it had stored
    instead of stopping at them and losing the older traces it never reached. At most
    ``POLL_AUDIT_MAX_PAGES`` pages are read. Traces are de-duplicated by key
    (``bulk_create(ignore_conflicts=True)``), so a retried or overlapping sync adds no duplicates.
    """
    client = client or _client(credential)
    now = timezone.now()
    inserted = 0
    health = _health(credential.pk, Kind.AUDIT)
    mark = health.complete_through
    newest: datetime | None = None
    pager = client.audit_logs.iter(max_pages=max(1, settings.POLL_AUDIT_MAX_PAGES))
    for page in pager.pages():
        times = [t for t in (_ts(trace.get("op_time")) for trace in page) if t is not None]
        if times and newest is None:
            newest = max(times)
        traces = {}
        for trace in page:
            traces.setdefault(audit_key(trace), trace)
        known = set(
            AuditTrace.objects.filter(credential=credential, key__in=list(traces)).values_list(
                "key", flat=True
            )
        )
        fresh = [
            AuditTrace(
                credential_id=credential.pk,
                team_id=credential.team_id,
                key=key,
                resource_type=_str(trace.get("resource_type"), 32)
                or _resource_type(_str(trace.get("event_name"))),
                resource_id=_str(trace.get("resource_id"), 64),
                resource_name=_str(trace.get("resource_name"), 255),
                event_name=_str(trace.get("event_name"), 128),
                event_type=_str(trace.get("event_type"), 64),
                event_rating=_str(trace.get("event_rating"), 32),
                op_user=_str(trace.get("op_user"), 128),
                op_time=_ts(trace.get("op_time")),
                op_ip=_str(trace.get("op_ip"), 64),
                op_result=_str(trace.get("op_result")),
                result_code=_str(trace.get("op_result")).split("::", 1)[0][:32]
                if "::" in _str(trace.get("op_result"))
                else "",
                raw=_plain(trace),
                first_seen=now,
            )
            for key, trace in traces.items()
            if key not in known
        ]
        if fresh:
            AuditTrace.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=len(fresh))
            inserted += len(fresh)
        elif mark is not None and times and min(times) <= mark:
            break  # newest first: everything from here down was read by a finished sync
    if newest is not None:
        PollHealth.objects.filter(pk=health.pk).update(complete_through=newest)
    return inserted


# ------------------------------------------------------------------------------------------ snapshots


def _upsert(
    model: type[Model],
    scope: Q,
    key_field: str,
    items: Iterable[tuple[Any, dict[str, Any]]],
    now: datetime,
    *,
    base: dict[str, Any],
    soft_delete: bool,
) -> dict[Any, int]:
    """Upsert a small complete set of snapshot rows under ``scope`` (a credential, a cluster, ...).

    ``items`` are (key, values) with ``values["fingerprint"]`` set. Rows missing from the set are
    marked deleted (``soft_delete``) or removed. Unchanged rows are not written. Returns key -> pk.
    """
    existing = {
        key: (pk, fp, deleted)
        for pk, key, fp, deleted in model.objects.filter(scope).values_list(
            "pk",
            key_field,
            "fingerprint",
            "deleted_at" if soft_delete else "pk",
        )
    }
    fields = None
    creates: list[Model] = []
    updates: list[Model] = []
    seen: dict[Any, int | None] = {}
    for key, values in items:
        if key in seen:
            continue
        fields = fields or [*values, "last_seen", *(["deleted_at"] if soft_delete else [])]
        found = existing.get(key)
        if found is None:
            obj = model(**base, **{key_field: key}, **values, last_seen=now)
            if soft_delete:
                obj.first_seen = now
            creates.append(obj)
            seen[key] = None
            continue
        pk, old_fp, deleted = found
        seen[key] = pk
        if old_fp == values["fingerprint"] and not (soft_delete and deleted is not None):
            continue
        obj = model(pk=pk, **base, **{key_field: key}, **values, last_seen=now)
        if soft_delete:
            obj.deleted_at = None
        updates.append(obj)
    gone = [found[0] for key, found in existing.items() if key not in seen]
    with transaction.atomic():
        if creates:
            model.objects.bulk_create(creates)
            if any(obj.pk is None for obj in creates):
                pks = dict(
                    model.objects.filter(
                        scope, **{f"{key_field}__in": [getattr(o, key_field) for o in creates]}
                    ).values_list(key_field, "pk")
                )
                for obj in creates:
                    obj.pk = pks[getattr(obj, key_field)]
            for obj in creates:
                seen[getattr(obj, key_field)] = obj.pk
        if updates and fields:
            model.objects.bulk_update(updates, fields)
        if gone:
            rows = model.objects.filter(pk__in=gone)
            if soft_delete:
                rows.filter(deleted_at__isnull=True).update(deleted_at=now)
            else:
                rows.delete()
    return {key: pk for key, pk in seen.items() if pk is not None}


def _keyed(items: Iterable[Mapping[str, Any]], key: Callable[[Mapping[str, Any]], Any], values) -> Iterator:
    for item in items:
        k = key(item)
        if k is None or k == "":
            continue
        v = values(item)
        v["raw"] = _plain(item)
        v["fingerprint"] = fingerprint(item, exclude=("duration",))
        yield k, v


def template_values(t: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": _str(t.get("name"), 255),
        "desc": _str(t.get("desc")),
        "sql_body": _str(t.get("sql_body")),
        "job_type": _str(t.get("job_type"), 64),
        "create_time": _ts(t.get("create_time")),
        "update_time": _ts(t.get("update_time")),
    }


def sync_templates(credential: Credential, *, client: csapi.CSClient | None = None) -> int:
    """Snapshot the custom job templates (5.2.4; at most 100 per project)."""
    client = client or _client(credential)
    items = list(
        _keyed(
            client.templates.iter(page_size=settings.POLL_PAGE_SIZE),
            lambda t: _int(t.get("template_id")),
            template_values,
        )
    )
    _upsert(
        Template,
        Q(credential=credential),
        "template_id",
        items,
        timezone.now(),
        base={"credential_id": credential.pk, "team_id": credential.team_id},
        soft_delete=True,
    )
    return len(items)


def cluster_values(c: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": _str(c.get("name"), 255),
        "desc": _str(c.get("desc")),
        "status_code": _int(c.get("status_code")),
        "status_name": _str(c.get("status_name"), 64),
        "status_desc": _str(c.get("status_desc")),
        "spu_used": _int(c.get("spu_used")),
        "maximum_spu_quota": _int(c.get("maximum_spu_quota")),
        "manager_node_spu": _int(c.get("manager_node_spu")),
        "region_id": _str(c.get("region_id"), 64),
        "error_reason": _str(c.get("error_reason")),
        "created_at": _ts(c.get("created_at")),
        "vpc_cidr": _str(c.get("vpc_cidr"), 64),
        "subnet_cidr": _str(c.get("subnet_cidr"), 64),
        "subnet_gateway": _str(c.get("subnet_gateway"), 64),
        "sys_enterprise_project_id": _str(c.get("sys_enterprise_project_id"), 64),
        "sys_enterprise_project_name": _str(c.get("sys_enterprise_project_name"), 255),
    }


def cluster_job_values(j: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": _str(j.get("name"), 255),
        "desc": _str(j.get("desc")),
        "user_name": _str(j.get("user_name") or j.get("username"), 128),
        "job_type": _str(j.get("job_type"), 64),
        "status": _str(j.get("status"), 64),
        "status_desc": _str(j.get("status_desc")),
        "spu_number": _int(j.get("spu_number")),
        "parallel_number": _int(j.get("parallel_number")),
        "create_time": _ts(j.get("create_time")),
        "start_time": _ts(j.get("start_time")),
        "duration": _int(j.get("duration")),
        "root_id": _int(j.get("root_id")),
        "graph_editor_enabled": _bool(j.get("graph_editor_enabled")),
    }


def host_values(h: Mapping[str, Any]) -> dict[str, Any]:
    info = _mapping(h.get("info"))
    return {
        "ip": _str(info.get("ip", h.get("ip")), 64),
        "hostname": _str(info.get("hostname", h.get("hostname")), 255),
    }


def peering_values(p: Mapping[str, Any]) -> dict[str, Any]:
    request = _mapping(p.get("request_vpc_info"))
    accept = _mapping(p.get("accept_vpc_info"))
    return {
        "name": _str(p.get("name"), 255),
        "status": _str(p.get("status"), 32),
        "request_vpc_id": _str(request.get("vpc_id"), 64),
        "request_tenant_id": _str(request.get("tenant_id"), 64),
        "request_vpc_cidr": _str(request.get("vpc_cidr"), 64),
        "request_subnet_cidr": _str(request.get("subnet_cidr"), 64),
        "accept_vpc_id": _str(accept.get("vpc_id"), 64),
        "accept_tenant_id": _str(accept.get("tenant_id"), 64),
    }


def route_values(r: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": _str(r.get("type"), 32),
        "destination": _str(r.get("destination"), 64),
        "nexthop": _str(r.get("nexthop"), 64),
        "vpc_id": _str(r.get("vpc_id"), 64),
        "tenant_id": _str(r.get("tenant_id"), 64),
    }


def _cluster_children(client: csapi.CSClient, cluster_id: int) -> tuple[list, list, list, dict]:
    jobs = list(
        _keyed(
            client.clusters.iter_jobs(cluster_id, page_size=settings.POLL_PAGE_SIZE),
            lambda j: _int(j.get("job_id")),
            cluster_job_values,
        )
    )
    hosts = list(
        _keyed(
            client.hosts.iter(cluster_id, page_size=settings.POLL_PAGE_SIZE),
            lambda h: _int(h.get("id")),
            host_values,
        )
    )
    peerings = list(_keyed(client.peerings.list(cluster_id), lambda p: _str(p.get("id"), 64), peering_values))
    routes = {
        peering_id: list(
            _keyed(client.routes.list(cluster_id, peering_id), lambda r: _str(r.get("id"), 64), route_values)
        )
        for peering_id, _p in peerings
    }
    return jobs, hosts, peerings, routes


def sync_clusters(credential: Credential, *, client: csapi.CSClient | None = None) -> int:
    """Snapshot the exclusive clusters, then per live cluster its jobs, host mappings, peerings and routes.

    One list call per cluster for each (and one route list per peering). A cluster's children are
    written in one transaction after all of that cluster's lists were read.
    """
    client = client or _client(credential)
    now = timezone.now()
    items = list(
        _keyed(
            client.clusters.iter(page_size=settings.POLL_PAGE_SIZE),
            lambda c: _int(c.get("cluster_id")),
            cluster_values,
        )
    )
    pks = _upsert(
        Cluster,
        Q(credential=credential),
        "cluster_id",
        items,
        now,
        base={"credential_id": credential.pk, "team_id": credential.team_id},
        soft_delete=True,
    )
    for cluster_id, _values in items:
        cluster_pk = pks[cluster_id]
        try:
            children = _cluster_children(client, cluster_id)
        except csapi.CSNotFound:  # deleted since it was listed: the next cycle marks it deleted
            continue
        jobs, hosts, peerings, routes = children
        with transaction.atomic():
            base = {"cluster_id": cluster_pk}
            _upsert(ClusterJob, Q(cluster_id=cluster_pk), "job_id", jobs, now, base=base, soft_delete=False)
            _upsert(
                HostMapping, Q(cluster_id=cluster_pk), "host_id", hosts, now, base=base, soft_delete=False
            )
            peering_pks = _upsert(
                Peering, Q(cluster_id=cluster_pk), "peering_id", peerings, now, base=base, soft_delete=False
            )
            for peering_id, route_items in routes.items():
                peering_pk = peering_pks[peering_id]
                _upsert(
                    Route,
                    Q(peering_id=peering_pk),
                    "route_id",
                    route_items,
                    now,
                    base={"peering_id": peering_pk},
                    soft_delete=False,
                )
    return len(items)


def quota_values(u: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "user_name": _str(u.get("user_name"), 128),
        "spu_quota": _int(u.get("spu_quota")),
        "spu_used": _int(u.get("spu_used")),
        "clusters": _plain(u.get("clusters") or []),
    }


def sync_quotas(credential: Credential, *, client: csapi.CSClient | None = None) -> int:
    """Snapshot the users' SPU quotas (5.3.14) and append one totals sample for the SPU chart."""
    client = client or _client(credential)
    now = timezone.now()
    items = list(
        _keyed(
            client.quotas.iter(page_size=settings.POLL_PAGE_SIZE),
            lambda u: _str(u.get("user_id"), 64),
            quota_values,
        )
    )
    with transaction.atomic():
        _upsert(
            UserQuota,
            Q(credential=credential),
            "user_id",
            items,
            now,
            base={"credential_id": credential.pk, "team_id": credential.team_id},
            soft_delete=True,
        )
        UserQuotaSample.objects.create(
            credential=credential,
            team_id=credential.team_id,
            sampled_at=now,
            spu_used=sum(v["spu_used"] or 0 for _k, v in items),
            spu_quota=sum(v["spu_quota"] or 0 for _k, v in items),
            users=len(items),
        )
    return len(items)


_JOB_OVERVIEW_FIELDS = {
    "total_jobs": _int,
    "running_jobs_count": _int,
    "finished_job_count": _int,
    "exception_job_count": _int,
    "running_job_charge": _float,
    "running_job_price": _float,
    "running_job_total_spu": _int,
    "running_job_total_time": _float,
}
_CLUSTER_OVERVIEW_FIELDS = {
    "total_clusters": _int,
    "running_cluster_count": _int,
    "exception_cluster_count": _int,
    "other_cluster_count": _int,
    "running_cluster_charge": _float,
    "running_cluster_price": _float,
    "running_cluster_total_spu": _int,
    "running_cluster_total_time": _float,
}


def sync_overview(credential: Credential, *, client: csapi.CSClient | None = None) -> int:
    """Append one overview snapshot (5.1.3: job and cluster counts, prices, costs), then prune by age."""
    client = client or _client(credential)
    payload = client.account.overview()
    jobs = _mapping(payload.get("job_overview"))
    clusters = _mapping(payload.get("cluster_overview"))
    values: dict[str, Any] = {name: conv(jobs.get(name)) for name, conv in _JOB_OVERVIEW_FIELDS.items()}
    values.update({name: conv(clusters.get(name)) for name, conv in _CLUSTER_OVERVIEW_FIELDS.items()})
    OverviewSnapshot.objects.create(
        credential=credential,
        team_id=credential.team_id,
        taken_at=timezone.now(),
        cs_time=_ts(getattr(payload, "meta", {}).get("current_time") or payload.get("current_time")),
        total_cost=_float(payload.get("total_cost")),
        billing_unit=_str(jobs.get("billing_unit") or clusters.get("billing_unit"), 16),
        time_unit=_str(jobs.get("time_unit") or clusters.get("time_unit"), 16),
        raw=_plain(payload),
        **values,
    )
    prune(credential)
    return 1


def prune(credential: Credential, *, now: datetime | None = None) -> int:
    """Delete time-series rows of ``credential`` older than ``POLL_RETENTION_DAYS``."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.POLL_RETENTION_DAYS)
    deleted = 0
    job_ids = Job.objects.filter(credential=credential).values("pk")
    deleted += MetricSample.objects.filter(job_id__in=job_ids, sampled_at__lt=cutoff).delete()[0]
    deleted += UserQuotaSample.objects.filter(credential=credential, sampled_at__lt=cutoff).delete()[0]
    deleted += OverviewSnapshot.objects.filter(credential=credential, taken_at__lt=cutoff).delete()[0]
    deleted += AuditTrace.objects.filter(credential=credential, op_time__lt=cutoff).delete()[0]
    return deleted


SYNCS: dict[str, Callable[..., int]] = {
    Kind.JOBS: sync_jobs,
    Kind.METRICS: sync_metrics,
    Kind.AUDIT: sync_audit,
    Kind.CLUSTERS: sync_clusters,
    Kind.QUOTAS: sync_quotas,
    Kind.TEMPLATES: sync_templates,
    Kind.OVERVIEW: sync_overview,
}


# ------------------------------------------------------------------------------------------ running a sync


def _client(credential: Credential) -> csapi.CSClient:
    from dashboard.teams.cs import client_for

    return client_for(credential)


def lock_key(credential_id: int, kind: str) -> str:
    return f"poll-lock:{credential_id}:{kind}"


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _owner_is_dead(value: Any) -> bool:
    """Whether a lock value names a process of this host that no longer runs (a killed worker)."""
    try:
        host, pid, _token = str(value).split(":", 2)
        if host != socket.gethostname():
            return False
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (ValueError, PermissionError, OSError):
        return False
    return False


@contextmanager
def poll_lock(credential_id: int, kind: str) -> Iterator[bool]:
    """The per-credential, per-kind lock: the cache's atomic ``add`` with a timeout.

    The value names the holder (host, pid): a lock left by a killed process of the same host is
    taken over at once; one left on another host expires after ``POLL_LOCK_TIMEOUT``. Yields
    whether it was acquired.
    """
    key = lock_key(credential_id, kind)
    value = f"{_owner()}:{uuid.uuid4().hex}"
    acquired = bool(cache.add(key, value, timeout=settings.POLL_LOCK_TIMEOUT))
    if not acquired:
        held = cache.get(key)
        if held is not None and _owner_is_dead(held):
            if cache.get(key) == held:
                cache.delete(key)
            acquired = bool(cache.add(key, value, timeout=settings.POLL_LOCK_TIMEOUT))
    try:
        yield acquired
    finally:
        if acquired and cache.get(key) == value:
            cache.delete(key)


def backoff_seconds(kind: str, failures: int) -> float:
    """interval x 2**(failures-1), capped at ``POLL_BACKOFF_MAX`` (never below the interval)."""
    interval = _interval(kind)
    if failures <= 0:
        return interval
    return max(interval, min(float(settings.POLL_BACKOFF_MAX), interval * 2 ** min(failures - 1, 20)))


def readable_error(exc: BaseException) -> str:
    """The text shown on pages and in poll health: CS's own message, never a secret or a traceback."""
    if isinstance(exc, csapi.CSError):
        text = str(exc)
    else:
        text = f"Internal error while polling ({type(exc).__name__}); see the worker log."
    return text[:2000]


def _health(credential_id: int, kind: str) -> PollHealth:
    health, _ = PollHealth.objects.get_or_create(credential_id=credential_id, kind=kind)
    return health


def record_success(health: PollHealth, *, items: int, started: float, finished: datetime) -> None:
    health.last_success = finished
    health.consecutive_failures = 0
    health.last_error = ""
    health.next_attempt = finished + timedelta(seconds=_interval(health.kind))
    health.last_duration_ms = int((time.monotonic() - started) * 1000)
    health.last_items = items
    health.save(
        update_fields=[
            "last_success",
            "consecutive_failures",
            "last_error",
            "next_attempt",
            "last_duration_ms",
            "last_items",
        ]
    )


def record_failure(
    health: PollHealth, *, error: str, started: float, finished: datetime, retry_after: float | None = None
) -> None:
    health.consecutive_failures += 1
    health.last_error = error
    health.last_error_at = finished
    wait = backoff_seconds(health.kind, health.consecutive_failures)
    if retry_after:
        wait = max(wait, min(float(retry_after), float(settings.POLL_BACKOFF_MAX)))
    health.next_attempt = finished + timedelta(seconds=wait)
    health.last_duration_ms = int((time.monotonic() - started) * 1000)
    health.save(
        update_fields=[
            "consecutive_failures",
            "last_error",
            "last_error_at",
            "next_attempt",
            "last_duration_ms",
        ]
    )


def mark_needs_attention(credential: Credential, error: str) -> None:
    """CS rejected the credential: stop polling it until a lead edits it (the form clears the flag)."""
    Credential.objects.filter(pk=credential.pk).update(needs_attention=True, last_error=error)
    credential.needs_attention = True
    credential.last_error = error


def sync(credential_id: int, kind: str) -> SyncResult:
    """Run one sync of ``kind`` for a credential under its lock, and record how it went."""
    if kind not in SYNCS:
        raise ValueError(f"unknown poll kind {kind!r}")
    credential = Credential.objects.select_related("team").filter(pk=credential_id).first()
    if credential is None:
        return SyncResult(kind, ok=False, skipped="credential deleted")
    if credential.needs_attention:
        return SyncResult(kind, ok=False, skipped="credential needs attention")
    with poll_lock(credential_id, kind) as acquired:
        if not acquired:
            return SyncResult(kind, ok=False, skipped="already running")
        try:
            return _attempt(credential, kind)
        finally:
            # Snapshots and poll health changed (or may have, on failure): the team's pages follow.
            team_changed(credential.team_id)


def _attempt(credential: Credential, kind: str) -> SyncResult:
    """One sync of ``kind`` for ``credential`` (its lock held), with its outcome in poll health."""
    credential_id = credential.pk
    health = _health(credential_id, kind)
    started = time.monotonic()
    health.last_attempt = timezone.now()
    health.save(update_fields=["last_attempt"])
    try:
        with _client(credential) as client:
            items = SYNCS[kind](credential, client=client)
    except csapi.CSAuthError as exc:
        error = readable_error(exc)
        logger.warning(
            "poll %s of credential %s: authentication failed: %s", kind, credential.public_id, error
        )
        mark_needs_attention(credential, error)
        record_failure(health, error=error, started=started, finished=timezone.now())
        # Polling of this credential pauses on needs_attention; once a lead fixes it, it is due at once.
        PollHealth.objects.filter(credential_id=credential_id).update(next_attempt=timezone.now())
        _evaluate_alerts(credential_id, kind, ok=False, started_at=health.last_attempt)
        return SyncResult(kind, ok=False, error=error)
    except Exception as exc:  # every failure is recorded; the next cycle retries after the backoff
        error = readable_error(exc)
        if isinstance(exc, csapi.CSError):
            logger.warning("poll %s of credential %s failed: %s", kind, credential.public_id, error)
        else:
            logger.exception("poll %s of credential %s failed", kind, credential.public_id)
        record_failure(
            health,
            error=error,
            started=started,
            finished=timezone.now(),
            retry_after=getattr(exc, "retry_after", None),
        )
        _evaluate_alerts(credential_id, kind, ok=False, started_at=health.last_attempt)
        return SyncResult(kind, ok=False, error=error)
    record_success(health, items=items, started=started, finished=timezone.now())
    _evaluate_alerts(credential_id, kind, ok=True, started_at=health.last_attempt)
    return SyncResult(kind, ok=True, items=items)


def _evaluate_alerts(credential_id: int, kind: str, *, ok: bool, started_at: datetime) -> None:
    """Alert rules read what this sync wrote (``dashboard.alerts``); they never raise into polling."""
    from dashboard.alerts.services import evaluate_after_sync

    evaluate_after_sync(credential_id=credential_id, kind=kind, ok=ok, started_at=started_at)


def sync_all(credential_id: int, kinds: Iterable[str] = KINDS) -> dict[str, SyncResult]:
    """Run every kind for one credential now, in dependency order (clusters before jobs for names)."""
    order = [Kind.CLUSTERS, Kind.JOBS, Kind.METRICS, Kind.AUDIT, Kind.QUOTAS, Kind.TEMPLATES, Kind.OVERVIEW]
    wanted = set(kinds)
    return {kind: sync(credential_id, kind) for kind in order if kind in wanted}


# ------------------------------------------------------------------------------------------ scheduling


def pollable_credentials():
    """Credentials the poller works for: with a secret, and not waiting for a lead to fix them."""
    return Credential.objects.filter(needs_attention=False).exclude(secret_encrypted="")


def ensure_health_rows(now: datetime | None = None) -> None:
    """One PollHealth row per pollable credential and kind (new credentials are due at once)."""
    ids = list(pollable_credentials().values_list("pk", flat=True))
    if not ids:
        return
    have = set(PollHealth.objects.filter(credential_id__in=ids).values_list("credential_id", "kind"))
    now = now or timezone.now()
    missing = [
        PollHealth(credential_id=cid, kind=kind, next_attempt=now)
        for cid in ids
        for kind in KINDS
        if (cid, kind) not in have
    ]
    if missing:
        PollHealth.objects.bulk_create(missing, ignore_conflicts=True)


def refresh_soon(credential: Credential, kinds: Iterable[str] | str = (Kind.JOBS,)) -> None:
    """After a user action: sync ``kinds`` of ``credential`` as soon as the current transaction commits."""
    wanted = [kinds] if isinstance(kinds, str) else list(kinds)
    unknown = [k for k in wanted if k not in SYNCS]
    if unknown:
        raise ValueError(f"unknown poll kinds: {', '.join(unknown)}")
    credential_id = credential.pk

    def enqueue() -> None:
        from dashboard.polling.tasks import sync_task

        for kind in wanted:
            try:
                sync_task.delay(credential_id, kind)
            except Exception:  # the broker is down: the scheduled poll catches up
                logger.warning("could not enqueue a refresh of %s for credential %s", kind, credential_id)

    transaction.on_commit(enqueue)
