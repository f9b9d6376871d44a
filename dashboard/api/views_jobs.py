"""Job and template writes: each parses the body with the page's form, then calls the jobs service."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from csapi import CSError, vocab
from csapi.errors import ERROR_FIELDS
from dashboard.api import dli_inputs, docs
from dashboard.api import serializers as s
from dashboard.api.base import OPERATE, TeamEndpoint
from dashboard.api.inputs import add_cs_error_or_raise, bind, body_of, request_serializer
from dashboard.api.pagination import page_of, paginated
from dashboard.api.parsers import JSONParser
from dashboard.api.views import JOB_EXAMPLE, TAG_JOBS, TAG_TEMPLATES, JobEndpoint
from dashboard.jobs import selectors, services
from dashboard.jobs.forms import (
    JarJobForm,
    RunForm,
    SqlJobForm,
    StopForm,
    TemplateForm,
)
from dashboard.polling.selectors import freshness
from dashboard.teams.models import Credential, Role, Service

WRITE = {"POST": Role.OPERATOR}
JAR_JOB_TYPES = vocab.JAR_JOB_TYPES

_SUBMIT = {
    "run": serializers.BooleanField(
        default=False, required=False, help_text="Also start the job once saved."
    ),
    "authorize_obs": serializers.BooleanField(
        default=False,
        required=False,
        help_text="First authorize CS to use the OBS bucket given in `obs_bucket` (as the page offers).",
    ),
}
_FORM_KW = {"credentials": [], "clusters": []}

SqlJobCreateRequest = request_serializer(
    "SqlJobCreate",
    SqlJobForm,
    dynamic=("credential", "cluster_id", "template"),
    extra=_SUBMIT,
    form_kwargs=_FORM_KW,
)
SqlJobUpdateRequest = request_serializer(
    "SqlJobUpdate",
    SqlJobForm,
    dynamic=("cluster_id",),
    exclude=("credential", "template"),
    extra=_SUBMIT,
    partial=True,
    form_kwargs=_FORM_KW,
)
JarJobCreateRequest = request_serializer(
    "JarJobCreate",
    JarJobForm,
    dynamic=("credential", "cluster_id"),
    extra=_SUBMIT,
    form_kwargs=_FORM_KW,
)
JarJobUpdateRequest = request_serializer(
    "JarJobUpdate",
    JarJobForm,
    dynamic=("cluster_id",),
    exclude=("credential", "job_type"),
    extra=_SUBMIT,
    partial=True,
    form_kwargs=_FORM_KW,
)


def _either(name: str, cs, dli) -> PolymorphicProxySerializer:
    """A body that is CS's or DLI's, as the credential's service decides (documented as oneOf)."""
    return PolymorphicProxySerializer(
        component_name=name, serializers=[cs, dli], resource_type_field_name=None, many=False
    )


SqlJobCreateBody = _either("SqlJobCreateAny", SqlJobCreateRequest, dli_inputs.DliSqlJobCreate)
SqlJobUpdateBody = _either("SqlJobUpdateAny", SqlJobUpdateRequest, dli_inputs.DliSqlJobUpdate)
JarJobCreateBody = _either("JarJobCreateAny", JarJobCreateRequest, dli_inputs.DliJarJobCreate)
JarJobUpdateBody = _either("JarJobUpdateAny", JarJobUpdateRequest, dli_inputs.DliJarJobUpdate)
SERVICE_BODIES = (
    "The body follows the credential's service: CS's fields (SPUs, clusters, an uploaded JAR) for a CS "
    "credential, DLI's (CUs, a queue, TaskManagers, a JAR named by `entrypoint`) for a DLI credential. "
    "Every limit is checked before the cloud is called; its refusals are put on the field they concern."
)

