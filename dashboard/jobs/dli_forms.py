"""The job and template forms of DLI credentials (DLI Flink jobs, the successor of CS's).

Every number comes from :mod:`csapi.dli.limits` and every rule DLI checks from
:mod:`csapi.dli.validation`: a form builds the request body DLI would receive (DLI's field names) and
refuses, field by field and in words, what DLI would refuse, before DLI is called. What DLI says about
a request all the same lands on the field it concerns (:func:`dli_error_field`).

These forms offer DLI's fields only (queue, CUs, TaskManagers, Flink version, resume settings, an
entrypoint instead of an upload); CS's forms (:mod:`dashboard.jobs.forms`) offer CS's only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from csapi import vocab
from csapi.dli import limits, validation
from csapi.dli.errors import error_field
from csapi.dli.tags import tag_list
from csapi.validation import validate_obs_buckets
from dashboard.clusters.models import Queue
from dashboard.jobs.forms import _blank, _num, _sql_widget, credential_choices
from dashboard.jobs.models import Job, Template
from dashboard.teams.models import Credential


def _lz(text: Any, values: Mapping[str, Any]) -> Any:
    """``text % values`` worked out when shown (in the language of the request), not at import."""
    return lazy(lambda: str(text) % values, str)()


#: A Java class name, package qualified (``com.example.Main``).
JAVA_CLASS = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$")
#: Tags in the form: ``key=value`` pairs, one per line or separated by commas.
_TAG_SPLIT = re.compile(r"[,\n]")

#: Words in DLI's message that name the field of a parameter or not-found error (DLI.0001/0002/0023).
_MESSAGE_FIELDS: tuple[tuple[str, str], ...] = (
    ("queue", "queue_name"),
    ("template", "template"),
    ("entrypoint", "entrypoint"),
    ("dependency_jars", "dependency_jars"),
    ("dependency_files", "dependency_files"),
    ("main_class", "main_class"),
    ("manager_cu", "manager_cu_number"),
    ("cu_number", "cu_number"),
    ("parallel", "parallel_number"),
    ("checkpoint_interval", "checkpoint_interval"),
    ("tm_cus", "tm_cus"),
    ("tm_slot", "tm_slot_num"),
    ("resume_max", "resume_max_num"),
    ("tag", "tags"),
    ("sql", "sql_body"),
    ("name", "name"),
)


def dli_error_field(
    exc: Exception, fields: Iterable[str], aliases: Mapping[str, str] | None = None
) -> str | None:
    """The form field a DLI error concerns, or None (it is then shown at the top of the form)."""
    return error_field(exc, fields, _MESSAGE_FIELDS, aliases)


def queue_choices(queues: Iterable[Queue]) -> list[tuple[str, str]]:
    """The picker's options: each queue with its free CUs, as the last queue poll saw them."""
    out = []
    for q in queues:
        label = q.queue_name
        if q.cu_count is not None:
            label += " " + str(
                _("(%(free)s of %(total)s CU free)") % {"free": _cu(q.free_cu), "total": q.cu_count}
            )
        label += f" · {q.credential.name}"
        out.append((q.queue_name, label))
    return out


