"""The request rules of DLI's Flink job and template operations, as pure functions (no I/O).

Shared by the client (which refuses a violation before any request), the emulator (which answers it
with the code) and the dashboard's forms. Each function takes a request body in its wire form (DLI's
JSON field names) and returns a list of :class:`~csapi.validation.Violation`, empty when acceptable;
``Violation.code`` is the code DLI answers with. Rules that need state (a queue exists, a name is free,
how many templates there are) are the emulator's. Every number comes from :mod:`csapi.dli.limits`,
every enumeration from :mod:`csapi.vocab`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from csapi import vocab
from csapi.validation import Violation, as_bool, as_int

from . import limits
from .errors import INVALID_PARAMETER, QUOTA_INSUFFICIENT

__all__ = [
    "DLI_PACKAGE",
    "OBS_OBJECT",
    "is_obs_object_or_package",
    "max_parallelism",
    "validate_export",
    "validate_import",
    "validate_jar_job",
    "validate_job_ids",
    "validate_list_query",
    "validate_savepoint",
    "validate_sql_job",
    "validate_tags",
    "validate_template",
    "validate_template_count",
]

_BAD = INVALID_PARAMETER


#: A JAR job's entrypoint, dependency or UDF JAR given as an OBS object: ``obs://bucket/key``.
OBS_OBJECT = re.compile(r"^obs://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]/\S+$")
#: A package uploaded to DLI's package management, named by its name (no path, no scheme).
DLI_PACKAGE = re.compile(r"^[A-Za-z0-9_][\w.\-]*$")


def is_obs_object_or_package(value: str) -> bool:
    """An entrypoint or dependency DLI can take: an OBS object or the name of an uploaded package."""
    return bool(OBS_OBJECT.match(value) or DLI_PACKAGE.match(value))


def max_parallelism(cu_number: int, manager_cu_number: int = limits.MANAGER_CU_DEFAULT) -> int:
    """The largest parallel_number DLI accepts for a job of ``cu_number`` CUs (dli_02_0228)."""
    return min(limits.PARALLELISM_MAX, limits.PARALLELISM_PER_CU * max(0, cu_number - manager_cu_number))


class _Rules:
    """Collects violations, the first per field."""

    def __init__(self, payload: Mapping[str, Any]) -> None:
        self.payload = payload
        self.violations: list[Violation] = []
        self._seen: set[str] = set()

    def add(self, field: str, message: str, code: str = _BAD) -> None:
        if field not in self._seen:
            self._seen.add(field)
            self.violations.append(Violation(field, code, message))

    def has(self, field: str) -> bool:
        return field in self._seen

    def present(self, key: str) -> bool:
        return self.payload.get(key) is not None

    def text(self, key: str, low: int, high: int, label: str, *, required: bool = False) -> str | None:
        if not self.present(key):
            if required:
                self.add(key, f"{label} is required ({low} to {high} characters).")
            return None
        value = self.payload[key]
        if not isinstance(value, str):
            self.add(key, f"{label} must be text.")
            return None
        if not low <= len(value) <= high:
            self.add(key, f"{label} must have {low} to {high:,} characters; it has {len(value):,}.")
            return None
        return value

    def integer(self, key: str, low: int | None, high: int | None, label: str) -> int | None:
        if not self.present(key):
            return None
        value = as_int(self.payload[key])
        if value is None:
            self.add(key, f"{label} must be a whole number.")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            span = f"between {low} and {high:,}" if high is not None else f"at least {low}"
            self.add(key, f"{label} must be {span}; got {value}.")
            return None
        return value

    def boolean(self, key: str) -> bool | None:
        if not self.present(key):
            return None
        value = as_bool(self.payload[key])
        if value is None:
            self.add(key, f"{key} must be true or false.")
        return value

    def string_list(self, key: str, label: str) -> None:
        if not self.present(key):
            return
        value = self.payload[key]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.add(key, f"{label} must be a list of non-empty texts.")


def validate_tags(tags: Any, field: str = "tags") -> list[Violation]:
    """Tag rules (SDK ``Tag``, dli_02_0245): a list of at most 20 ``{key, value}`` objects."""
    if tags is None:
        return []
    if not isinstance(tags, list):
        return [Violation(field, _BAD, "tags must be a list of {key, value} objects.")]
    if len(tags) > limits.TAGS_MAX:
        return [Violation(field, _BAD, f"A resource has at most {limits.TAGS_MAX} tags; got {len(tags)}.")]
    keys: set[str] = set()
    for tag in tags:
        if not isinstance(tag, Mapping):
            return [Violation(field, _BAD, "Each tag is a {key, value} object.")]
        key, value = tag.get("key"), tag.get("value")
        if not isinstance(key, str) or not 1 <= len(key) <= limits.TAG_KEY_MAX_CHARS:
            return [Violation(field, _BAD, f"A tag key has 1 to {limits.TAG_KEY_MAX_CHARS} characters.")]
        if (
            key != key.strip()
            or key.startswith(limits.TAG_KEY_RESERVED_PREFIX)
            or not limits.TAG_KEY_PATTERN.match(key)
        ):
            return [
                Violation(
                    field,
                    _BAD,
                    f"The tag key {key[:40]!r} may hold letters, digits, spaces and _.:=+-@, may not start "
                    f"or end with a space, nor start with {limits.TAG_KEY_RESERVED_PREFIX}.",
                )
            ]
        if key in keys:
            return [Violation(field, _BAD, f"The tag key {key[:40]!r} is given twice.")]
        keys.add(key)
        if not isinstance(value, str) or not 1 <= len(value) <= limits.TAG_VALUE_MAX_CHARS:
            return [Violation(field, _BAD, f"A tag value has 1 to {limits.TAG_VALUE_MAX_CHARS} characters.")]
        if value != value.lstrip() or set(value) & limits.TAG_VALUE_FORBIDDEN:
            return [Violation(field, _BAD, "A tag value may not start with a space nor hold = * < > \\ |.")]
    return []


def _name(rules: _Rules, *, required: bool, high: int, label: str) -> None:
    name = rules.text("name", 1, high, f"The {label} name", required=required)
    if name is not None and not limits.JOB_NAME_PATTERN.match(name):
        rules.add("name", f"A {label} name holds letters, digits, hyphens (-) and underscores (_) only.")


def _resources(rules: _Rules, current: Mapping[str, Any] | None) -> None:
    """CU, parallelism and TaskManager rules shared by SQL and JAR jobs (merged with ``current``)."""
    cu = rules.integer("cu_number", limits.CU_MIN, limits.CU_MAX, "cu_number")
    manager = rules.integer("manager_cu_number", limits.MANAGER_CU_MIN, limits.CU_MAX, "manager_cu_number")
    par = rules.integer("parallel_number", limits.PARALLELISM_MIN, limits.PARALLELISM_MAX, "parallel_number")
    rules.integer("tm_cus", limits.TM_CUS_MIN, limits.CU_MAX, "tm_cus")
    rules.integer("tm_slot_num", limits.TM_SLOT_MIN, limits.PARALLELISM_MAX, "tm_slot_num")
    if rules.has("cu_number") or rules.has("manager_cu_number") or rules.has("parallel_number"):
        return
    base = current or {}
    cu = cu if cu is not None else as_int(base.get("cu_number")) or limits.CU_DEFAULT
    manager = (
        manager if manager is not None else as_int(base.get("manager_cu_number")) or limits.MANAGER_CU_DEFAULT
    )
    par = par if par is not None else as_int(base.get("parallel_number")) or limits.PARALLELISM_DEFAULT
    if manager >= cu:
        rules.add(
            "manager_cu_number",
            f"manager_cu_number ({manager}) must be less than cu_number ({cu}): the TaskManagers need CUs too.",
        )
    elif par > max_parallelism(cu, manager):
        rules.add(
            "parallel_number",
            f"parallel_number ({par}) cannot exceed {limits.PARALLELISM_PER_CU} x (cu_number - "
            f"manager_cu_number) = {max_parallelism(cu, manager)}.",
        )


def _checkpoints(rules: _Rules) -> None:
    rules.boolean("checkpoint_enabled")
    if (
        rules.present("checkpoint_mode")
        and vocab.dli_checkpoint_mode(rules.payload["checkpoint_mode"]) is None
    ):
        rules.add("checkpoint_mode", "checkpoint_mode is 1 (exactly once) or 2 (at least once).")
    rules.integer(
        "checkpoint_interval",
        limits.CHECKPOINT_INTERVAL_MIN,
        limits.CHECKPOINT_INTERVAL_MAX,
        "checkpoint_interval",
    )
    for key in ("log_enabled", "restart_when_exception", "resume_checkpoint"):
        rules.boolean(key)
    if rules.present("resume_max_num"):
        value = as_int(rules.payload["resume_max_num"])
        if value is None or (value != limits.RESUME_MAX_UNLIMITED and value < limits.RESUME_MAX_MIN):
            rules.add(
                "resume_max_num", "resume_max_num is -1 (unlimited) or a number of restarts per hour > 0."
            )


def _common(rules: _Rules, *, update: bool, current: Mapping[str, Any] | None) -> None:
    _name(rules, required=not update, high=limits.JOB_NAME_MAX_CHARS, label="job")
    rules.text("desc", 0, limits.JOB_DESC_MAX_CHARS, "The job description")
    rules.text("queue_name", limits.QUEUE_NAME_MIN_CHARS, limits.QUEUE_NAME_MAX_CHARS, "queue_name")
    _resources(rules, current)
    _checkpoints(rules)
    for tag in validate_tags(rules.payload.get("tags")):
        rules.add(tag.field, tag.message, tag.code)


def validate_sql_job(
    payload: Any, *, update: bool = False, current: Mapping[str, Any] | None = None
) -> list[Violation]:
    """Rules of D1 (create) and D2 (update, ``update=True``; ``current`` = the job's present values)."""
    if not isinstance(payload, Mapping):
        return [Violation("", _BAD, "The request body must be a JSON object.")]
    rules = _Rules(payload)
    _common(rules, update=update, current=current)
    rules.text("sql_body", 0, limits.SQL_MAX_CHARS, "The SQL statement")
    if rules.present("run_mode") and payload["run_mode"] not in vocab.RUN_MODES:
        rules.add("run_mode", f"run_mode is one of {', '.join(vocab.RUN_MODES)}.")
    if rules.present("job_type") and payload["job_type"] not in vocab.DLI_SQL_JOB_TYPES:
        rules.add("job_type", f"A SQL job's job_type is one of {', '.join(vocab.DLI_SQL_JOB_TYPES)}.")
    if (
        rules.present("dirty_data_strategy")
        and vocab.parse_dirty_data_strategy(payload["dirty_data_strategy"]) is None
    ):
        rules.add(
            "dirty_data_strategy", 'dirty_data_strategy is "0" (ignore), "1" (exception) or "2:{obs path}".'
        )
    if rules.present("template_id") and as_int(payload["template_id"]) is None:
        rules.add("template_id", "template_id must be a whole number.")
    rules.string_list("edge_group_ids", "edge_group_ids")
    rules.integer("idle_state_retention", 0, None, "idle_state_retention")
    return rules.violations


def validate_jar_job(
    payload: Any, *, update: bool = False, current: Mapping[str, Any] | None = None
) -> list[Violation]:
    """Rules of D3 (create) and D4 (update)."""
    if not isinstance(payload, Mapping):
        return [Violation("", _BAD, "The request body must be a JSON object.")]
    rules = _Rules(payload)
    _common(rules, update=update, current=current)
    for key, label in (
        ("main_class", "main_class"),
        ("entrypoint", "entrypoint"),
        ("entrypoint_args", "entrypoint_args"),
    ):
        rules.text(key, 0, limits.OBS_PATH_MAX_CHARS if key == "entrypoint" else limits.SQL_MAX_CHARS, label)
    rules.string_list("dependency_jars", "dependency_jars")
    rules.string_list("dependency_files", "dependency_files")
    if rules.present("job_type") and payload["job_type"] not in vocab.DLI_JAR_JOB_TYPES:
        rules.add("job_type", "A JAR job's job_type is flink_jar_job.")
    return rules.violations


def validate_template(payload: Any, *, update: bool = False) -> list[Violation]:
    """Rules of D17 (create) and D18 (update)."""
    if not isinstance(payload, Mapping):
        return [Violation("", _BAD, "The request body must be a JSON object.")]
    rules = _Rules(payload)
    _name(rules, required=not update, high=limits.TEMPLATE_NAME_MAX_CHARS, label="template")
    rules.text("desc", 0, limits.TEMPLATE_DESC_MAX_CHARS, "The template description")
    rules.text("sql_body", 0, limits.TEMPLATE_SQL_MAX_CHARS, "The template's SQL statement")
    if rules.present("job_type") and payload["job_type"] not in vocab.DLI_TEMPLATE_JOB_TYPES:
        rules.add("job_type", f"A template's job_type is one of {', '.join(vocab.DLI_TEMPLATE_JOB_TYPES)}.")
    for tag in validate_tags(payload.get("tags")):
        rules.add(tag.field, tag.message, tag.code)
    return rules.violations


def validate_template_count(existing: int) -> list[Violation]:
    """dli_02_0245: at most 100 templates; the 101st is refused with DLI.1028."""
    if existing >= limits.TEMPLATES_MAX:
        return [
            Violation(
                "name",
                QUOTA_INSUFFICIENT,
                f"A project has at most {limits.TEMPLATES_MAX} templates; delete one to create another.",
            )
        ]
    return []


def validate_list_query(
    params: Mapping[str, Any], *, limit_max: int = limits.LIST_LIMIT_MAX
) -> list[Violation]:
    """``limit`` (1..100), ``offset`` (>= 0), ``order`` (asc/desc), ``status`` and ``name`` of the lists."""
    rules = _Rules(params)
    rules.integer("limit", limits.LIST_LIMIT_MIN, limit_max, "limit")
    rules.integer("offset", limits.OFFSET_MIN, None, "offset")
    if rules.present("order") and params["order"] not in vocab.LIST_ORDERS:
        rules.add("order", "order is asc or desc.")
    if rules.present("status") and params["status"] not in vocab.DLI_JOB_STATUSES:
        rules.add("status", "status is one of DLI's job statuses.")
    if rules.present("job_type") and params["job_type"] not in vocab.DLI_JOB_TYPES:
        rules.add("job_type", f"job_type is one of {', '.join(vocab.DLI_JOB_TYPES)}.")
    rules.text("name", 0, limits.JOB_NAME_MAX_CHARS, "name")
    if rules.present("show_detail") and as_bool(params["show_detail"]) is None:
        rules.add("show_detail", "show_detail is true or false.")
    return rules.violations


def validate_job_ids(payload: Any, field: str = "job_ids", *, required: bool = True) -> list[Violation]:
    """A batch's job IDs: 1 to 100 positive whole numbers."""
    value = payload.get(field) if isinstance(payload, Mapping) else None
    if value is None and not required:
        return []
    if not isinstance(value, list) or not value:
        return [Violation(field, _BAD, f"{field} must be a non-empty list of job IDs.")]
    if len(value) > limits.BATCH_MAX:
        return [
            Violation(field, _BAD, f"A batch holds at most {limits.BATCH_MAX} job IDs; got {len(value)}.")
        ]
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or item < 1:
            return [Violation(field, _BAD, f"Job IDs are whole numbers greater than 0; got {item!r}.")]
    return []


def validate_savepoint(payload: Any) -> list[Violation]:
    """D13: ``action`` TRIGGER and an OBS ``savepoint_path`` (dli_02_0392)."""
    if not isinstance(payload, Mapping):
        return [Violation("", _BAD, "The request body must be a JSON object.")]
    rules = _Rules(payload)
    if payload.get("action") not in vocab.DLI_SAVEPOINT_ACTIONS:
        rules.add("action", f"action is {' or '.join(vocab.DLI_SAVEPOINT_ACTIONS)}.")
    rules.text("savepoint_path", 1, limits.OBS_PATH_MAX_CHARS, "savepoint_path", required=True)
    return rules.violations


def validate_export(payload: Any) -> list[Violation]:
    """D14: an ``obs_dir``; when ``is_selected`` is true, the ``job_selected`` IDs."""
    if not isinstance(payload, Mapping):
        return [Violation("", _BAD, "The request body must be a JSON object.")]
    rules = _Rules(payload)
    rules.text("obs_dir", 1, limits.OBS_PATH_MAX_CHARS, "obs_dir", required=True)
    selected = rules.boolean("is_selected")
    if selected:
        for violation in validate_job_ids(payload, "job_selected"):
            rules.add(violation.field, violation.message, violation.code)
    return rules.violations


def validate_import(payload: Any) -> list[Violation]:
    """D15: the OBS path of a ``zip_file`` (or a directory of them) and ``is_cover``."""
    if not isinstance(payload, Mapping):
        return [Violation("", _BAD, "The request body must be a JSON object.")]
    rules = _Rules(payload)
    rules.text("zip_file", 1, limits.OBS_PATH_MAX_CHARS, "zip_file", required=True)
    rules.boolean("is_cover")
    return rules.violations
