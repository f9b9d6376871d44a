"""How the DLI client reaches DLI: Huawei's SDK, guarded, retried, and its failures in csapi's terms.

The SDK (``huaweicloudsdkdli`` on ``huaweicloudsdkcore``) builds every request from its typed models,
signs it and parses the answer into typed responses. Around it this module adds what the SDK does not
give, at the SDK's own extension points:

- **Outbound policy.** The SDK's ``HttpClient`` builds its ``requests.Session`` in ``_init_session``;
  :class:`_GuardedHttpClient` returns a session guarded by :func:`csapi.netguard.guard_session`
  instead (checked URLs and resolved addresses, no proxies), and that session never follows a
  redirect whatever the SDK asks. A 3xx answer is a :class:`~csapi.errors.CSProtocolError`.
- **Errors.** An ``ExceptionHandler`` (the SDK's hook for error answers) raises the
  :mod:`csapi.errors` class of the answer (:func:`~csapi.errors.error_from_response`, which reads the
  DLI table of :mod:`csapi.dli.errors`) instead of the SDK's exceptions, whose messages echo whatever
  body came back. A success body that is not JSON, or does not fit the SDK's model, is a
  :class:`~csapi.errors.CSProtocolError` rather than an empty model.
- **Credentials.** AK/SK is the SDK's ``BasicCredentials`` and its signer. An IAM password becomes a
  token through :class:`csapi.auth.TokenAuth` (its shared cache, lock and refresh), sent as
  ``X-Auth-Token`` by :class:`IAMTokenCredentials`. DLI accepts IAM tokens on every API, so the token
  the dashboard already caches for a credential (one IAM call a day, shared by every worker) serves
  DLI as it is; exchanging it for a temporary AK/SK (``/v3.0/OS-CREDENTIAL/securitytokens``) would add
  a second IAM call and a second, shorter-lived secret to cache, for no gain in what DLI allows.
- **Retries and deadline.** :meth:`Transport.call` retries as :mod:`csapi.retry` says (idempotent calls
  on transport failures and 5xx, every call on 429 after ``Retry-After``, a write only when it cannot
  have been sent), re-authenticates once on 401, and cuts each attempt's timeout to an overall
  ``deadline``. The SDK's own retries stay off (``retry_times=0``).

:class:`csapi.errors.CSEndpointRefused` raised by the guard passes through the SDK untouched: it is
not one of the ``requests`` exceptions the SDK wraps.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import Future
from decimal import Decimal
from typing import Any

import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exception_handler import ExceptionHandler
from huaweicloudsdkcore.exceptions.exceptions import SdkException
from huaweicloudsdkcore.http.http_client import HttpClient
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.http.http_handler import HttpHandler
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkdli.v1 import DliClient

from csapi.auth import TokenAuth
from csapi.errors import (
    CSError,
    CSProtocolError,
    CSTimeout,
    CSUnavailable,
    error_from_response,
    safe_url,
)
from csapi.netguard import OutboundPolicy, guard_session
from csapi.retry import RetryPolicy

from . import errors as _dli_errors  # noqa: F401 - registers the DLI table with csapi.errors

__all__ = ["IAMTokenCredentials", "Transport", "build_sdk_client"]

logger = logging.getLogger("csapi")
# D12 (show_flink_metric) is deprecated in the SDK and still served by DLI; the dashboard uses it on
# purpose, so its warning would only repeat on every poll.
warnings.filterwarnings("ignore", message="Method 'show_flink_metric'", category=DeprecationWarning)
logging.getLogger(f"HuaweiCloud-SDK-{DliClient.__name__}").addHandler(logging.NullHandler())


class _GuardedSession(requests.Session):
    """The SDK's session: never follows redirects; each attempt's timeout comes from the transport."""

    def __init__(self) -> None:
        super().__init__()
        self.attempt = threading.local()

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        timeout = getattr(self.attempt, "timeout", None)
        if timeout is not None:
            kwargs["timeout"] = timeout
        kwargs["allow_redirects"] = False  # a 3xx is answered, never followed (csapi.netguard)
        kwargs["proxies"] = {}
        return super().request(method, url, **kwargs)


class _GuardedHttpClient(HttpClient):
    """The SDK's HTTP client on a session guarded by the outbound policy."""

    def __init__(
        self, config: HttpConfig, http_handler: Any, exception_handler: Any, sdk_logger: Any, *, policy
    ):
        self._policy = policy
        super().__init__(config, http_handler, exception_handler, sdk_logger)

    def _init_session(self) -> requests.Session:
        return guard_session(_GuardedSession(), self._policy)

    @property
    def session(self) -> _GuardedSession:
        return self._session  # type: ignore[return-value]

    def close(self) -> None:
        super().close()
        self.executor.shutdown(wait=False)


