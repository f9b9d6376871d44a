"""Request bodies of DLI Flink jobs: SQL and JAR jobs created or updated through the job endpoints with a
DLI credential, and savepoints triggered on DLI jobs.

A body is checked in two steps before DLI is called, and refused with messages per field (400):
the serializers below parse types and the single-field ranges (their bounds come from
:mod:`csapi.dli.limits`, so the OpenAPI schema shows them), then :mod:`csapi.dli.validation` applies
DLI's own rules (name characters, CUs against parallelism, tags, checkpoint modes, ...), the same
functions the client and the emulator use. A queue must be one of the credential's polled queues.
DLI's own refusals land on the field they concern (:func:`dli_error_or_raise`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from csapi import CSError, vocab
from csapi.dli import errors as dli_errors
from csapi.dli import limits, validation
from dashboard.api.inputs import body_of
from dashboard.api.serializers import TagSerializer
from dashboard.clusters.models import Queue
from dashboard.jobs.models import Job
from dashboard.teams.cs import error_text
from dashboard.teams.models import Credential

# ------------------------------------------------------------------------------------------ fields

_CHECKPOINT_MODES = ["1", "2", *vocab.CHECKPOINT_MODE_TO_INT]


@extend_schema_field(TagSerializer(many=True))
class TagsField(serializers.Field):
    """DLI's ``[{"key": ..., "value": ...}]``, or a ``{key: value}`` object (turned into the former)."""

    default_error_messages = {
        "invalid": "Tags are a list of {{key, value}} objects or one {{key: value}} object.",
        "control": "A tag may not hold control characters or lone surrogates.",
    }

    def to_internal_value(self, data: Any) -> list[dict[str, Any]]:
        if isinstance(data, Mapping):
            tags = [{"key": k, "value": v} for k, v in data.items()]
        elif isinstance(data, list):
            tags = list(data)
        else:
            self.fail("invalid")
        # (DLI's rules leave them to DLI; the snapshot's JSON column cannot keep a NUL on PostgreSQL,
        # nor a lone surrogate anywhere)
        for tag in tags:
            texts = tag.values() if isinstance(tag, Mapping) else ()
            if any(
                isinstance(t, str) and any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in t)
                for t in texts
            ):
                self.fail("control")
        return tags

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field({"type": "string", "pattern": "^(" + "|".join(_CHECKPOINT_MODES) + ")$"})
class CheckpointModeField(serializers.ChoiceField):
    """DLI's checkpoint mode in any documented form (documented by a pattern: the schema's enum of that
    name is CS's form's)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=_CHECKPOINT_MODES, **kwargs)


def _int(low: int | None, high: int | None, help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=low, max_value=high, help_text=help_text)


def _bool(help_text: str) -> serializers.BooleanField:
    return serializers.BooleanField(required=False, help_text=help_text)


def _text(help_text: str, *, max_length: int | None = None) -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=max_length, help_text=help_text
    )


class _DliJobFields(serializers.Serializer):
    """What DLI's SQL and JAR jobs share (D1-D4)."""

    name = serializers.CharField(
        min_length=limits.JOB_NAME_MIN_CHARS,
        max_length=limits.JOB_NAME_MAX_CHARS,
        trim_whitespace=False,
        help_text=f"Letters, digits, hyphens and underscores; {limits.JOB_NAME_MIN_CHARS} to "
        f"{limits.JOB_NAME_MAX_CHARS} characters.",
    )
    desc = _text("A description.", max_length=limits.JOB_DESC_MAX_CHARS)
    queue_name = serializers.CharField(
        required=False,
        min_length=limits.QUEUE_NAME_MIN_CHARS,
        max_length=limits.QUEUE_NAME_MAX_CHARS,
        help_text="The general-purpose DLI queue the job runs on (one of the credential's queues).",
    )
    cu_number = _int(
        limits.CU_MIN,
        limits.CU_MAX,
        f"CUs of the whole job, JobManager included (default {limits.CU_DEFAULT}).",
    )
    manager_cu_number = _int(
        limits.MANAGER_CU_MIN,
        limits.CU_MAX,
        f"CUs of the JobManager (default {limits.MANAGER_CU_DEFAULT}); less than `cu_number`.",
    )
    tm_cus = _int(limits.TM_CUS_MIN, limits.CU_MAX, "CUs per TaskManager.")
    tm_slot_num = _int(limits.TM_SLOT_MIN, limits.PARALLELISM_MAX, "Slots per TaskManager.")
    parallel_number = _int(
        limits.PARALLELISM_MIN,
        limits.PARALLELISM_MAX,
        f"Parallelism: at most {limits.PARALLELISM_PER_CU} x (cu_number - manager_cu_number).",
    )
    flink_version = _text(
        "The Flink version (one the queue supports).",
        max_length=Job._meta.get_field("flink_version").max_length,
    )
    checkpoint_enabled = _bool("Take checkpoints.")
    checkpoint_mode = CheckpointModeField(required=False, help_text="1 or exactly_once, 2 or at_least_once.")
    checkpoint_interval = _int(
        limits.CHECKPOINT_INTERVAL_MIN, limits.CHECKPOINT_INTERVAL_MAX, "Seconds between checkpoints."
    )
    obs_bucket = _text("The OBS bucket for checkpoints and logs.", max_length=limits.OBS_PATH_MAX_CHARS)
    log_enabled = _bool("Upload the job's logs to the OBS bucket.")
    smn_topic = _text("The SMN topic told when the job fails.")
    restart_when_exception = _bool("Restart the job after an exception.")
    resume_checkpoint = _bool("On a restart, resume from the latest checkpoint.")
    resume_max_num = _int(
        limits.RESUME_MAX_UNLIMITED,
        None,
        f"The most restarts per hour; {limits.RESUME_MAX_UNLIMITED}: unlimited.",
    )
    tags = TagsField(
        required=False, help_text=f"At most {limits.TAGS_MAX} tags: a list of {{key, value}} or one object."
    )
    run = serializers.BooleanField(default=False, required=False, help_text="Also start the job once saved.")