RunRequest = request_serializer("Run", RunForm)
StopRequest = request_serializer("Stop", StopForm)
TemplateCreateRequest = request_serializer(
    "TemplateCreate", TemplateForm, dynamic=("credential",), form_kwargs={"credentials": []}
)
TemplateUpdateRequest = request_serializer(
    "TemplateUpdate", TemplateForm, exclude=("credential",), partial=True, form_kwargs={"credentials": []}
)


class BatchRequest(serializers.Serializer):
    jobs = serializers.ListField(
        child=serializers.CharField(),
        allow_empty=False,
        help_text="Job keys `<credential>:<job_id>` (the `key` of list rows).",
    )
    savepoint = serializers.BooleanField(
        default=False,
        required=False,
        help_text="run: resume from the savepoint; stop: trigger a savepoint first; delete: ignored.",
    )


class BatchJobSerializer(serializers.Serializer):
    job = serializers.CharField(help_text="The job's key.")
    reason = serializers.CharField(
        help_text="Why: the job's state (skipped) or CS's readable error (failed)."
    )


class BatchResultSerializer(serializers.Serializer):
    done = serializers.ListField(child=serializers.CharField(), help_text="Keys of the jobs CS accepted.")
    skipped = BatchJobSerializer(many=True, help_text="Jobs whose state does not allow the action: not sent.")
    failed = BatchJobSerializer(many=True, help_text="Jobs CS refused, with the readable CS error.")


SQL_EXAMPLE = {
    "credential": "4f7c9a52-8d1e-4c1b-9f0e-2b6a1d3c5e7f",
    "name": "clickstream_agg",
    "sql_body": "INSERT INTO sink SELECT * FROM source;",
    "run_mode": vocab.SHARED_CLUSTER,
    "spu_number": 2,
    "parallel_number": 1,
    "run": False,
}


DLI_SQL_EXAMPLE = {
    "credential": "9b2e4d71-3c6a-4f0e-8a15-7d9c2e4b6a10",
    "name": "orders_enrich",
    "queue_name": "acme_flink_prod",
    "sql_body": "INSERT INTO sink SELECT * FROM source;",
    "cu_number": 4,
    "manager_cu_number": 1,
    "parallel_number": 4,
    "flink_version": "1.17",
    "checkpoint_enabled": True,
    "checkpoint_mode": "exactly_once",
    "checkpoint_interval": 60,
    "tags": [{"key": "env", "value": "prod"}],
    "run": False,
}


def _team_dli_credential(access, value: Any) -> Credential | None:
    """The team's DLI credential named in a create body, if it names one (else the CS path decides)."""
    try:
        public_id = UUID(str(value))
    except (TypeError, ValueError):
        return None
    return Credential.objects.filter(team=access.team, public_id=public_id, service=Service.DLI).first()


def _dli_save(request, access, *, kind: str, credential: Credential, job=None) -> Response:
    """Create (``job`` None) or update a DLI job from the request; 201/200 with the saved job."""
    payload, run = dli_inputs.parse_dli_job(request, kind=kind, credential=credential, job=job)
    fields = services.DLI_JAR_JOB_FIELDS if kind == "jar" else services.DLI_SQL_JOB_FIELDS
    status = 201 if job is None else 200
    try:
        if job is None:
            create = services.job_create_jar if kind == "jar" else services.job_create_sql
            job = create(access=access, user=request.user, credential=credential, data=payload, run=run)
        else:
            update = services.job_update_jar if kind == "jar" else services.job_update_sql
            update(access=access, user=request.user, job=job, data=payload, run=run)
    except services.SavedNotRun as saved:
        return _job_response(saved.job, status, saved.cause)
    except CSError as exc:
        dli_inputs.dli_error_or_raise(exc, fields)
    return _job_response(job, status)


def _flag(data: dict[str, Any], name: str) -> bool:
    value = data.pop(name, False)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


class RunErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="cs_rejected, cs_quota_exceeded, action_refused, ...")
    message = serializers.CharField()
    cs = serializers.DictField(required=False, help_text="CS's code, description, solution and cause.")


