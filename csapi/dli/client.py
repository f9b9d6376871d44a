"""``DLIClient``: DLI Flink jobs, templates, queues, resource pools and quotas (operations D1-D23).

Every call goes through Huawei's SDK (:mod:`csapi.dli.transport`): its typed request models, its signer,
its endpoint handling. This module gives the calls the dashboard's shape: one method per operation,
grouped by resource (``client.jobs.list(...)``, ``client.jobs.run([...])``, ``client.queues.get(name)``),
requests checked against :mod:`csapi.dli.limits` before anything is sent (``check_limits``), results as
:mod:`csapi.dli.models` objects in the dashboard's vocabulary, errors as :mod:`csapi.errors` classes.

Operation numbers (D1-D23) are those of the dashboard's DLI operation table; ``dli_02_*`` names the
DLI API reference page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkdli.v1 import model as sdk

from csapi import vocab
from csapi.auth import AKSKAuth, TokenAuth
from csapi.dli.tags import tag_list
from csapi.errors import CSConflict, CSError, CSProtocolError, CSValidationError, cap_text
from csapi.models import CSObject, Page
from csapi.netguard import OutboundPolicy, check_endpoint
from csapi.retry import RetryPolicy
from csapi.validation import Violation

from . import limits, validation
from .models import (
    ActionResult,
    DLIJob,
    DLITemplate,
    ElasticResourcePool,
    ExecutionGraph,
    ExportResult,
    ImportResult,
    JobMetrics,
    Queue,
    Quotas,
    from_model,
    require,
)
from .paging import OffsetPager
from .transport import IAMTokenCredentials, Transport, build_sdk_client

__all__ = ["DEFAULT_TIMEOUT", "DLIClient"]

DEFAULT_TIMEOUT: tuple[float, float] = (5, 30)
Tags = Mapping[str, str] | Sequence[Mapping[str, str]] | None


def _raw(response: Any) -> Any:
    return getattr(response, "dli_raw", None)


def _refuse(violations: list[Violation]) -> None:
    """Raise the first violation as DLI would answer it, before any request is sent."""
    if violations:
        v = violations[0]
        err = CSValidationError(f"{v.message} (checked before sending)", code=v.code, body={"field": v.field})
        err.field = v.field
        raise err


def _envelope(response: Any, what: str) -> CSObject:
    """The ``is_success``/``message`` of a single-operation answer; ``is_success`` false is an error."""
    raw = _raw(response)
    out = from_model(response, raw, where=what)
    flag = vocab.dli_is_success(out.get("is_success"))
    out["is_success"] = flag
    if flag is False:
        raise CSConflict(f"DLI refused the {what}", cause=cap_text(out.get("message")))
    return out


def _meta(envelope: Mapping[str, Any]) -> dict[str, Any]:
    return {k: envelope[k] for k in ("is_success", "message") if k in envelope}


def _from_dli(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` with every :class:`CSError` it raises marked as DLI's (``CSError.service``), whether
    DLI answered it, the transport failed or this module refused or could not read the answer."""

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except CSError as err:
            err.service = "DLI"
            raise

    return call


class _Group:
    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if callable(value) and not name.startswith("_"):
                setattr(cls, name, _from_dli(value))

    def __init__(self, client: DLIClient) -> None:
        self.client = client

    def _call(self, operation: str, request: Any, *, idempotent: bool) -> Any:
        return self.client.transport.call(operation, request, idempotent=idempotent)

    def _check(self, violations: list[Violation]) -> None:
        if self.client.check_limits:
            _refuse(violations)


def _body(model: type, fields: Mapping[str, Any], what: str) -> Any:
    """An SDK request-body model from wire fields; a field the model does not have is a ``TypeError``."""
    unknown = sorted(set(fields) - set(model.openapi_types))
    if unknown:
        raise TypeError(f"{what} has no field {', '.join(unknown)} (see {model.__name__})")
    values = {k: v for k, v in fields.items() if v is not None}
    if "tags" in values:
        values["tags"] = [sdk.Tag(key=t.get("key"), value=t.get("value")) for t in values["tags"]]
    if isinstance(values.get("resource_config"), Mapping):
        config = dict(values["resource_config"])
        for spec in ("jobmanager_resource_spec", "taskmanager_resource_spec"):
            if isinstance(config.get(spec), Mapping):
                config[spec] = sdk.ResourceSpec(**config[spec])
        values["resource_config"] = sdk.ResourceConfig(**config)
    return model(**values)