class DliSqlJobCreate(_DliJobFields):
    """A DLI Flink SQL job (D1), for a credential of service ``dli``."""

    credential = serializers.UUIDField(help_text="A DLI credential of the team.")
    job_type = serializers.ChoiceField(
        choices=list(vocab.DLI_SQL_JOB_TYPES),
        required=False,
        help_text=f"Default {vocab.DLI_DEFAULT_SQL_JOB_TYPE}.",
    )
    template_id = serializers.IntegerField(
        required=False, min_value=1, help_text="Start from this template's SQL when `sql_body` is left out."
    )
    sql_body = _text("The SQL statements.", max_length=limits.SQL_MAX_CHARS)
    run_mode = serializers.ChoiceField(choices=list(vocab.RUN_MODES), required=False)
    idle_state_retention = _int(0, None, "Seconds an idle state is kept.")
    dirty_data_strategy = _text('"0" ignore, "1" raise an exception, "2:{obs path}" save them.')
    udf_jar_url = _text("A UDF JAR (a DLI package or an OBS path).", max_length=limits.OBS_PATH_MAX_CHARS)


class DliSqlJobUpdate(DliSqlJobCreate):
    """An update of a DLI Flink SQL job (D2): fields left out keep their values."""

    credential = None
    job_type = None
    template_id = None


_ENTRYPOINT_HELP = "An OBS path (obs://bucket/path.jar) or the name of a package uploaded to DLI."


class DliJarJobCreate(_DliJobFields):
    """A DLI Flink JAR job (D3): its JAR is named, not uploaded."""

    credential = serializers.UUIDField(help_text="A DLI credential of the team.")
    entrypoint = serializers.CharField(max_length=limits.OBS_PATH_MAX_CHARS, help_text=_ENTRYPOINT_HELP)
    main_class = _text("The main class (the JAR's manifest names it when left out).")
    entrypoint_args = _text("Arguments of the main class.", max_length=limits.SQL_MAX_CHARS)
    dependency_jars = serializers.ListField(
        child=serializers.CharField(max_length=limits.OBS_PATH_MAX_CHARS),
        required=False,
        help_text="Other JARs the job needs: " + _ENTRYPOINT_HELP,
    )
    dependency_files = serializers.ListField(
        child=serializers.CharField(max_length=limits.OBS_PATH_MAX_CHARS),
        required=False,
        help_text="Files the job reads: OBS paths or DLI package names.",
    )


class DliJarJobUpdate(DliJarJobCreate):
    """An update of a DLI Flink JAR job (D4): fields left out keep their values."""

    credential = None
    job_type = None


class SavepointTrigger(serializers.Serializer):
    savepoint_path = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=limits.OBS_PATH_MAX_CHARS,
        help_text="The OBS path of the savepoint; left out: the job's savepoint path, else a savepoint "
        "folder of its OBS bucket.",
    )


# ------------------------------------------------------------------------------------------ checks


def _raise_field_errors(errors: Mapping[str, list[str]]) -> None:
    if errors:
        raise exceptions.ValidationError(dict(errors))