class JobSavedSerializer(s.JobDetailSerializer):
    run_error = RunErrorSerializer(
        allow_null=True,
        help_text='Set when the job was saved but CS refused to run it ("run": true): the job is a draft; '
        "send the same request to its update endpoint with run to try again.",
    )

    class Meta(s.JobDetailSerializer.Meta):
        fields = [*s.JobDetailSerializer.Meta.fields, "run_error"]


def _job_response(job, status: int, run_error: Exception | None = None) -> Response:
    from dashboard.api.exceptions import exception_handler

    job = selectors.job_get(job.team, job.credential.public_id, job.job_id, include_deleted=True)
    data = dict(s.JobDetailSerializer(job).data)
    data["run_error"] = None
    if run_error is not None:
        data["run_error"] = exception_handler(run_error, {}).data
    return Response(data, status=status)


# ------------------------------------------------------------------------------------------ SQL jobs


class SqlJobCreate(TeamEndpoint):
    required_roles = WRITE

    @extend_schema(
        operation_id="job_create_sql",
        tags=TAG_JOBS,
        summary="Create a SQL job (and optionally run it)",
        description=SERVICE_BODIES,
        request=SqlJobCreateBody,
        responses=docs.responses(JobSavedSerializer, write=True, status=201),
        examples=[
            OpenApiExample("create", value=SQL_EXAMPLE, request_only=True),
            OpenApiExample("create on DLI", value=DLI_SQL_EXAMPLE, request_only=True),
            OpenApiExample(
                "created", value={**JOB_EXAMPLE, "run_error": None}, response_only=True, status_codes=["201"]
            ),
        ],
    )
    def post(self, request, access, **kwargs):
        data = body_of(request)
        dli = _team_dli_credential(access, data.get("credential"))
        if dli is not None:
            return _dli_save(request, access, kind="sql", credential=dli)
        run, authorize = _flag(data, "run"), _flag(data, "authorize_obs")
        form = bind(
            SqlJobForm,
            data,
            credentials=Credential.objects.filter(team=access.team),
            clusters=selectors.team_clusters(access.team),
            templates=selectors.template_list(access.team),
        )
        try:
            if authorize:
                services.obs_authorize_bucket_of(
                    access=access,
                    user=request.user,
                    credential=form.chosen_credential,
                    obs_path=form.payload.get("obs_bucket", ""),
                )
            job = services.job_create_sql(
                access=access,
                user=request.user,
                credential=form.chosen_credential,
                data=form.payload,
                run=run,
            )
        except services.SavedNotRun as saved:
            return _job_response(saved.job, 201, saved.cause)
        except CSError as exc:
            add_cs_error_or_raise(form, exc, ERROR_FIELDS)
        return _job_response(job, 201)