def _wire_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise the forms the dashboard accepts into DLI's request forms (one place)."""
    out = {k: v for k, v in fields.items() if v is not None}
    if "checkpoint_mode" in out:
        mode = vocab.dli_checkpoint_mode(out["checkpoint_mode"])
        out["checkpoint_mode"] = mode if mode is not None else out["checkpoint_mode"]
    if "tags" in out:
        out["tags"] = tag_list(out["tags"])
    return out


def _ids(job_ids: Iterable[Any]) -> list[Any]:
    out = []
    for value in job_ids:
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        out.append(value)
    return out


# ---------------------------------------------------------------------- jobs


class JobsAPI(_Group):
    """Flink jobs (D1-D15)."""

    def _job(self, response: Any, key: str, what: str, required: tuple[str, ...]) -> DLIJob:
        env = _envelope(response, what)
        job = env.get(key)
        if not isinstance(job, Mapping):
            raise CSProtocolError(f"DLI's {what} answer has no {key}; the answer is incomplete")
        result = DLIJob.recast(job)
        require(result, *required, what=f"{what} answer")
        result.meta = _meta(env)
        return result

    def create_sql(
        self,
        name: str,
        *,
        queue_name: str | None = None,
        sql_body: str | None = None,
        cu_number: int | None = None,
        parallel_number: int | None = None,
        checkpoint_mode: int | str | None = None,
        tags: Tags = None,
        **fields: Any,
    ) -> DLIJob:
        """Create a Flink SQL job (D1, ``POST /v1.0/{project_id}/streaming/sql-jobs``, dli_02_0228).

        Other fields of ``CreateFlinkSqlJobRequestBody`` go in ``fields`` (``desc``, ``checkpoint_enabled``,
        ``manager_cu_number``, ``restart_when_exception``, ...). ``checkpoint_mode`` takes 1/2 or
        "exactly_once"/"at_least_once"; ``tags`` a mapping or DLI's list. Returns ``job_id``, ``status_name``.
        """
        body = _wire_fields(
            {
                "name": name,
                "queue_name": queue_name,
                "sql_body": sql_body,
                "cu_number": cu_number,
                "parallel_number": parallel_number,
                "checkpoint_mode": checkpoint_mode,
                "tags": tags,
                **fields,
            }
        )
        self._check(validation.validate_sql_job(body))
        request = sdk.CreateFlinkSqlJobRequest(
            body=_body(sdk.CreateFlinkSqlJobRequestBody, body, "a SQL job")
        )
        response = self._call("create_flink_sql_job", request, idempotent=False)
        return self._job(response, "job", "SQL job creation", ("job_id",))

    def update_sql(self, job_id: int, **fields: Any) -> DLIJob:
        """Update a Flink SQL job (D2, ``PUT .../streaming/sql-jobs/{job_id}``); returns ``update_time``."""
        body = _wire_fields(fields)
        self._check(validation.validate_sql_job(body, update=True))
        request = sdk.UpdateFlinkSqlJobRequest(
            job_id=job_id, body=_body(sdk.UpdateFlinkSqlJobRequestBody, body, "a SQL job update")
        )
        response = self._call("update_flink_sql_job", request, idempotent=True)
        return self._job(response, "job", "SQL job update", ("update_time",))

    def create_jar(
        self,
        name: str,
        *,
        queue_name: str | None = None,
        entrypoint: str | None = None,
        main_class: str | None = None,
        cu_number: int | None = None,
        manager_cu_number: int | None = None,
        parallel_number: int | None = None,
        tags: Tags = None,
        **fields: Any,
    ) -> DLIJob:
        """Create a Flink JAR job (D3, ``POST .../streaming/flink-jobs``).

        ``entrypoint`` is a DLI package or an ``obs://`` path; ``dependency_jars``, ``dependency_files``,
        ``entrypoint_args``, ``flink_version`` and the other ``CreateFlinkJarJobRequestBody`` fields go in
        ``fields``.
        """
        body = _wire_fields(
            {
                "name": name,
                "queue_name": queue_name,
                "entrypoint": entrypoint,
                "main_class": main_class,
                "cu_number": cu_number,
                "manager_cu_number": manager_cu_number,
                "parallel_number": parallel_number,
                "tags": tags,
                **fields,
            }
        )
        self._check(validation.validate_jar_job(body))
        request = sdk.CreateFlinkJarJobRequest(
            body=_body(sdk.CreateFlinkJarJobRequestBody, body, "a JAR job")
        )
        response = self._call("create_flink_jar_job", request, idempotent=False)
        return self._job(response, "job", "JAR job creation", ("job_id",))

    def update_jar(self, job_id: int, **fields: Any) -> DLIJob:
        """Update a Flink JAR job (D4, ``PUT .../streaming/flink-jobs/{job_id}``); returns ``update_time``."""
        body = _wire_fields(fields)
        self._check(validation.validate_jar_job(body, update=True))
        request = sdk.UpdateFlinkJarJobRequest(
            job_id=job_id, body=_body(sdk.UpdateFlinkJarJobRequestBody, body, "a JAR job update")
        )
        response = self._call("update_flink_jar_job", request, idempotent=True)
        return self._job(response, "job", "JAR job update", ("update_time",))

    def list(
        self,
        *,
        offset: int | None = None,
        limit: int | None = limits.LIST_LIMIT_MAX,
        name: str | None = None,
        status: str | None = None,
        queue_name: str | None = None,
        user_name: str | None = None,
        job_type: str | None = None,
        tags: str | None = None,
        root_job_id: int | None = None,
        show_detail: bool | None = None,
        order: str | None = None,
        sys_enterprise_project_name: str | None = None,
    ) -> Page:
        """One page of Flink jobs (D5, ``GET .../streaming/jobs``, dli_02_0234); ``total`` is ``total_count``."""
        params = {
            "offset": offset,
            "limit": limit,
            "name": name,
            "status": status,
            "queue_name": queue_name,
            "user_name": user_name,
            "job_type": job_type,
            "tags": tags,
            "root_job_id": root_job_id,
            "show_detail": show_detail,
            "order": order,
            "sys_enterprise_project_name": sys_enterprise_project_name,
        }
        params = {k: v for k, v in params.items() if v is not None}
        self._check(validation.validate_list_query(params))
        response = self._call("list_flink_jobs", sdk.ListFlinkJobsRequest(**params), idempotent=True)
        env = _envelope(response, "job list")
        listing = env.get("job_list")
        if not isinstance(listing, Mapping):
            raise CSProtocolError("DLI's job list answer has no job_list; the answer is incomplete")
        jobs = [DLIJob.recast(j) for j in listing.get("jobs") or []]
        for job in jobs:
            require(job, "job_id", what="job list entry")
        total = listing.get("total_count")
        return Page(jobs, total=total if isinstance(total, int) else None, meta=_meta(env))

    def iter(self, *, page_size: int = limits.LIST_LIMIT_MAX, **filters: Any) -> OffsetPager[DLIJob]:
        """Every Flink job, fetched lazily page by page (D5; ``filters`` as :meth:`list`)."""
        filters.pop("offset", None)
        filters.pop("limit", None)
        return OffsetPager(
            lambda offset, limit: self.list(offset=offset, limit=limit, **filters),
            page_size=page_size,
            key="job_id",
        )

    def get(self, job_id: int) -> DLIJob:
        """A job's details (D6, ``GET .../streaming/jobs/{job_id}``, dli_02_0235)."""
        response = self._call("show_flink_job", sdk.ShowFlinkJobRequest(job_id=job_id), idempotent=True)
        return self._job(response, "job_detail", "job details", ("job_id", "name", "status"))

    def execution_graph(self, job_id: int) -> ExecutionGraph:
        """A job's execution graph summary (D7, ``GET .../streaming/jobs/{job_id}/execute-graph``)."""
        request = sdk.ShowFlinkJobExecutionGraphRequest(job_id=job_id)
        env = _envelope(
            self._call("show_flink_job_execution_graph", request, idempotent=True), "execution graph"
        )
        graph = env.get("execute_graph")
        if not isinstance(graph, Mapping):
            raise CSProtocolError(
                "DLI's execution graph answer has no execute_graph; the answer is incomplete"
            )
        out = ExecutionGraph(graph)
        out.meta = _meta(env)
        return out

    def _batch(self, operation: str, request: Any, job_ids: list[Any], what: str) -> list[ActionResult]:
        response = self._call(operation, request, idempotent=False)
        items = from_model(response, {"body": _raw(response)}, where=what).get("body")
        if not isinstance(items, list) or not items:
            raise CSProtocolError(f"DLI's {what} answer has no results; the answer is incomplete")
        if len(items) == 1 and len(job_ids) > 1:
            items = items * len(job_ids)  # one answer for the whole batch
        if len(items) != len(job_ids):
            raise CSProtocolError(f"DLI answered {len(items)} results for a {what} of {len(job_ids)} jobs")
        results = []
        for item, job_id in zip(items, job_ids, strict=True):
            result = ActionResult(item, job_id=job_id)
            result["is_success"] = vocab.dli_is_success(item.get("is_success"))
            results.append(result)
        return results

    def run(self, job_ids: Iterable[int], *, resume_savepoint: bool | None = None) -> list[ActionResult]:
        """Run jobs (D8, ``POST .../streaming/jobs/run``); one :class:`ActionResult` per job, in order."""
        ids = _ids(job_ids)
        self._check(validation.validate_job_ids({"job_ids": ids}))
        body = sdk.BatchRunFlinkJobsRequestBody(job_ids=ids, resume_savepoint=resume_savepoint)
        return self._batch("batch_run_flink_jobs", sdk.BatchRunFlinkJobsRequest(body=body), ids, "run")

    def stop(self, job_ids: Iterable[int], *, trigger_savepoint: bool | None = None) -> list[ActionResult]:
        """Stop jobs (D9, ``POST .../streaming/jobs/stop``), with a savepoint first if asked."""
        ids = _ids(job_ids)
        self._check(validation.validate_job_ids({"job_ids": ids}))
        body = sdk.StopFlinkJobsRequestBody(job_ids=ids, trigger_savepoint=trigger_savepoint)
        return self._batch("batch_stop_flink_jobs", sdk.BatchStopFlinkJobsRequest(body=body), ids, "stop")

    def delete(self, job_ids: Iterable[int]) -> list[ActionResult]:
        """Delete jobs (D10, ``POST .../streaming/jobs/delete``)."""
        ids = _ids(job_ids)
        self._check(validation.validate_job_ids({"job_ids": ids}))
        body = sdk.BatchDeleteFlinkJobsRequestBody(job_ids=ids)
        return self._batch(
            "batch_delete_flink_jobs", sdk.BatchDeleteFlinkJobsRequest(body=body), ids, "delete"
        )

    def delete_one(self, job_id: int) -> CSObject:
        """Delete one job (D11, ``DELETE .../streaming/jobs/{job_id}``)."""
        response = self._call("delete_flink_job", sdk.DeleteFlinkJobRequest(job_id=job_id), idempotent=True)
        return _envelope(response, "job deletion")

    def metrics(self, job_ids: Iterable[int]) -> list[JobMetrics]:
        """Metrics of jobs (D12, ``POST .../streaming/jobs/metrics``; a query, so retried as a read)."""
        ids = _ids(job_ids)
        self._check(validation.validate_job_ids({"job_ids": ids}))
        request = sdk.ShowFlinkMetricRequest(body=sdk.ShowFlinkMetricRequestBody(job_ids=ids))
        env = _envelope(self._call("show_flink_metric", request, idempotent=True), "metrics query")
        metrics = env.get("metrics")
        if not isinstance(metrics, Mapping):
            raise CSProtocolError("DLI's metrics answer has no metrics; the answer is incomplete")
        out = [JobMetrics.recast(j) for j in metrics.get("jobs") or []]
        for item in out:
            require(item, "job_id", what="metrics entry")
        return out

    def savepoint(self, job_id: int, savepoint_path: str, *, action: str = "TRIGGER") -> CSObject:
        """Trigger a savepoint of a running job (D13, ``POST .../streaming/jobs/{job_id}/savepoint``)."""
        fields = {"action": action, "savepoint_path": savepoint_path}
        self._check(validation.validate_savepoint(fields))
        request = sdk.ExecuteFlinkJobSavepointRequest(
            job_id=str(job_id), body=sdk.ExecuteFlinkJobSavepointRequestBody(**fields)
        )
        return _envelope(self._call("execute_flink_job_savepoint", request, idempotent=False), "savepoint")

    def export_jobs(self, obs_dir: str, job_ids: Iterable[int] | None = None) -> ExportResult:
        """Export jobs to OBS (D14, ``POST .../streaming/jobs/export``): the given ones, or all."""
        ids = _ids(job_ids) if job_ids is not None else None
        fields = {"obs_dir": obs_dir, "is_selected": ids is not None, "job_selected": ids}
        self._check(validation.validate_export(fields))
        body = sdk.ExportFlinkJobsRequestBody(**{k: v for k, v in fields.items() if v is not None})
        env = _envelope(
            self._call("export_flink_jobs", sdk.ExportFlinkJobsRequest(body=body), idempotent=False), "export"
        )
        require(env, "zip_file", what="export answer")
        return ExportResult(env)

    def import_jobs(self, zip_file: str, *, is_cover: bool | None = None) -> ImportResult:
        """Import jobs from an OBS zip file or directory (D15, ``POST .../streaming/jobs/import``)."""
        fields = {"zip_file": zip_file, "is_cover": is_cover}
        self._check(validation.validate_import(fields))
        body = sdk.ImportFlinkJobsRequestBody(**{k: v for k, v in fields.items() if v is not None})
        env = _envelope(
            self._call("import_flink_jobs", sdk.ImportFlinkJobsRequest(body=body), idempotent=False), "import"
        )
        require(env, "job_mapping", what="import answer")
        return ImportResult(env)


