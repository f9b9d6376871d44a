"""The request rules of the CS API reference, as pure functions (no Django, no I/O).

Shared by the CS emulator (which answers a violation with its error code) and the dashboard's forms
and API (which show the same rule before CS is asked). Each function takes a request payload as CS
receives it (a JSON object, or form fields as strings) and returns a list of :class:`Violation`, empty
when the payload is acceptable. ``Violation.code`` is the error code CS answers with (table 7-2).

Rules that need state (name uniqueness, existence of a cluster, quotas, the number of templates or
host mappings already there) are the caller's; the functions here see only the payload, plus, for
updates, the current values (``current=``) so that cross-field rules hold on the merged result.

Every limit comes from :mod:`csapi.limits` and every vocabulary from :mod:`csapi.vocab`.
"""

from __future__ import annotations

import io
import ipaddress
import re
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from csapi import limits, vocab

__all__ = [
    "Violation",
    "as_bool",
    "as_int",
    "check_jar",
    "excerpt",
    "inspect_jar",
    "manifest_main_class",
    "read_jar_manifest",
    "check_upload_size",
    "first",
    "parse_hosts_file",
    "validate_audit_query",
    "validate_cluster",
    "validate_host_mapping",
    "validate_hosts_add",
    "validate_hosts_delete",
    "validate_jar_job",
    "validate_job_ids",
    "validate_list_query",
    "validate_metrics_request",
    "validate_obs_buckets",
    "validate_peer_route",
    "validate_peering",
    "validate_route",
    "validate_sql_job",
    "validate_template",
    "validate_user_quota",
]


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: the request field, the CS error code CS answers with, a readable message."""

    field: str
    code: str
    message: str


def first(violations: list[Violation]) -> Violation | None:
    """The violation CS reports (the first one found), or ``None``."""
    return violations[0] if violations else None


# --------------------------------------------------------------------------------------------- coercion
_INT_RE = re.compile(r"^[+-]?\d+$")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


def as_int(value: Any) -> int | None:
    """``value`` as an int (ints and digit strings, as JSON and form-data send them); ``None`` if not."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT_RE.match(value.strip()):
        return int(value.strip())
    return None


def as_bool(value: Any) -> bool | None:
    """``value`` as a bool (JSON booleans, "true"/"false" form values, 0/1); ``None`` if not."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def _present(payload: Mapping[str, Any], key: str) -> bool:
    return key in payload and payload[key] is not None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class _Checker:
    """Collects violations, one per field at most (the first rule a field breaks)."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []
        self._fields: set[str] = set()

    def add(self, field: str, code: str, message: str) -> None:
        if field in self._fields:
            return
        self._fields.add(field)
        self.violations.append(Violation(field, code, message))

    def has(self, field: str) -> bool:
        return field in self._fields

    def int_field(
        self, payload: Mapping[str, Any], key: str, code: str, low: int | None, high: int | None, label: str
    ) -> int | None:
        if not _present(payload, key) or payload[key] == "":
            return None
        value = as_int(payload[key])
        if value is None:
            self.add(key, code, f"{label} must be an integer.")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                self.add(key, code, f"{label} must be between {low} and {high}; got {value}.")
            elif low is not None:
                self.add(key, code, f"{label} must be at least {low}; got {value}.")
            else:
                self.add(key, code, f"{label} must be at most {high}; got {value}.")
            return None
        return value

    def bool_field(self, payload: Mapping[str, Any], key: str, code: str) -> bool | None:
        if not _present(payload, key):
            return None
        value = as_bool(payload[key])
        if value is None:
            self.add(key, code, f"{key} must be true or false.")
        return value

    def text_max(self, payload: Mapping[str, Any], key: str, max_bytes: int, code: str, label: str) -> None:
        if _present(payload, key):
            if not isinstance(payload[key], str | int | float) or isinstance(payload[key], bool):
                self.add(key, code, f"{label} must be a string.")
            elif limits.utf8_len(_text(payload[key])) > max_bytes:
                self.add(key, code, f"{label} is longer than {max_bytes:,} bytes.")


def _name_rules(
    chk: _Checker,
    payload: Mapping[str, Any],
    *,
    required: bool,
    blank: str,
    too_long: str,
    bad: str,
    max_bytes: int,
    pattern: re.Pattern[str],
    label: str,
    key: str = "name",
) -> None:
    if not _present(payload, key):
        if required:
            chk.add(key, blank, f"The {label} name cannot be left blank.")
        return
    name = payload[key]
    if not isinstance(name, str) or not name.strip():
        chk.add(key, blank, f"The {label} name cannot be left blank.")
    elif limits.utf8_len(name) > max_bytes:
        chk.add(key, too_long, f"The {label} name is longer than {max_bytes} bytes.")
    elif not pattern.match(name):
        chk.add(key, bad, f"A {label} name consists of letters, digits, underscores (_) and hyphens (-).")


def _merged(payload: Mapping[str, Any], current: Mapping[str, Any] | None) -> dict[str, Any]:
    merged = dict(current or {})
    merged.update({k: v for k, v in payload.items() if v is not None})
    return merged


def _job_id_rule(chk: _Checker, payload: Mapping[str, Any], key: str = "job_id") -> None:
    value = as_int(payload.get(key))
    if value is None or value < limits.JOB_ID_MIN:
        chk.add(key, "CS.12001", "Invalid job ID. The job ID must be a digit greater than 0.")


