"""Job and template forms. Every limit and rule comes from ``csapi`` (limits, vocab, validation):
the forms build the request payload CS would receive and ask ``csapi.validation`` about it, so a
form error is the error CS would answer with, shown before CS is called.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from csapi import limits, validation, vocab
from dashboard.clusters.forms import interpolate_lazy
from dashboard.clusters.models import Cluster
from dashboard.jobs.models import Job, Template
from dashboard.teams.models import Credential


def _sql_widget() -> forms.Widget:
    attrs = {
        "rows": 14,
        "class": "sql-editor",
        "spellcheck": "false",
        "data-sql-editor": "1",
        # Shown beside the code editor (static/js/jobs.js), which keeps Tab for indenting while editing.
        "data-editor-hint": _(
            "Keyboard: Enter starts editing, Esc stops editing; then Tab moves to the next field."
        ),
    }
    return forms.Textarea(attrs=attrs)


def _num(low: int | None = None, high: int | None = None) -> forms.NumberInput:
    attrs: dict[str, Any] = {}
    if low is not None:
        attrs["min"] = low
    if high is not None:
        attrs["max"] = high
    return forms.NumberInput(attrs=attrs)


def _blank(choices: Iterable[tuple[str, str]], label: str = "—") -> list[tuple[str, str]]:
    return [("", label), *choices]


class _CSRulesMixin:
    """Maps ``csapi.validation.Violation`` fields onto form fields (top of the form otherwise)."""

    field_aliases: dict[str, str] = {}

    def clean_sql_body(self) -> str:
        # Browsers send textarea lines with CRLF; keep the SQL (and its version diffs) in LF.
        return (self.cleaned_data.get("sql_body") or "").replace("\r\n", "\n")

    def add_violations(self, violations: Iterable[validation.Violation]) -> None:
        for v in violations:
            name = self.field_aliases.get(v.field, v.field)
            if name in self.fields and name not in self.errors:
                self.add_error(name, _violation_text(v.message, v.code))
            elif name not in self.fields:
                self.add_error(None, _violation_text(v.message, v.code))

    def add_cs_error(self, exc: Exception, field_by_code: Mapping[str, str]) -> bool:
        """Put a CS error on the field it concerns; False when it concerns no field."""
        from dashboard.teams.cs import error_text

        code = getattr(exc, "code", "") or ""
        name = field_by_code.get(code)
        if name and name in self.fields:
            self.add_error(name, error_text(exc))
            return True
        return False


def _violation_text(message: str, code: str) -> str:
    """A rule's message with its CS error code, as CS would answer."""
    return _("%(message)s (%(code)s)") % {"message": message, "code": code}


def credential_choices(credentials: Iterable[Credential]) -> list[tuple[str, str]]:
    return [(str(c.public_id), c.name) for c in credentials]


def cluster_choices(clusters: Iterable[Cluster]) -> list[tuple[str, str]]:
    out = []
    for c in clusters:
        values = {
            "name": c.name or c.cluster_id,
            "status": c.status_info.label,
            "credential": c.credential.name,
        }
        if c.maximum_spu_quota is not None:
            values |= {"free": c.spu_free, "quota": c.maximum_spu_quota}
            label = _("%(name)s (%(status)s, %(free)s of %(quota)s SPU free) · %(credential)s") % values
        else:
            label = _("%(name)s (%(status)s) · %(credential)s") % values
        out.append((str(c.cluster_id), label))
    return out