class _ErrorHandler(ExceptionHandler):
    """Error answers become the csapi exception of their code or status (never the body's echo)."""

    def handle_exception(self, request: Any, response: requests.Response) -> None:
        if response.status_code < 400:
            return
        raise error_from_response(response, getattr(request, "method", None), getattr(request, "url", None))


def _refuse_redirects(**kwargs: Any) -> None:
    """An SDK response handler: a 3xx is an error (the dashboard never follows a redirect)."""
    response = kwargs["response"]
    if 300 <= response.status_code < 400:
        raise CSProtocolError(
            f"DLI answered with a redirect (HTTP {response.status_code}); the dashboard does not follow it",
            http_status=response.status_code,
            method=response.request.method,
            url=safe_url(response.request.url or ""),
        )


class _SdkClient(DliClient):
    """``DliClient`` on the guarded HTTP client, with a strict reading of success bodies."""

    def __init__(self, policy: OutboundPolicy) -> None:
        super().__init__()
        self._policy = policy

    def init_http_client(self) -> None:
        if self._http_client is None:
            self._http_client = _GuardedHttpClient(
                self._config, self._http_handler, self._exception_handler, self._logger, policy=self._policy
            )

    def deserialize(self, response: requests.Response, response_type: Any, progress_callback: Any) -> Any:
        content = response.content
        if not content or not content.strip():
            return None
        try:
            data = json.loads(content, parse_float=Decimal)
        except (ValueError, UnicodeDecodeError):
            raise CSProtocolError(
                "DLI answered with a body that is not JSON (cut off or from something else)",
                http_status=response.status_code,
                method=response.request.method,
                url=safe_url(response.request.url or ""),
            ) from None
        try:
            model = self._deserialize(data, response_type)
        except CSError:
            raise
        except Exception as exc:  # noqa: BLE001 - any misfit of the model is one protocol error
            raise CSProtocolError(
                f"DLI's answer does not fit the {response_type} model ({type(exc).__name__})",
                http_status=response.status_code,
                method=response.request.method,
                url=safe_url(response.request.url or ""),
            ) from None
        if model is not None:
            try:
                model.dli_raw = data  # the wire form, for booleans and fields the model does not know
            except AttributeError:
                pass
        return model


class IAMTokenCredentials(BasicCredentials):
    """SDK credentials that send an IAM token (``X-Auth-Token``) from a :class:`csapi.auth.TokenAuth`.

    The SDK calls :meth:`process_auth_request` for every request; the token comes from the
    ``TokenAuth`` cache (fetched from IAM, one caller at a time, when missing or near expiry). Nothing
    is signed, and the SDK's metadata-service lookup for credentials without an AK never runs.
    """

    def __init__(self, token_auth: TokenAuth, project_id: str) -> None:
        super().__init__(None, None, project_id)
        self.token_auth = token_auth

    def __repr__(self) -> str:
        return f"IAMTokenCredentials({self.token_auth!r})"

    def process_auth_request(self, request: Any, http_client: Any) -> Future:
        try:
            token = self.token_auth.get_token()
        except CSError as err:
            err.from_iam = True  # IAM's answer, not DLI's: the transport does not re-authenticate on it
            raise
        request.header_params["X-Auth-Token"] = token
        request.header_params[self._X_PROJECT_ID] = self.project_id
        Signer.process_request_uri(request)
        done: Future = Future()
        done.set_result(request)
        return done


def build_sdk_client(
    endpoint: str, credentials: BasicCredentials, *, policy: OutboundPolicy, timeout: Any, user_agent: str
) -> _SdkClient:
    """A ``DliClient`` wired as this module says (the builder's steps, with the guarded HTTP client)."""
    config = HttpConfig.get_default_config()
    config.timeout = timeout
    config.retry_times = 0
    config.allow_redirects = False
    config.user_agent = user_agent
    handler = HttpHandler().add_response_handler(_refuse_redirects)
    client = _SdkClient(policy)
    client.with_credentials(credentials).with_config(config).with_http_handler(handler)
    client.with_exception_handler(_ErrorHandler())
    client.init_http_client()
    client.with_endpoints([endpoint])
    return client


