"""DLI results in the dashboard's terms, built from the SDK's typed responses.

The SDK deserialises each answer into its models (``huaweicloudsdkdli.v1.model``); :func:`from_model`
turns a model into a :class:`~csapi.models.CSObject` keyed by the model's attribute names -- DLI's JSON
names, in snake case also where DLI's JSON is not (``show_queue`` answers ``queueName``, the execution
graph ``isStoppable`` and ``start-time``) -- so a DLI job reads like a CS job (``job.name``,
``job["job_config"]``) and a queue reads the same from the list and from its own page. On the way it

- checks every value against the model's declared type (the SDK's own coercion gives back the wire
  value when ``int()`` fails, so a list where a number belongs would otherwise reach a page): a wrong
  type is a :class:`~csapi.errors.CSProtocolError`;
- reads booleans from the wire value, because the SDK's ``bool("false")`` is ``True``;
- keeps the fields the SDK's model does not know (DLI adds fields before the SDK learns them).

The result classes add the dashboard's vocabulary (:mod:`csapi.vocab`): status entries, CU next to
SPU, queue next to cluster, the checkpoint mode's one spelling, ``is_success`` as a bool.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from csapi import vocab
from csapi.errors import CSProtocolError
from csapi.models import CSObject, Page, wrap

__all__ = [
    "ActionResult",
    "DLIJob",
    "DLITemplate",
    "ElasticResourcePool",
    "ExecutionGraph",
    "ExportResult",
    "ImportResult",
    "JobMetrics",
    "Page",
    "Queue",
    "Quotas",
    "from_model",
]

_Plan = tuple[tuple[str, str, str, Callable[[Any, Any], Any]], ...]
_PLANS: dict[type, tuple[_Plan, _Plan, frozenset[str]]] = {}
_nothing: Mapping[str, Any] = {}


class _Misfit(Exception):
    """A value of the wrong type; ``path`` grows as it climbs out of nested models (rare: no cost else)."""

    def __init__(self, expected: str, value: Any) -> None:
        super().__init__(expected)
        self.expected = expected
        self.value = value
        self.path: list[str] = []


def _str(value: Any, raw: Any) -> Any:
    if isinstance(value, str):
        return value
    raise _Misfit("text", value)


def _int(value: Any, raw: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _Misfit("a whole number", value)


def _float(value: Any, raw: Any) -> Any:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return float(value)
    raise _Misfit("a number", value)


def _bool(value: Any, raw: Any) -> Any:
    wire = raw if raw is not None else value
    flag = vocab.dli_is_success(wire)
    if flag is None:
        raise _Misfit("true or false", wire)
    return flag


def _object(value: Any, raw: Any) -> Any:
    return wrap(value)


def _model_of(typ: str) -> Callable[[Any, Any], Any]:
    def convert(value: Any, raw: Any) -> Any:
        if hasattr(type(value), "openapi_types"):
            if raw is not None and not isinstance(raw, Mapping):
                raise _Misfit("an object", raw)  # the SDK turns a list or a number into an empty model
            return _from_model(value, raw, CSObject)
        raise _Misfit(f"a {typ} object", value)

    return convert


def _list_of(inner: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def convert(value: Any, raw: Any) -> Any:
        if not isinstance(value, list):
            raise _Misfit("a list", value)
        raws = raw if isinstance(raw, list) and len(raw) == len(value) else None
        out = []
        try:
            for item, wire in zip(value, raws if raws is not None else [None] * len(value), strict=True):
                out.append(inner(item, wire))
        except _Misfit as misfit:
            misfit.path.append(f"[{len(out)}]")  # the item that did not fit
            raise
        return out

    return convert


def _dict_of(inner: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def convert(value: Any, raw: Any) -> Any:
        if not isinstance(value, Mapping):
            raise _Misfit("an object", value)
        raws = raw if isinstance(raw, Mapping) else {}
        out = CSObject()
        for k, v in value.items():
            try:
                dict.__setitem__(out, str(k), inner(v, raws.get(k)))
            except _Misfit as misfit:
                misfit.path.append(f".{k}")
                raise
        return out

    return convert


_SCALARS: dict[str, Callable[[Any, Any], Any]] = {
    "str": _str,
    "int": _int,
    "float": _float,
    "bool": _bool,
    "object": _object,
}


def _converter(typ: str) -> Callable[[Any, Any], Any]:
    """The check-and-convert function of an SDK type name (``str``, ``list[FlinkJob]``, ...)."""
    if typ in _SCALARS:
        return _SCALARS[typ]
    if typ.startswith("list["):
        return _list_of(_converter(typ[5:-1]))
    if typ.startswith("dict("):
        return _dict_of(_converter(typ[typ.index(",") + 1 : -1].strip()))
    return _model_of(typ)


def _plan(klass: type) -> tuple[_Plan, _Plan, frozenset[str]]:
    """A model class's text fields and its other fields as (attribute, JSON key, stored name,
    converter), and its JSON keys; computed once.

    The SDK's models keep each attribute ``x`` as ``self._x`` behind a property; reading the stored
    name skips the property call. A text field needs no check: the SDK makes ``str()`` of whatever
    came, so only the other fields are checked one by one (a 100-job page has 1,400 text values).
    """
    found = _PLANS.get(klass)
    if found is None:
        types: Mapping[str, str] = getattr(klass, "openapi_types", {})
        keys: Mapping[str, str] = getattr(klass, "attribute_map", {})
        plan = tuple((attr, keys.get(attr, attr), f"_{attr}", _converter(typ)) for attr, typ in types.items())
        texts = tuple(entry for entry in plan if entry[3] is _str)
        others = tuple(entry for entry in plan if entry[3] is not _str)
        found = _PLANS[klass] = (texts, others, frozenset(key for _a, key, _s, _c in plan) | frozenset(types))
    return found


def _from_model(model: Any, raw: Any, cls: type[CSObject]) -> CSObject:
    texts, others, known = _plan(type(model))
    raw_map = raw if isinstance(raw, Mapping) else None
    stored: Mapping[str, Any] = getattr(model, "__dict__", None) or {}
    out = CSObject.__new__(cls)
    out.meta = {}
    get = raw_map.get if raw_map is not None else _nothing.get
    attr = ""
    try:
        if stored:
            dict.update(out, {a: v for a, _k, n, _c in texts if (v := stored.get(n)) is not None})
        else:
            others = texts + others  # not an SDK model as this module knows them: check every field
        for attr, key, name, convert in others:
            value = stored.get(name) if name in stored else getattr(model, attr, None)
            if value is None:
                continue
            if value.__class__ is int and convert is _int:
                dict.__setitem__(out, attr, value)  # the common case, without a call
            else:
                dict.__setitem__(out, attr, convert(value, get(key)))
    except _Misfit as misfit:
        misfit.path.append(f".{attr}")
        raise
    if raw_map is not None:
        for key in raw_map.keys() - known:  # a field DLI sends and the SDK does not know yet: kept
            if key not in out:
                dict.__setitem__(out, key, wrap(raw_map[key]))
    return out


def from_model(
    model: Any, raw: Any = None, *, cls: type[CSObject] = CSObject, where: str = "the answer"
) -> Any:
    """A :class:`CSObject` (``cls``) of an SDK model's set fields, keyed by JSON names, typed as above.

    ``raw`` is the model's JSON object as received (for booleans and unknown fields); ``None`` when the
    caller has none.
    """
    if model is None:
        return cls()
    try:
        return _from_model(model, raw, cls)
    except _Misfit as misfit:
        place = where + "".join(reversed(misfit.path))
        raise CSProtocolError(
            f"DLI answered with {type(misfit.value).__name__} where {place} should be {misfit.expected}; "
            "the answer does not match the DLI API"
        ) from None


def require(obj: Mapping[str, Any], *keys: str, what: str) -> None:
    """Raise :class:`CSProtocolError` unless ``obj`` holds every key (a truncated or partial answer)."""
    missing = [k for k in keys if obj.get(k) is None]
    if missing:
        raise CSProtocolError(f"DLI's {what} lacks {', '.join(missing)}; the answer is incomplete")


# --------------------------------------------------------------------------- results


class DLIJob(CSObject):
    """A DLI Flink job (FlinkJob of D5/D6; FlinkJobStatus of D1/D3; FlinkJobUpdateTime of D2/D4)."""

    unit = "cu"
    placement_kind = "queue"

    @property
    def config(self) -> CSObject:
        cfg = self.get("job_config")
        return cfg if isinstance(cfg, CSObject) else CSObject()

    @property
    def status_name(self) -> str | None:
        """The status, whichever field carries it (``status`` in lists, ``status_name`` after create)."""
        return self.get("status") or self.get("status_name")

    @property
    def status_info(self) -> vocab.JobStatus:
        return vocab.dli_job_status(self.status_name)

    @property
    def units(self) -> int | None:
        """The job's size in CUs (the job config's ``cu_number``)."""
        value = self.config.get("cu_number", self.get("cu_number"))
        return value if isinstance(value, int) else None

    @property
    def unit_info(self) -> vocab.ComputeUnit:
        return vocab.COMPUTE_UNITS[self.unit]

    @property
    def placement(self) -> str | None:
        """The queue the job runs on."""
        return self.get("queue_name")

    @property
    def checkpoint_mode(self) -> str | None:
        """``"exactly_once"``/``"at_least_once"`` whatever form DLI used (int or string)."""
        return vocab.normalize_checkpoint_mode(self.config.get("checkpoint_mode"))

    @property
    def has_savepoint(self) -> bool:
        return bool(self.get("has_savepoint"))

    @property
    def restart_times(self) -> int:
        value = self.get("restart_times")
        return value if isinstance(value, int) else 0

    @property
    def is_sql(self) -> bool:
        return self.get("job_type") in vocab.DLI_SQL_JOB_TYPES


class DLITemplate(CSObject):
    """A Flink SQL job template (D16-D19)."""


class Queue(CSObject):
    """A DLI queue (D20/D21): where jobs run, with its CUs (``cu_count``) and those in use (``used_cu``)."""

    unit = "cu"
    placement_kind = "queue"

    @property
    def units(self) -> int | None:
        value = self.get("cu_count")
        return value if isinstance(value, int) else None

    @property
    def used_units(self) -> float:
        value = self.get("used_cu")
        return float(value) if isinstance(value, int | float) else 0.0

    @property
    def free_units(self) -> float | None:
        total = self.units
        return None if total is None else max(0.0, total - self.used_units)


class ElasticResourcePool(CSObject):
    """An elastic resource pool (D22): CUs shared by the queues in it."""

    @property
    def status_label(self) -> str:
        status = self.get("status") or ""
        return vocab.DLI_POOL_STATUSES.get(status, status.replace("_", " ").capitalize() or "Unknown")


class Quotas(CSObject):
    """A project's quotas (D23): ``resources`` and, by type, ``by_type["CU"].used``."""

    @property
    def by_type(self) -> dict[str, CSObject]:
        resources = self.get("resources") or []
        return {r["type"]: r for r in resources if isinstance(r, Mapping) and r.get("type")}


class ActionResult(CSObject):
    """The outcome of one job in a batch run, stop or delete (D8-D10): ``job_id``, ``ok``, ``message``."""

    @property
    def ok(self) -> bool:
        return vocab.dli_is_success(self.get("is_success")) is True

    @property
    def message(self) -> str:
        return str(self.get("message") or "")


class JobMetrics(CSObject):
    """The metrics of one job (D12): ``job_id`` and ``metrics`` (sources, sinks, read/write rates)."""


class ExecutionGraph(CSObject):
    """A job's execution graph summary (D7): Flink's ``jid``, ``state``, ``is_stoppable``, times."""


class ExportResult(CSObject):
    """D14: ``zip_file``, the OBS paths of the exported job files."""


class ImportResult(CSObject):
    """D15: ``job_mapping``, the old and new ID of every imported job."""
