"""``CSClient``: one method per operation of the CS API, grouped by resource.

Section numbers in docstrings refer to the Cloud Stream Service API reference. Every call has a
timeout; retries follow :mod:`csapi.retry`; errors are :mod:`csapi.errors` exceptions; results are
:mod:`csapi.models` objects that keep every field CS returns.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from requests.auth import AuthBase

from . import vocab
from .errors import (
    TOKEN_EXPIRED_CODES,
    CSError,
    CSProtocolError,
    CSTimeout,
    CSUnavailable,
    cap_text,
    error_class_for,
    error_from_response,
    parse_error_body,
    safe_url,
)
from .limits import (
    AUDIT_LIMIT_MAX,
    CLUSTER_JOBS_LIMIT_DEFAULT,
    CLUSTER_LIST_LIMIT_DEFAULT,
    LIST_PAGE_SIZE_DEFAULT,
)
from .models import (
    AuditTrace,
    Cluster,
    CSObject,
    Envelope,
    ExecuteGraph,
    Host,
    Job,
    JobMetrics,
    Page,
    Peering,
    Route,
    Template,
    UserQuota,
    Version,
)
from .multipart import FileSource, MultipartBody
from .netguard import OutboundPolicy, check_endpoint, guard_session
from .pagination import CursorPager, PageNumberPager
from .retry import RetryPolicy, is_idempotent

__all__ = ["CSClient", "DEFAULT_TIMEOUT"]

logger = logging.getLogger("csapi")

DEFAULT_TIMEOUT: tuple[float, float] = (5, 30)
JSON_CONTENT_TYPE = "application/json;charset=utf-8"
_ENVELOPE_KEYS = ("message_id", "message", "current_time")


def _seg(value: Any) -> str:
    """One URL path segment (IDs are percent-encoded; nothing can escape the path)."""
    text = str(value)
    if text == "" or text in (".", ".."):
        raise ValueError(f"invalid path parameter {value!r}")
    return quote(text, safe="")


def _bool(value: bool | None) -> str | None:
    if value is None:
        return None
    return "true" if value else "false"


def _clean(params: Mapping[str, Any]) -> dict[str, Any]:
    """Drop ``None`` values; booleans become ``true``/``false``."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        out[key] = _bool(value) if isinstance(value, bool) else value
    return out