def _requests_cause(exc: BaseException) -> BaseException:
    """The ``requests`` exception behind an SDK exception (the SDK raises its own from inside ``except``)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, requests.RequestException):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return exc


class Transport:
    """One SDK client with the retry rules, the deadline and the token refresh of :mod:`csapi`."""

    def __init__(
        self,
        sdk: _SdkClient,
        *,
        policy: RetryPolicy,
        timeout: Any,
        deadline: float | None,
        token_auth: TokenAuth | None,
    ) -> None:
        self.sdk = sdk
        self.policy = policy
        self.timeout = timeout
        self.deadline = deadline
        self.token_auth = token_auth
        self._session: _GuardedSession = sdk.get_http_client().session

    def close(self) -> None:
        self.sdk.close()

    def _attempt_timeout(self, ends: float | None, what: str) -> Any:
        if ends is None:
            return self.timeout
        left = ends - time.monotonic()
        if left <= 0.05:
            raise CSTimeout(f"DLI did not answer within {self.deadline:g} s ({what})")
        if isinstance(self.timeout, tuple):
            return (min(self.timeout[0], left), min(self.timeout[1], left))
        return min(self.timeout, left)

    @staticmethod
    def _time_for(ends: float | None, delay: float) -> bool:
        return ends is None or time.monotonic() + delay < ends - 0.5

    def call(self, operation: str, request: Any, *, idempotent: bool) -> Any:
        """Send one DLI operation (an SDK method name and its typed request); return the typed response."""
        invoke: Callable[[Any], Any] = getattr(self.sdk, operation)
        attempt = 0
        reauthenticated = False
        ends = time.monotonic() + self.deadline if self.deadline is not None else None
        while True:
            self._session.attempt.timeout = self._attempt_timeout(ends, operation)
            started = time.monotonic()
            try:
                response = invoke(request)
            except CSError as err:
                status = err.http_status
                logger.info("DLI %s -> %s (%s) in %.0f ms", operation, status, err.code, _ms(started))
                if status is None or 300 <= status < 400 or getattr(err, "from_iam", False):
                    raise  # refused before sending, IAM's answer, or a redirect: nothing to repeat
                if status == 401 and self.token_auth is not None and not reauthenticated:
                    logger.info("DLI %s: token rejected, re-authenticating once", operation)
                    self.token_auth.invalidate()
                    reauthenticated = True
                    continue
                if isinstance(err, CSProtocolError):  # a success answer that could not be read
                    retry = idempotent
                else:
                    retry = self.policy.retry_on_status(status, idempotent)
                delay = self.policy.delay(attempt, err.retry_after)
                if retry and attempt < self.policy.retries and self._time_for(ends, delay):
                    logger.info("retrying DLI %s in %.2f s (HTTP %s)", operation, delay, status)
                    self.policy.sleep(delay)
                    attempt += 1
                    continue
                raise
            except (SdkException, requests.RequestException) as exc:
                cause = _requests_cause(exc)
                logger.warning(
                    "DLI %s failed after %.0f ms: %s", operation, _ms(started), type(cause).__name__
                )
                delay = self.policy.delay(attempt)
                if (
                    attempt < self.policy.retries
                    and self.policy.retry_on_exception(cause, idempotent)
                    and self._time_for(ends, delay)
                ):
                    self.policy.sleep(delay)
                    attempt += 1
                    continue
                raise _transport_error(cause, operation) from exc
            finally:
                self._session.attempt.timeout = None
            logger.info(
                "DLI %s -> %s in %.0f ms", operation, getattr(response, "status_code", "?"), _ms(started)
            )
            return response


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000


def _transport_error(exc: BaseException, operation: str) -> CSError:
    name = type(exc).__name__
    if isinstance(exc, requests.Timeout):
        return CSTimeout(f"DLI request timed out ({operation}: {name})")
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        return CSProtocolError(f"DLI's answer was cut off or malformed ({operation}: {name})")
    return CSUnavailable(f"DLI is unreachable ({operation}: {name})")