# ---------------------------------------------------------------------- templates


class TemplatesAPI(_Group):
    """Flink SQL job templates (D16-D19)."""

    def list(
        self,
        *,
        offset: int | None = None,
        limit: int | None = limits.LIST_LIMIT_MAX,
        name: str | None = None,
        order: str | None = None,
        tags: str | None = None,
    ) -> Page:
        """One page of templates (D16, ``GET .../streaming/job-templates``)."""
        params = {"offset": offset, "limit": limit, "name": name, "order": order, "tags": tags}
        params = {k: v for k, v in params.items() if v is not None}
        self._check(validation.validate_list_query(params))
        response = self._call(
            "list_flink_sql_job_templates", sdk.ListFlinkSqlJobTemplatesRequest(**params), idempotent=True
        )
        env = _envelope(response, "template list")
        listing = env.get("template_list")
        if not isinstance(listing, Mapping):
            raise CSProtocolError("DLI's template list answer has no template_list; the answer is incomplete")
        items = [DLITemplate.recast(t) for t in listing.get("templates") or []]
        for item in items:
            require(item, "template_id", what="template list entry")
        total = listing.get("total_count")
        return Page(items, total=total if isinstance(total, int) else None, meta=_meta(env))

    def iter(self, *, page_size: int = limits.LIST_LIMIT_MAX, **filters: Any) -> OffsetPager[DLITemplate]:
        """Every template, lazily (D16)."""
        return OffsetPager(
            lambda offset, limit: self.list(offset=offset, limit=limit, **filters),
            page_size=page_size,
            key="template_id",
        )

    def create(
        self,
        name: str,
        *,
        sql_body: str | None = None,
        desc: str | None = None,
        job_type: str | None = None,
        tags: Tags = None,
    ) -> DLITemplate:
        """Create a template (D17, ``POST .../streaming/job-templates``, dli_02_0245; at most 100)."""
        body = _wire_fields(
            {"name": name, "sql_body": sql_body, "desc": desc, "job_type": job_type, "tags": tags}
        )
        self._check(validation.validate_template(body))
        request = sdk.CreateFlinkSqlJobTemplateRequest(
            body=_body(sdk.CreateFlinkSqlJobTemplateRequestBody, body, "a template")
        )
        env = _envelope(
            self._call("create_flink_sql_job_template", request, idempotent=False), "template creation"
        )
        template = env.get("template")
        if not isinstance(template, Mapping):
            raise CSProtocolError("DLI's template creation answer has no template; the answer is incomplete")
        out = DLITemplate(template)
        require(out, "template_id", what="template creation answer")
        out.meta = _meta(env)
        return out

    def update(
        self,
        template_id: int,
        *,
        name: str | None = None,
        desc: str | None = None,
        sql_body: str | None = None,
    ) -> CSObject:
        """Update a template (D18, ``PUT .../streaming/job-templates/{template_id}``)."""
        body = _wire_fields({"name": name, "desc": desc, "sql_body": sql_body})
        self._check(validation.validate_template(body, update=True))
        request = sdk.UpdateFlinkSqlJobTemplateRequest(
            template_id=template_id,
            body=_body(sdk.UpdateFlinkSqlJobTemplateRequestBody, body, "a template update"),
        )
        return _envelope(
            self._call("update_flink_sql_job_template", request, idempotent=True), "template update"
        )

    def delete(self, template_id: int) -> DLITemplate:
        """Delete a template (D19, ``DELETE .../streaming/job-templates/{template_id}``)."""
        request = sdk.DeleteFlinkSqlJobTemplateRequest(template_id=template_id)
        env = _envelope(
            self._call("delete_flink_sql_job_template", request, idempotent=True), "template deletion"
        )
        template = env.get("template")
        out = DLITemplate(template if isinstance(template, Mapping) else {"template_id": template_id})
        out.meta = _meta(env)
        return out