def _merged(initial: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    merged = {k: v for k, v in initial.items() if v is not None}
    merged.update(data)
    return merged


class SqlJobUpdate(JobEndpoint):
    required_roles = {"PATCH": Role.OPERATOR}

    @extend_schema(
        operation_id="job_update_sql",
        tags=TAG_JOBS,
        summary="Update a SQL job: fields left out keep their current values",
        description=SERVICE_BODIES,
        request=SqlJobUpdateBody,
        responses=docs.responses(JobSavedSerializer, write=True),
        examples=[
            OpenApiExample(
                "update", value={"sql_body": "INSERT INTO sink SELECT id FROM source;"}, request_only=True
            )
        ],
    )
    def patch(self, request, access, credential, job_id, **kwargs):
        job = self.get_job(access, credential, job_id)
        if job.job_type in JAR_JOB_TYPES:
            raise ValidationError(
                {"non_field_errors": [_("This is a JAR job: update it through its jar endpoint.")]}
            )
        if job.credential.is_dli:
            return _dli_save(request, access, kind="sql", credential=job.credential, job=job)
        data = body_of(request)
        run, authorize = _flag(data, "run"), _flag(data, "authorize_obs")
        data.pop("credential", None)
        initial = SqlJobForm.initial_from_job(job)
        form = bind(
            SqlJobForm,
            _merged(initial, data),
            initial=initial,
            credentials=[job.credential],
            clusters=selectors.team_clusters(access.team, job.credential),
            job=job,
        )
        try:
            if authorize:
                services.obs_authorize_bucket_of(
                    access=access,
                    user=request.user,
                    credential=form.chosen_credential,
                    obs_path=form.payload.get("obs_bucket", ""),
                )
            services.job_update_sql(access=access, user=request.user, job=job, data=form.payload, run=run)
        except services.SavedNotRun as saved:
            return _job_response(saved.job, 200, saved.cause)
        except CSError as exc:
            add_cs_error_or_raise(form, exc, ERROR_FIELDS)
        return _job_response(job, 200)


# ------------------------------------------------------------------------------------------ JAR jobs


def _files(form) -> dict[str, Any]:
    jar = form.cleaned_data.get("jar")
    config = form.cleaned_data.get("config")
    return {"jar": (jar.name, jar) if jar else None, "config": (config.name, config) if config else None}


class JarJobCreate(TeamEndpoint):
    required_roles = WRITE
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="job_create_jar",
        tags=TAG_JOBS,
        summary="Create a JAR job (CS: a multipart upload of the JAR, or its OBS URL; DLI: its entrypoint)",
        description=SERVICE_BODIES,
        request={"multipart/form-data": JarJobCreateBody, "application/json": JarJobCreateBody},
        responses=docs.responses(JobSavedSerializer, write=True, status=201),
        examples=[
            OpenApiExample(
                "create",
                request_only=True,
                value={
                    "credential": "4f7c9a52-8d1e-4c1b-9f0e-2b6a1d3c5e7f",
                    "name": "enrich",
                    "job_type": vocab.FLINK_JAR_JOB,
                    "cluster_id": "1001",
                    "jar_url": "obs://jobs/enrich.jar",
                    "main_class": "com.example.Enrich",
                    "spu_number": 2,
                    "manager_spu": 1,
                    "parallel_number": 1,
                },
            )
        ],
    )
    def post(self, request, access, **kwargs):
        data = body_of(request)
        dli = _team_dli_credential(access, data.get("credential"))
        if dli is not None:
            return _dli_save(request, access, kind="jar", credential=dli)
        run, authorize = _flag(data, "run"), _flag(data, "authorize_obs")
        form = bind(
            JarJobForm,
            data,
            request.FILES or None,
            credentials=Credential.objects.filter(team=access.team),
            clusters=selectors.team_clusters(access.team),
        )
        try:
            if authorize:
                services.obs_authorize_bucket_of(
                    access=access,
                    user=request.user,
                    credential=form.chosen_credential,
                    obs_path=form.payload.get("obs_bucket", ""),
                )
            job = services.job_create_jar(
                access=access,
                user=request.user,
                credential=form.chosen_credential,
                data=form.payload,
                run=run,
                **_files(form),
            )
        except services.SavedNotRun as saved:
            return _job_response(saved.job, 201, saved.cause)
        except CSError as exc:
            add_cs_error_or_raise(form, exc, ERROR_FIELDS)
        return _job_response(job, 201)


