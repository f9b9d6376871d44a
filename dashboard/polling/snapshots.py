"""Upsert of a small, complete set of snapshot rows: templates, clusters and what hangs off a cluster,
user quotas. (Jobs, which come by the thousand and page by page, have their own in ``kinds.jobs``.)

A set is complete: rows of its scope missing from it are gone from CS. Unchanged rows (same
fingerprint) cost nothing; new and changed rows are written by one multi-row upsert on the model's
(scope, key) unique constraint (:mod:`dashboard.polling.bulk`), which also answers their ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Model

from dashboard.polling import bulk
from dashboard.polling.coerce import fingerprint, plain


@dataclass
class Upserted:
    pks: dict[Any, int]  # key -> primary key, of every row in the set
    written: int  # rows created, changed, marked deleted or removed


def upsert(
    model: type[Model],
    *,
    scope: dict[str, Any],
    key_field: str,
    items: Iterable[tuple[Any, dict[str, Any]]],
    now: datetime,
    extra: Mapping[str, Any] | None = None,
    soft_delete: bool,
) -> Upserted:
    """Make the rows of ``model`` under ``scope`` (one ``{"<fk>_id": pk}``) the set ``items``.

    ``items`` are (key, values) with ``values["fingerprint"]`` set; the first of a key counts. ``extra``
    columns are written with new rows only (e.g. the team of a credential's rows, which never changes).
    Rows missing from the set are marked deleted (``soft_delete``, and restored when they come back) or
    removed. ``first_seen`` is set once, on creation.
    """
    (scope_field,) = scope
    existing = {
        key: (pk, fp, deleted)
        for pk, key, fp, deleted in model.objects.filter(**scope).values_list(
            "pk", key_field, "fingerprint", "deleted_at" if soft_delete else "pk"
        )
    }
    fields: list[str] = []
    pending: list[Model] = []
    pks: dict[Any, int] = {}
    seen: set[Any] = set()
    for key, values in items:
        if key in seen:
            continue
        seen.add(key)
        found = existing.get(key)
        if found is not None:
            pk, old_fp, deleted = found
            pks[key] = pk
            if old_fp == values["fingerprint"] and not (soft_delete and deleted is not None):
                continue
        fields = fields or [*values, "last_seen", *(["deleted_at"] if soft_delete else [])]
        row = model(**scope, **(extra or {}), **{key_field: key}, **values, last_seen=now)
        if soft_delete:
            row.first_seen = now
            row.deleted_at = None
        pending.append(row)
    gone = [found[0] for key, found in existing.items() if key not in seen]
    written = len(pending)
    with transaction.atomic():
        if pending:
            cols = bulk.columns(model)
            upserted = bulk.insert(
                cols,
                bulk.model_rows(cols, pending),
                conflict=(scope_field, key_field),
                update=fields,
                returning=("id", key_field),
            )
            pks.update((key, pk) for pk, key in upserted.returned)
        if gone:
            rows = model.objects.filter(pk__in=gone)
            if soft_delete:
                written += rows.filter(deleted_at__isnull=True).update(deleted_at=now)
            else:
                written += rows.delete()[0]
    return Upserted(pks, written)


def keyed(
    items: Iterable[Mapping[str, Any]],
    key: Callable[[Mapping[str, Any]], Any],
    values: Callable[[Mapping[str, Any]], dict[str, Any]],
) -> Iterator[tuple[Any, dict[str, Any]]]:
    """(key, values) of listed CS items for :func:`upsert`: the columns, ``raw`` and ``fingerprint``
    (without ``duration``, which grows on every poll of anything running). Items without a key are
    skipped."""
    for item in items:
        k = key(item)
        if k is None or k == "":
            continue
        raw = plain(item)
        v = values(raw)
        v["raw"] = raw
        v["fingerprint"] = fingerprint(raw, exclude=("duration",))
        yield k, v