def _violations(violations: Iterable[validation.Violation]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for v in violations:
        out.setdefault(v.field or "non_field_errors", []).append(v.message)
    return out


def _check_queue(credential: Credential, queue_name: str | None) -> dict[str, list[str]]:
    """The queue must be a live general-purpose queue of the credential, once its queues are polled."""
    if not queue_name:
        return {}
    queues = dict(
        Queue.objects.for_team(credential.team)
        .filter(credential=credential, deleted_at__isnull=True)
        .values_list("queue_name", "queue_type")
    )
    if not queues:
        return {}  # not polled yet: DLI decides, and its refusal lands on queue_name
    if queue_name not in queues:
        return {
            "queue_name": [
                _("%(credential)s has no queue named %(queue)s.")
                % {"credential": credential.name, "queue": queue_name[:128]}
            ]
        }
    if queues[queue_name] and queues[queue_name] != vocab.DLI_FLINK_QUEUE_TYPE:
        return {
            "queue_name": [
                _("Flink jobs run on general-purpose queues; %(queue)s is a %(type)s queue.")
                % {"queue": queue_name, "type": queues[queue_name]}
            ]
        }
    return {}


def current_values(job: Job) -> dict[str, Any]:
    """A DLI job's sizing as DLI's rules compare an update with it."""
    return {
        "cu_number": job.spu_number,
        "manager_cu_number": job.manager_cu_number,
        "parallel_number": job.parallel_number,
    }


def parse_dli_job(
    request,
    *,
    kind: str,
    credential: Credential,
    job: Job | None = None,
) -> tuple[dict[str, Any], bool]:
    """The DLI wire payload of a create (``job`` None) or update request, and its ``run`` flag.

    ``kind`` is ``sql`` or ``jar``. Raises the API's validation error (400, messages per field).
    """
    update = job is not None
    jar = kind == "jar"
    if jar:
        klass = DliJarJobUpdate if update else DliJarJobCreate
    else:
        klass = DliSqlJobUpdate if update else DliSqlJobCreate
    body = body_of(request, ("dependency_jars", "dependency_files"))
    if "authorize_obs" in body:
        _raise_field_errors(
            {
                "authorize_obs": [
                    _("DLI reads OBS with the agency a DLI administrator grants; nothing to authorize here.")
                ]
            }
        )
    if update:
        body.pop("credential", None)  # a job's credential does not change
    serializer = klass(data=body, partial=update)
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    data.pop("credential", None)  # resolved by the view, within the team
    run = bool(data.pop("run", False))
    if "checkpoint_mode" in data:
        data["checkpoint_mode"] = vocab.dli_checkpoint_mode(data["checkpoint_mode"])
    errors: dict[str, list[str]] = {}
    if jar:
        for key in ("entrypoint", "dependency_jars", "dependency_files"):
            values = data.get(key)
            values = [values] if isinstance(values, str) else values or []
            bad = [v for v in values if not validation.is_obs_object_or_package(v)]
            if bad:
                errors[key] = [
                    _("%(value)s is neither an OBS path (obs://bucket/file) nor a DLI package name.")
                    % {"value": bad[0][:100]}
                ]
        rules = validation.validate_jar_job(data, update=update, current=current_values(job) if job else None)
    else:
        rules = validation.validate_sql_job(data, update=update, current=current_values(job) if job else None)
    for field, messages in _violations(rules).items():
        errors.setdefault(field, messages)
    for field, messages in _check_queue(credential, data.get("queue_name")).items():
        errors.setdefault(field, messages)
    _raise_field_errors(errors)
    return data, run


def parse_savepoint(request, job: Job, default: str) -> str:
    body = body_of(request)
    serializer = SavepointTrigger(data=body)
    serializer.is_valid(raise_exception=True)
    path = (serializer.validated_data.get("savepoint_path") or "").strip() or default
    if not path:
        _raise_field_errors(
            {
                "savepoint_path": [
                    _("%(job)s has no OBS bucket: name the savepoint's OBS path.") % {"job": job.name}
                ]
            }
        )
    _raise_field_errors(
        _violations(validation.validate_savepoint({"action": "TRIGGER", "savepoint_path": path}))
    )
    return path


# ------------------------------------------------------------------------------------------ DLI's refusals

#: Words of DLI's message that name the request field when the code (parameter check, no such
#: object) does not.
_MESSAGE_FIELDS = (("queue", "queue_name"), ("template", "template_id"), ("job name", "name"))


def dli_error_or_raise(exc: CSError, fields: Iterable[str]):
    """A DLI refusal about one field becomes a validation error on it (readable); others are re-raised."""
    name = dli_errors.error_field(exc, fields, _MESSAGE_FIELDS)
    if name is not None:
        raise exceptions.ValidationError({name: [error_text(exc)]}) from exc
    raise exc
