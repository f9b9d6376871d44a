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

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from csapi import vocab
from csapi.errors import CSProtocolError
from csapi.models import CSObject, Page

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

_Plan = tuple[tuple[str, str, str], ...]
_PLANS: dict[type, tuple[_Plan, frozenset[str]]] = {}


def _plan(klass: type) -> tuple[_Plan, frozenset[str]]:
    """(attribute, JSON key, declared type) of a model class, and its JSON keys; computed once."""
    found = _PLANS.get(klass)
    if found is None:
        types: Mapping[str, str] = getattr(klass, "openapi_types", {})
        keys: Mapping[str, str] = getattr(klass, "attribute_map", {})
        plan = tuple((attr, keys.get(attr, attr), typ) for attr, typ in types.items())
        found = _PLANS[klass] = (plan, frozenset(key for _a, key, _t in plan) | frozenset(types))
    return found


def _wrong(where: str, expected: str, value: Any) -> CSProtocolError:
    return CSProtocolError(
        f"DLI answered with {type(value).__name__} where {where} should be {expected}; "
        "the answer does not match the DLI API"
    )


def _convert(value: Any, raw: Any, typ: str, where: str) -> Any:
    if typ == "str":
        if isinstance(value, str):
            return value
        raise _wrong(where, "text", value)
    if typ == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise _wrong(where, "a whole number", value)
    if typ == "float":
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return float(value)
        raise _wrong(where, "a number", value)
    if typ == "bool":
        flag = vocab.dli_is_success(raw if raw is not None else value)
        if flag is None:
            raise _wrong(where, "true or false", raw if raw is not None else value)
        return flag
    if typ.startswith("list["):
        if not isinstance(value, list):
            raise _wrong(where, "a list", value)
        inner = typ[5:-1]
        raws = raw if isinstance(raw, list) and len(raw) == len(value) else [None] * len(value)
        return [
            _convert(v, r, inner, f"{where}[{i}]") for i, (v, r) in enumerate(zip(value, raws, strict=True))
        ]
    if typ.startswith("dict("):
        if not isinstance(value, Mapping):
            raise _wrong(where, "an object", value)
        inner = typ[typ.index(",") + 1 : -1].strip()
        raws = raw if isinstance(raw, Mapping) else {}
        return {str(k): _convert(v, raws.get(k), inner, f"{where}.{k}") for k, v in value.items()}
    if typ == "object":
        return value
    if hasattr(type(value), "openapi_types"):
        if raw is not None and not isinstance(raw, Mapping):
            raise _wrong(where, "an object", raw)  # the SDK turns a list or a number into an empty model
        return from_model(value, raw, where=where)
    raise _wrong(where, f"a {typ} object", value)


def from_model(
    model: Any, raw: Any = None, *, cls: type[CSObject] = CSObject, where: str = "the answer"
) -> Any:
    """A :class:`CSObject` (``cls``) of an SDK model's set fields, keyed by JSON names, typed as above.

    ``raw`` is the model's JSON object as received (for booleans and unknown fields); ``None`` when the
    caller has none.
    """
    if model is None:
        return cls()
    plan, known = _plan(type(model))
    raw_map = raw if isinstance(raw, Mapping) else None
    out: dict[str, Any] = {}
    for attr, key, typ in plan:
        value = getattr(model, attr, None)
        if value is None:
            continue
        out[attr] = _convert(value, raw_map.get(key) if raw_map is not None else None, typ, f"{where}.{attr}")
    if raw_map is not None:
        for key, value in raw_map.items():
            if key not in known and key not in out:
                out[key] = value  # a field DLI sends and the SDK does not know yet: kept
    return cls(out)


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