def _job_identity_rules(chk: _Checker, payload: Mapping[str, Any], *, update: bool) -> None:
    """The job id (updates) and job name rules shared by SQL and JAR jobs (5.1.5-5.1.8)."""
    if update:
        _job_id_rule(chk, payload)
    _name_rules(
        chk,
        payload,
        required=not update,
        blank="CS.11007",
        too_long="CS.11006",
        bad="CS.11015",
        max_bytes=limits.JOB_NAME_MAX_BYTES,
        pattern=limits.JOB_NAME_PATTERN,
        label="job",
    )


def _obs_rules(chk: _Checker, merged: Mapping[str, Any]) -> None:
    checkpoint = as_bool(merged.get("checkpoint_enabled")) or False
    log = as_bool(merged.get("log_enabled")) or False
    bucket = _text(merged.get("obs_bucket")).strip()
    if checkpoint and not bucket:
        chk.add(
            "obs_bucket", "CS.11010", "The obs_bucket parameter is required when checkpoint_enabled is true."
        )
    if log and not bucket:
        chk.add("obs_bucket", "CS.11011", "The obs_bucket parameter is required when log_enabled is true.")


# -------------------------------------------------------------------------------------------- SQL jobs
def validate_sql_job(
    payload: Mapping[str, Any], *, update: bool = False, current: Mapping[str, Any] | None = None
) -> list[Violation]:
    """Rules of 5.1.5 (create) / 5.1.6 (update, ``update=True``; ``current`` = the job's values)."""
    chk = _Checker()
    if not isinstance(payload, Mapping):
        return [Violation("", "CS.10004", "The request body must be a JSON object.")]
    _job_identity_rules(chk, payload, update=update)
    chk.text_max(payload, "desc", limits.JOB_DESC_MAX_BYTES, "CS.11014", "The job description")
    chk.text_max(payload, "sql_body", limits.SQL_MAX_BYTES, "CS.11001", "The SQL statement")
    merged = _merged(payload, current)

    run_mode = merged.get("run_mode")
    if run_mode is None or run_mode == "":
        if not update:
            chk.add("run_mode", "CS.11029", "The run_mode parameter must be specified.")
    elif run_mode not in vocab.RUN_MODES:
        chk.add(
            "run_mode", "CS.11024", f"run_mode must be one of {', '.join(vocab.RUN_MODES)}; got {run_mode!r}."
        )
    job_type = merged.get("job_type")
    if job_type not in (None, ""):
        if job_type not in vocab.SQL_JOB_TYPES:
            chk.add(
                "job_type", "CS.11024", f"A SQL job's job_type is one of {', '.join(vocab.SQL_JOB_TYPES)}."
            )
        elif run_mode in vocab.RUN_MODES and not vocab.job_type_allowed(run_mode, job_type):
            chk.add("job_type", "CS.11024", f"job_type {job_type} cannot run in run_mode {run_mode}.")
    if run_mode == "edge_node" and not _text(merged.get("edge_group_ids")).strip():
        chk.add("edge_group_ids", "CS.11023", "Jobs on edge nodes need edge_group_ids.")
    if run_mode == "exclusive_cluster":
        if as_int(merged.get("cluster_id")) is None:
            chk.add("cluster_id", "CS.11029", "Jobs in an exclusive cluster need cluster_id.")
    if (
        _present(payload, "cluster_id")
        and payload["cluster_id"] != ""
        and as_int(payload["cluster_id"]) is None
    ):
        chk.add("cluster_id", "CS.11029", "cluster_id must be an integer.")
    if _text(merged.get("udf_jar_url")).strip() and run_mode == "shared_cluster":
        chk.add("udf_jar_url", "CS.11035", "UDFs cannot be used in the shared cluster.")

    spu = chk.int_field(payload, "spu_number", "CS.11012", limits.SPU_MIN, limits.SPU_MAX, "spu_number")
    par = chk.int_field(
        payload,
        "parallel_number",
        "CS.11013",
        limits.PARALLELISM_MIN,
        limits.PARALLELISM_MAX,
        "parallel_number",
    )
    if not chk.has("spu_number") and not chk.has("parallel_number"):
        spu = spu if spu is not None else as_int(merged.get("spu_number"))
        par = par if par is not None else as_int(merged.get("parallel_number"))
        if spu is not None and par is not None and par > limits.PARALLELISM_PER_SPU * spu:
            chk.add(
                "parallel_number",
                "CS.11022",
                f"Parallelism ({par}) cannot exceed {limits.PARALLELISM_PER_SPU} x the SPU number ({spu}).",
            )

    checkpoint = chk.bool_field(payload, "checkpoint_enabled", "CS.10004")
    if checkpoint is None:
        checkpoint = as_bool(merged.get("checkpoint_enabled")) or False
    mode = merged.get("checkpoint_mode")
    if mode not in (None, "") and vocab.normalize_checkpoint_mode(mode) is None:
        chk.add(
            "checkpoint_mode", "CS.11009", "checkpoint_mode must be exactly_once or at_least_once (or 1 / 2)."
        )
    elif checkpoint and mode in (None, ""):
        chk.add("checkpoint_mode", "CS.11009", "checkpoint_mode is required when checkpoint_enabled is true.")
    interval = merged.get("checkpoint_interval")
    if interval not in (None, ""):
        value = as_int(interval)
        if value is None or value < 0 or (checkpoint and value < limits.CHECKPOINT_INTERVAL_MIN):
            chk.add(
                "checkpoint_interval",
                "CS.11008",
                f"checkpoint_interval must be at least {limits.CHECKPOINT_INTERVAL_MIN} second(s) "
                "when checkpointing is enabled.",
            )
    elif checkpoint:
        chk.add(
            "checkpoint_interval",
            "CS.11008",
            "checkpoint_interval is required when checkpoint_enabled is true.",
        )
    chk.bool_field(payload, "log_enabled", "CS.10004")
    chk.bool_field(payload, "restart_when_exception", "CS.10004")
    _obs_rules(chk, merged)

    if _present(payload, "idle_state_retention") and payload["idle_state_retention"] != "":
        value = as_int(payload["idle_state_retention"])
        if value is None or (
            value != limits.IDLE_STATE_RETENTION_UNSET
            and not (limits.IDLE_STATE_RETENTION_MIN <= value <= limits.IDLE_STATE_RETENTION_MAX)
        ):
            chk.add(
                "idle_state_retention",
                "CS.11036",
                f"idle_state_retention ranges from {limits.IDLE_STATE_RETENTION_MIN}s to "
                f"{limits.IDLE_STATE_RETENTION_MAX}s (0 leaves it unset).",
            )
    if _present(payload, "dirty_data_strategy") and payload["dirty_data_strategy"] != "":
        if vocab.parse_dirty_data_strategy(payload["dirty_data_strategy"]) is None:
            chk.add(
                "dirty_data_strategy",
                "CS.11039",
                'dirty_data_strategy is "0" (ignore), "1" (job exception) or "2:{obs path}" (save).',
            )
    if (
        _present(payload, "template_id")
        and payload["template_id"] != ""
        and as_int(payload["template_id"]) is None
    ):
        chk.add("template_id", "CS.18005", "template_id must be an integer.")
    return chk.violations