def _body(params: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON body without the ``None`` values."""
    return {k: v for k, v in params.items() if v is not None}


def _first_mapping(data: Any) -> Any:
    """Unwrap the list-wrapped answers of the reference (5.1.14, 5.1.18, 5.3.9, 5.3.12, 5.3.13)."""
    if isinstance(data, list):
        for item in data:
            if isinstance(item, Mapping):
                return item
        return {}
    return data


def _meta(envelope: Any) -> dict[str, Any]:
    if isinstance(envelope, Mapping):
        return {k: envelope[k] for k in _ENVELOPE_KEYS if k in envelope}
    return {}


def _payload(data: Any) -> tuple[Any, dict[str, Any]]:
    env = _first_mapping(data)
    if not isinstance(env, Mapping):
        return {}, {}
    payload = env.get("payload")
    if isinstance(payload, list):  # 5.3.2 documents the payload as an array of objects
        payload = _first_mapping(payload)
    return (payload if payload is not None else {}), _meta(env)


def _obj(cls: type[CSObject], data: Any, meta: dict[str, Any] | None = None) -> Any:
    obj = cls(data if isinstance(data, Mapping) else {})
    if meta:
        obj.meta = dict(meta)
    return obj


def _envelope(data: Any) -> Envelope:
    env = _first_mapping(data)
    out = Envelope(env if isinstance(env, Mapping) else {})
    out.meta = _meta(env)
    return out


def _ids(values: Iterable[Any]) -> list[Any]:
    out = []
    for value in values:
        if isinstance(value, bool):
            raise TypeError("job IDs must be numbers")
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        out.append(value)
    return out


def _checkpoint_mode(value: Any) -> Any:
    """Send the form of the examples ("exactly_once"); accept 1/2 and CamelCase too."""
    if value is None:
        return None
    normal = vocab.normalize_checkpoint_mode(value)
    return normal if normal is not None else value


def _source_name(source: Any) -> str | None:
    """The file name of a path or named file object (``None`` for bytes and anonymous streams)."""
    if isinstance(source, str | os.PathLike):
        return os.path.basename(os.fspath(source)) or None
    name = getattr(source, "name", None)
    return os.path.basename(name) if isinstance(name, str) and name else None


def _edge_groups(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return value


class CSClient:
    """A client for the whole CS API.

    ``endpoint`` is the CS endpoint (``https://cs.{region}.myhuaweicloud.com``), ``auth`` a
    :class:`~csapi.auth.TokenAuth`, :class:`~csapi.auth.AKSKAuth` or any ``requests`` auth.
    ``vpc_endpoint`` serves the two ``/v2.0/vpc`` operations (5.3.21, 5.3.23); it defaults to
    ``endpoint``. ``timeout`` is (connect, read) seconds; ``retries`` the retries after the first
    attempt (or pass a :class:`~csapi.retry.RetryPolicy` as ``backoff``). ``deadline`` bounds one call
    with all its retries (seconds): an interactive caller sets it so a silent endpoint cannot hold it.

    ``outbound`` says where requests may go (:mod:`csapi.netguard`): by default public https
    endpoints only. Endpoints are checked here, every request's URL and every resolved address when
    connecting; redirects are never followed.
    """

    def __init__(
        self,
        endpoint: str,
        project_id: str,
        auth: AuthBase | None,
        *,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 3,
        session: requests.Session | None = None,
        backoff: RetryPolicy | None = None,
        vpc_endpoint: str | None = None,
        sleep: Callable[[float], None] | None = None,
        user_agent: str = "csapi/1.0",
        outbound: OutboundPolicy | None = None,
        deadline: float | None = None,
    ) -> None:
        if not project_id:
            raise ValueError("project_id is required")
        if timeout is None:
            raise ValueError("every CS call needs a timeout")
        self.outbound = outbound if outbound is not None else OutboundPolicy()
        self.endpoint = check_endpoint(self._base(endpoint), self.outbound, what="CS endpoint")
        self.vpc_endpoint = (
            check_endpoint(self._base(vpc_endpoint), self.outbound, what="VPC endpoint")
            if vpc_endpoint
            else self.endpoint
        )
        self.project_id = project_id
        self.auth = auth
        self.timeout = timeout
        self.deadline = deadline
        self.policy = backoff if backoff is not None else RetryPolicy(retries=retries)
        if sleep is not None:
            self.policy.sleep = sleep
        self._own_session = session is None
        self.session = guard_session(session or requests.Session(), self.outbound)
        self.user_agent = user_agent

        self.jobs = JobsAPI(self)
        self.templates = TemplatesAPI(self)
        self.clusters = ClustersAPI(self)
        self.hosts = HostsAPI(self)
        self.quotas = QuotasAPI(self)
        self.peerings = PeeringsAPI(self)
        self.routes = RoutesAPI(self)
        self.account = AccountAPI(self)
        self.audit_logs = AuditLogsAPI(self)

    @staticmethod
    def _base(endpoint: str) -> str:
        base = endpoint.strip().rstrip("/")
        if "://" not in base:
            base = "https://" + base
        return base

    def __repr__(self) -> str:
        return f"CSClient(endpoint={self.endpoint!r}, project_id={self.project_id!r}, auth={self.auth!r})"

    def close(self) -> None:
        if self._own_session:
            self.session.close()

    def __enter__(self) -> CSClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ transport

    def url(self, path: str, *, project: bool = True, vpc: bool = False) -> str:
        base = self.vpc_endpoint if vpc else self.endpoint
        if project:
            return f"{base}/v1.0/{_seg(self.project_id)}{path}"
        return f"{base}{path}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        multipart: MultipartBody | None = None,
        project: bool = True,
        vpc: bool = False,
        idempotent: bool | None = None,
    ) -> Any:
        """Send one CS call with retries; return the parsed JSON answer (``None`` when empty)."""
        method = method.upper()
        url = self.url(path, project=project, vpc=vpc)
        idem = is_idempotent(method, idempotent)
        query = _clean(params or {})
        encoded = None
        if json_body is not None:
            encoded = json.dumps(json_body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        attempt = 0
        reauthenticated = False
        log_path = urlsplit(url).path
        ends = time.monotonic() + self.deadline if self.deadline is not None else None
        while True:
            timeout = self._attempt_timeout(ends, method, url)
            headers = {"Accept": "application/json", "User-Agent": self.user_agent}
            data: Any = None
            if multipart is not None:
                body = multipart if attempt == 0 and not reauthenticated else multipart.fresh()
                multipart = body
                headers["Content-Type"] = body.content_type
                data = body
            elif encoded is not None:
                headers["Content-Type"] = JSON_CONTENT_TYPE
                data = encoded
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    url,
                    params=query or None,
                    data=data,
                    headers=headers,
                    auth=self.auth,
                    timeout=timeout,
                    allow_redirects=False,
                )
            except CSError:
                raise
            except requests.RequestException as exc:
                elapsed = (time.monotonic() - started) * 1000
                logger.warning(
                    "%s %s failed after %.0f ms: %s", method, log_path, elapsed, type(exc).__name__
                )
                delay = self.policy.delay(attempt)
                if (
                    attempt < self.policy.retries
                    and self.policy.retry_on_exception(exc, idem)
                    and self._time_for(ends, delay)
                ):
                    logger.info("retrying %s %s in %.2f s (%s)", method, log_path, delay, type(exc).__name__)
                    self.policy.sleep(delay)
                    attempt += 1
                    continue
                raise self._transport_error(exc, method, url) from exc
            elapsed = (time.monotonic() - started) * 1000
            status = response.status_code
            logger.info("%s %s -> %s in %.0f ms", method, log_path, status, elapsed)

            if 300 <= status < 400:
                raise CSProtocolError(
                    f"CS answered with a redirect (HTTP {status}); the dashboard does not follow redirects",
                    http_status=status,
                    method=method,
                    url=url,
                )
            if status < 400:
                try:
                    return self._parse_success(response, method, url)
                except CSProtocolError:
                    delay = self.policy.delay(attempt)
                    if idem and attempt < self.policy.retries and self._time_for(ends, delay):
                        self.policy.sleep(delay)
                        attempt += 1
                        continue
                    raise

            err = error_from_response(response, method, url)
            if (
                not reauthenticated
                and (status == 401 or err.code in TOKEN_EXPIRED_CODES)
                and callable(getattr(self.auth, "invalidate", None))
            ):
                logger.info("%s %s: token rejected, re-authenticating once", method, log_path)
                self.auth.invalidate()  # type: ignore[union-attr]
                reauthenticated = True
                continue
            delay = self.policy.delay(attempt, err.retry_after)
            if (
                attempt < self.policy.retries
                and self.policy.retry_on_status(status, idem)
                and self._time_for(ends, delay)
            ):
                logger.info("retrying %s %s in %.2f s (HTTP %s)", method, log_path, delay, status)
                self.policy.sleep(delay)
                attempt += 1
                continue
            raise err

    def _attempt_timeout(self, ends: float | None, method: str, url: str) -> Any:
        """The (connect, read) timeout of the next attempt, cut to what is left of the deadline."""
        if ends is None:
            return self.timeout
        left = ends - time.monotonic()
        if left <= 0.05:
            raise CSTimeout(f"CS did not answer within {self.deadline:g} s", method=method, url=url)
        if isinstance(self.timeout, tuple):
            return (min(self.timeout[0], left), min(self.timeout[1], left))
        return min(self.timeout, left)

    @staticmethod
    def _time_for(ends: float | None, delay: float) -> bool:
        """Whether a retry after ``delay`` seconds still fits before the deadline."""
        return ends is None or time.monotonic() + delay < ends - 0.5

    @staticmethod
    def _transport_error(exc: requests.RequestException, method: str, url: str) -> CSError:
        name = type(exc).__name__
        if isinstance(exc, requests.Timeout):
            return CSTimeout(f"CS request timed out ({name})", method=method, url=url)
        if isinstance(
            exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
        ):
            return CSProtocolError(f"CS answer was cut off or malformed ({name})", method=method, url=url)
        return CSUnavailable(f"CS is unreachable ({name})", method=method, url=url)

    @staticmethod
    def _parse_success(response: requests.Response, method: str, url: str) -> Any:
        content = response.content
        if not content or not content.strip():
            return None
        try:
            data = json.loads(content)
        except (ValueError, UnicodeDecodeError):
            raise CSProtocolError(
                "CS answered with a body that is not JSON",
                http_status=response.status_code,
                method=method,
                url=url,
            ) from None
        first = _first_mapping(data)
        if (
            isinstance(first, Mapping)
            and ("error_id" in first or "error_code" in first)
            and "payload" not in first
        ):
            fields = parse_error_body(data)
            klass = error_class_for(fields.get("code"), None)
            raise klass(
                http_status=response.status_code,
                code=fields.get("code"),
                name=cap_text(fields.get("name")),
                cause=cap_text(fields.get("cause")),
                suggestion=cap_text(fields.get("suggestion")),
                method=method,
                url=safe_url(url),
                body=fields,
            )
        return data

    # helper for the resource groups
    def _list_page(
        self,
        path: str,
        params: Mapping[str, Any],
        key: str,
        cls: type[CSObject],
        *,
        idempotent: bool | None = None,
    ) -> Page:
        data = self.request("GET", path, params=params, idempotent=idempotent)
        payload, meta = _payload(data)
        items: Any = []
        total = None
        if isinstance(payload, Mapping):
            items = payload.get(key) or []
            total = payload.get("total")
        elif isinstance(payload, list):
            items = payload
        if isinstance(items, Mapping):
            items = [items]
        page = Page([_obj(cls, item) for item in items if isinstance(item, Mapping)], total=total, meta=meta)
        return page


class _API:
    def __init__(self, client: CSClient) -> None:
        self._client = client

    @property
    def client(self) -> CSClient:
        return self._client


# ---------------------------------------------------------------------- jobs


_SQL_FIELDS = (
    "name",
    "desc",
    "template_id",
    "cluster_id",
    "sql_body",
    "run_mode",
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
    "job_type",
    "edge_group_ids",
    "tags",
    "sys_enterprise_project_id",
    "udf_jar_url",
    "dirty_data_strategy",
)


class JobsAPI(_API):
    """Job operations (reference 5.1.5-5.1.20)."""

    def _sql_body(self, values: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
        body = {k: values[k] for k in _SQL_FIELDS if values.get(k) is not None}
        if "checkpoint_mode" in body:
            body["checkpoint_mode"] = _checkpoint_mode(body["checkpoint_mode"])
        if "edge_group_ids" in body:
            body["edge_group_ids"] = _edge_groups(body["edge_group_ids"])
        body.update({k: v for k, v in extra.items() if v is not None})
        return body

    def create_sql(
        self,
        name: str,
        *,
        run_mode: str = "shared_cluster",
        desc: str | None = None,
        template_id: int | None = None,
        cluster_id: int | None = None,
        sql_body: str | None = None,
        spu_number: int | None = None,
        parallel_number: int | None = None,
        checkpoint_enabled: bool | None = None,
        checkpoint_mode: str | int | None = None,
        checkpoint_interval: int | None = None,
        obs_bucket: str | None = None,
        log_enabled: bool | None = None,
        smn_topic: str | None = None,
        restart_when_exception: bool | None = None,
        idle_state_retention: int | None = None,
        job_type: str | None = None,
        edge_group_ids: str | Sequence[str] | None = None,
        tags: Any = None,
        sys_enterprise_project_id: str | None = None,
        udf_jar_url: str | None = None,
        dirty_data_strategy: str | None = None,
        **extra: Any,
    ) -> Job:
        """Create a SQL job (5.1.5, ``POST /v1.0/{project_id}/sql_job``).

        Returns the payload (``job_id``, ``status_name``, ``status_desc``) with the envelope in ``meta``.
        ``checkpoint_mode`` accepts "exactly_once"/"at_least_once", "ExactlyOnce"/"AtLeastOnce" or 1/2.
        """
        values = dict(locals())
        data = self.client.request("POST", "/sql_job", json_body=self._sql_body(values, extra))
        payload, meta = _payload(data)
        return _obj(Job, payload, meta)

    def update_sql(
        self,
        job_id: int,
        *,
        name: str | None = None,
        desc: str | None = None,
        cluster_id: int | None = None,
        sql_body: str | None = None,
        run_mode: str | None = None,
        spu_number: int | None = None,
        parallel_number: int | None = None,
        checkpoint_enabled: bool | None = None,
        checkpoint_mode: str | int | None = None,
        checkpoint_interval: int | None = None,
        obs_bucket: str | None = None,
        log_enabled: bool | None = None,
        smn_topic: str | None = None,
        restart_when_exception: bool | None = None,
        idle_state_retention: int | None = None,
        edge_group_ids: str | Sequence[str] | None = None,
        tags: Any = None,
        sys_enterprise_project_id: str | None = None,
        udf_jar_url: str | None = None,
        dirty_data_strategy: str | None = None,
        **extra: Any,
    ) -> Job:
        """Update a SQL job (5.1.6, ``PATCH /v1.0/{project_id}/sql_job``); returns the payload (``update_time``)."""
        values = dict(locals())
        body = {"job_id": job_id, **self._sql_body(values, extra)}
        data = self.client.request("PATCH", "/sql_job", json_body=body)
        payload, meta = _payload(data)
        return _obj(Job, payload, meta)

    @staticmethod
    def _jar_form(
        values: dict[str, Any],
        extra: dict[str, Any],
        fields: Sequence[str],
    ) -> MultipartBody:
        form = [(k, values[k]) for k in fields if values.get(k) is not None]
        form.extend((k, v) for k, v in extra.items() if v is not None)
        files: list[tuple[str, FileSource, str | None, str | None]] = []
        if values.get("jar") is not None:
            name = values.get("jar_filename") or _source_name(values["jar"]) or "job.jar"
            files.append(("jar", values["jar"], name, "application/java-archive"))
        if values.get("config") is not None:
            name = values.get("config_filename") or _source_name(values["config"]) or "config"
            files.append(("config", values["config"], name, "application/octet-stream"))
        return MultipartBody(form, files)

    _JAR_FIELDS = (
        "job_id",
        "name",
        "desc",
        "job_type",
        "cluster_id",
        "spu_number",
        "manager_spu",
        "parallel_number",
        "executor_number",
        "executor_spu",
        "log_enabled",
        "obs_bucket",
        "smn_topic",
        "jar_url",
        "config_url",
        "main_class",
        "args",
        "restart_when_exception",
        "tags",
        "sys_enterprise_project_id",
    )

    def create_jar(
        self,
        name: str,
        *,
        desc: str = "",
        job_type: str = "flink_jar_job",
        cluster_id: int,
        manager_spu: int,
        spu_number: int | None = None,
        parallel_number: int | None = None,
        executor_number: int | None = None,
        executor_spu: int | None = None,
        log_enabled: bool | None = None,
        obs_bucket: str | None = None,
        smn_topic: str | None = None,
        jar: FileSource | None = None,
        jar_filename: str | None = None,
        jar_url: str | None = None,
        config: FileSource | None = None,
        config_filename: str | None = None,
        config_url: str | None = None,
        main_class: str | None = None,
        args: str | None = None,
        restart_when_exception: bool | None = None,
        tags: Any = None,
        sys_enterprise_project_id: str | None = None,
        **extra: Any,
    ) -> Job:
        """Create a user-defined (JAR) job (5.1.7, ``POST /v1.0/{project_id}/jar_job``, form-data).

        ``jar``/``config`` are a path, bytes or a binary file object, streamed; or give ``jar_url`` /
        ``config_url`` (OBS paths). Returns the payload (``job_id``, ``status_name``, ``status_desc``).
        """
        values = dict(locals())
        body = self._jar_form(values, extra, self._JAR_FIELDS)
        data = self.client.request("POST", "/jar_job", multipart=body)
        payload, meta = _payload(data)
        return _obj(Job, payload, meta)

    def update_jar(
        self,
        job_id: int,
        *,
        name: str | None = None,
        desc: str | None = None,
        cluster_id: int | None = None,
        manager_spu: int | None = None,
        spu_number: int | None = None,
        parallel_number: int | None = None,
        executor_number: int | None = None,
        executor_spu: int | None = None,
        log_enabled: bool | None = None,
        obs_bucket: str | None = None,
        smn_topic: str | None = None,
        jar: FileSource | None = None,
        jar_filename: str | None = None,
        jar_url: str | None = None,
        config: FileSource | None = None,
        config_filename: str | None = None,
        config_url: str | None = None,
        main_class: str | None = None,
        args: str | None = None,
        restart_when_exception: bool | None = None,
        tags: Any = None,
        sys_enterprise_project_id: str | None = None,
        **extra: Any,
    ) -> Job:
        """Update a user-defined job (5.1.8, ``PATCH /v1.0/{project_id}/jar_job``, form-data).

        Returns the payload (``update_time``).
        """
        values = dict(locals())
        body = self._jar_form(values, extra, self._JAR_FIELDS)
        data = self.client.request("PATCH", "/jar_job", multipart=body)
        payload, meta = _payload(data)
        return _obj(Job, payload, meta)

    def run(self, job_id: int, *, resume_savepoint: bool | None = None) -> Envelope:
        """Run a job (5.1.9, ``POST /v1.0/{project_id}/job/{job_id}/run?resumeSavePoint=``)."""
        return _envelope(
            self.client.request(
                "POST", f"/job/{_seg(job_id)}/run", params={"resumeSavePoint": resume_savepoint}
            )
        )

    def run_batch(self, job_ids: Iterable[int], *, resume_savepoint: bool | None = None) -> Envelope:
        """Run jobs in batches (5.1.10, ``POST /v1.0/{project_id}/job/run``, body: a JSON array of IDs)."""
        return _envelope(
            self.client.request(
                "POST", "/job/run", params={"resumeSavePoint": resume_savepoint}, json_body=_ids(job_ids)
            )
        )

    def list(
        self,
        *,
        name: str | None = None,
        status: str | None = None,
        cluster_id: int | None = None,
        show_detail: bool | None = None,
        cursor: int | None = None,
        next: bool | None = None,  # noqa: A002 - the reference's parameter name
        limit: int | None = None,
        order: str | None = None,
        root_job_id: int | None = None,
    ) -> Page:
        """One page of the job list (5.1.11, ``GET /v1.0/{project_id}/jobs``); ``Page.total`` is ``total``."""
        params = {
            "name": name,
            "status": status,
            "cluster_id": cluster_id,
            "show_detail": show_detail,
            "cursor": cursor,
            "next": next,
            "limit": limit,
            "order": order,
            "root_job_id": root_job_id,
        }
        return self.client._list_page("/jobs", params, "jobs", Job)

    def iter(
        self,
        *,
        name: str | None = None,
        status: str | None = None,
        cluster_id: int | None = None,
        show_detail: bool | None = None,
        order: str | None = None,
        root_job_id: int | None = None,
        page_size: int = LIST_PAGE_SIZE_DEFAULT,
        cursor: int | None = None,
    ) -> CursorPager[Job]:
        """Iterate over all jobs lazily, page by page (5.1.11; cursor = last job ID, next=true)."""
        params = {
            "name": name,
            "status": status,
            "cluster_id": cluster_id,
            "show_detail": show_detail,
            "order": order,
            "root_job_id": root_job_id,
        }
        return CursorPager(
            lambda q: self.list(**q), id_key="job_id", page_size=page_size, params=params, cursor=cursor
        )

    def get(self, job_id: int) -> Job:
        """Job details (5.1.12, ``GET /v1.0/{project_id}/job/{job_id}``)."""
        payload, meta = _payload(self.client.request("GET", f"/job/{_seg(job_id)}"))
        return _obj(Job, payload, meta)

    def execute_graph(self, job_id: int) -> ExecuteGraph:
        """The job execution plan (5.1.13, ``GET /v1.0/{project_id}/job/{job_id}/execute_graph``)."""
        payload, meta = _payload(self.client.request("GET", f"/job/{_seg(job_id)}/execute_graph"))
        return _obj(ExecuteGraph, payload, meta)

    def metrics(self, job_ids: Iterable[int]) -> Page:
        """Monitoring information of jobs (5.1.15, ``POST /v1.0/{project_id}/jobs/metrics``).

        A read: retried like one. Returns a page of :class:`~csapi.models.JobMetrics` (``job_id``,
        ``metrics``).
        """
        data = self.client.request(
            "POST", "/jobs/metrics", json_body={"job_ids": _ids(job_ids)}, idempotent=True
        )
        payload, meta = _payload(data)
        items = payload.get("jobs") if isinstance(payload, Mapping) else payload
        if isinstance(items, Mapping):
            items = [items]
        return Page([_obj(JobMetrics, i) for i in (items or []) if isinstance(i, Mapping)], meta=meta)

    def apig_sinks(self, job_id: int) -> CSObject:
        """APIG addresses of a job (5.1.16, ``GET /v1.0/{project_id}/job/{job_id}/apig_sinks``).

        Returns the payload (``sinks``, ``metadata``).
        """
        payload, meta = _payload(self.client.request("GET", f"/job/{_seg(job_id)}/apig_sinks"))
        return _obj(CSObject, payload, meta)

    def stop(self, job_id: int, *, trigger_savepoint: bool | None = None) -> Envelope:
        """Stop a job (5.1.17, ``POST /v1.0/{project_id}/job/{job_id}/stop?triggerSavePoint=``)."""
        return _envelope(
            self.client.request(
                "POST", f"/job/{_seg(job_id)}/stop", params={"triggerSavePoint": trigger_savepoint}
            )
        )

    def stop_batch(self, job_ids: Iterable[int], *, trigger_savepoint: bool | None = None) -> Envelope:
        """Stop jobs in batches (5.1.18, ``POST /v1.0/{project_id}/job/stop``, body: a JSON array of IDs)."""
        return _envelope(
            self.client.request(
                "POST", "/job/stop", params={"triggerSavePoint": trigger_savepoint}, json_body=_ids(job_ids)
            )
        )

    def delete(self, job_id: int) -> Envelope:
        """Delete a job (5.1.19, ``DELETE /v1.0/{project_id}/job/{job_id}``)."""
        return _envelope(self.client.request("DELETE", f"/job/{_seg(job_id)}"))

    def delete_batch(self, job_ids: Iterable[int]) -> Envelope:
        """Delete jobs in batches (5.1.20, ``DELETE /v1.0/{project_id}/job``, body: a JSON array of IDs)."""
        return _envelope(self.client.request("DELETE", "/job", json_body=_ids(job_ids)))


# ---------------------------------------------------------------------- templates


class TemplatesAPI(_API):
    """Job template operations (reference 5.2)."""

    def create(
        self, name: str, *, desc: str | None = None, sql_body: str | None = None, **extra: Any
    ) -> Template:
        """Create a template (5.2.1, ``POST /v1.0/{project_id}/job_template``); at most 100 exist.

        Returns the payload (``template_id``, ``name``, ``desc``, ``create_time``, ``is_success``).
        """
        body = _body({"name": name, "desc": desc, "sql_body": sql_body, **extra})
        payload, meta = _payload(self.client.request("POST", "/job_template", json_body=body))
        return _obj(Template, payload, meta)

    def update(
        self,
        template_id: int,
        *,
        name: str | None = None,
        desc: str | None = None,
        sql_body: str | None = None,
        **extra: Any,
    ) -> Envelope:
        """Update a template (5.2.2, ``PATCH /v1.0/{project_id}/job_template``; the body carries ``id``)."""
        body = _body({"id": template_id, "name": name, "desc": desc, "sql_body": sql_body, **extra})
        return _envelope(self.client.request("PATCH", "/job_template", json_body=body))

    def delete(self, template_id: int) -> Envelope:
        """Delete a template (5.2.3, ``DELETE /v1.0/{project_id}/job_template/{template_id}``)."""
        return _envelope(self.client.request("DELETE", f"/job_template/{_seg(template_id)}"))

    def list(self, *, cursor: int | None = None, limit: int | None = None, order: str | None = None) -> Page:
        """One page of templates (5.2.4, ``GET /v1.0/{project_id}/job_templates``)."""
        return self.client._list_page(
            "/job_templates", {"cursor": cursor, "limit": limit, "order": order}, "templates", Template
        )

    def iter(
        self, *, order: str | None = None, page_size: int = LIST_PAGE_SIZE_DEFAULT
    ) -> CursorPager[Template]:
        """Iterate over all templates lazily (5.2.4; cursor = last template ID)."""

        def fetch(q: dict[str, Any]) -> Page:
            q.pop("next", None)  # 5.2.4 documents cursor, limit and order only
            return self.list(**q)

        return CursorPager(fetch, id_key="template_id", page_size=page_size, params={"order": order})


# ---------------------------------------------------------------------- clusters


class ClustersAPI(_API):
    """Exclusive cluster operations (reference 5.3.1-5.3.8)."""

    def create(
        self,
        name: str,
        *,
        desc: str | None = None,
        maximum_spu_quota: int | None = None,
        vpc_cidr: str | None = None,
        subnet_cidr: str | None = None,
        subnet_gateway: str | None = None,
        tags: Any = None,
        sys_enterprise_project_id: str | None = None,
        manager_node_spec: str | None = None,
        is_arm_arch: bool | None = None,
        **extra: Any,
    ) -> Cluster:
        """Create an exclusive cluster (5.3.1, ``POST /v1.0/{project_id}/reserved_cluster``).

        Returns the payload (``cluster_id``).
        """
        body = _body(
            {
                "name": name,
                "desc": desc,
                "maximum_spu_quota": maximum_spu_quota,
                "vpc_cidr": vpc_cidr,
                "subnet_cidr": subnet_cidr,
                "subnet_gateway": subnet_gateway,
                "tags": tags,
                "sys_enterprise_project_id": sys_enterprise_project_id,
                "manager_node_spec": manager_node_spec,
                "is_arm_arch": is_arm_arch,
                **extra,
            }
        )
        payload, meta = _payload(self.client.request("POST", "/reserved_cluster", json_body=body))
        return _obj(Cluster, payload, meta)

    def get(self, cluster_id: int | str) -> Cluster:
        """Cluster information (5.3.2, ``GET /v1.0/{project_id}/reserved_cluster/{cluster_id}``).

        The payload is documented both as an object and as an array of objects; both are accepted.
        """
        payload, meta = _payload(self.client.request("GET", f"/reserved_cluster/{_seg(cluster_id)}"))
        return _obj(Cluster, payload, meta)

    def delete(self, cluster_id: int | str) -> Envelope:
        """Delete a cluster (5.3.3, ``DELETE /v1.0/{project_id}/reserved_cluster/{cluster_id}``)."""
        return _envelope(self.client.request("DELETE", f"/reserved_cluster/{_seg(cluster_id)}"))

    def list(
        self,
        *,
        name: str | None = None,
        status: int | str | None = None,
        cursor: int | None = None,
        next: bool | None = None,  # noqa: A002 - the reference's parameter name
        limit: int | None = None,
        order: str | None = None,
    ) -> Page:
        """One page of the tenant's clusters (5.3.4, ``GET /v1.0/{project_id}/reserved_clusters``)."""
        params = {
            "name": name,
            "status": status,
            "cursor": cursor,
            "next": next,
            "limit": limit,
            "order": order,
        }
        return self.client._list_page("/reserved_clusters", params, "clusters", Cluster)

    def iter(
        self,
        *,
        name: str | None = None,
        status: int | str | None = None,
        order: str | None = None,
        page_size: int = CLUSTER_LIST_LIMIT_DEFAULT,
    ) -> CursorPager[Cluster]:
        """Iterate over all clusters lazily (5.3.4; cursor = last cluster ID)."""
        return CursorPager(
            lambda q: self.list(**q),
            id_key="cluster_id",
            page_size=page_size,
            params={"name": name, "status": status, "order": order},
        )

    def update(
        self,
        cluster_id: int | str,
        *,
        name: str,
        desc: str | None = None,
        maximum_spu_quota: int | None = None,
        tags: Any = None,
        sys_enterprise_project_id: str | None = None,
        manager_node_spu: str | int | None = None,
        **extra: Any,
    ) -> Envelope:
        """Update a cluster (5.3.5, ``PATCH /v1.0/{project_id}/reserved_cluster/{cluster_id}``; name is required)."""
        body = _body(
            {
                "name": name,
                "desc": desc,
                "maximum_spu_quota": maximum_spu_quota,
                "tags": tags,
                "sys_enterprise_project_id": sys_enterprise_project_id,
                "manager_node_spu": manager_node_spu,
                **extra,
            }
        )
        return _envelope(
            self.client.request("PATCH", f"/reserved_cluster/{_seg(cluster_id)}", json_body=body)
        )

    def stop(self, cluster_id: int | str) -> Envelope:
        """Terminate a cluster (5.3.6, ``POST .../reserved_cluster/{cluster_id}/stop``, body ``{"cluster_id"}``)."""
        return _envelope(
            self.client.request(
                "POST",
                f"/reserved_cluster/{_seg(cluster_id)}/stop",
                json_body={"cluster_id": str(cluster_id)},
            )
        )

    def restart(self, cluster_id: int | str) -> Envelope:
        """Restart a cluster (5.3.7, ``POST .../reserved_cluster/{cluster_id}/restart``)."""
        return _envelope(
            self.client.request(
                "POST",
                f"/reserved_cluster/{_seg(cluster_id)}/restart",
                json_body={"cluster_id": str(cluster_id)},
            )
        )

    def jobs(
        self,
        cluster_id: int | str,
        *,
        name: str | None = None,
        status: str | None = None,
        show_detail: bool | None = None,
        cursor: int | None = None,
        next: bool | None = None,  # noqa: A002 - the reference's parameter name
        limit: int | None = None,
        order: str | None = None,
    ) -> Page:
        """One page of the jobs of a cluster (5.3.8, ``GET .../reserved_cluster/{cluster_id}/jobs``)."""
        params = {
            "name": name,
            "status": status,
            "show_detail": show_detail,
            "cursor": cursor,
            "next": next,
            "limit": limit,
            "order": order,
        }
        return self.client._list_page(f"/reserved_cluster/{_seg(cluster_id)}/jobs", params, "jobs", Job)

    def iter_jobs(
        self,
        cluster_id: int | str,
        *,
        name: str | None = None,
        status: str | None = None,
        show_detail: bool | None = None,
        order: str | None = None,
        page_size: int = CLUSTER_JOBS_LIMIT_DEFAULT,
    ) -> CursorPager[Job]:
        """Iterate over the jobs of a cluster lazily (5.3.8; cursor = last job ID)."""
        return CursorPager(
            lambda q: self.jobs(cluster_id, **q),
            id_key="job_id",
            page_size=page_size,
            params={"name": name, "status": status, "show_detail": show_detail, "order": order},
        )


# ---------------------------------------------------------------------- host mappings


def _host_entries(hosts: Iterable[Any]) -> list[dict[str, str]]:
    out = []
    for entry in hosts:
        if isinstance(entry, Mapping):
            out.append({"hostname": str(entry["hostname"]), "ip": str(entry["ip"])})
        else:
            hostname, ip = entry
            out.append({"hostname": str(hostname), "ip": str(ip)})
    return out


class HostsAPI(_API):
    """IP-domain mappings of a cluster (reference 5.3.9-5.3.13)."""

    def add(self, cluster_id: int | str, hosts: Iterable[Mapping[str, str] | tuple[str, str]]) -> CSObject:
        """Add IP-domain mappings (5.3.9, ``POST .../reserved_cluster/{cluster_id}/hosts``).

        ``hosts``: ``{"hostname", "ip"}`` mappings or (hostname, ip) pairs. Returns the payload (``host_id``).
        """
        data = self.client.request(
            "POST",
            f"/reserved_cluster/{_seg(cluster_id)}/hosts",
            json_body={"hosts_info": _host_entries(hosts)},
        )
        payload, meta = _payload(data)
        return _obj(CSObject, payload, meta)

    def update(self, cluster_id: int | str, host_id: int, *, hostname: str, ip: str) -> Envelope:
        """Update a mapping (5.3.10, ``PATCH .../reserved_cluster/{cluster_id}/hosts/{host_id}``)."""
        return _envelope(
            self.client.request(
                "PATCH",
                f"/reserved_cluster/{_seg(cluster_id)}/hosts/{_seg(host_id)}",
                json_body={"hosts_info": {"hostname": hostname, "ip": ip}},
            )
        )

    def list(
        self,
        cluster_id: int | str,
        *,
        query_string: str | None = None,
        cursor: int | None = None,
        next: bool | None = None,  # noqa: A002 - the reference's parameter name
        limit: int | None = None,
        order: str | None = None,
    ) -> Page:
        """One page of mappings (5.3.11, ``GET .../reserved_cluster/{cluster_id}/hosts``)."""
        params = {
            "query_string": query_string,
            "cursor": cursor,
            "next": next,
            "limit": limit,
            "order": order,
        }
        return self.client._list_page(
            f"/reserved_cluster/{_seg(cluster_id)}/hosts", params, "hosts_info", Host
        )

    def iter(
        self,
        cluster_id: int | str,
        *,
        query_string: str | None = None,
        order: str | None = None,
        page_size: int = LIST_PAGE_SIZE_DEFAULT,
    ) -> CursorPager[Host]:
        """Iterate over the mappings of a cluster lazily (5.3.11; cursor = last mapping ID)."""
        return CursorPager(
            lambda q: self.list(cluster_id, **q),
            id_key="id",
            page_size=page_size,
            params={"query_string": query_string, "order": order},
        )

    def delete(self, cluster_id: int | str, host_ids: Iterable[int]) -> Envelope:
        """Delete mappings (5.3.12, ``DELETE .../reserved_cluster/{cluster_id}/hosts``, body ``{"hosts_id"}``)."""
        return _envelope(
            self.client.request(
                "DELETE",
                f"/reserved_cluster/{_seg(cluster_id)}/hosts",
                json_body={"hosts_id": _ids(host_ids)},
            )
        )

    def upload_file(
        self, cluster_id: int | str, hosts_file: FileSource, *, filename: str = "hosts"
    ) -> CSObject:
        """Add mappings from a hosts file (5.3.13, ``POST .../hosts_file``, form-data ``hosts_file``, streamed)."""
        body = MultipartBody([], [("hosts_file", hosts_file, filename, "text/plain")])
        data = self.client.request("POST", f"/reserved_cluster/{_seg(cluster_id)}/hosts_file", multipart=body)
        payload, meta = _payload(data)
        return _obj(CSObject, payload, meta)


# ---------------------------------------------------------------------- quotas


class QuotasAPI(_API):
    """User SPU quotas (reference 5.3.14-5.3.16)."""

    def list(
        self,
        *,
        name: str | None = None,
        cursor: str | None = None,
        next: bool | None = None,  # noqa: A002 - the reference's parameter name
        limit: int | None = None,
        order: str | None = None,
    ) -> Page:
        """One page of user quotas (5.3.14, ``GET /v1.0/{project_id}/user_quotas``)."""
        params = {"name": name, "cursor": cursor, "next": next, "limit": limit, "order": order}
        return self.client._list_page("/user_quotas", params, "users", UserQuota)

    def iter(
        self, *, name: str | None = None, order: str | None = None, page_size: int = LIST_PAGE_SIZE_DEFAULT
    ) -> CursorPager[UserQuota]:
        """Iterate over user quotas lazily (5.3.14; cursor = last user ID)."""
        return CursorPager(
            lambda q: self.list(**q),
            id_key="user_id",
            page_size=page_size,
            params={"name": name, "order": order},
        )

    def get(self, user_id: str) -> UserQuota:
        """A user's quota (5.3.15, ``GET /v1.0/{project_id}/user_quota/{user_id}``)."""
        payload, meta = _payload(self.client.request("GET", f"/user_quota/{_seg(user_id)}"))
        return _obj(UserQuota, payload, meta)

    def update(
        self,
        user_id: str,
        *,
        spu_quota: int | None = None,
        clusters: Sequence[int] | None = None,
        **extra: Any,
    ) -> Envelope:
        """Update a user's quota (5.3.16, ``PATCH /v1.0/{project_id}/user_quota/{user_id}``)."""
        body = _body(
            {"spu_quota": spu_quota, "clusters": list(clusters) if clusters is not None else None, **extra}
        )
        return _envelope(self.client.request("PATCH", f"/user_quota/{_seg(user_id)}", json_body=body))


# ---------------------------------------------------------------------- VPC peering and routes


def _unwrap(data: Any, key: str) -> Any:
    data = _first_mapping(data)
    if isinstance(data, Mapping) and isinstance(data.get(key), Mapping):
        return data[key]
    return data


class PeeringsAPI(_API):
    """VPC peering connections of a cluster (reference 5.3.17-5.3.21)."""

    def create(
        self, cluster_id: int | str, *, vpc_id: str, name: str, accept_tenant_id: str | None = None
    ) -> Peering:
        """Create a peering connection (5.3.17, ``POST .../reserved_cluster/{cluster_id}/peering``)."""
        body = _body({"vpc_id": vpc_id, "name": name, "accept_tenant_id": accept_tenant_id})
        data = self.client.request("POST", f"/reserved_cluster/{_seg(cluster_id)}/peering", json_body=body)
        return _obj(Peering, _unwrap(data, "peering"))

    def list(self, cluster_id: int | str) -> Page:
        """Peering connections of a cluster (5.3.18, ``GET .../reserved_cluster/{cluster_id}/peering``)."""
        data = _first_mapping(self.client.request("GET", f"/reserved_cluster/{_seg(cluster_id)}/peering"))
        items: Any = []
        if isinstance(data, Mapping):
            items = data.get("peerings")
            if items is None and isinstance(data.get("payload"), Mapping):
                items = data["payload"].get("peerings")
        return Page([_obj(Peering, p) for p in (items or []) if isinstance(p, Mapping)])

    def get(self, cluster_id: int | str, peering_id: str) -> Peering:
        """A peering connection (5.3.19, ``GET .../reserved_cluster/{cluster_id}/peering/{peering_id}``)."""
        data = self.client.request("GET", f"/reserved_cluster/{_seg(cluster_id)}/peering/{_seg(peering_id)}")
        return _obj(Peering, _unwrap(data, "peering"))

    def delete(self, cluster_id: int | str, peering_id: str) -> None:
        """Delete a peering connection (5.3.20, ``DELETE .../peering/{peering_id}``; answers 204)."""
        self.client.request("DELETE", f"/reserved_cluster/{_seg(cluster_id)}/peering/{_seg(peering_id)}")

    def accept(self, peering_id: str) -> Peering:
        """Accept a peering request (5.3.21, ``PUT {vpc_endpoint}/v2.0/vpc/peerings/{peering_id}/accept``)."""
        data = self.client.request(
            "PUT", f"/v2.0/vpc/peerings/{_seg(peering_id)}/accept", project=False, vpc=True
        )
        return _obj(Peering, _unwrap(data, "peering"))


class RoutesAPI(_API):
    """Routes of VPC peering connections (reference 5.3.22-5.3.25)."""

    def create_local(self, cluster_id: int | str, peering_id: str, *, destination: str) -> Route:
        """Create a route to the local VPC (5.3.22, ``POST .../peering/{peering_id}/route``)."""
        data = self.client.request(
            "POST",
            f"/reserved_cluster/{_seg(cluster_id)}/peering/{_seg(peering_id)}/route",
            json_body={"destination": destination},
        )
        return _obj(Route, _unwrap(data, "route"))

    def create_peer(self, *, nexthop: str, destination: str, vpc_id: str, type: str = "peering") -> Route:  # noqa: A002
        """Create a route to the peer VPC (5.3.23, ``POST {vpc_endpoint}/v2.0/vpc/routes``)."""
        body = {"route": {"type": type, "nexthop": nexthop, "destination": destination, "vpc_id": vpc_id}}
        data = self.client.request("POST", "/v2.0/vpc/routes", json_body=body, project=False, vpc=True)
        return _obj(Route, _unwrap(data, "route"))

    def list(self, cluster_id: int | str, peering_id: str) -> Page:
        """Routes of a peering connection (5.3.24, ``GET .../peering/{peering_id}/route``)."""
        data = _first_mapping(
            self.client.request(
                "GET", f"/reserved_cluster/{_seg(cluster_id)}/peering/{_seg(peering_id)}/route"
            )
        )
        items = data.get("routes") if isinstance(data, Mapping) else None
        return Page([_obj(Route, r) for r in (items or []) if isinstance(r, Mapping)])

    def delete(self, cluster_id: int | str, peering_id: str, route_id: str) -> None:
        """Delete a route (5.3.25, ``DELETE .../peering/{peering_id}/route/{route_id}``; answers 204)."""
        self.client.request(
            "DELETE",
            f"/reserved_cluster/{_seg(cluster_id)}/peering/{_seg(peering_id)}/route/{_seg(route_id)}",
        )


# ---------------------------------------------------------------------- account and audit logs


class AccountAPI(_API):
    """Account-level operations (reference 5.1.1-5.1.4)."""

    def register(self) -> Envelope:
        """Register to use CS (5.1.1, ``POST /v1.0/{project_id}/user_register``)."""
        return _envelope(self.client.request("POST", "/user_register"))

    def authorize_obs(self, buckets: Iterable[str]) -> Envelope:
        """Grant CS rights on OBS buckets (5.1.2, ``POST /v1.0/{project_id}/obs_authorize``, body: a JSON array)."""
        names = [buckets] if isinstance(buckets, str) else [str(b) for b in buckets]
        return _envelope(self.client.request("POST", "/obs_authorize", json_body=names))

    def overview(self) -> CSObject:
        """Summary statistics of jobs and prices (5.1.3, ``GET /v1.0/{project_id}/overview``)."""
        payload, meta = _payload(self.client.request("GET", "/overview"))
        return _obj(CSObject, payload, meta)

    def versions(self) -> Version:
        """The current CS release version (5.1.4, ``GET /versions``, no project in the path)."""
        data = _first_mapping(self.client.request("GET", "/versions", project=False))
        if isinstance(data, Mapping) and isinstance(data.get("version"), Mapping):
            data = data["version"]
        return _obj(Version, data)


class AuditLogsAPI(_API):
    """Audit logs (reference 5.1.14)."""

    def list(
        self,
        *,
        page_number: int | None = 1,
        limit: int | None = AUDIT_LIMIT_MAX,
        resource_type: str | None = None,
        resource_id: str | int | None = None,
        cursor: str | int | None = None,
    ) -> Page:
        """One page of audit traces (5.1.14, ``GET /v1.0/{project_id}/audit_logs``; ``limit`` at most 50)."""
        if limit is not None and not 1 <= limit <= AUDIT_LIMIT_MAX:
            raise ValueError(f"limit must be between 1 and {AUDIT_LIMIT_MAX}")
        params = {
            "page_number": page_number,
            "limit": limit,
            "resource_type": resource_type,
            "resource_id": resource_id,
            "cursor": cursor,
        }
        return self.client._list_page("/audit_logs", params, "traces", AuditTrace)

    def iter(
        self,
        *,
        resource_type: str | None = None,
        resource_id: str | int | None = None,
        cursor: str | int | None = None,
        limit: int = AUDIT_LIMIT_MAX,
        start_page: int = 1,
        max_pages: int | None = None,
    ) -> PageNumberPager[AuditTrace]:
        """Iterate over audit traces lazily, page by page (5.1.14)."""
        return PageNumberPager(
            lambda q: self.list(**q),
            limit=limit,
            params={"resource_type": resource_type, "resource_id": resource_id, "cursor": cursor},
            start_page=start_page,
            max_pages=max_pages,
        )