class JarJobUpdate(JobEndpoint):
    required_roles = {"PATCH": Role.OPERATOR}
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="job_update_jar",
        tags=TAG_JOBS,
        summary="Update a JAR job: fields left out keep their current values",
        description=SERVICE_BODIES,
        request={"multipart/form-data": JarJobUpdateBody, "application/json": JarJobUpdateBody},
        responses=docs.responses(JobSavedSerializer, write=True),
        examples=[OpenApiExample("update", value={"args": "--window 60"}, request_only=True)],
    )
    def patch(self, request, access, credential, job_id, **kwargs):
        job = self.get_job(access, credential, job_id)
        if job.job_type not in JAR_JOB_TYPES:
            raise ValidationError(
                {"non_field_errors": [_("This is a SQL job: update it through its sql endpoint.")]}
            )
        if job.credential.is_dli:
            return _dli_save(request, access, kind="jar", credential=job.credential, job=job)
        data = body_of(request)
        run, authorize = _flag(data, "run"), _flag(data, "authorize_obs")
        data.pop("credential", None)
        data.pop("job_type", None)
        initial = JarJobForm.initial_from_job(job)
        form = bind(
            JarJobForm,
            _merged(initial, data),
            request.FILES or None,
            initial=initial,
            credentials=[job.credential],
            clusters=selectors.team_clusters(access.team, job.credential),
            job=job,
        )
        try:
            if authorize:
                services.obs_authorize_bucket_of(
                    access=access,
                    user=request.user,
                    credential=form.chosen_credential,
                    obs_path=form.payload.get("obs_bucket", ""),
                )
            services.job_update_jar(
                access=access, user=request.user, job=job, data=form.payload, run=run, **_files(form)
            )
        except services.SavedNotRun as saved:
            return _job_response(saved.job, 200, saved.cause)
        except CSError as exc:
            add_cs_error_or_raise(form, exc, ERROR_FIELDS)
        return _job_response(job, 200)


# ------------------------------------------------------------------------------------------ actions


class JobRun(JobEndpoint):
    required_roles = WRITE

    @extend_schema(
        operation_id="job_run",
        tags=TAG_JOBS,
        summary="Run a job, optionally resuming from its savepoint",
        request=RunRequest,
        responses=docs.responses(s.JobDetailSerializer, write=True, status=202),
        examples=[OpenApiExample("run", value={"resume_savepoint": False}, request_only=True)],
    )
    def post(self, request, access, credential, job_id, **kwargs):
        job = self.get_job(access, credential, job_id)
        form = bind(RunForm, body_of(request))
        services.job_run(
            access=access, user=request.user, job=job, resume_savepoint=form.cleaned_data["resume_savepoint"]
        )
        return _job_response(job, 202)


class JobStop(JobEndpoint):
    required_roles = WRITE

    @extend_schema(
        operation_id="job_stop",
        tags=TAG_JOBS,
        summary="Stop a job, optionally triggering a savepoint first",
        request=StopRequest,
        responses=docs.responses(s.JobDetailSerializer, write=True, status=202),
        examples=[OpenApiExample("stop", value={"trigger_savepoint": True}, request_only=True)],
    )
    def post(self, request, access, credential, job_id, **kwargs):
        job = self.get_job(access, credential, job_id)
        form = bind(StopForm, body_of(request))
        services.job_stop(
            access=access,
            user=request.user,
            job=job,
            trigger_savepoint=form.cleaned_data["trigger_savepoint"],
        )
        return _job_response(job, 202)


class SavepointSerializer(serializers.Serializer):
    location = serializers.CharField(help_text="The OBS path DLI writes the savepoint to.")
    requested_at = serializers.DateTimeField()


class JobWithSavepointSerializer(s.JobDetailSerializer):
    savepoint = SavepointSerializer(help_text="The savepoint just asked for.")

    class Meta(s.JobDetailSerializer.Meta):
        fields = [*s.JobDetailSerializer.Meta.fields, "savepoint"]