# -------------------------------------------------------------------------------------------- JAR jobs
def check_upload_size(size: int, field: str = "jar") -> list[Violation]:
    """CS.11031: uploaded local files are at most 8 MB."""
    if size > limits.UPLOAD_MAX_BYTES:
        return [
            Violation(
                field,
                "CS.11031",
                f"The uploaded file is {size:,} bytes; at most {limits.UPLOAD_MAX_BYTES:,} are allowed.",
            )
        ]
    return []


def excerpt(text: str, limit: int = limits.ERROR_EXCERPT_CHARS) -> str:
    """A short, single-line quote of untrusted text for an error message."""
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")


MANIFEST = "META-INF/MANIFEST.MF"


def read_jar_manifest(archive: zipfile.ZipFile, field: str = "jar") -> tuple[str, list[Violation]]:
    """The manifest's text, read within bounds (size and compression ratio), or a violation.

    A zip entry's declared sizes can lie, so the entry is also read in a bounded chunk: a bomb costs
    at most ``JAR_MANIFEST_MAX_BYTES`` of memory to refuse.
    """
    cap = limits.JAR_MANIFEST_MAX_BYTES
    try:
        info = archive.getinfo(MANIFEST)
    except KeyError:
        return "", [
            Violation(field, "CS.11017", "The uploaded file is not a JAR file (no META-INF/MANIFEST.MF).")
        ]
    bomb = Violation(
        field,
        "CS.11017",
        f"The JAR's manifest unpacks to more than {cap // 1024} KB (or {limits.ZIP_ENTRY_MAX_RATIO} times "
        "its packed size); that is not a manifest a JAR needs. Rebuild the JAR.",
    )
    if info.file_size > cap or (
        info.compress_size
        and info.file_size / info.compress_size > limits.ZIP_ENTRY_MAX_RATIO
        and info.file_size > 4096
    ):
        return "", [bomb]
    try:
        with archive.open(info) as fh:
            data = fh.read(cap + 1)
    except (zipfile.BadZipFile, NotImplementedError, OSError, RuntimeError, ValueError, EOFError):
        return "", [
            Violation(
                field, "CS.11017", "The JAR's manifest cannot be read (a damaged or encrypted archive)."
            )
        ]
    if len(data) > cap:
        return "", [bomb]
    return data.decode("utf-8", "replace"), []


def manifest_main_class(manifest: str) -> str:
    """``Main-Class`` of a manifest's text, or "" (continuation lines start with one space)."""
    lines: list[str] = []
    for line in manifest.replace("\r\n", "\n").split("\n"):
        if line.startswith(" ") and lines:
            lines[-1] += line[1:]
        else:
            lines.append(line)
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip().lower() == "main-class":
            return value.strip()
    return ""