# ---------------------------------------------------------------------- queues, pools, quotas


class QueuesAPI(_Group):
    """Queues (D20-D21): DLI's counterpart of CS's clusters."""

    def list(
        self,
        *,
        queue_type: str | None = vocab.DLI_FLINK_QUEUE_TYPE,
        tags: str | None = None,
        with_charge_info: bool | None = None,
        with_priv: bool | None = None,
    ) -> list[Queue]:
        """The project's queues (D20, ``GET /v1.0/{project_id}/queues``).

        ``queue_type`` defaults to ``general``, the queues Flink jobs run on (DLI's own default is
        ``sql``); pass ``"all"`` for every queue.
        """
        if queue_type is not None and queue_type not in vocab.DLI_QUEUE_TYPES:
            raise ValueError(f"queue_type is one of {', '.join(vocab.DLI_QUEUE_TYPES)}")
        params = {
            "queue_type": queue_type,
            "tags": tags,
            "with_charge_info": with_charge_info,
            "with_priv": with_priv,
        }
        request = sdk.ListQueuesRequest(**{k: v for k, v in params.items() if v is not None})
        env = _envelope(self._call("list_queues", request, idempotent=True), "queue list")
        out = [Queue.recast(q) for q in env.get("queues") or []]
        for queue in out:
            require(queue, "queue_name", what="queue list entry")
        return out

    def get(self, queue_name: str) -> Queue:
        """One queue (D21, ``GET /v1.0/{project_id}/queues/{queue_name}``)."""
        env = _envelope(
            self._call("show_queue", sdk.ShowQueueRequest(queue_name=queue_name), idempotent=True), "queue"
        )
        require(env, "queue_name", what="queue answer")
        return Queue(env)


