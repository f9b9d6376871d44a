"""Read queries compiled to SQL once, then run with new parameter values.

Django turns a QuerySet into SQL on every evaluation. For most pages that cost hides behind the work
the page does, but once a page's content comes from the cache (``dashboard.pagecache``), the two
lookups every request still makes, the signed-in user and the user's membership of the team, spend
more time being compiled (0.2-0.5 ms each) than being run. A :class:`PreparedQuery` compiles its
QuerySet once per database connection alias, records where each parameter sits in the compiled SQL,
and afterwards runs the same SQL with the new values through the connection's cursor (so query
logging, ``execute_wrapper`` hooks and transactions apply as to any query), converting the columns as
Django does.

Only ``values_list`` QuerySets of plain columns are supported; the build function is called with a
placeholder for each parameter, and every placeholder must appear exactly once in the SQL's
parameters (checked at compile time), so a query whose shape depends on the values is refused.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet


def _placeholder(kind: type, index: int) -> Any:
    if kind is int:
        # No real id takes this value, and it stays in a 32-bit column's range (Django turns a lookup
        # outside the column's range into an empty result instead of SQL).
        return -(2**31) + 7919 * (index + 1)
    if kind is str:
        return f"\x1fprepared-parameter-{index}\x1f"
    raise TypeError(f"unsupported parameter type {kind!r}")


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (position in params, parameter name)
    converters: tuple[tuple[int, tuple[Callable, ...], Any], ...]  # (column, converters, expression)


class PreparedQuery:
    """``build(**placeholders)`` returns a ``values_list`` QuerySet; ``rows(**values)`` runs its SQL.

    ``PreparedQuery.compiled = False`` evaluates the QuerySet instead (Django compiles it each time):
    the page benchmark measures both ways, so what compiling once buys is a figure of every run
    (``page.jobs.cached.prepared``), not a claim.
    """

    compiled = True

    def __init__(self, build: Callable[..., QuerySet], **parameters: type):
        self._build = build
        self._parameters = parameters
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> _Compiled:
        connection = connections[alias]
        key = (alias, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is not None:
            return compiled
        placeholders = {
            name: _placeholder(kind, i) for i, (name, kind) in enumerate(self._parameters.items())
        }
        queryset = self._build(**placeholders)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = tuple(params)
        slots = []
        for name, value in placeholders.items():
            positions = [i for i, p in enumerate(params) if p == value and type(p) is type(value)]
            if len(positions) != 1:
                raise ValueError(f"parameter {name!r} appears {len(positions)} times in the compiled SQL")
            slots.append((positions[0], name))
        fields = [s[0] for s in compiler.select[: compiler.col_count]]
        converters = tuple(
            (column, tuple(funcs), expression)
            for column, (funcs, expression) in compiler.get_converters(fields).items()
        )
        compiled = _Compiled(sql=sql, params=params, slots=tuple(slots), converters=converters)
        with self._lock:
            self._compiled[key] = compiled
        return compiled

    def rows(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[tuple]:
        if set(values) != set(self._parameters):
            raise TypeError(f"expected parameters {sorted(self._parameters)}, got {sorted(values)}")
        for name, kind in self._parameters.items():
            if not isinstance(values[name], kind) or isinstance(values[name], bool):
                raise TypeError(f"parameter {name!r} must be {kind.__name__}")
        if not PreparedQuery.compiled:
            return list(self._build(**values).using(using))
        compiled = self._compile(using)
        params = list(compiled.params)
        for position, name in compiled.slots:
            params[position] = values[name]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        if not compiled.converters:
            return [tuple(row) for row in fetched]
        result = []
        for row in fetched:
            row = list(row)
            for column, funcs, expression in compiled.converters:
                value = row[column]
                for func in funcs:
                    value = func(value, expression, connection)
                row[column] = value
            result.append(tuple(row))
        return result

    def first(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> tuple | None:
        found = self.rows(using, **values)
        return found[0] if found else None


def instance(
    model: type[Model], attnames: Sequence[str], values: Sequence[Any], using: str = DEFAULT_DB_ALIAS
) -> Model:
    """A model instance from a row of its columns, as a QuerySet would build it (deferred columns load on use)."""
    given = dict(zip(attnames, values, strict=True))
    names = [f.attname for f in model._meta.concrete_fields if f.attname in given]
    if len(names) != len(given):
        raise ValueError(f"not columns of {model.__name__}: {sorted(set(given) - set(names))}")
    return model.from_db(using, names, [given[name] for name in names])