def inspect_jar(source: Any, filename: str | None = None, field: str = "jar") -> tuple[str, list[Violation]]:
    """Check an uploaded JAR (bytes or a file object) and return its manifest's ``Main-Class``.

    At most 8 MB (CS.11031), a ``.jar`` name, a zip archive with a manifest (CS.11017) that unpacks
    within bounds. A file object is read in place (never whole into memory) and rewound.
    """
    if isinstance(source, bytes | bytearray):
        size, fh = len(source), io.BytesIO(source)
    else:
        fh = source
        fh.seek(0, io.SEEK_END)
        size = fh.tell()
        fh.seek(0)
    too_big = check_upload_size(size, field)
    if too_big:
        return "", too_big
    if filename and not filename.lower().endswith(".jar"):
        return "", [
            Violation(
                field, "CS.11017", f"{excerpt(filename)} is not a JAR file (the name must end in .jar)."
            )
        ]
    try:
        with zipfile.ZipFile(fh) as archive:
            text, problems = read_jar_manifest(archive, field)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return "", [Violation(field, "CS.11017", "The uploaded file is not a JAR file (not a zip archive).")]
    finally:
        fh.seek(0)
    return manifest_main_class(text), problems


def check_jar(data: bytes, filename: str | None = None, field: str = "jar") -> list[Violation]:
    """An uploaded JAR: at most 8 MB (CS.11031) and a real JAR, i.e. a zip with a manifest (CS.11017)."""
    return inspect_jar(data, filename, field)[1]


def validate_jar_job(
    payload: Mapping[str, Any],
    *,
    update: bool = False,
    current: Mapping[str, Any] | None = None,
    files: Mapping[str, tuple[str | None, bytes]] | None = None,
) -> list[Violation]:
    """Rules of 5.1.7 (create) / 5.1.8 (update): form fields (strings) or JSON values.

    ``files`` maps ``"jar"`` / ``"config"`` to ``(filename, content)`` of uploaded files.
    """
    chk = _Checker()
    _job_identity_rules(chk, payload, update=update)
    if not update and not _present(payload, "desc"):
        chk.add("desc", "CS.11029", "The desc parameter must be specified.")
    chk.text_max(payload, "desc", limits.JOB_DESC_MAX_BYTES, "CS.11014", "The job description")
    merged = _merged(payload, current)

    job_type = merged.get("job_type")
    if job_type in (None, ""):
        chk.add("job_type", "CS.11029", "The job_type parameter must be specified.")
    elif job_type not in vocab.JAR_JOB_TYPES:
        chk.add("job_type", "CS.13012", f"job_type must be one of {', '.join(vocab.JAR_JOB_TYPES)}.")
    if as_int(merged.get("cluster_id")) is None:
        chk.add(
            "cluster_id", "CS.11029", "User-defined jobs run in an exclusive cluster: cluster_id is required."
        )
    elif as_int(merged.get("cluster_id")) == 0:
        chk.add("cluster_id", "CS.13009", "User-defined jobs cannot run on the shared cluster.")

    manager = chk.int_field(
        payload, "manager_spu", "CS.11025", limits.MANAGER_SPU_MIN, limits.MANAGER_SPU_MAX, "manager_spu"
    )
    if manager is None and not chk.has("manager_spu"):
        manager = as_int(merged.get("manager_spu"))
        if manager is None:
            chk.add("manager_spu", "CS.11029", "The manager_spu parameter must be specified.")
    if job_type == "spark_streaming_jar_job":
        number = chk.int_field(
            payload,
            "executor_number",
            "CS.11028",
            limits.EXECUTOR_NUMBER_MIN,
            limits.EXECUTOR_NUMBER_MAX,
            "executor_number",
        )
        spu = chk.int_field(
            payload,
            "executor_spu",
            "CS.11027",
            limits.EXECUTOR_SPU_MIN,
            limits.EXECUTOR_SPU_MAX,
            "executor_spu",
        )
        if not chk.has("executor_number") and not chk.has("executor_spu"):
            number = number if number is not None else as_int(merged.get("executor_number"))
            spu = spu if spu is not None else as_int(merged.get("executor_spu"))
            if not number or not spu:
                chk.add(
                    "executor_number",
                    "CS.11026",
                    "Spark streaming JAR jobs need executor_spu and executor_number "
                    "(total SPUs = executor_spu x executor_number + manager_spu).",
                )
            elif manager is not None and not chk.has("manager_spu"):
                total = spu * number + manager
                if total > limits.SPU_MAX:
                    chk.add(
                        "executor_number",
                        "CS.11012",
                        f"The job needs {total} SPUs (executor_spu x executor_number + manager_spu); "
                        f"at most {limits.SPU_MAX} are allowed.",
                    )
    elif job_type == "flink_jar_job":
        spu = chk.int_field(payload, "spu_number", "CS.11012", limits.SPU_MIN, limits.SPU_MAX, "spu_number")
        if spu is None and not chk.has("spu_number"):
            spu = as_int(merged.get("spu_number"))
            if spu is None:
                chk.add("spu_number", "CS.11029", "Flink JAR jobs need spu_number.")
        par = chk.int_field(
            payload,
            "parallel_number",
            "CS.11013",
            limits.PARALLELISM_MIN,
            limits.PARALLELISM_MAX,
            "parallel_number",
        )
        if par is None and not chk.has("parallel_number"):
            par = as_int(merged.get("parallel_number"))
        if (
            spu is not None
            and manager is not None
            and not chk.has("manager_spu")
            and not chk.has("spu_number")
        ):
            if manager > limits.max_manager_spu(spu) or manager >= spu:
                chk.add(
                    "manager_spu",
                    "CS.11025",
                    f"manager_spu must be between {limits.MANAGER_SPU_MIN} and "
                    f"{limits.max_manager_spu(spu)} for {spu} SPUs.",
                )
            elif par is not None and not chk.has("parallel_number"):
                compute = spu - manager
                if par > limits.PARALLELISM_PER_SPU * compute:
                    chk.add(
                        "parallel_number",
                        "CS.11022",
                        f"Parallelism ({par}) cannot exceed {limits.PARALLELISM_PER_SPU} x the compute "
                        f"SPUs ({compute}).",
                    )

    chk.bool_field(payload, "log_enabled", "CS.10004")
    chk.bool_field(payload, "restart_when_exception", "CS.10004")
    _obs_rules(chk, merged)
    if _present(payload, "main_class"):
        main_class = _text(payload["main_class"])
        if limits.utf8_len(main_class) > limits.MAIN_CLASS_MAX_BYTES:
            chk.add(
                "main_class",
                "CS.11018",
                f"The main class name is longer than {limits.MAIN_CLASS_MAX_BYTES} bytes.",
            )
        elif main_class and not limits.MAIN_CLASS_PATTERN.match(main_class):
            chk.add("main_class", "CS.11020", "The main class name must not contain spaces.")
    chk.text_max(payload, "args", limits.ARGS_MAX_BYTES, "CS.11019", "The main class arguments")
    for key, (filename, content) in (files or {}).items():
        if key == "jar":
            for v in check_jar(content, filename, key):
                chk.add(v.field, v.code, v.message)
        else:
            for v in check_upload_size(len(content), key):
                chk.add(v.field, v.code, v.message)
    return chk.violations


