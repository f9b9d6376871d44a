"""The poller's bulk writes: multi-row INSERT, upsert and UPDATE statements built from the models.

Every bulk write of the poller goes through here: a page of jobs and its status changes, metric
samples and the jobs' latest figures, audit traces, and the small snapshot sets (templates, clusters
and their children, user quotas).

Why not ``QuerySet.bulk_create(update_conflicts=True)``: it passes every column of every row through
the field's ``pre_save``, ``get_db_prep_save`` and the compiler's placeholder logic, which costs far
more than the database work. Measured with ``python -m benchmarks poll`` on SQLite (20,000 jobs over
20 credentials, 44 columns a job), a first sync through ``bulk_create`` (model instances built
positionally, rows built once, the same fingerprints) took 10.5 x the fetch-only floor measured in
the same run (about 1,450 jobs/s), most of it compiling values rather than in the database; through
these statements, 3.7 x (about 4,700 jobs/s), on the same machine (the poller must reach 5,000). Here the column list comes from the model's
concrete fields, each value is adapted once by a per-field adapter (the conversions Django's
``get_db_prep_save`` makes for the field's type, and only for the types that need one), and a page is
written with one ``INSERT ... VALUES (...), (...)`` statement (on PostgreSQL ``INSERT ... SELECT``
from one JSON array of rows, see ``_json_rows``), optionally with ``ON CONFLICT`` (PostgreSQL, and
SQLite since 3.24) and ``RETURNING`` (PostgreSQL, and SQLite since 3.35).

Values are always bound parameters, never formatted into the SQL; identifiers come from the model
and are quoted by the backend. A statement never binds more parameters than the database accepts:
rows are chunked, and the number of statements executed is returned so callers can count them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

Adapter = Callable[[Any], Any]


def max_params(connection: BaseDatabaseWrapper) -> int:
    """How many parameters one statement may bind on ``connection``.

    Django's SQLite features answer a conservative 999 (the compile-time default of SQLite before
    3.32); the open connection knows its real limit (32766 by default since 3.32), so ask it.
    """
    limit = connection.features.max_query_params
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        getlimit = getattr(connection.connection, "getlimit", None)  # Python 3.11+
        if getlimit is not None:
            return int(getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return limit or 65535  # PostgreSQL's wire protocol counts parameters in 16 bits


def _adapter(field: Field, connection: BaseDatabaseWrapper) -> Adapter | None:
    """The conversion of a Python value of ``field`` into a query parameter; ``None`` when none is needed.

    Identity for the types both drivers bind as they are (text, numbers, booleans). On SQLite, JSON
    and datetimes are converted as ``Field.get_db_prep_save`` would (JSON text; naive text of the
    time); on PostgreSQL, where a page travels as one JSON document, JSON values stay as they are
    and datetimes become ISO 8601 text with their offset. Any other field type falls back to
    ``get_db_prep_save`` itself.
    """
    internal = field.get_internal_type()
    ops = connection.ops
    if internal in (
        "CharField",
        "TextField",
        "SlugField",
        "EmailField",
        "URLField",
        "BigIntegerField",
        "IntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
        "BooleanField",
        "FloatField",
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
    ):
        return None
    if internal == "ForeignKey":
        target = field.target_field  # type: ignore[attr-defined]
        return _adapter(target, connection)
    if connection.vendor == "postgresql" and internal in ("JSONField", "DateTimeField"):
        if internal == "DateTimeField":
            return _isoformat
        encoder = field.encoder  # type: ignore[attr-defined]
        if encoder is None:
            return None

        def encoded(value: Any) -> Any:  # what the field's encoder makes of the value, as JSON
            return None if value is None else json.loads(json.dumps(value, cls=encoder))

        return encoded
    if internal == "JSONField":
        encoder = field.encoder  # type: ignore[attr-defined]
        adapt_json = ops.adapt_json_value

        def json_value(value: Any) -> Any:
            return None if value is None else adapt_json(value, encoder)

        return json_value
    if internal == "DateTimeField":
        return _datetime_adapter(connection)
    return lambda value: field.get_db_prep_save(value, connection)


def _isoformat(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _datetime_adapter(connection: BaseDatabaseWrapper) -> Adapter | None:
    """``adapt_datetimefield_value`` of the backend, without its per-call overhead where it is known.

    SQLite stores text of the naive time in the connection's time zone: what Django's adapter makes
    of an aware value with USE_TZ. The rows of a page share some of their times (the sync's ``now``),
    so the text of the column's last value is kept and reused for the same object.
    """
    ops = connection.ops
    if connection.vendor == "sqlite" and settings.USE_TZ:
        tz = connection.timezone
        last: list[Any] = [None, None]  # the column's last value, and its text

        def sqlite_datetime(value: Any) -> Any:
            if value is None:
                return None
            if value is last[0]:
                return last[1]
            if isinstance(value, datetime) and value.utcoffset() is not None:
                naive = value if value.tzinfo is tz else value.astimezone(tz)
                text = naive.replace(tzinfo=None).isoformat(" ")  # what str() of the naive time gives
            else:
                text = ops.adapt_datetimefield_value(value)
            last[0], last[1] = value, text
            return text

        return sqlite_datetime
    return ops.adapt_datetimefield_value


@dataclass(frozen=True)
class Columns:
    """The columns of ``model`` a statement writes, in order, with their adapters."""

    model: type[Model]
    fields: tuple[Field, ...]
    adapters: tuple[Adapter | None, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.column for f in self.fields)

    @cached_property
    def _converted(self) -> tuple[tuple[int, Adapter], ...]:
        """The positions of the columns whose values need an adapter, with it."""
        return tuple((i, adapt) for i, adapt in enumerate(self.adapters) if adapt is not None)

    def adapt(self, row: Sequence[Any]) -> list[Any]:
        """One row (Python values in column order) as query parameters."""
        if len(row) != len(self.adapters):
            raise ValueError(f"a row of {len(row)} values for {len(self.adapters)} columns")
        out = list(row)
        for i, adapt in self._converted:
            out[i] = adapt(out[i])
        return out


def columns(model: type[Model], names: Sequence[str] | None = None, *, using: str = "default") -> Columns:
    """The concrete fields of ``model`` named by attribute name (all but the primary key by default)."""
    connection = connections[using]
    if names is None:
        fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    else:
        by_name = {f.attname: f for f in model._meta.concrete_fields}
        by_name.update({f.name: f for f in model._meta.concrete_fields})
        fields = tuple(by_name[name] for name in names)
    return Columns(model, fields, tuple(_adapter(f, connection) for f in fields))


def model_rows(cols: Columns, objs: Iterable[Model]) -> list[tuple[Any, ...]]:
    """Rows of model instances in ``cols`` order: their attribute values, the fields' defaults included
    (for the small sets, where building instances costs nothing worth saving)."""
    names = [f.attname for f in cols.fields]
    return [tuple(getattr(obj, name) for name in names) for obj in objs]


_TEXT_TYPES = frozenset({"CharField", "SlugField", "EmailField", "URLField", "TextField"})


def _json_rows(cols: Columns, connection: BaseDatabaseWrapper) -> str:
    """``SELECT ... FROM jsonb_array_elements(%s)``: PostgreSQL rows from one JSON array of rows.

    One parameter and a statement of constant text whatever the number of rows: the driver neither
    parses thousands of placeholders nor quotes thousands of values (its client-side binding does
    both in Python), and the server parses one JSON document. Each row is a JSON array in column
    order, and each value is read back as its column's type:

    - a JSON column takes the element itself (``e -> i``, a ``jsonb``), so a string stays a string:
      ``"abc"``, ``"123"`` and ``"true"`` are strings, not text to be parsed again as JSON (which would
      fail on ``"abc"`` and turn ``"123"`` into a number); a top-level JSON ``null`` is SQL NULL, as
      Django stores Python ``None``;
    - any other column takes the element's text (``e ->> i``, SQL NULL for ``null``) cast to its type
      (``text`` for the character types, so that the column itself checks the length as for any
      INSERT).
    """
    exprs = []
    for i, field in enumerate(cols.fields):
        internal = field.get_internal_type()
        if internal == "JSONField":
            expr = f"NULLIF(e -> {i}, 'null'::jsonb)"
        else:
            kind = "text" if internal in _TEXT_TYPES else field.cast_db_type(connection)
            expr = f"CAST(e ->> {i} AS {kind})"
        exprs.append(f"{expr} AS column{i + 1}")
    return f"SELECT {', '.join(exprs)} FROM jsonb_array_elements(CAST(%s AS jsonb)) AS e"  # noqa: S608


def _json_param(cols: Columns, rows: Sequence[Sequence[Any]]) -> str:
    return json.dumps([cols.adapt(row) for row in rows], separators=(",", ":"), default=str)


@dataclass
class InsertResult:
    returned: list[tuple[Any, ...]]
    statements: int


def insert(
    cols: Columns,
    rows: Sequence[Sequence[Any]],
    *,
    conflict: Sequence[str] = (),
    update: Sequence[str] = (),
    ignore_conflicts: bool = False,
    returning: Sequence[str] = (),
    using: str = "default",
) -> InsertResult:
    """``INSERT INTO table (cols) VALUES (...), (...)`` of ``rows`` (Python values in ``cols`` order).

    ``conflict`` names the unique columns (attribute names) of an ``ON CONFLICT`` clause: with
    ``update`` (attribute names), the conflicting row gets those columns from the proposed row
    (``DO UPDATE SET c = excluded.c``); with ``ignore_conflicts`` it is left alone (``DO NOTHING``).
    ``returning`` (attribute names) asks for those columns of every inserted or updated row.
    """
    if not rows:
        return InsertResult([], 0)
    connection = connections[using]
    qn = connection.ops.quote_name
    meta = cols.model._meta
    width = len(cols.fields)

    def column(name: str) -> str:
        return qn(meta.get_field(name).column)

    into = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in cols.names)})"
    tail = ""
    if update:
        if not conflict:
            raise ValueError("an upsert needs the conflict columns")
        sets = ", ".join(f"{column(n)} = excluded.{column(n)}" for n in update)
        tail = f" ON CONFLICT ({', '.join(column(n) for n in conflict)}) DO UPDATE SET {sets}"
    elif ignore_conflicts:
        target = f" ({', '.join(column(n) for n in conflict)})" if conflict else ""
        tail = f" ON CONFLICT{target} DO NOTHING"
    if returning:
        if not connection.features.can_return_rows_from_bulk_insert:
            raise NotImplementedError(f"{connection.vendor} cannot return rows from an INSERT")
        tail += f" RETURNING {', '.join(column(n) for n in returning)}"

    out: list[tuple[Any, ...]] = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"{into} {_json_rows(cols, connection)}{tail}",  # noqa: S608 - identifiers only
                [_json_param(cols, rows)],
            )
            if returning:
                out.extend(tuple(r) for r in cursor.fetchall())
        return InsertResult(out, 1)
    per_statement = max(1, max_params(connection) // width)
    group = "(" + ", ".join(["%s"] * width) + ")"
    statements = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params: list[Any] = []
            for row in chunk:
                params.extend(cols.adapt(row))
            # Only quoted identifiers of the model and placeholders: every value is bound.
            sql = into + " VALUES " + ", ".join([group] * len(chunk)) + tail
            cursor.execute(sql, params)
            statements += 1
            if returning:
                out.extend(tuple(r) for r in cursor.fetchall())
    return InsertResult(out, statements)


def update(
    cols: Columns,
    key: str,
    rows: Sequence[Sequence[Any]],
    *,
    using: str = "default",
) -> int:
    """``UPDATE table SET c = v.c ... FROM (VALUES (...), (...)) v WHERE table.key = v.key``.

    ``cols`` starts with the ``key`` column (the rows' identity, usually the primary key); the other
    columns are set from the rows. One statement per chunk of rows (SQLite needs 3.33 for
    ``UPDATE ... FROM``; before that, one UPDATE per row). On PostgreSQL every value is cast to its
    column type, as the column types of a ``VALUES`` list are inferred from its values alone.
    Returns the number of statements executed.
    """
    if not rows:
        return 0
    connection = connections[using]
    qn = connection.ops.quote_name
    meta = cols.model._meta
    if cols.fields[0] is not meta.get_field(key) and cols.fields[0].attname != key:
        raise ValueError(f"the first column must be the key {key!r}")
    table = qn(meta.db_table)
    names = [qn(c) for c in cols.names]
    width = len(names)
    # Both name the columns column1, column2, ... (a VALUES list does so by itself).
    sets = ", ".join(f"{n} = v.column{i}" for i, n in enumerate(names[1:], start=2))
    where = f"{table}.{names[0]} = v.column1"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM ({_json_rows(cols, connection)}) AS v WHERE {where}",  # noqa: S608
                [_json_param(cols, rows)],
            )
        return 1
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 33, 0):
            sets = ", ".join(f"{n} = %s" for n in names[1:])
            sql = f"UPDATE {table} SET {sets} WHERE {names[0]} = %s"  # noqa: S608 - identifiers only
            for row in rows:
                params = cols.adapt(row)
                cursor.execute(sql, [*params[1:], params[0]])
            return len(rows)
        group = "(" + ", ".join(["%s"] * width) + ")"
        per_statement = max(1, max_params(connection) // width)
        statements = 0
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params: list[Any] = []
            for row in chunk:
                params.extend(cols.adapt(row))
            values = ", ".join([group] * len(chunk))
            sql = f"UPDATE {table} SET {sets} FROM (VALUES {values}) AS v WHERE {where}"  # noqa: S608
            cursor.execute(sql, params)
            statements += 1
        return statements