class _JobFormBase(_CSRulesMixin, forms.Form):
    credential = forms.ChoiceField(label=_("CS credential"))
    name = forms.CharField(
        label=_("Name"),
        help_text=interpolate_lazy(
            _("Letters, digits, _ and -; at most %(max)s bytes."), {"max": limits.JOB_NAME_MAX_BYTES}
        ),
        strip=False,
    )
    desc = forms.CharField(
        label=_("Description"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=interpolate_lazy(_("At most %(max)s bytes."), {"max": limits.JOB_DESC_MAX_BYTES}),
    )
    cluster_id = forms.ChoiceField(label=_("Exclusive cluster"), required=False)
    obs_bucket = forms.CharField(
        label=_("OBS bucket"), required=False, help_text=_("Required when checkpoints or log upload are on.")
    )
    log_enabled = forms.BooleanField(label=_("Upload job logs to OBS"), required=False)
    smn_topic = forms.CharField(
        label=_("SMN topic"),
        required=False,
        help_text=_("CS sends an alarm to this topic when the job fails."),
    )
    restart_when_exception = forms.BooleanField(label=_("Restart on exception"), required=False)
    tags = forms.CharField(label=_("Tags"), required=False)

    def __init__(
        self,
        *args: Any,
        credentials: Iterable[Credential],
        clusters: Iterable[Cluster],
        job: Job | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
        self.credential_objects = {str(c.public_id): c for c in credentials}
        self.cluster_objects = list(clusters)
        self.fields["credential"].choices = credential_choices(self.credential_objects.values())
        if job is not None:
            self.fields["credential"].disabled = True
            self.fields["credential"].initial = str(job.credential.public_id)
        elif len(self.credential_objects) == 1:
            self.fields["credential"].initial = next(iter(self.credential_objects))
        choices = cluster_choices(self.cluster_objects)
        if job is not None and job.cluster_id and str(job.cluster_id) not in {v for v, _l in choices}:
            choices.append((str(job.cluster_id), job.cluster_name or str(job.cluster_id)))
        self.fields["cluster_id"].choices = _blank(choices, _("— none —"))

    @property
    def chosen_credential(self) -> Credential | None:
        if self.job is not None:
            return self.job.credential
        return self.credential_objects.get(str(self.cleaned_data.get("credential") or ""))

    def _check_cluster(self, data: dict[str, Any]) -> None:
        cluster = data.get("cluster_id")
        credential = self.chosen_credential
        if cluster in (None, "") or credential is None:
            return
        owners = {c.credential_id for c in self.cluster_objects if str(c.cluster_id) == str(cluster)}
        if owners and credential.pk not in owners:
            self.add_error(
                "cluster_id", _("This cluster belongs to another CS credential than the one chosen.")
            )

    @staticmethod
    def _int(value: Any) -> int | None:
        return None if value in (None, "") else int(value)


class SqlJobForm(_JobFormBase):
    """Create or edit a SQL job (reference 5.1.5 / 5.1.6)."""

    field_aliases = {"dirty_data_strategy": "dirty_data_kind"}
    field_order = [
        "credential",
        "name",
        "desc",
        "template",
        "sql_body",
        "run_mode",
        "job_type",
        "cluster_id",
        "edge_group_ids",
        "spu_number",
        "parallel_number",
        "checkpoint_enabled",
        "checkpoint_mode",
        "checkpoint_interval",
        "obs_bucket",
        "log_enabled",
        "smn_topic",
        "restart_when_exception",
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
        widget=_sql_widget(),
        help_text=interpolate_lazy(
            _("Source, query and sink; at most %(max)s bytes."), {"max": f"{limits.SQL_MAX_BYTES:,}"}
        ),
    )
    run_mode = forms.ChoiceField(
        label=_("Run mode"), choices=list(vocab.RUN_MODES.items()), initial=vocab.SHARED_CLUSTER
    )
    job_type = forms.ChoiceField(
        label=_("Job type"),
        required=False,
        choices=_blank([(t, vocab.JOB_TYPES[t]) for t in vocab.SQL_JOB_TYPES], _("Matching the run mode")),
    )
    edge_group_ids = forms.CharField(
        label=_("Edge computing groups"),
        required=False,
        help_text=_("Comma-separated group ids (edge node jobs)."),
    )
    spu_number = forms.IntegerField(
        label=_("SPUs"), required=False, initial=2, widget=_num(limits.SPU_MIN, limits.SPU_MAX)
    )
    parallel_number = forms.IntegerField(
        label=_("Parallelism"),
        required=False,
        initial=1,
        widget=_num(limits.PARALLELISM_MIN, limits.PARALLELISM_MAX),
        help_text=interpolate_lazy(_("At most %(per)s × the SPUs."), {"per": limits.PARALLELISM_PER_SPU}),
    )
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
        initial=10,
        widget=_num(limits.CHECKPOINT_INTERVAL_MIN),
    )
    idle_state_retention = forms.IntegerField(
        label=_("Idle state retention (s)"),
        required=False,
        initial=limits.IDLE_STATE_RETENTION_UNSET,
        widget=_num(limits.IDLE_STATE_RETENTION_UNSET, limits.IDLE_STATE_RETENTION_MAX),
        help_text=interpolate_lazy(
            _("%(min)s–%(max)s s; %(unset)s leaves it unset."),
            {
                "min": limits.IDLE_STATE_RETENTION_MIN,
                "max": limits.IDLE_STATE_RETENTION_MAX,
                "unset": limits.IDLE_STATE_RETENTION_UNSET,
            },
        ),
    )
    dirty_data_kind = forms.ChoiceField(
        label=_("Dirty data"),
        required=False,
        choices=_blank(vocab.DIRTY_DATA_STRATEGIES.items(), _("Default")),
    )
    dirty_data_path = forms.CharField(
        label=_("Dirty data OBS path"),
        required=False,
        help_text=_("Where dirty records are saved (with “Save to OBS”)."),
    )
    udf_jar_url = forms.CharField(
        label=_("UDF JAR (OBS URL)"), required=False, help_text=_("Not available on the shared cluster.")
    )

    def __init__(self, *args: Any, templates: Iterable[Template] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.template_objects = {f"{t.credential.public_id}:{t.template_id}": t for t in templates}
        self.fields["template"].choices = _blank(
            [(k, f"{t.name} · {t.credential.name}") for k, t in self.template_objects.items()], _("— none —")
        )
        if self.job is not None:
            del self.fields["template"]
        self.order_fields(self.field_order)

    @classmethod
    def initial_from_job(cls, job: Job) -> dict[str, Any]:
        cfg = job.job_config or {}
        raw = job.raw or {}
        dirty = vocab.parse_dirty_data_strategy(cfg.get("dirty_data_strategy"))
        tags = raw.get("tags", "")
        return {
            "credential": str(job.credential.public_id),
            "name": job.name,
            "desc": job.desc,
            "sql_body": job.sql_body,
            "run_mode": job.run_mode or vocab.SHARED_CLUSTER,
            "job_type": job.job_type if job.job_type in vocab.SQL_JOB_TYPES else "",
            "cluster_id": str(job.cluster_id)
            if job.cluster_id and job.run_mode == vocab.EXCLUSIVE_CLUSTER
            else "",
            "edge_group_ids": _join(cfg.get("edge_group_ids", job.edge_group_ids)),
            "spu_number": job.spu_number,
            "parallel_number": job.parallel_number,
            "checkpoint_enabled": bool(cfg.get("checkpoint_enabled", job.checkpoint_enabled)),
            "checkpoint_mode": vocab.normalize_checkpoint_mode(cfg.get("checkpoint_mode")) or "exactly_once",
            "checkpoint_interval": cfg.get("checkpoint_interval") or 10,
            "obs_bucket": cfg.get("obs_bucket") or "",
            "log_enabled": bool(cfg.get("log_enabled", job.log_enabled)),
            "smn_topic": cfg.get("smn_topic") or "",
            "restart_when_exception": bool(cfg.get("restart_when_exception")),
            "idle_state_retention": cfg.get("idle_state_retention") or 0,
            "dirty_data_kind": dirty[0] if dirty else "",
            "dirty_data_path": (dirty[1] or "") if dirty else "",
            "udf_jar_url": cfg.get("udf_jar_url") or "",
            "tags": tags if isinstance(tags, str) else "",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        payload = self._payload(data)
        current = None
        if self.job is not None:
            payload["job_id"] = self.job.job_id
            current = {"spu_number": self.job.spu_number, "parallel_number": self.job.parallel_number}
        self.add_violations(
            validation.validate_sql_job(payload, update=self.job is not None, current=current)
        )
        if (
            data.get("dirty_data_kind") == vocab.DIRTY_DATA_SAVE
            and not (data.get("dirty_data_path") or "").strip()
        ):
            self.add_error("dirty_data_path", _("Saving dirty data needs an OBS path (CS.11039)."))
        if data.get("template") and data["template"] not in self.template_objects:
            self.add_error("template", _("Choose one of the team's templates."))
        self._check_cluster(data)
        self.payload = payload
        return data

    def _payload(self, data: Mapping[str, Any]) -> dict[str, Any]:
        run_mode = data.get("run_mode") or ""
        job_type = data.get("job_type") or ""
        if not job_type and run_mode in vocab.RUN_MODE_JOB_TYPES:
            job_type = next(t for t in vocab.RUN_MODE_JOB_TYPES[run_mode] if t in vocab.SQL_JOB_TYPES)
        checkpoint = bool(data.get("checkpoint_enabled"))
        payload: dict[str, Any] = {
            "name": data.get("name", self.data.get("name")),
            "desc": data.get("desc") or "",
            "sql_body": data.get("sql_body") or "",
            "run_mode": run_mode,
            "job_type": job_type,
            "spu_number": data.get("spu_number"),
            "parallel_number": data.get("parallel_number"),
            "checkpoint_enabled": checkpoint,
            "log_enabled": bool(data.get("log_enabled")),
            "restart_when_exception": bool(data.get("restart_when_exception")),
            "obs_bucket": (data.get("obs_bucket") or "").strip() or None,
            "smn_topic": (data.get("smn_topic") or "").strip() or None,
            "idle_state_retention": data.get("idle_state_retention"),
            "udf_jar_url": (data.get("udf_jar_url") or "").strip() or None,
            "tags": (data.get("tags") or "").strip() or None,
        }
        if checkpoint:
            payload["checkpoint_mode"] = data.get("checkpoint_mode") or None
            payload["checkpoint_interval"] = data.get("checkpoint_interval")
        if run_mode == vocab.EXCLUSIVE_CLUSTER:
            payload["cluster_id"] = self._int(data.get("cluster_id"))
        if run_mode == vocab.EDGE_NODE:
            payload["edge_group_ids"] = (data.get("edge_group_ids") or "").strip()
        kind = data.get("dirty_data_kind") or ""
        if kind == vocab.DIRTY_DATA_SAVE:
            path = (data.get("dirty_data_path") or "").strip()
            if path:  # without a path the form reports the missing path itself
                payload["dirty_data_strategy"] = vocab.dirty_data_strategy(kind, path)
        elif kind:
            payload["dirty_data_strategy"] = kind
        template = self.template_objects.get(data.get("template") or "")
        credential = self.chosen_credential
        if template is not None and credential is not None and template.credential_id == credential.pk:
            payload["template_id"] = template.template_id
        return {k: v for k, v in payload.items() if v is not None}


def _join(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return "" if value is None else str(value)


class JarJobForm(_JobFormBase):
    """Create or edit a user-defined Flink or Spark Streaming JAR job (reference 5.1.7 / 5.1.8)."""

    field_order = [
        "credential",
        "name",
        "desc",
        "job_type",
        "cluster_id",
        "jar",
        "jar_url",
        "config",
        "config_url",
        "main_class",
        "args",
        "spu_number",
        "manager_spu",
        "parallel_number",
        "executor_number",
        "executor_spu",
        "obs_bucket",
        "log_enabled",
        "smn_topic",
        "restart_when_exception",
        "tags",
    ]

    job_type = forms.ChoiceField(
        label=_("Job type"), choices=[(t, vocab.JOB_TYPES[t]) for t in vocab.JAR_JOB_TYPES]
    )
    jar = forms.FileField(
        label=_("JAR file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".jar", "data-max-bytes": limits.UPLOAD_MAX_BYTES}),
        help_text=interpolate_lazy(
            _("At most %(mb)s MB; its Main-Class fills the main class."),
            {"mb": limits.UPLOAD_MAX_BYTES // (1024 * 1024)},
        ),
    )
    jar_url = forms.CharField(label=_("…or JAR OBS URL"), required=False)
    config = forms.FileField(
        label=_("Configuration file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"data-max-bytes": limits.UPLOAD_MAX_BYTES}),
    )
    config_url = forms.CharField(label=_("…or configuration OBS URL"), required=False)
    main_class = forms.CharField(
        label=_("Main class"),
        required=False,
        strip=False,
        help_text=_("Taken from the JAR's manifest when left empty."),
    )
    args = forms.CharField(
        label=_("Main class arguments"),
        required=False,
        strip=False,
        help_text=interpolate_lazy(_("At most %(max)s bytes."), {"max": f"{limits.ARGS_MAX_BYTES:,}"}),
    )
    spu_number = forms.IntegerField(
        label=_("SPUs"), required=False, initial=2, widget=_num(limits.SPU_MIN, limits.SPU_MAX)
    )
    manager_spu = forms.IntegerField(
        label=_("Manager SPUs"),
        required=False,
        initial=1,
        widget=_num(limits.MANAGER_SPU_MIN, limits.MANAGER_SPU_MAX),
    )
    parallel_number = forms.IntegerField(
        label=_("Parallelism"),
        required=False,
        initial=1,
        widget=_num(limits.PARALLELISM_MIN, limits.PARALLELISM_MAX),
        help_text=interpolate_lazy(
            _("At most %(per)s × the compute SPUs (SPUs − manager SPUs)."),
            {"per": limits.PARALLELISM_PER_SPU},
        ),
    )
    executor_number = forms.IntegerField(
        label=_("Executors"),
        required=False,
        initial=1,
        widget=_num(limits.EXECUTOR_NUMBER_MIN, limits.EXECUTOR_NUMBER_MAX),
    )
    executor_spu = forms.IntegerField(
        label=_("SPUs per executor"),
        required=False,
        initial=1,
        widget=_num(limits.EXECUTOR_SPU_MIN, limits.EXECUTOR_SPU_MAX),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cluster_id"].required = True
        self.fields["cluster_id"].choices = [
            ("", _("Choose a cluster")),
            *self.fields["cluster_id"].choices[1:],
        ]
        if self.job is not None:
            self.fields["job_type"].disabled = True
            self.fields["job_type"].initial = self.job.job_type
        self.order_fields(self.field_order)
        self.manifest_main_class = ""

    @classmethod
    def initial_from_job(cls, job: Job) -> dict[str, Any]:
        cfg = job.job_config or {}
        raw = job.raw or {}
        return {
            "credential": str(job.credential.public_id),
            "name": job.name,
            "desc": job.desc,
            "job_type": job.job_type,
            "cluster_id": str(job.cluster_id) if job.cluster_id else "",
            "jar_url": job.jar_url,
            "config_url": cfg.get("config_url") or "",
            "main_class": job.main_class,
            "args": job.args,
            "spu_number": job.spu_number,
            "parallel_number": job.parallel_number,
            "manager_spu": raw.get("manager_spu", cfg.get("manager_spu")),
            "executor_number": raw.get("executor_number", cfg.get("executor_number")),
            "executor_spu": raw.get("executor_spu", cfg.get("executor_spu")),
            "obs_bucket": cfg.get("obs_bucket") or "",
            "log_enabled": bool(cfg.get("log_enabled")),
            "smn_topic": cfg.get("smn_topic") or "",
            "restart_when_exception": bool(cfg.get("restart_when_exception")),
            "tags": raw.get("tags") if isinstance(raw.get("tags"), str) else "",
        }

    def clean_jar(self):
        upload = self.cleaned_data.get("jar")
        if not upload:
            return upload
        # The size is known from the streamed upload before anything is read.
        too_big = validation.check_upload_size(upload.size, "jar")
        if too_big:
            raise forms.ValidationError(_violation_text(too_big[0].message, too_big[0].code))
        main_class, problems = validation.inspect_jar(upload, upload.name, "jar")
        if problems:
            raise forms.ValidationError(_violation_text(problems[0].message, problems[0].code))
        self.manifest_main_class = main_class
        return upload

    def clean_config(self):
        upload = self.cleaned_data.get("config")
        if upload:
            too_big = validation.check_upload_size(upload.size, "config")
            if too_big:
                raise forms.ValidationError(_violation_text(too_big[0].message, too_big[0].code))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("main_class") or "").strip():
            if self.manifest_main_class:
                data["main_class"] = self.manifest_main_class
            elif data.get("jar") and "jar" not in self.errors:
                self.add_error(
                    "main_class",
                    _(
                        "The JAR's manifest names no Main-Class: enter the class whose main method starts the job."
                    ),
                )
        payload = self._payload(data)
        current = None
        if self.job is not None:
            payload["job_id"] = self.job.job_id
            payload["job_type"] = self.job.job_type
            current = self.initial_from_job(self.job)
            current = {k: v for k, v in current.items() if v not in (None, "")}
        self.add_violations(
            validation.validate_jar_job(payload, update=self.job is not None, current=current)
        )
        has_jar = bool(data.get("jar")) or bool(payload.get("jar_url"))
        if self.job is None and not has_jar and "jar" not in self.errors:
            self.add_error("jar", _("Upload a JAR file or give its OBS URL (CS.11029)."))
        if data.get("jar") and payload.get("jar_url"):
            self.add_error("jar_url", _("Give either a JAR file or a JAR URL, not both."))
        if data.get("config") and payload.get("config_url"):
            self.add_error("config_url", _("Give either a configuration file or its URL, not both."))
        self._check_cluster(data)
        self.payload = payload
        return data

    def _payload(self, data: Mapping[str, Any]) -> dict[str, Any]:
        job_type = data.get("job_type") or (self.job.job_type if self.job else "")
        payload: dict[str, Any] = {
            "name": data.get("name", self.data.get("name")),
            "desc": data.get("desc") or "",
            "job_type": job_type,
            "cluster_id": self._int(data.get("cluster_id")),
            "manager_spu": data.get("manager_spu"),
            "log_enabled": bool(data.get("log_enabled")),
            "restart_when_exception": bool(data.get("restart_when_exception")),
            "obs_bucket": (data.get("obs_bucket") or "").strip() or None,
            "smn_topic": (data.get("smn_topic") or "").strip() or None,
            "jar_url": (data.get("jar_url") or "").strip() or None,
            "config_url": (data.get("config_url") or "").strip() or None,
            "main_class": data.get("main_class") or None,
            "args": data.get("args") or None,
            "tags": (data.get("tags") or "").strip() or None,
        }
        if job_type == vocab.SPARK_STREAMING_JAR_JOB:
            payload["executor_number"] = data.get("executor_number")
            payload["executor_spu"] = data.get("executor_spu")
        else:
            payload["spu_number"] = data.get("spu_number")
            payload["parallel_number"] = data.get("parallel_number")
        return {k: v for k, v in payload.items() if v is not None}


class TemplateForm(_CSRulesMixin, forms.Form):
    """Create or edit a job template (reference 5.2.1 / 5.2.2)."""

    credential = forms.ChoiceField(label=_("CS credential"))
    name = forms.CharField(
        label=_("Name"),
        strip=False,
        help_text=interpolate_lazy(
            _("Letters, digits, _ and -; at most %(max)s bytes."), {"max": limits.TEMPLATE_NAME_MAX_BYTES}
        ),
    )
    desc = forms.CharField(
        label=_("Description"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=interpolate_lazy(_("At most %(max)s bytes."), {"max": limits.TEMPLATE_DESC_MAX_BYTES}),
    )
    sql_body = forms.CharField(
        label=_("SQL"),
        required=False,
        strip=False,
        widget=_sql_widget(),
        help_text=interpolate_lazy(
            _("At most %(max)s bytes."), {"max": f"{limits.TEMPLATE_SQL_MAX_BYTES:,}"}
        ),
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
        self.credential_objects = {str(c.public_id): c for c in credentials}
        self.fields["credential"].choices = credential_choices(self.credential_objects.values())
        if template is not None:
            self.fields["credential"].disabled = True
            self.fields["credential"].initial = str(template.credential.public_id)
        elif len(self.credential_objects) == 1:
            self.fields["credential"].initial = next(iter(self.credential_objects))

    @property
    def chosen_credential(self) -> Credential | None:
        if self.template is not None:
            return self.template.credential
        return self.credential_objects.get(str(self.cleaned_data.get("credential") or ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        payload = {k: data.get(k, self.data.get(k)) for k in ("name", "desc", "sql_body")}
        if self.template is not None:
            payload["id"] = self.template.template_id
        self.add_violations(validation.validate_template(payload, update=self.template is not None))
        credential = self.chosen_credential
        if self.template is None and credential is not None:
            if self.counts.get(credential.pk, 0) >= limits.TEMPLATES_MAX:
                self.add_error(
                    None,
                    _("A maximum of %(max)s templates are allowed (CS.18003).")
                    % {"max": limits.TEMPLATES_MAX},
                )
        self.payload = {k: v for k, v in payload.items() if k != "id"}
        return data


class BatchForm(forms.Form):
    """Batch run / stop / delete of selected jobs (keys "<credential uuid>:<job id>")."""

    ACTIONS = (("run", _("Run")), ("stop", _("Stop")), ("delete", _("Delete")))
    action = forms.ChoiceField(choices=ACTIONS)
    savepoint = forms.BooleanField(required=False)
    confirmed = forms.BooleanField(required=False)


class RunForm(forms.Form):
    resume_savepoint = forms.BooleanField(required=False)


class StopForm(forms.Form):
    trigger_savepoint = forms.BooleanField(required=False)


class ObsAuthorizeForm(forms.Form):
    bucket = forms.CharField()

    def clean_bucket(self) -> str:
        from dashboard.jobs.services import bucket_name

        name = bucket_name(self.cleaned_data["bucket"])
        problems = validation.validate_obs_buckets([name])
        if problems:
            raise forms.ValidationError(_violation_text(problems[0].message, problems[0].code))
        return name