# ------------------------------------------------------------------------------------------- templates
def validate_template(payload: Mapping[str, Any], *, update: bool = False) -> list[Violation]:
    """Rules of 5.2.1 (create) / 5.2.2 (update: ``id`` required)."""
    if not isinstance(payload, Mapping):
        return [Violation("", "CS.18004", "The request body must be a JSON object.")]
    chk = _Checker()
    if update:
        value = as_int(payload.get("id", payload.get("template_id")))
        if value is None or value <= 0:
            chk.add("id", "CS.18005", "The template ID is missing or invalid.")
    _name_rules(
        chk,
        payload,
        required=not update,
        blank="CS.18006",
        too_long="CS.18009",
        bad="CS.18007",
        max_bytes=limits.TEMPLATE_NAME_MAX_BYTES,
        pattern=limits.TEMPLATE_NAME_PATTERN,
        label="template",
    )
    chk.text_max(payload, "desc", limits.TEMPLATE_DESC_MAX_BYTES, "CS.18008", "The template description")
    chk.text_max(payload, "sql_body", limits.TEMPLATE_SQL_MAX_BYTES, "CS.18001", "The template SQL statement")
    return chk.violations


# -------------------------------------------------------------------------------------------- clusters
def _cidr(value: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(_text(value).strip(), strict=True)
    except ValueError:
        return None


def validate_cluster(payload: Mapping[str, Any], *, update: bool = False) -> list[Violation]:
    """Rules of 5.3.1 (create) / 5.3.5 (update). ``name`` is mandatory in both (tables 5-88, 5-104)."""
    if not isinstance(payload, Mapping):
        return [Violation("", "CS.20002", "The request body must be a JSON object.")]
    chk = _Checker()
    _name_rules(
        chk,
        payload,
        required=True,
        blank="CS.20008",
        too_long="CS.20009",
        bad="CS.20011",
        max_bytes=limits.CLUSTER_NAME_MAX_BYTES,
        pattern=limits.CLUSTER_NAME_PATTERN,
        label="cluster",
    )
    chk.text_max(payload, "desc", limits.CLUSTER_DESC_MAX_BYTES, "CS.20010", "The cluster description")
    if _present(payload, "maximum_spu_quota"):
        quota = as_int(payload["maximum_spu_quota"])
        if quota is None or quota < limits.CLUSTER_SPU_QUOTA_MIN:
            chk.add("maximum_spu_quota", "CS.20012", "The SPU quota must be greater than 0.")
        elif quota > limits.CLUSTER_SPU_QUOTA_MAX:
            chk.add(
                "maximum_spu_quota",
                "CS.20003",
                f"A maximum of {limits.CLUSTER_SPU_QUOTA_MAX} SPUs can be configured for a cluster.",
            )
    if not update:
        vpc = subnet = None
        if _present(payload, "vpc_cidr"):
            vpc = _cidr(payload["vpc_cidr"])
            if vpc is None:
                chk.add("vpc_cidr", "CS.20022", "vpc_cidr is not a valid CIDR block.")
        if _present(payload, "subnet_cidr"):
            subnet = _cidr(payload["subnet_cidr"])
            if subnet is None:
                chk.add("subnet_cidr", "CS.20022", "subnet_cidr is not a valid CIDR block.")
            elif vpc is not None and (subnet.version != vpc.version or not subnet.subnet_of(vpc)):  # type: ignore[arg-type]
                chk.add("subnet_cidr", "CS.20022", "subnet_cidr must lie inside vpc_cidr.")
        if _present(payload, "subnet_gateway"):
            try:
                gateway = ipaddress.ip_address(_text(payload["subnet_gateway"]).strip())
            except ValueError:
                chk.add("subnet_gateway", "CS.20022", "subnet_gateway is not a valid IP address.")
            else:
                if subnet is not None and (
                    gateway not in subnet or gateway in (subnet.network_address, subnet.broadcast_address)
                ):
                    chk.add(
                        "subnet_gateway", "CS.20022", "subnet_gateway must be a host address of subnet_cidr."
                    )
    for key in ("manager_node_spec", "manager_node_spu"):
        if _present(payload, key) and payload[key] != "":
            value = as_int(payload[key])
            if value is None or not 1 <= value <= 16:
                chk.add(key, "CS.20023", f"The {key} parameter setting is incorrect.")
    if _present(payload, "is_arm_arch"):
        chk.bool_field(payload, "is_arm_arch", "CS.20002")
    return chk.violations


# ------------------------------------------------------------------------------------- host mappings
_HOSTNAME_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def _valid_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _valid_hostname(text: str) -> bool:
    if not text or len(text) > 253:
        return False
    labels = text.rstrip(".").split(".")
    return all(_HOSTNAME_LABEL.match(label) for label in labels) and not _valid_ip(text)


def validate_host_mapping(info: Any, field: str = "hosts_info") -> list[Violation]:
    """One IP-domain mapping ``{"hostname": ..., "ip": ...}`` (5.3.9, 5.3.10; CS.22001)."""
    if not isinstance(info, Mapping):
        return [Violation(field, "CS.22001", "An IP-domain mapping is an object with hostname and ip.")]
    ip = _text(info.get("ip")).strip()
    hostname = _text(info.get("hostname")).strip()
    if not _valid_ip(ip):
        return [Violation(f"{field}.ip", "CS.22001", f"Incorrect IP address format: {ip!r}.")]
    if not _valid_hostname(hostname):
        return [Violation(f"{field}.hostname", "CS.22001", f"Incorrect domain name format: {hostname!r}.")]
    return []


def validate_hosts_add(payload: Any) -> list[Violation]:
    """5.3.9: ``{"hosts_info": [{"hostname", "ip"}, ...]}`` (at most 1,000 mappings, CS.22007)."""
    if (
        not isinstance(payload, Mapping)
        or not isinstance(payload.get("hosts_info"), list)
        or not payload["hosts_info"]
    ):
        return [Violation("hosts_info", "CS.22001", "hosts_info must be a non-empty list of mappings.")]
    if len(payload["hosts_info"]) > limits.HOST_MAPPINGS_MAX:
        return [
            Violation(
                "hosts_info",
                "CS.22007",
                f"The number of IP-domain mappings exceeds {limits.HOST_MAPPINGS_MAX:,}.",
            )
        ]
    out: list[Violation] = []
    seen: set[str] = set()
    for i, info in enumerate(payload["hosts_info"]):
        found = validate_host_mapping(info, f"hosts_info[{i}]")
        if found:
            return found
        name = _text(info.get("hostname")).strip().lower()
        if name in seen:
            return [
                Violation(f"hosts_info[{i}].hostname", "CS.22002", f"The domain name {name} is repeated.")
            ]
        seen.add(name)
    return out


def validate_hosts_delete(payload: Any) -> list[Violation]:
    """5.3.12: ``{"hosts_id": [3, ...]}``."""
    ids = payload.get("hosts_id") if isinstance(payload, Mapping) else None
    if not isinstance(ids, list) or not ids or any(as_int(i) is None for i in ids):
        return [Violation("hosts_id", "CS.22003", "hosts_id must be a non-empty list of domain name IDs.")]
    return []


def parse_hosts_file(data: bytes) -> tuple[list[tuple[str, str]], list[Violation]]:
    """Parse a hosts file (5.3.13) into ``(ip, hostname)`` pairs, with line-numbered violations.

    Each line is ``ip hostname [hostname ...]`` (CS.22004); blank lines and ``#`` comments (whole-line
    or trailing, as in any hosts file) are skipped. The file is at most 8 MB (CS.22006), must hold at
    least one mapping (CS.22005) and at most 1,000 (CS.22007).
    """
    if len(data) > limits.HOSTS_FILE_MAX_BYTES:
        return [], [
            Violation(
                "hosts_file",
                "CS.22006",
                f"The hosts file is {len(data):,} bytes; at most {limits.HOSTS_FILE_MAX_BYTES:,} "
                "are allowed.",
            )
        ]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Violation("hosts_file", "CS.22004", "The hosts file is not UTF-8 text.")]
    mappings: list[tuple[str, str]] = []
    violations: list[Violation] = []
    seen: set[str] = set()
    # Lines are read one at a time, and the check stops at the first HOSTS_FILE_MAX_ERRORS bad lines
    # or as soon as the file holds more mappings than allowed: a hostile file costs bounded work.
    for number, raw in enumerate(io.StringIO(text), start=1):
        if len(violations) >= limits.HOSTS_FILE_MAX_ERRORS:
            violations.append(
                Violation(
                    "hosts_file",
                    "CS.22004",
                    f"Stopped at line {number}: the file has at least {limits.HOSTS_FILE_MAX_ERRORS} bad lines.",
                )
            )
            break
        if len(mappings) > limits.HOST_MAPPINGS_MAX:
            break
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if len(line) > 4096:
            violations.append(
                Violation(
                    f"hosts_file:{number}", "CS.22004", f"Line {number} is {len(line):,} characters long."
                )
            )
            continue
        parts = line.split()
        if len(parts) < 2:
            violations.append(
                Violation(
                    f"hosts_file:{number}",
                    "CS.22004",
                    f"Line {number}: expected 'ip hostname [hostname ...]', got {excerpt(raw)}.",
                )
            )
            continue
        ip, names = parts[0], parts[1:]
        if not _valid_ip(ip):
            violations.append(
                Violation(
                    f"hosts_file:{number}", "CS.22004", f"Line {number}: {excerpt(ip)} is not an IP address."
                )
            )
            continue
        bad = [n for n in names if not _valid_hostname(n)]
        if bad:
            violations.append(
                Violation(
                    f"hosts_file:{number}",
                    "CS.22004",
                    f"Line {number}: {excerpt(bad[0])} is not a valid domain name.",
                )
            )
            continue
        for name in names:
            key = name.lower()
            if key in seen:
                violations.append(
                    Violation(
                        f"hosts_file:{number}",
                        "CS.22002",
                        f"Line {number}: the domain name {name} appears more than once.",
                    )
                )
                continue
            seen.add(key)
            mappings.append((ip, name))
    if not violations and not mappings:
        violations.append(Violation("hosts_file", "CS.22005", "The hosts file is empty."))
    if not violations and len(mappings) > limits.HOST_MAPPINGS_MAX:
        violations.append(
            Violation(
                "hosts_file",
                "CS.22007",
                f"The hosts file holds more than {limits.HOST_MAPPINGS_MAX:,} mappings; at most "
                f"{limits.HOST_MAPPINGS_MAX:,} are allowed.",
            )
        )
    return mappings, violations


