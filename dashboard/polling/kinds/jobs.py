"""Jobs: the job listing (5.1.11 with ``show_detail``), page by page, into ``Job`` and its status history.

Costs: one list call per page, and per page a constant number of SQL statements: one SELECT of the
stored fingerprints covering the page, then, if anything on it is new or changed, one
``bulk_create(update_conflicts=True)`` of those jobs and one ``bulk_create`` of their status changes,
in one transaction. (On SQLite, Django splits a statement at its 999-parameter limit, so a page of 100
new jobs takes a few INSERTs; on PostgreSQL, one.) A job whose listed payload did not change costs its
fingerprint and nothing else; its row is not written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

import csapi
from csapi.models import Page
from csapi.pagination import CursorPager
from dashboard.clusters.models import Cluster
from dashboard.jobs.models import Job, JobStatusChange
from dashboard.polling.clients import client as _client
from dashboard.polling.coerce import boolean, fingerprint, integer, mapping, text, timestamp
from dashboard.polling.kinds import Synced
from dashboard.teams.models import Credential

#: Listed job fields that change on every poll of a running job without anything happening:
#: left out of the fingerprint so that an unchanged job costs no write.
VOLATILE_JOB_FIELDS = frozenset({"duration"})
#: Job ids per UPDATE that marks jobs deleted.
DELETE_CHUNK = 500

#: The columns a listing owns: what a changed job's upsert overwrites. ``first_seen`` (set once) and
#: the metrics columns (``kinds.metrics`` writes them) are not among them.
SNAPSHOT_FIELDS = (
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


def listed_cluster_name(payload: Mapping[str, Any], cluster_names: Mapping[int, str]) -> str:
    """The job's cluster name: as listed, else the stored cluster's (the listing often leaves it out)."""
    name = text(payload.get("cluster_name"), 255)
    if name or not cluster_names:
        return name
    cluster_id = integer(payload.get("cluster_id"))
    return cluster_names.get(cluster_id, "") if cluster_id is not None else ""


def job_values(
    payload: Mapping[str, Any],
    *,
    cluster_names: Mapping[int, str] | None = None,
    cluster_name: str | None = None,
) -> dict[str, Any]:
    """The snapshot columns of a listed job (5.1.11 with show_detail, 5.1.12), ``raw`` included."""
    get = payload.get
    cfg = mapping(get("job_config"))
    if cluster_name is None:
        cluster_name = listed_cluster_name(payload, cluster_names or {})
    return {
        "name": text(get("name"), 255),
        "desc": text(get("desc")),
        "username": text(get("username") or get("user_name"), 128),
        "user_id": text(get("user_id"), 64),
        "project_id": text(get("project_id"), 64),
        "job_type": text(get("job_type"), 64),
        "status": text(get("status") or get("status_name"), 64),
        "status_desc": text(get("status_desc")),
        "run_mode": text(get("run_mode"), 32),
        "cluster_id": integer(get("cluster_id")),
        "cluster_name": cluster_name,
        "spu_number": integer(get("spu_number")),
        "parallel_number": integer(get("parallel_number")),
        "create_time": timestamp(get("create_time")),
        "start_time": timestamp(get("start_time")),
        "update_time": timestamp(get("update_time")),
        "duration": integer(get("duration")),
        "sql_body": text(get("sql_body")),
        "job_config": dict(cfg) if cfg else None,
        "root_id": integer(get("root_id", cfg.get("root_id"))),
        "edge_group_ids": text(get("edge_group_ids", cfg.get("edge_group_ids"))),
        "graph_editor_enabled": boolean(get("graph_editor_enabled")),
        "has_savepoint": boolean(get("has_savepoint")),
        "checkpoint_enabled": boolean(cfg.get("checkpoint_enabled", get("checkpoint_enabled"))),
        "log_enabled": boolean(cfg.get("log_enabled", get("log_enabled"))),
        "jar_url": text(get("jar_url")),
        "main_class": text(get("main_class")),
        "args": text(get("args")),
        "execution_graph": text(get("execution_graph")),
        "raw": payload,
    }


def job_fingerprint(payload: Mapping[str, Any], cluster_name: str) -> str:
    """The payload without its volatile fields, and the cluster name shown (which may come from the
    stored cluster rather than the listing)."""
    return fingerprint(payload, exclude=VOLATILE_JOB_FIELDS, extra=cluster_name or None)


@cache
def _job_attnames() -> tuple[str, ...]:
    return tuple(f.attname for f in Job._meta.concrete_fields)


def _job(values: Mapping[str, Any]) -> Job:
    """A ``Job`` from its column values: positional arguments, Django's fast way to build an instance
    (keyword arguments cost a lookup per field); absent columns (the primary key, the metrics) are None."""
    return Job(*[values.get(name) for name in _job_attnames()])


@dataclass
class JobPageResult:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    status_changes: int = 0

    @property
    def written(self) -> int:
        return self.created + self.changed


#: A stored job as the page's SELECT reads it: (pk, fingerprint, status, deleted_at).
Stored = tuple[int, str, str, datetime | None]


def apply_page(
    credential: Credential,
    page: list[Mapping[str, Any]],
    existing: Mapping[int, Stored],
    now: datetime,
    cluster_names: Mapping[int, str],
) -> JobPageResult:
    """Write one page of listed jobs: one upsert of the new and changed, one insert of status changes.

    A job whose fingerprint matches the stored one and that is not marked deleted costs nothing but its
    fingerprint. The others are built once, straight into ``Job`` instances, and written by one
    ``INSERT ... ON CONFLICT (credential_id, job_id) DO UPDATE`` of :data:`SNAPSHOT_FIELDS` (so a stored
    job keeps ``first_seen`` and its metrics), which returns the primary keys the history rows need.
    A status change is appended when a job is new or its status differs from the stored one.
    """
    result = JobPageResult()
    jobs: dict[int, Job] = {}  # job_id -> the row to write; a job listed twice: the last listing wins
    changes: dict[int, tuple[str, str, str]] = {}  # job_id -> (previous, status, desc)
    identity = {"credential_id": credential.pk, "team_id": credential.team_id}
    for payload in page:
        job_id = int(payload["job_id"])
        cluster_name = listed_cluster_name(payload, cluster_names)
        fp = job_fingerprint(payload, cluster_name)
        found = existing.get(job_id)
        if found is not None and found[1] == fp and found[3] is None:
            result.unchanged += 1  # the common case: nothing to build, nothing to write
            continue
        values = job_values(payload, cluster_name=cluster_name)
        values.update(identity, job_id=job_id, fingerprint=fp, first_seen=now, last_seen=now)
        jobs[job_id] = _job(values)
        status = values["status"]
        if found is None:
            changes[job_id] = ("", status, values["status_desc"])
        elif found[2] != status:
            changes[job_id] = (found[2], status, values["status_desc"])
        else:
            changes.pop(job_id, None)
    if not jobs:
        return result
    with transaction.atomic():
        Job.objects.bulk_create(
            list(jobs.values()),
            update_conflicts=True,
            unique_fields=("credential", "job_id"),
            update_fields=SNAPSHOT_FIELDS,
        )
        if changes:
            JobStatusChange.objects.bulk_create(
                [
                    JobStatusChange(None, jobs[job_id].pk, previous, status, desc, now)
                    for job_id, (previous, status, desc) in changes.items()
                ]
            )
    result.created = sum(1 for job_id in jobs if job_id not in existing)
    result.changed = len(jobs) - result.created
    result.status_changes = len(changes)
    return result


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


def sync_jobs(credential: Credential, *, client: csapi.CSClient | None = None) -> Synced:
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
    total = written = 0
    for page in pager.pages():
        page = [job for job in page if integer(job.get("job_id")) is not None]
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
        existing: dict[int, Stored] = {
            job_id: (pk, fp, status, deleted_at)
            for pk, job_id, fp, status, deleted_at in rows.values_list(
                "pk", "job_id", "fingerprint", "status", "deleted_at"
            )
        }
        page_ids = set(ids)
        if ordered:
            missing.extend(j for j, row in existing.items() if j not in page_ids and row[3] is None)
        seen.update(page_ids)
        written += apply_page(credential, page, existing, now, cluster_names).written
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
        gone = missing + list(tail.values_list("job_id", flat=True))
    else:
        gone = [j for j in live.values_list("job_id", flat=True).iterator() if j not in seen]
    for start in range(0, len(gone), DELETE_CHUNK):
        written += live.filter(job_id__in=gone[start : start + DELETE_CHUNK]).update(deleted_at=now)
    return Synced(items=total, written=written)