class PoolsAPI(_Group):
    """Elastic resource pools (D22)."""

    def list(
        self,
        *,
        offset: int | None = None,
        limit: int | None = limits.POOL_LIST_LIMIT_MAX,
        name: str | None = None,
        status: str | None = None,
        tags: str | None = None,
    ) -> Page:
        """One page of pools (D22, ``GET /v3/{project_id}/elastic-resource-pools``); ``total`` is ``count``."""
        params = {"offset": offset, "limit": limit, "name": name, "status": status, "tags": tags}
        params = {k: v for k, v in params.items() if v is not None}
        self._check(
            validation.validate_list_query({k: v for k, v in params.items() if k in ("offset", "limit")})
        )
        response = self._call(
            "list_elastic_resource_pools", sdk.ListElasticResourcePoolsRequest(**params), idempotent=True
        )
        env = _envelope(response, "resource pool list")
        items = [ElasticResourcePool(p) for p in env.get("elastic_resource_pools") or []]
        for item in items:
            require(item, "elastic_resource_pool_name", what="resource pool entry")
        total = env.get("count")
        return Page(items, total=total if isinstance(total, int) else None, meta=_meta(env))

    def iter(
        self, *, page_size: int = limits.POOL_LIST_LIMIT_MAX, **filters: Any
    ) -> OffsetPager[ElasticResourcePool]:
        """Every pool, lazily (D22)."""
        return OffsetPager(
            lambda offset, limit: self.list(offset=offset, limit=limit, **filters),
            page_size=page_size,
            key="elastic_resource_pool_name",
        )