# ---------------------------------------------------------------------------------------------- quotas
def validate_user_quota(payload: Any) -> list[Violation]:
    """5.3.16: ``{"spu_quota": int, "clusters": [cluster ids]}``."""
    if not isinstance(payload, Mapping):
        return [Violation("", "CS.10004", "The request body must be a JSON object.")]
    chk = _Checker()
    if _present(payload, "spu_quota"):
        quota = as_int(payload["spu_quota"])
        if quota is None or quota < limits.USER_SPU_QUOTA_MIN:
            chk.add("spu_quota", "CS.20012", "The SPU quota must be a non-negative integer.")
        elif quota > limits.USER_SPU_QUOTA_MAX:
            chk.add("spu_quota", "CS.20013", f"The maximum SPU quota is {limits.USER_SPU_QUOTA_MAX:,}.")
    if _present(payload, "clusters"):
        clusters = payload["clusters"]
        if not isinstance(clusters, list) or any(as_int(c) is None for c in clusters):
            chk.add("clusters", "CS.10004", "clusters must be a list of cluster IDs.")
    return chk.violations


# ----------------------------------------------------------------------------------- peering, routes
def _is_uuid(text: Any) -> bool:
    try:
        uuid.UUID(_text(text))
    except ValueError:
        return False
    return True