class JobSavepoint(JobEndpoint):
    required_roles = WRITE

    @extend_schema(
        operation_id="job_savepoint",
        tags=TAG_JOBS,
        summary="Make a savepoint of a running DLI job now (it keeps running)",
        description="DLI only: CS makes savepoints only when it stops a job (see the stop action's "
        "`trigger_savepoint`), so a CS job answers 409 `action_refused`, as does a DLI job that is not "
        "running.",
        request=dli_inputs.SavepointTrigger,
        responses=docs.responses(JobWithSavepointSerializer, write=True, status=202),
        examples=[
            OpenApiExample(
                "savepoint",
                value={"savepoint_path": "obs://acme-flink/savepoints/orders/"},
                request_only=True,
            )
        ],
    )
    def post(self, request, access, credential, job_id, **kwargs):
        job = self.get_job(access, credential, job_id)
        refusal = services.savepoint_refusal(job)
        if refusal is not None:  # a CS job, a job that is not running: refused before the path is read
            raise refusal
        path = dli_inputs.parse_savepoint(request, job, services.default_savepoint_path(job))
        try:
            saved = services.job_trigger_savepoint(
                access=access, user=request.user, job=job, savepoint_path=path
            )
        except CSError as exc:
            dli_inputs.dli_error_or_raise(exc, ("savepoint_path",))
        response = _job_response(job, 202)
        response.data["savepoint"] = SavepointSerializer(saved).data
        return response


class _Batch(TeamEndpoint):
    required_roles = WRITE
    action = ""

    def post(self, request, access, **kwargs):
        body = BatchRequest(data=request.data)
        body.is_valid(raise_exception=True)
        keys = list(dict.fromkeys(body.validated_data["jobs"]))
        jobs = selectors.jobs_by_keys(access.team, keys)
        found = {selectors.job_key(j) for j in jobs}
        missing = [k for k in keys if k not in found]
        if missing:
            raise ValidationError(
                {"jobs": [_("No such job in this team: %(jobs)s.") % {"jobs": ", ".join(missing[:20])}]}
            )
        savepoint = body.validated_data["savepoint"]
        if self.action == "run":
            outcome = services.jobs_run_batch(
                access=access, user=request.user, jobs=jobs, resume_savepoint=savepoint
            )
        elif self.action == "stop":
            outcome = services.jobs_stop_batch(
                access=access, user=request.user, jobs=jobs, trigger_savepoint=savepoint
            )
        else:
            outcome = services.jobs_delete_batch(access=access, user=request.user, jobs=jobs)
        return Response(
            {
                "done": [selectors.job_key(j) for j in outcome.done],
                "skipped": [{"job": selectors.job_key(j), "reason": r} for j, r in outcome.skipped],
                "failed": [{"job": selectors.job_key(j), "reason": r} for j, r in outcome.failed],
            }
        )


def _batch_schema(action: str, summary: str):
    return extend_schema(
        operation_id=f"jobs_{action}_batch",
        tags=TAG_JOBS,
        summary=summary,
        description="One CS call per credential for the jobs whose state allows the action; the others are "
        "listed in `skipped` with the reason, and jobs CS refused in `failed` with CS's readable error.",
        request=BatchRequest,
        responses=docs.responses(BatchResultSerializer, write=True),
        examples=[
            OpenApiExample(
                "jobs",
                request_only=True,
                value={"jobs": ["4f7c9a52-8d1e-4c1b-9f0e-2b6a1d3c5e7f:1203"], "savepoint": False},
            ),
            OpenApiExample(
                "result",
                response_only=True,
                value={
                    "done": ["4f7c9a52-8d1e-4c1b-9f0e-2b6a1d3c5e7f:1203"],
                    "skipped": [
                        {
                            "job": "4f7c9a52-8d1e-4c1b-9f0e-2b6a1d3c5e7f:1204",
                            "reason": "nightly_load is a draft: it has never run.",
                        }
                    ],
                    "failed": [],
                },
            ),
        ],
    )


class JobsRunBatch(_Batch):
    action = "run"

    @_batch_schema("run", "Run several jobs (savepoint: resume from it)")
    def post(self, request, access, **kwargs):
        return super().post(request, access, **kwargs)


class JobsStopBatch(_Batch):
    action = "stop"

    @_batch_schema("stop", "Stop several jobs (savepoint: trigger one first)")
    def post(self, request, access, **kwargs):
        return super().post(request, access, **kwargs)