class QuotasAPI(_Group):
    """The project's quotas (D23)."""

    def get(self) -> Quotas:
        """Quotas and their use (D23, ``GET /v3/{project_id}/quotas``)."""
        env = _envelope(self._call("show_quota", sdk.ShowQuotaRequest(), idempotent=True), "quota")
        quotas = env.get("quotas")
        if not isinstance(quotas, Mapping):
            raise CSProtocolError("DLI's quota answer has no quotas; the answer is incomplete")
        out = Quotas(quotas)
        for entry in out.get("resources") or []:
            require(entry, "type", what="quota entry")
        out.meta = _meta(env)
        return out


# ---------------------------------------------------------------------- the client


class DLIClient:
    """A client for DLI's Flink job operations, on Huawei's SDK.

    ``endpoint`` is ``https://dli.{region}.myhuaweicloud.com``; ``auth`` the credential as the dashboard
    keeps it: an :class:`~csapi.auth.AKSKAuth` (signed by the SDK's signer) or a
    :class:`~csapi.auth.TokenAuth` (IAM password; its token sent as ``X-Auth-Token``). ``timeout`` is
    (connect, read) seconds per attempt; ``retries`` the retries after the first attempt (or pass a
    :class:`~csapi.retry.RetryPolicy` as ``backoff``); ``deadline`` bounds one call with its retries.
    ``outbound`` says where requests may go (:mod:`csapi.netguard`; default: public https only).
    ``check_limits`` refuses a request that breaks a limit of :mod:`csapi.dli.limits` before sending it.
    """

    def __init__(
        self,
        endpoint: str,
        project_id: str,
        auth: AKSKAuth | TokenAuth,
        *,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 3,
        backoff: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        outbound: OutboundPolicy | None = None,
        deadline: float | None = None,
        check_limits: bool = True,
        user_agent: str = "csapi-dli/1.0",
    ) -> None:
        if not project_id:
            raise ValueError("project_id is required")
        if timeout is None:
            raise ValueError("every DLI call needs a timeout")
        self.outbound = outbound if outbound is not None else OutboundPolicy()
        base = endpoint.strip().rstrip("/")
        if "://" not in base:
            base = "https://" + base
        self.endpoint = check_endpoint(base, self.outbound, what="DLI endpoint")
        self.project_id = project_id
        self.auth = auth
        self.check_limits = check_limits
        if isinstance(auth, AKSKAuth):
            credentials: BasicCredentials = BasicCredentials(auth.ak, auth._sk, project_id)
            token_auth = None
        elif isinstance(auth, TokenAuth):
            if auth.project_id != project_id:
                raise ValueError("the IAM token's project is not the client's project")
            credentials = IAMTokenCredentials(auth, project_id)
            token_auth = auth
        else:
            raise TypeError("auth is an AKSKAuth (AK/SK) or a TokenAuth (IAM password)")
        policy = backoff if backoff is not None else RetryPolicy(retries=retries)
        if sleep is not None:
            policy.sleep = sleep
        self.policy = policy
        self.sdk = build_sdk_client(
            self.endpoint, credentials, policy=self.outbound, timeout=timeout, user_agent=user_agent
        )
        self.transport = Transport(
            self.sdk, policy=policy, timeout=timeout, deadline=deadline, token_auth=token_auth
        )
        self.jobs = JobsAPI(self)
        self.templates = TemplatesAPI(self)
        self.queues = QueuesAPI(self)
        self.pools = PoolsAPI(self)
        self.quotas = QuotasAPI(self)

    def __repr__(self) -> str:
        return f"DLIClient(endpoint={self.endpoint!r}, project_id={self.project_id!r}, auth={self.auth!r})"

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> DLIClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