def validate_peering(payload: Any) -> list[Violation]:
    """5.3.17: ``vpc_id`` (an existing VPC: a UUID, CS.22101) and ``name`` (CS.22108) are required."""
    if not isinstance(payload, Mapping):
        return [Violation("", "CS.10004", "The request body must be a JSON object.")]
    chk = _Checker()
    if not _text(payload.get("name")).strip():
        chk.add("name", "CS.22108", "The name parameter is missing in the request body.")
    elif limits.utf8_len(_text(payload["name"])) > limits.PEERING_NAME_MAX_BYTES:
        chk.add(
            "name",
            "CS.22102",
            f"The VPC peering connection name is longer than {limits.PEERING_NAME_MAX_BYTES} bytes.",
        )
    if not _is_uuid(payload.get("vpc_id")):
        chk.add("vpc_id", "CS.22101", "The VPC ID does not exist.")
    tenant = payload.get("accept_tenant_id")
    if tenant not in (None, "") and not re.match(r"^[A-Za-z0-9_-]{1,64}$", _text(tenant)):
        chk.add("accept_tenant_id", "CS.22102", "accept_tenant_id is not a valid tenant ID.")
    return chk.violations


def _destination(chk: _Checker, value: Any, field: str = "destination") -> None:
    if value in (None, ""):
        chk.add(field, "CS.22104", "The destination parameter in the request body is not set.")
    elif _cidr(value) is None:
        chk.add(field, "CS.22106", f"The destination {value!r} is not a CIDR block (e.g. 192.168.0.0/16).")


def validate_route(payload: Any) -> list[Violation]:
    """5.3.22: ``{"destination": CIDR}``."""
    if not isinstance(payload, Mapping):
        return [Violation("", "CS.10004", "The request body must be a JSON object.")]
    chk = _Checker()
    _destination(chk, payload.get("destination"))
    return chk.violations


def validate_peer_route(payload: Any) -> list[Violation]:
    """5.3.23: ``{"route": {"type": "peering", "nexthop": peering id, "destination": CIDR, "vpc_id"}}``."""
    route = payload.get("route") if isinstance(payload, Mapping) else None
    if not isinstance(route, Mapping):
        return [Violation("route", "CS.10004", "The request body must hold a route object.")]
    chk = _Checker()
    if route.get("type") not in vocab.ROUTE_TYPES:
        chk.add("route.type", "CS.22106", "The route type can only be peering.")
    if not _text(route.get("nexthop")).strip():
        chk.add("route.nexthop", "CS.22103", "nexthop must be the ID of the VPC peering connection.")
    _destination(chk, route.get("destination"), "route.destination")
    if not _is_uuid(route.get("vpc_id")):
        chk.add("route.vpc_id", "CS.22101", "The VPC ID does not exist.")
    return chk.violations