def _cu(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def flink_versions(queues: Iterable[Queue]) -> list[str]:
    """The Flink versions the queues support (as DLI lists them on each queue), oldest first."""
    found: set[str] = set()
    for q in queues:
        raw = q.raw if isinstance(q.raw, dict) else {}
        for key in ("support_opensource_flink_versions", "support_flink_sql_versions"):
            values = raw.get(key)
            if isinstance(values, list):
                found.update(str(v) for v in values if v)
    return sorted(found, key=lambda v: [int(p) if p.isdigit() else 0 for p in v.split(".")])


def parse_tags(text: str) -> tuple[list[dict[str, str]] | None, str | None]:
    """``"owner=data, env=prod"`` -> DLI's ``[{key, value}]`` (or an error sentence)."""
    tags: list[dict[str, str]] = []
    for part in _TAG_SPLIT.split(text or ""):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep:
            return None, str(_("Write each tag as key=value; “%(part)s” has no “=”.") % {"part": part[:40]})
        tags.append({"key": key.strip(), "value": value.strip()})
    return (tags or None), None


def tags_text(tags: Any) -> str:
    """DLI's ``[{key, value}]`` (or a mapping) as the form's ``key=value`` text."""
    return ", ".join(f"{t['key']}={t['value']}" for t in tag_list(tags) or [])


def _lines(text: str) -> list[str]:
    return [line.strip() for line in re.split(r"[\n,]", text or "") if line.strip()]


class _DliFormBase(forms.Form):
    """What DLI's SQL and JAR jobs share: credential, name, queue, sizes, checkpoints, restarts, tags."""

    #: DLI's name of a field in a violation -> the form field it shows on.
    field_aliases: dict[str, str] = {"dirty_data_strategy": "dirty_data_kind"}

    credential = forms.ChoiceField(label=_("DLI credential"))
    name = forms.CharField(
        label=_("Name"),
        max_length=limits.JOB_NAME_MAX_CHARS,
        strip=False,
        help_text=_lz(
            _("Letters, digits, _ and -; at most %(n)d characters."), {"n": limits.JOB_NAME_MAX_CHARS}
        ),
    )
    desc = forms.CharField(
        label=_("Description"),
        required=False,
        strip=False,
        max_length=limits.JOB_DESC_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_lz(_("At most %(n)d characters."), {"n": limits.JOB_DESC_MAX_CHARS}),
    )
    queue_name = forms.ChoiceField(
        label=_("Queue"), help_text=_("A general-purpose queue; its free CUs as last polled.")
    )
    cu_number = forms.IntegerField(
        label=_("CUs"),
        initial=limits.CU_DEFAULT,
        min_value=limits.CU_MIN,
        max_value=limits.CU_MAX,
        widget=_num(limits.CU_MIN, limits.CU_MAX),
        help_text=_("Compute units of the job, JobManager included (one CU: one vCPU and 4 GB)."),
    )
    manager_cu_number = forms.IntegerField(
        label=_("JobManager CUs"),
        initial=limits.MANAGER_CU_DEFAULT,
        min_value=limits.MANAGER_CU_MIN,
        max_value=limits.CU_MAX,
        widget=_num(limits.MANAGER_CU_MIN, limits.CU_MAX),
    )
    tm_cus = forms.IntegerField(
        label=_("CUs per TaskManager"),
        required=False,
        min_value=limits.TM_CUS_MIN,
        max_value=limits.CU_MAX,
        widget=_num(limits.TM_CUS_MIN, limits.CU_MAX),
        help_text=_("Empty: DLI's default (1)."),
    )
    tm_slot_num = forms.IntegerField(
        label=_("Slots per TaskManager"),
        required=False,
        min_value=limits.TM_SLOT_MIN,
        max_value=limits.PARALLELISM_MAX,
        widget=_num(limits.TM_SLOT_MIN, limits.PARALLELISM_MAX),
        help_text=_("Empty: DLI works it out from the parallelism."),
    )
    parallel_number = forms.IntegerField(
        label=_("Parallelism"),
        initial=limits.PARALLELISM_DEFAULT,
        min_value=limits.PARALLELISM_MIN,
        max_value=limits.PARALLELISM_MAX,
        widget=_num(limits.PARALLELISM_MIN, limits.PARALLELISM_MAX),
        help_text=_lz(_("At most %(n)d × (CUs − JobManager CUs)."), {"n": limits.PARALLELISM_PER_CU}),
    )
    flink_version = forms.ChoiceField(label=_("Flink version"), required=False)
    checkpoint_enabled = forms.BooleanField(label=_("Checkpoints"), required=False)
    checkpoint_mode = forms.ChoiceField(
        label=_("Checkpoint mode"),
        required=False,
        choices=list(vocab.CHECKPOINT_MODES.items()),
        initial="exactly_once",
    )
    checkpoint_interval = forms.IntegerField(
        label=_("Checkpoint interval (s)"),
        required=False,
        initial=limits.CHECKPOINT_INTERVAL_DEFAULT,
        min_value=limits.CHECKPOINT_INTERVAL_MIN,
        max_value=limits.CHECKPOINT_INTERVAL_MAX,
        widget=_num(limits.CHECKPOINT_INTERVAL_MIN, limits.CHECKPOINT_INTERVAL_MAX),
        help_text=_lz(
            _("%(low)d to %(high)d seconds."),
            {"low": limits.CHECKPOINT_INTERVAL_MIN, "high": limits.CHECKPOINT_INTERVAL_MAX},
        ),
    )
    obs_bucket = forms.CharField(
        label=_("OBS bucket"),
        required=False,
        help_text=_("Where checkpoints, savepoints and logs go; needed for checkpoints and log upload."),
    )
    log_enabled = forms.BooleanField(label=_("Upload job logs to OBS"), required=False)
    smn_topic = forms.CharField(
        label=_("SMN topic"),
        required=False,
        help_text=_("DLI sends a message to this topic when the job fails."),
    )
    restart_when_exception = forms.BooleanField(label=_("Restart on exception"), required=False)
    resume_checkpoint = forms.BooleanField(
        label=_("Resume from the latest checkpoint when restarting"), required=False
    )
    resume_max_num = forms.IntegerField(
        label=_("Most restarts per hour"),
        required=False,
        widget=_num(limits.RESUME_MAX_UNLIMITED),
        help_text=_lz(_("%(unlimited)d: unlimited."), {"unlimited": limits.RESUME_MAX_UNLIMITED}),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_lz(_("key=value pairs, separated by commas; at most %(n)d."), {"n": limits.TAGS_MAX}),
    )

    def __init__(
        self,
        *args: Any,
        credentials: Iterable[Credential],
        queues: Iterable[Queue],
        job: Job | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
        self.credential_objects = {str(c.public_id): c for c in credentials if c.is_dli}
        self.queue_objects = list(queues)
        self.fields["credential"].choices = credential_choices(self.credential_objects.values())
        if job is not None:
            self.fields["credential"].disabled = True
            self.fields["credential"].initial = str(job.credential.public_id)
        elif len(self.credential_objects) == 1:
            self.fields["credential"].initial = next(iter(self.credential_objects))
        choices = queue_choices(self.queue_objects)
        if job is not None and job.queue_name and job.queue_name not in {v for v, _l in choices}:
            choices.append((job.queue_name, job.queue_name))
        self.fields["queue_name"].choices = _blank(choices, str(_("Choose a queue")))
        versions = flink_versions(self.queue_objects)
        if job is not None and job.flink_version and job.flink_version not in versions:
            versions.append(job.flink_version)
        self.fields["flink_version"].choices = _blank(
            [(v, v) for v in versions], str(_("The queue's default"))
        )
        self.payload: dict[str, Any] = {}

    # ------------------------------------------------------------------ helpers
    @property
    def chosen_credential(self) -> Credential | None:
        if self.job is not None:
            return self.job.credential
        return self.credential_objects.get(str(self.cleaned_data.get("credential") or ""))

    def _error(self, name: str, message: Any) -> None:
        if name in self.fields and name not in self.errors:
            self.add_error(name, str(message))
        elif name not in self.fields:
            self.add_error(None, str(message))

    def add_violations(self, violations: Iterable[Any]) -> None:
        """DLI's rules that the fields' own checks did not catch (each on its field, once)."""
        for v in violations:
            self._error(self.field_aliases.get(v.field, v.field), v.message)

    def add_cs_error(self, exc: Exception, field_by_code: Mapping[str, str] | None = None) -> bool:
        """Put DLI's error on the field it concerns; False when it concerns no field."""
        from dashboard.teams.cs import error_text

        name = dli_error_field(exc, self.fields, self.field_aliases)
        if name is None:
            return False
        self.add_error(name, error_text(exc))
        return True

    def clean_name(self) -> str:
        name = self.cleaned_data.get("name") or ""
        if name and not limits.JOB_NAME_PATTERN.match(name):
            raise forms.ValidationError(
                _("A name holds letters, digits, hyphens (-) and underscores (_) only.")
            )
        return name

    def clean_tags(self) -> list[dict[str, str]] | None:
        tags, problem = parse_tags(self.cleaned_data.get("tags") or "")
        if problem:
            raise forms.ValidationError(problem)
        violations = validation.validate_tags(tags)
        if violations:
            raise forms.ValidationError(violations[0].message)
        return tags

    def clean_obs_bucket(self) -> str:
        from dashboard.jobs.services import bucket_name

        text = (self.cleaned_data.get("obs_bucket") or "").strip()
        if text and validate_obs_buckets([bucket_name(text)]):
            raise forms.ValidationError(
                _("“%(bucket)s” is not an OBS bucket name: 3 to 63 lowercase letters, digits, - and .")
                % {"bucket": bucket_name(text)[:70]}
            )
        return text

    def clean_resume_max_num(self) -> int | None:
        value = self.cleaned_data.get("resume_max_num")
        if value is not None and value != limits.RESUME_MAX_UNLIMITED and value < limits.RESUME_MAX_MIN:
            raise forms.ValidationError(
                _("Give %(unlimited)d (unlimited) or a number of restarts of at least %(low)d.")
                % {"unlimited": limits.RESUME_MAX_UNLIMITED, "low": limits.RESUME_MAX_MIN}
            )
        return value

    def _check_queue(self, data: Mapping[str, Any]) -> None:
        queue = data.get("queue_name")
        credential = self.chosen_credential
        if not queue or credential is None:
            return
        owners = {q.credential_id for q in self.queue_objects if q.queue_name == queue}
        if owners and credential.pk not in owners:
            self._error("queue_name", _("This queue belongs to another DLI credential than the one chosen."))

    def _check_sizes(self, data: Mapping[str, Any]) -> None:
        cu, manager, par = data.get("cu_number"), data.get("manager_cu_number"), data.get("parallel_number")
        if cu is None or manager is None:
            return
        if manager >= cu:
            self._error(
                "manager_cu_number",
                _(
                    "The JobManager takes %(manager)d of the %(cu)d CUs: leave at least one CU for the TaskManagers."
                )
                % {"manager": manager, "cu": cu},
            )
        elif par is not None and par > validation.max_parallelism(cu, manager):
            self._error(
                "parallel_number",
                _("At most %(most)d with %(cu)d CUs and %(manager)d for the JobManager (%(per)d per CU).")
                % {
                    "most": validation.max_parallelism(cu, manager),
                    "cu": cu,
                    "manager": manager,
                    "per": limits.PARALLELISM_PER_CU,
                },
            )

    def _check_obs_needs(self, data: Mapping[str, Any]) -> None:
        if not (data.get("obs_bucket") or "").strip():
            if data.get("checkpoint_enabled") or data.get("log_enabled"):
                self._error("obs_bucket", _("Checkpoints and log upload need an OBS bucket."))

    def _common_payload(self, data: Mapping[str, Any]) -> dict[str, Any]:
        checkpoint = bool(data.get("checkpoint_enabled"))
        restart = bool(data.get("restart_when_exception"))
        payload: dict[str, Any] = {
            "name": data.get("name", self.data.get("name")),
            "desc": data.get("desc") or "",
            "queue_name": data.get("queue_name") or None,
            "cu_number": data.get("cu_number"),
            "manager_cu_number": data.get("manager_cu_number"),
            "tm_cus": data.get("tm_cus"),
            "tm_slot_num": data.get("tm_slot_num"),
            "parallel_number": data.get("parallel_number"),
            "flink_version": data.get("flink_version") or None,
            "checkpoint_enabled": checkpoint,
            "log_enabled": bool(data.get("log_enabled")),
            "obs_bucket": (data.get("obs_bucket") or "").strip() or None,
            "smn_topic": (data.get("smn_topic") or "").strip() or None,
            "restart_when_exception": restart,
            "resume_checkpoint": bool(data.get("resume_checkpoint")) if restart else None,
            "resume_max_num": data.get("resume_max_num") if restart else None,
            "tags": data.get("tags") or None,
        }
        if checkpoint:
            payload["checkpoint_mode"] = vocab.dli_checkpoint_mode(data.get("checkpoint_mode")) or 1
            payload["checkpoint_interval"] = data.get("checkpoint_interval")
        return payload

    def _current(self) -> dict[str, Any] | None:
        if self.job is None:
            return None
        return {
            "cu_number": self.job.spu_number,
            "manager_cu_number": self.job.manager_cu_number,
            "parallel_number": self.job.parallel_number,
        }

    @staticmethod
    def _common_initial(job: Job) -> dict[str, Any]:
        cfg = job.job_config if isinstance(job.job_config, dict) else {}
        return {
            "credential": str(job.credential.public_id),
            "name": job.name,
            "desc": job.desc,
            "queue_name": job.queue_name,
            "cu_number": job.spu_number,
            "manager_cu_number": job.manager_cu_number or cfg.get("manager_cu_number"),
            "tm_cus": job.tm_cus or cfg.get("tm_cus"),
            "tm_slot_num": job.tm_slot_num or cfg.get("tm_slot_num"),
            "parallel_number": job.parallel_number,
            "flink_version": job.flink_version or cfg.get("flink_version") or "",
            "checkpoint_enabled": bool(cfg.get("checkpoint_enabled", job.checkpoint_enabled)),
            "checkpoint_mode": vocab.normalize_checkpoint_mode(cfg.get("checkpoint_mode")) or "exactly_once",
            "checkpoint_interval": cfg.get("checkpoint_interval") or limits.CHECKPOINT_INTERVAL_DEFAULT,
            "obs_bucket": cfg.get("obs_bucket") or "",
            "log_enabled": bool(cfg.get("log_enabled", job.log_enabled)),
            "smn_topic": cfg.get("smn_topic") or "",
            "restart_when_exception": bool(cfg.get("restart_when_exception")),
            "resume_checkpoint": bool(job.resume_checkpoint or cfg.get("resume_checkpoint")),
            "resume_max_num": job.resume_max_num
            if job.resume_max_num is not None
            else cfg.get("resume_max_num"),
            "tags": tags_text(job.tags),
        }


class DliSqlJobForm(_DliFormBase):
    """Create or edit a DLI Flink SQL job (D1 / D2)."""

    service = "dli"
    field_order = [
        "credential",
        "name",
        "desc",
        "template",
        "sql_body",
        "job_type",
        "queue_name",
        "cu_number",
        "manager_cu_number",
        "tm_cus",
        "tm_slot_num",
        "parallel_number",
        "flink_version",
        "checkpoint_enabled",
        "checkpoint_mode",
        "checkpoint_interval",
        "obs_bucket",
        "log_enabled",
        "smn_topic",
        "restart_when_exception",
        "resume_checkpoint",
        "resume_max_num",
        "idle_state_retention",
        "dirty_data_kind",
        "dirty_data_path",
        "udf_jar_url",
        "tags",
    ]

    template = forms.ChoiceField(
        label=_("Template"),
        required=False,
        help_text=_("Fills the SQL editor with the template's statement."),
    )
    sql_body = forms.CharField(
        label=_("SQL"),
        required=False,
        strip=False,
        max_length=limits.SQL_MAX_CHARS,
        widget=_sql_widget(),
        help_text=_lz(_("At most %(n)s characters."), {"n": f"{limits.SQL_MAX_CHARS:,}"}),
    )
    job_type = forms.ChoiceField(
        label=_("Job type"),
        choices=[(t, vocab.DLI_JOB_TYPES[t]) for t in vocab.DLI_SQL_JOB_TYPES],
        initial=vocab.DLI_DEFAULT_SQL_JOB_TYPE,
    )
    idle_state_retention = forms.IntegerField(
        label=_("Idle state retention (s)"),
        required=False,
        min_value=0,
        widget=_num(0),
        help_text=_("How long the state of an idle key is kept; 0 or empty: kept forever."),
    )
    dirty_data_kind = forms.ChoiceField(
        label=_("Dirty data"),
        required=False,
        choices=_blank(vocab.DIRTY_DATA_STRATEGIES.items(), _("DLI's default")),
    )
    dirty_data_path = forms.CharField(
        label=_("Dirty data OBS path"),
        required=False,
        help_text=_("Where dirty records are saved (with “Save to OBS”)."),
    )
    udf_jar_url = forms.CharField(
        label=_("UDF JAR"), required=False, help_text=_("An obs:// path or the name of a DLI package.")
    )

    def __init__(self, *args: Any, templates: Iterable[Template] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.template_objects = {
            f"{t.credential.public_id}:{t.template_id}": t for t in templates if t.credential.is_dli
        }
        self.fields["template"].choices = _blank(
            [(k, f"{t.name} · {t.credential.name}") for k, t in self.template_objects.items()],
            str(_("— none —")),
        )
        if self.job is not None or not self.template_objects:
            del self.fields["template"]  # an edit, or no DLI template to offer
        if self.job is not None:
            self.fields["job_type"].disabled = True  # DLI's update takes no job type
            self.fields["job_type"].initial = self.job.job_type or vocab.DLI_DEFAULT_SQL_JOB_TYPE
        self.order_fields(self.field_order)

    def clean_sql_body(self) -> str:
        return (self.cleaned_data.get("sql_body") or "").replace("\r\n", "\n")

    def clean_udf_jar_url(self) -> str:
        value = (self.cleaned_data.get("udf_jar_url") or "").strip()
        if value and not validation.is_obs_object_or_package(value):
            raise forms.ValidationError(_("Give an obs://bucket/path.jar path or the name of a DLI package."))
        return value

    @classmethod
    def initial_from_job(cls, job: Job) -> dict[str, Any]:
        cfg = job.job_config if isinstance(job.job_config, dict) else {}
        dirty = vocab.parse_dirty_data_strategy(cfg.get("dirty_data_strategy"))
        return {
            **cls._common_initial(job),
            "sql_body": job.sql_body,
            "job_type": job.job_type
            if job.job_type in vocab.DLI_SQL_JOB_TYPES
            else vocab.DLI_DEFAULT_SQL_JOB_TYPE,
            "idle_state_retention": cfg.get("idle_state_retention") or None,
            "dirty_data_kind": dirty[0] if dirty else "",
            "dirty_data_path": (dirty[1] or "") if dirty else "",
            "udf_jar_url": cfg.get("udf_jar_url") or "",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self._check_queue(data)
        self._check_sizes(data)
        self._check_obs_needs(data)
        if (
            data.get("dirty_data_kind") == vocab.DIRTY_DATA_SAVE
            and not (data.get("dirty_data_path") or "").strip()
        ):
            self._error("dirty_data_path", _("Saving dirty data needs an OBS path."))
        if data.get("template") and data["template"] not in self.template_objects:
            self._error("template", _("Choose one of the team's DLI templates."))
        payload = self._payload(data)
        self.add_violations(
            validation.validate_sql_job(payload, update=self.job is not None, current=self._current())
        )
        self.payload = payload
        return data

    def _payload(self, data: Mapping[str, Any]) -> dict[str, Any]:
        payload = self._common_payload(data)
        payload.update(
            sql_body=data.get("sql_body") or "",
            job_type=None
            if self.job is not None
            else (data.get("job_type") or vocab.DLI_DEFAULT_SQL_JOB_TYPE),
            idle_state_retention=data.get("idle_state_retention") or None,
            udf_jar_url=(data.get("udf_jar_url") or "").strip() or None,
        )
        kind = data.get("dirty_data_kind") or ""
        if kind == vocab.DIRTY_DATA_SAVE:
            path = (data.get("dirty_data_path") or "").strip()
            if path:
                payload["dirty_data_strategy"] = vocab.dirty_data_strategy(kind, path)
        elif kind:
            payload["dirty_data_strategy"] = kind
        template = self.template_objects.get(data.get("template") or "")
        credential = self.chosen_credential
        if template is not None and credential is not None and template.credential_id == credential.pk:
            payload["template_id"] = template.template_id
        return {k: v for k, v in payload.items() if v is not None}


class DliJarJobForm(_DliFormBase):
    """Create or edit a DLI Flink JAR job (D3 / D4): the JAR is an entrypoint DLI already has."""

    service = "dli"
    field_order = [
        "credential",
        "name",
        "desc",
        "queue_name",
        "entrypoint",
        "main_class",
        "entrypoint_args",
        "dependency_jars",
        "dependency_files",
        "cu_number",
        "manager_cu_number",
        "tm_cus",
        "tm_slot_num",
        "parallel_number",
        "flink_version",
        "checkpoint_enabled",
        "checkpoint_mode",
        "checkpoint_interval",
        "obs_bucket",
        "log_enabled",
        "smn_topic",
        "restart_when_exception",
        "resume_checkpoint",
        "resume_max_num",
        "tags",
    ]

    entrypoint = forms.CharField(
        label=_("Entrypoint JAR"),
        max_length=limits.OBS_PATH_MAX_CHARS,
        help_text=_("An obs://bucket/path.jar path or the name of a package uploaded to DLI."),
    )
    main_class = forms.CharField(
        label=_("Main class"),
        required=False,
        help_text=_("Package-qualified, e.g. com.example.Main; empty: the JAR's manifest names it."),
    )
    entrypoint_args = forms.CharField(
        label=_("Arguments"),
        required=False,
        strip=False,
        max_length=limits.SQL_MAX_CHARS,
        help_text=_("Passed to the main class, separated by spaces."),
    )
    dependency_jars = forms.CharField(
        label=_("Dependency JARs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: obs:// paths or DLI package names."),
    )
    dependency_files = forms.CharField(
        label=_("Dependency files"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: obs:// paths or DLI package names."),
    )

    def __init__(self, *args: Any, templates: Iterable[Template] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)

    def clean_entrypoint(self) -> str:
        value = (self.cleaned_data.get("entrypoint") or "").strip()
        if value and not validation.is_obs_object_or_package(value):
            raise forms.ValidationError(_("Give an obs://bucket/path.jar path or the name of a DLI package."))
        return value

    def clean_main_class(self) -> str:
        value = (self.cleaned_data.get("main_class") or "").strip()
        if value and not JAVA_CLASS.match(value):
            raise forms.ValidationError(
                _("A class name such as com.example.Main: letters, digits, _ and $, dot-separated.")
            )
        return value

    def _clean_list(self, name: str) -> list[str]:
        items = _lines(self.cleaned_data.get(name) or "")
        for item in items:
            if len(item) > limits.OBS_PATH_MAX_CHARS or not validation.is_obs_object_or_package(item):
                raise forms.ValidationError(
                    _("“%(item)s” is neither an obs://bucket/path nor a DLI package name.")
                    % {"item": item[:80]}
                )
        return items

    def clean_dependency_jars(self) -> list[str]:
        return self._clean_list("dependency_jars")

    def clean_dependency_files(self) -> list[str]:
        return self._clean_list("dependency_files")

    @classmethod
    def initial_from_job(cls, job: Job) -> dict[str, Any]:
        cfg = job.job_config if isinstance(job.job_config, dict) else {}
        return {
            **cls._common_initial(job),
            "entrypoint": job.jar_url or cfg.get("entrypoint") or "",
            "main_class": job.main_class,
            "entrypoint_args": job.args,
            "dependency_jars": "\n".join(cfg.get("dependency_jars") or []),
            "dependency_files": "\n".join(cfg.get("dependency_files") or []),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self._check_queue(data)
        self._check_sizes(data)
        self._check_obs_needs(data)
        payload = self._common_payload(data)
        payload.update(
            entrypoint=data.get("entrypoint") or None,
            main_class=data.get("main_class") or None,
            entrypoint_args=data.get("entrypoint_args") or None,
            dependency_jars=data.get("dependency_jars") or None,
            dependency_files=data.get("dependency_files") or None,
        )
        payload = {k: v for k, v in payload.items() if v is not None}
        self.add_violations(
            validation.validate_jar_job(payload, update=self.job is not None, current=self._current())
        )
        self.payload = payload
        return data


class DliTemplateForm(forms.Form):
    """Create or edit a DLI Flink SQL template (D17 / D18), with DLI's limits."""

    credential = forms.ChoiceField(label=_("DLI credential"))
    name = forms.CharField(
        label=_("Name"),
        strip=False,
        max_length=limits.TEMPLATE_NAME_MAX_CHARS,
        help_text=_lz(
            _("Letters, digits, _ and -; at most %(n)d characters."), {"n": limits.TEMPLATE_NAME_MAX_CHARS}
        ),
    )
    desc = forms.CharField(
        label=_("Description"),
        required=False,
        strip=False,
        max_length=limits.TEMPLATE_DESC_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_lz(_("At most %(n)d characters."), {"n": limits.TEMPLATE_DESC_MAX_CHARS}),
    )
    sql_body = forms.CharField(
        label=_("SQL"),
        required=False,
        strip=False,
        max_length=limits.TEMPLATE_SQL_MAX_CHARS,
        widget=_sql_widget(),
        help_text=_lz(_("At most %(n)s characters."), {"n": f"{limits.TEMPLATE_SQL_MAX_CHARS:,}"}),
    )

    def __init__(
        self,
        *args: Any,
        credentials: Iterable[Credential],
        template: Template | None = None,
        counts: Mapping[int, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.template = template
        self.counts = counts or {}
        self.credential_objects = {str(c.public_id): c for c in credentials if c.is_dli}
        self.fields["credential"].choices = credential_choices(self.credential_objects.values())
        if template is not None:
            self.fields["credential"].disabled = True
            self.fields["credential"].initial = str(template.credential.public_id)
        elif len(self.credential_objects) == 1:
            self.fields["credential"].initial = next(iter(self.credential_objects))
        self.payload: dict[str, Any] = {}

    @property
    def chosen_credential(self) -> Credential | None:
        if self.template is not None:
            return self.template.credential
        return self.credential_objects.get(str(self.cleaned_data.get("credential") or ""))

    def clean_name(self) -> str:
        name = self.cleaned_data.get("name") or ""
        if name and not limits.JOB_NAME_PATTERN.match(name):
            raise forms.ValidationError(
                _("A name holds letters, digits, hyphens (-) and underscores (_) only.")
            )
        return name

    def clean_sql_body(self) -> str:
        return (self.cleaned_data.get("sql_body") or "").replace("\r\n", "\n")

    def add_cs_error(self, exc: Exception, field_by_code: Mapping[str, str] | None = None) -> bool:
        from dashboard.teams.cs import error_text

        name = dli_error_field(exc, self.fields)
        if name is None:
            return False
        self.add_error(name, error_text(exc))
        return True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        payload = {k: data.get(k) for k in ("name", "desc", "sql_body") if data.get(k) is not None}
        for v in validation.validate_template(payload, update=self.template is not None):
            if v.field in self.fields and v.field not in self.errors:
                self.add_error(v.field, v.message)
        credential = self.chosen_credential
        if self.template is None and credential is not None:
            for v in validation.validate_template_count(self.counts.get(credential.pk, 0)):
                self.add_error(None, v.message)
        self.payload = payload
        return data


class SavepointForm(forms.Form):
    """Trigger a savepoint (D13): the OBS path it goes to (empty: the job's default path)."""

    savepoint_path = forms.CharField(
        label=_("Savepoint path"),
        required=False,
        max_length=limits.OBS_PATH_MAX_CHARS,
        help_text=_("An obs://bucket/folder/ path."),
    )

    def clean_savepoint_path(self) -> str:
        value = (self.cleaned_data.get("savepoint_path") or "").strip()
        if value and not validation.OBS_OBJECT.match(value):
            raise forms.ValidationError(_("A savepoint goes to an obs://bucket/folder/ path."))
        if value and validation.validate_savepoint({"action": "TRIGGER", "savepoint_path": value}):
            raise forms.ValidationError(_("A savepoint goes to an obs://bucket/folder/ path."))
        return value


class CopyTargetForm(forms.Form):
    """Where a selection of CS jobs is copied to: a DLI credential and one of its queues."""

    credential = forms.ChoiceField(label=_("DLI credential"))
    queue_name = forms.ChoiceField(label=_("Queue"))

    def __init__(self, *args: Any, credentials: Iterable[Credential], queues: Iterable[Queue], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.credential_objects = {str(c.public_id): c for c in credentials if c.is_dli}
        self.queue_objects = list(queues)
        self.fields["credential"].choices = credential_choices(self.credential_objects.values())
        self.fields["queue_name"].choices = _blank(
            queue_choices(self.queue_objects), str(_("Choose a queue"))
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        credential = self.credential_objects.get(str(data.get("credential") or ""))
        queue = data.get("queue_name")
        if credential is not None and queue:
            owners = {q.credential_id for q in self.queue_objects if q.queue_name == queue}
            if credential.pk not in owners:
                self.add_error(
                    "queue_name", _("This queue belongs to another DLI credential than the one chosen.")
                )
        return data
