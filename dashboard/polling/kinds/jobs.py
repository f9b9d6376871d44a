"""Jobs: the job listing (5.1.11 with ``show_detail``), page by page, into ``Job`` and its status history.

Costs: one list call per page, and per page a constant number of SQL statements: one SELECT of the
stored fingerprints covering the page, then, if anything on it is new or changed, one multi-row upsert
of those jobs and one multi-row INSERT of their status changes (:mod:`dashboard.polling.bulk`), in one
transaction. A job whose listed payload did not change costs its fingerprint and nothing else; its
row is not written. The next page is fetched while a page is written (:class:`PagesAhead`), so a
listing takes about the longer of its requests and its writes rather than their sum.

A DLI credential's jobs (D5 with ``show_detail``, DLI's offset paging) land in the same ``Job`` rows
with the same costs and guarantees (:func:`sync_dli_jobs`): ``service="dli"``, the CUs in
``spu_number``, and DLI's own columns (queue, manager and task manager CUs, slots, restarts,
savepoint path, Flink version, tags, resume settings) filled from the listing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

import csapi
from csapi.dli import limits as dli_limits
from csapi.dli.paging import OffsetPager
from csapi.dli.tags import tag_list
from csapi.models import Page
from csapi.pagination import CursorPager
from dashboard.clusters.models import Cluster
from dashboard.jobs.models import Job, JobStatusChange
from dashboard.jobs.runs import StatusChange, record_status_changes
from dashboard.polling import bulk
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


#: The columns a page of jobs writes: identity, snapshot and first_seen. The metrics columns are left
#: out: a new row gets their default (NULL) and a changed row keeps what the metrics sync wrote.
WRITE_FIELDS = ("credential_id", "team_id", "job_id", *SNAPSHOT_FIELDS, "first_seen")
HISTORY_FIELDS = ("job_id", "previous_status", "status", "status_desc", "observed_at")


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


def _stored(credential: Credential, ids: list[int], *, ordered: bool, after: int | None) -> dict[int, Stored]:
    """The stored jobs a listed page covers: in an ordered listing every stored id up to the page's
    last (after the previous page's), so that the ones the page skipped show up; else the page's ids."""
    rows = Job.objects.filter(credential=credential)
    if ordered:
        rows = rows.filter(job_id__lte=ids[-1])
        if after is not None:
            rows = rows.filter(job_id__gt=after)
    else:
        rows = rows.filter(job_id__in=ids)
    return {
        job_id: (pk, fp, status, deleted_at)
        for pk, job_id, fp, status, deleted_at in rows.values_list(
            "pk", "job_id", "fingerprint", "status", "deleted_at"
        )
    }


def apply_page(
    credential: Credential,
    page: list[Mapping[str, Any]],
    existing: Mapping[int, Stored],
    now: datetime,
    cluster_names: Mapping[int, str],
) -> JobPageResult:
    """Write one page of listed jobs: one upsert of the new and changed, one insert of status changes.

    A job whose fingerprint matches the stored one and that is not marked deleted costs nothing but its
    fingerprint. The others are built once, straight into rows of :data:`WRITE_FIELDS`, and written by
    one ``INSERT ... ON CONFLICT (credential_id, job_id) DO UPDATE`` of :data:`SNAPSHOT_FIELDS` (so a
    stored job keeps ``first_seen`` and its metrics), which returns the ids the history rows need.
    A status change is appended when a job is new or its status differs from the stored one.
    """
    result = JobPageResult()
    rows: dict[int, tuple[Any, ...]] = {}  # job_id -> row in WRITE_FIELDS order; the last listing wins
    changes: dict[int, tuple[str, str, str]] = {}  # job_id -> (previous, status, desc)
    run_values: dict[int, dict[str, Any]] = {}  # job_id -> what the job's run needs (start, SPUs, cluster)
    cred_pk, team_pk = credential.pk, credential.team_id
    for payload in page:
        job_id = int(payload["job_id"])
        cluster_name = listed_cluster_name(payload, cluster_names)
        fp = job_fingerprint(payload, cluster_name)
        found = existing.get(job_id)
        if found is not None and found[1] == fp and found[3] is None:
            result.unchanged += 1  # the common case: nothing to build, nothing to write
            continue
        values = job_values(payload, cluster_name=cluster_name)
        values["fingerprint"] = fp
        values["last_seen"] = now
        values["deleted_at"] = None
        rows[job_id] = (cred_pk, team_pk, job_id, *[values[f] for f in SNAPSHOT_FIELDS], now)
        run_values[job_id] = values
        status = values["status"]
        if found is None:
            changes[job_id] = ("", status, values["status_desc"])
        elif found[2] != status:
            changes[job_id] = (found[2], status, values["status_desc"])
        else:
            changes.pop(job_id, None)
    if not rows:
        return result
    _write(credential, WRITE_FIELDS, [(SNAPSHOT_FIELDS, list(rows.values()))], changes, run_values, now)
    result.created = sum(1 for job_id in rows if job_id not in existing)
    result.changed = len(rows) - result.created
    result.status_changes = len(changes)
    return result


def _write(
    credential: Credential,
    write_fields: tuple[str, ...],
    groups: list[tuple[tuple[str, ...], list[tuple[Any, ...]]]],
    changes: Mapping[int, tuple[str, str, str]],
    run_values: Mapping[int, Mapping[str, Any]],
    now: datetime,
) -> None:
    """One transaction: the page's new and changed jobs (one upsert per group of rows that overwrite
    the same columns, ``(update_fields, rows in write_fields order)``), their status changes in one
    INSERT, and the runs those changes open or close."""
    with transaction.atomic():
        pks: dict[int, int] = {}
        cols = bulk.columns(Job, write_fields)
        for update, group in groups:
            if not group:
                continue
            written = bulk.insert(
                cols,
                group,
                conflict=("credential_id", "job_id"),
                update=update,
                returning=("id", "job_id"),
            )
            pks.update((job_id, pk) for pk, job_id in written.returned)
        if changes:
            bulk.insert(
                bulk.columns(JobStatusChange, HISTORY_FIELDS),
                [(pks[job_id], *change, now) for job_id, change in changes.items()],
            )
            # the job's runs follow its status changes (dashboard.jobs.runs): a SELECT of the open
            # runs, then at most one UPDATE and one INSERT
            record_status_changes(
                _run_change(pks[job_id], credential, *change, now, run_values[job_id])
                for job_id, change in changes.items()
            )


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
        # a DLI run's place is its queue (billing per queue reads it here, as for the services' runs)
        cluster_name=(
            values.get("queue_name") if values.get("service") == "dli" else values.get("cluster_name")
        )
        or "",
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


class PagesAhead:
    """The pages of a listing, each next one fetched in a background thread while the last is written.

    The caller asks for the next page (:meth:`request`) as soon as it knows it wants one, does its
    database work, then takes the page (:meth:`take`). A page is fetched only when asked for, so the
    listing costs no request more than reading it page by page; the first page (which authenticates,
    and may read the shared token cache) is fetched in the caller's thread. The listing's iterator is
    only ever advanced by one thread at a time. On :meth:`close` an unfinished fetch is waited for
    (bounded by the client's timeout) and dropped.
    """

    def __init__(self, pages: Iterator[Page]) -> None:
        self._pages = pages
        self._fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="poll-fetch")
        self._pending: Future | None = None

    def request(self) -> None:
        if self._pending is None:
            self._pending = self._fetcher.submit(next, self._pages, None)

    def take(self) -> Page | None:
        """The next page (None at the end of the listing); fetched here if it was not requested."""
        if self._pending is None:
            return next(self._pages, None)
        pending, self._pending = self._pending, None
        return pending.result()

    def close(self) -> None:
        # A token refresh in the fetching thread may have opened a database connection (the token
        # cache of a deployment without Redis): close it there, then stop the thread.
        self._fetcher.submit(connections.close_all)
        self._fetcher.shutdown(wait=True)
        self._pages.close()

    def __enter__(self) -> PagesAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sync_jobs(
    credential: Credential, *, client: csapi.CSClient | None = None, synced: Synced | None = None
) -> Synced:
    """Snapshot every job of ``credential`` (listing with show_detail, ascending job ids, page by page).

    Pages are read in ascending id order, so each page is authoritative for the id range between the
    previous page's last id and its own: the one SELECT per page covers that range, which gives both
    the stored fingerprints and the stored jobs missing from CS. Those are marked deleted only after
    the listing completed; a failed listing marks nothing.
    """
    client = client or _client(credential)
    synced = synced or Synced()
    if credential.is_dli:
        return sync_dli_jobs(credential, client=client, synced=synced)
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
    with PagesAhead(pager.pages()) as listing:
        while (page := listing.take()) is not None:
            page = [job for job in page if integer(job.get("job_id")) is not None]
            if not page:
                continue
            ids = [int(job["job_id"]) for job in page]
            if ordered and (
                any(b <= a for a, b in zip(ids, ids[1:], strict=False))
                or (previous_last is not None and ids[0] <= previous_last)
            ):
                ordered = False  # CS ignored the order: fall back to comparing ids after the listing
            total += len(page)
            # Every job CS counted has been read: skip the empty page that would only confirm the end.
            # Only jobs created after the listing began (higher ids, not stored yet) can follow.
            complete = ordered and isinstance(pager.total, int) and total >= pager.total
            if not complete:
                listing.request()
            existing = _stored(credential, ids, ordered=ordered, after=previous_last)
            page_ids = set(ids)
            if ordered:
                missing.extend(j for j, row in existing.items() if j not in page_ids and row[3] is None)
            seen.update(page_ids)
            synced.written += apply_page(credential, page, existing, now, cluster_names).written
            synced.items = total
            previous_last = ids[-1]
            if complete:
                break
    # The listing completed: what CS no longer lists is gone.
    live = Job.objects.filter(credential=credential, deleted_at__isnull=True)
    if ordered:
        tail = live.filter(job_id__gt=previous_last) if previous_last is not None else live
        gone = missing + list(tail.values_list("job_id", flat=True))
    else:
        gone = [j for j in live.values_list("job_id", flat=True).iterator() if j not in seen]
    for start in range(0, len(gone), DELETE_CHUNK):
        synced.written += live.filter(job_id__in=gone[start : start + DELETE_CHUNK]).update(deleted_at=now)
    return synced


# ---------------------------------------------------------------------------------------------- DLI

#: DLI's own columns of a job (its size, place, restarts, savepoints, engine), written with the CS ones.
#: ``tags`` is not among them: DLI's listing does not carry a job's tags (the SDK's ``FlinkJob`` has
#: none), so a listed job keeps the tags the dashboard sent when it created or updated the job
#: (``dashboard.jobs.services.dli_snapshot_fields``); a listing that does carry them writes them.
DLI_FIELDS = (
    "service",
    "queue_name",
    "manager_cu_number",
    "tm_cus",
    "tm_slot_num",
    "restart_times",
    "savepoint_path",
    "flink_version",
    "resume_checkpoint",
    "resume_max_num",
)
DLI_SNAPSHOT_FIELDS = (*SNAPSHOT_FIELDS, *DLI_FIELDS)
DLI_WRITE_FIELDS = ("credential_id", "team_id", "job_id", *DLI_SNAPSHOT_FIELDS, "tags", "first_seen")
_DLI_WITH_TAGS = (*DLI_SNAPSHOT_FIELDS, "tags")


def wire(value: Any) -> Any:
    """A DLI client's result (``csapi.dli.models`` objects, dict subclasses) as plain JSON data.

    Numbers DLI wrote with a fraction reach the SDK as ``Decimal`` (it parses floats exactly): they
    become floats, as JSON has them. Plain dicts and lists fingerprint fast and store as they are.
    """
    if isinstance(value, dict):
        return {k: wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [wire(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    return value


def dli_job_values(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The snapshot columns of a DLI job as D5 lists it with ``show_detail`` (``FlinkJob`` with its
    ``job_config``), ``raw`` included.

    The same columns as a CS job where the concept is the same: the CUs in ``spu_number`` (DLI's
    ``cu_number``; ``real_cu_number`` where a job sized by ``resource_config`` names no
    ``cu_number``), a JAR job's ``entrypoint`` in ``jar_url`` and its ``entrypoint_args`` in
    ``args`` (the names :func:`dashboard.jobs.services.dli_snapshot_fields` uses too). A DLI job
    has no cluster: its place is ``queue_name``.
    """
    get = payload.get
    cfg = mapping(get("job_config"))
    cu = cfg.get("cu_number", get("cu_number"))
    if cu is None:
        cu = cfg.get("real_cu_number")
    edges = get("edge_group_ids", cfg.get("edge_group_ids"))
    values = {
        "name": text(get("name"), 255),
        "desc": text(get("desc")),
        "username": text(get("user_name") or get("username"), 128),
        "user_id": text(get("user_id"), 64),
        "project_id": text(get("project_id"), 64),
        "job_type": text(get("job_type"), 64),
        "status": text(get("status") or get("status_name"), 64),
        "status_desc": text(get("status_desc")),
        "run_mode": text(get("run_mode"), 32),
        "cluster_id": None,
        "cluster_name": "",
        "spu_number": integer(cu),
        "parallel_number": integer(cfg.get("parallel_number", get("parallel_number"))),
        "create_time": timestamp(get("create_time")),
        "start_time": timestamp(get("start_time")),
        "update_time": timestamp(get("update_time")),
        "duration": integer(get("duration")),
        "sql_body": text(get("sql_body")),
        "job_config": dict(cfg) if cfg else None,
        "root_id": integer(get("root_id", cfg.get("root_id"))),
        "edge_group_ids": ",".join(text(e) for e in edges) if isinstance(edges, list) else text(edges),
        "graph_editor_enabled": boolean(get("graph_editor_enabled", cfg.get("graph_editor_enabled"))),
        "has_savepoint": boolean(get("has_savepoint")),
        "checkpoint_enabled": boolean(cfg.get("checkpoint_enabled")),
        "log_enabled": boolean(cfg.get("log_enabled")),
        "jar_url": text(cfg.get("entrypoint", get("entrypoint"))),
        "main_class": text(get("main_class", cfg.get("main_class"))),
        "args": text(get("entrypoint_args", cfg.get("entrypoint_args"))),
        "execution_graph": text(get("execution_graph")),
        "raw": payload,
        "service": "dli",
        "queue_name": text(get("queue_name"), 128),
        "manager_cu_number": integer(cfg.get("manager_cu_number")),
        "tm_cus": integer(cfg.get("tm_cus")),
        "tm_slot_num": integer(cfg.get("tm_slot_num")),
        "restart_times": integer(get("restart_times")),
        "savepoint_path": text(get("savepoint_path")),
        "flink_version": text(cfg.get("flink_version", get("flink_version")), 32),
        "resume_checkpoint": boolean(cfg.get("resume_checkpoint")),
        "resume_max_num": integer(cfg.get("resume_max_num")),
    }
    values["tags"] = tag_list(get("tags")) if "tags" in payload else None
    return values


def _json_default(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else str(value)


_FINGERPRINT_JSON = json.JSONEncoder(
    default=_json_default, separators=(",", ":"), ensure_ascii=False, check_circular=False
)


def dli_job_fingerprint(payload: Mapping[str, Any]) -> str:
    """A hash of a listed DLI job without its volatile fields, computed on the client's result as it is.

    The client's results are dict subclasses (which ``marshal`` refuses), so the listing is hashed as its
    JSON text, which the C encoder writes without converting the job first: exact about types as JSON
    is (``1``, ``1.0``, ``true`` and ``"1"`` differ) and about DLI's member order. Only a job whose hash
    changed is converted (:func:`wire`) and written.
    """
    data = dict(payload)
    for key in VOLATILE_JOB_FIELDS:
        data.pop(key, None)
    return hashlib.blake2b(_FINGERPRINT_JSON.encode(data).encode(), digest_size=20).hexdigest()


def apply_dli_page(
    credential: Credential, page: list[Mapping[str, Any]], existing: Mapping[int, Stored], now: datetime
) -> JobPageResult:
    """Write one page of DLI jobs (the client's results, or plain dicts) as :func:`apply_page` does for CS.

    At most two upserts: the jobs whose listing carries tags overwrite them, the others keep theirs
    (DLI lists none; a new job without listed tags gets none). Then one INSERT of status changes.
    """
    result = JobPageResult()
    tagged: dict[int, tuple[Any, ...]] = {}
    untagged: dict[int, tuple[Any, ...]] = {}
    changes: dict[int, tuple[str, str, str]] = {}
    run_values: dict[int, dict[str, Any]] = {}
    cred_pk, team_pk = credential.pk, credential.team_id
    for payload in page:
        job_id = int(payload["job_id"])
        fp = dli_job_fingerprint(payload)
        found = existing.get(job_id)
        if found is not None and found[1] == fp and found[3] is None:
            result.unchanged += 1
            continue
        payload = wire(payload)
        values = dli_job_values(payload)
        values["fingerprint"] = fp
        values["last_seen"] = now
        values["deleted_at"] = None
        row = (cred_pk, team_pk, job_id, *[values[f] for f in DLI_SNAPSHOT_FIELDS], values["tags"], now)
        tagged.pop(job_id, None)
        untagged.pop(job_id, None)
        (tagged if "tags" in payload else untagged)[job_id] = row
        run_values[job_id] = values
        status = values["status"]
        if found is None:
            changes[job_id] = ("", status, values["status_desc"])
        elif found[2] != status:
            changes[job_id] = (found[2], status, values["status_desc"])
        else:
            changes.pop(job_id, None)
    if not run_values:
        return result
    groups = [(_DLI_WITH_TAGS, list(tagged.values())), (DLI_SNAPSHOT_FIELDS, list(untagged.values()))]
    _write(credential, DLI_WRITE_FIELDS, groups, changes, run_values, now)
    result.created = sum(1 for job_id in run_values if job_id not in existing)
    result.changed = len(run_values) - result.created
    result.status_changes = len(changes)
    return result


def dli_job_pages(client: Any, page_size: int) -> OffsetPager:
    """DLI's job listing with details (D5, ``show_detail``), ascending ids, ``page_size`` per request.

    DLI pages by offset and counts the list (``total_count``) in every answer: the pager stops at that
    count, so N jobs cost ceil(N / page_size) requests and no empty one to confirm the end.
    """
    size = dli_limits.list_page_size(page_size)
    return client.jobs.iter(page_size=size, show_detail=True, order="asc")


def sync_dli_jobs(credential: Credential, *, client: Any, synced: Synced) -> Synced:
    """Snapshot every DLI job of ``credential``, page by page, as :func:`sync_jobs` does for CS.

    DLI pages by offset, not by id: a job deleted while the listing runs moves every later job one
    place forward, so the job at the next page's first place is never listed although it exists.
    Which stored jobs are gone is therefore decided with care, and only once the listing completed:

    - within a page (between its first and last id, ascending) a stored job missing is gone: a page
      is one instant's contiguous slice of the list;
    - so is a stored job below the first page's first id;
    - a stored job in the gap between two pages, or above the last id listed, is gone only when DLI
      counted the same total on every page and the listing held that many jobs: otherwise the list
      moved under the listing, and such a job is left for the next listing to decide.

    If DLI ignores the order, only a stable listing (same total throughout) marks anything deleted.
    """
    now = timezone.now()
    pager = dli_job_pages(client, settings.POLL_PAGE_SIZE)
    ordered = True
    previous_last: int | None = None
    inside: list[int] = []  # missing within a page (or below the first): certainly gone
    between: list[int] = []  # missing in a gap between pages: gone if the listing was stable
    seen: set[int] = set()
    totals: set[int | None] = set()
    total = 0
    with PagesAhead(pager.pages()) as listing:
        while (page := listing.take()) is not None:
            totals.add(page.total)
            listing.request()  # the pager stops at DLI's count: this asks for no page beyond it
            jobs = [job for job in page if integer(job.get("job_id")) is not None]
            if not jobs:
                continue
            ids = [int(job["job_id"]) for job in jobs]
            if ordered and (
                any(b <= a for a, b in zip(ids, ids[1:], strict=False))
                or (previous_last is not None and ids[0] <= previous_last)
            ):
                ordered = False
            total += len(jobs)
            existing = _stored(credential, ids, ordered=ordered, after=previous_last)
            page_ids = set(ids)
            if ordered:
                for job_id, row in existing.items():
                    if job_id in page_ids or row[3] is not None:
                        continue
                    (between if previous_last is not None and job_id < ids[0] else inside).append(job_id)
            seen.update(page_ids)
            synced.written += apply_dli_page(credential, jobs, existing, now).written
            synced.items = total
            previous_last = ids[-1]
    # The listing completed. Stable: DLI counted one total throughout, and the listing held it all.
    stable = len(totals) <= 1 and (pager.total is None or total >= pager.total)
    live = Job.objects.filter(credential=credential, deleted_at__isnull=True)
    gone: list[int] = []
    if ordered:
        gone = list(inside)
        if stable:
            tail = live.filter(job_id__gt=previous_last) if previous_last is not None else live
            gone += between + list(tail.values_list("job_id", flat=True))
    elif stable:
        gone = [j for j in live.values_list("job_id", flat=True).iterator() if j not in seen]
    for start in range(0, len(gone), DELETE_CHUNK):
        synced.written += live.filter(job_id__in=gone[start : start + DELETE_CHUNK]).update(deleted_at=now)
    return synced