# ------------------------------------------------------------------------------ lists, audit, batches
def validate_list_query(
    params: Mapping[str, Any], *, limit_code: str = "CS.10003", cursor_code: str = "CS.10003"
) -> list[Violation]:
    """cursor / next / limit / order of the list operations (limit > 0: CS.21031 clusters, CS.21095 quotas)."""
    chk = _Checker()
    if _present(params, "limit") and params["limit"] != "":
        value = as_int(params["limit"])
        if value is None or value < limits.LIST_LIMIT_MIN:
            chk.add("limit", limit_code, "The limit parameter must be greater than 0.")
    if _present(params, "order") and params["order"] != "" and params["order"] not in vocab.LIST_ORDERS:
        chk.add("order", "CS.10003", "order is asc or desc.")
    if _present(params, "next") and params["next"] != "" and as_bool(params["next"]) is None:
        chk.add("next", "CS.10003", "next is true or false.")
    if (
        _present(params, "show_detail")
        and params["show_detail"] != ""
        and as_bool(params["show_detail"]) is None
    ):
        chk.add("show_detail", "CS.10003", "show_detail is true or false.")
    if (
        _present(params, "cursor")
        and params["cursor"] != ""
        and as_int(params["cursor"]) is None
        and cursor_code != ""
    ):
        chk.add("cursor", cursor_code, "cursor must be an ID.")
    if _present(params, "root_job_id") and params["root_job_id"] != "":
        value = as_int(params["root_job_id"])
        if value is None or value < limits.ROOT_JOB_ID_MIN:
            chk.add("root_job_id", "CS.23003", "root_job_id must be greater than 0.")
    return chk.violations


def validate_audit_query(params: Mapping[str, Any]) -> list[Violation]:
    """5.1.14: ``limit`` at most 50 (CS.24001), ``resource_type`` job/template/cluster (CS.24002)."""
    chk = _Checker()
    if _present(params, "limit") and params["limit"] != "":
        value = as_int(params["limit"])
        if value is None or value < limits.AUDIT_LIMIT_MIN or value > limits.AUDIT_LIMIT_MAX:
            chk.add(
                "limit",
                "CS.24001",
                f"A maximum of {limits.AUDIT_LIMIT_MAX} audit logs can be queried "
                "(limit must be between 1 and 50).",
            )
    if (
        _present(params, "resource_type")
        and params["resource_type"] != ""
        and params["resource_type"] not in vocab.AUDIT_RESOURCE_TYPES
    ):
        chk.add(
            "resource_type", "CS.24002", "The resource type of the audit log is job, template, or cluster."
        )
    if _present(params, "page_number") and params["page_number"] != "":
        value = as_int(params["page_number"])
        if value is None or value < limits.AUDIT_PAGE_NUMBER_MIN:
            chk.add("page_number", "CS.24010", "page_number must be 1 or more.")
    return chk.violations


def validate_job_ids(payload: Any, field: str = "job_ids") -> list[Violation]:
    """Batch run / stop / delete bodies (5.1.10, 5.1.18, 5.1.20): a JSON array of job IDs."""
    if not isinstance(payload, list) or not payload:
        return [Violation(field, "CS.10004", "The request body must be a non-empty JSON array of job IDs.")]
    for value in payload:
        number = as_int(value)
        if number is None or number < limits.JOB_ID_MIN:
            return [
                Violation(
                    field, "CS.12001", f"Invalid job ID {value!r}. The job ID must be a digit greater than 0."
                )
            ]
    return []


def validate_metrics_request(payload: Any) -> list[Violation]:
    """5.1.15: ``{"job_ids": [...]}``."""
    if not isinstance(payload, Mapping) or "job_ids" not in payload:
        return [Violation("job_ids", "CS.10004", 'The request body must be {"job_ids": [...]}.')]
    ids = payload["job_ids"]
    if not isinstance(ids, list):
        return [Violation("job_ids", "CS.10004", "job_ids must be a JSON array.")]
    if not ids:
        return []
    return validate_job_ids(ids)


_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$")


def validate_obs_buckets(payload: Any) -> list[Violation]:
    """5.1.2: a JSON array of OBS bucket names (CS.19004 when none, CS.19003 for a name that cannot exist)."""
    if payload is None or payload == [] or payload == {}:
        return [Violation("buckets", "CS.19004", "No OBS bucket name in the request body.")]
    if isinstance(payload, Mapping) and "buckets" in payload:
        payload = payload["buckets"]
    if not isinstance(payload, list) or not all(isinstance(b, str) for b in payload):
        return [Violation("buckets", "CS.19001", "The request body must be a JSON array of bucket names.")]
    if not payload:
        return [Violation("buckets", "CS.19004", "No OBS bucket name in the request body.")]
    for name in payload:
        if not _BUCKET_RE.match(name) or ".." in name:
            return [Violation("buckets", "CS.19003", f"The bucket {name!r} does not exist.")]
    return []