class JobsDeleteBatch(_Batch):
    action = "delete"

    @_batch_schema("delete", "Delete several jobs")
    def post(self, request, access, **kwargs):
        return super().post(request, access, **kwargs)


# ------------------------------------------------------------------------------------------ templates


class TemplateList(TeamEndpoint):
    required_roles = {"GET": Role.VIEWER, "POST": Role.OPERATOR}

    @extend_schema(
        operation_id="templates_list",
        tags=TAG_TEMPLATES,
        summary="The team's job templates",
        parameters=docs.PAGE_PARAMS,
        responses=docs.responses(page_of(s.TemplateSerializer)),
    )
    def get(self, request, access, **kwargs):
        return paginated(
            request,
            self,
            selectors.template_list(access.team),
            s.TemplateSerializer,
            extra={"freshness": freshness(access.team, ["templates"]).as_dict()},
        )

    @extend_schema(
        operation_id="template_create",
        tags=TAG_TEMPLATES,
        summary="Create a template",
        request=TemplateCreateRequest,
        responses=docs.responses(s.TemplateSerializer, write=True, status=201),
        examples=[
            OpenApiExample(
                "create",
                request_only=True,
                value={
                    "credential": "4f7c9a52-8d1e-4c1b-9f0e-2b6a1d3c5e7f",
                    "name": "kafka_to_dis",
                    "desc": "",
                    "sql_body": "INSERT INTO sink SELECT * FROM source;",
                },
            )
        ],
    )
    def post(self, request, access, **kwargs):
        form = bind(
            TemplateForm,
            body_of(request),
            credentials=Credential.objects.filter(team=access.team),
            counts=selectors.template_counts(access.team),
        )
        try:
            template = services.template_create(
                access=access, user=request.user, credential=form.chosen_credential, data=form.payload
            )
        except CSError as exc:
            add_cs_error_or_raise(form, exc, ERROR_FIELDS)
        return Response(s.TemplateSerializer(template).data, status=201)


class TemplateDetail(TeamEndpoint):
    required_roles = OPERATE

    def get_template(self, access, credential, template_id):
        return selectors.template_get(access.team, credential, template_id)

    @extend_schema(
        operation_id="template_retrieve",
        tags=TAG_TEMPLATES,
        summary="One template",
        responses=docs.responses(s.TemplateSerializer),
    )
    def get(self, request, access, credential, template_id, **kwargs):
        return Response(s.TemplateSerializer(self.get_template(access, credential, template_id)).data)

    @extend_schema(
        operation_id="template_update",
        tags=TAG_TEMPLATES,
        summary="Update a template: fields left out keep their current values",
        request=TemplateUpdateRequest,
        responses=docs.responses(s.TemplateSerializer, write=True),
        examples=[OpenApiExample("update", value={"desc": "Kafka to DIS"}, request_only=True)],
    )
    def patch(self, request, access, credential, template_id, **kwargs):
        template = self.get_template(access, credential, template_id)
        data = body_of(request)
        data.pop("credential", None)
        current = {"name": template.name, "desc": template.desc, "sql_body": template.sql_body}
        form = bind(
            TemplateForm, _merged(current, data), credentials=[template.credential], template=template
        )
        try:
            services.template_update(access=access, user=request.user, template=template, data=form.payload)
        except CSError as exc:
            add_cs_error_or_raise(form, exc, ERROR_FIELDS)
        return Response(s.TemplateSerializer(template).data)

    @extend_schema(
        operation_id="template_delete",
        tags=TAG_TEMPLATES,
        summary="Delete a template",
        request=None,
        responses=docs.responses(OpenApiResponse(description="Deleted."), write=True, status=204),
    )
    def delete(self, request, access, credential, template_id, **kwargs):
        services.template_delete(
            access=access, user=request.user, template=self.get_template(access, credential, template_id)
        )
        return Response(status=204)
