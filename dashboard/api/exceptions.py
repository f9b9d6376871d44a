"""One error shape for every API failure, built by :func:`exception_handler`.

``{"code": "...", "message": "...", "detail": {field: [messages]} | null, "cs": {...}}`` where ``cs``
(``code``, ``description``, ``solution``, ``cause``) is present only when CS answered with an error.
CS being unreachable answers 503; CS rate limiting answers 429 with ``Retry-After``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

import csapi
from dashboard.teams.cs import error_context

logger = logging.getLogger(__name__)


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF/Django error details as ``{"field": [messages], "items.0.name": [...]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = "non_field_errors" if key in ("__all__", None) else str(key)
            out.update(_flatten(value, f"{prefix}.{name}" if prefix else name))
    elif isinstance(detail, Sequence) and not isinstance(detail, str):
        if all(not isinstance(v, Mapping | list | tuple) for v in detail):
            out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in detail)
        else:
            for index, value in enumerate(detail):
                out.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return out


def error_body(code: str, message: str, detail: Any = None, cs: dict | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message, "detail": detail}
    if cs is not None:
        body["cs"] = cs
    return body


def validation_response(detail: Any, message: str = "The request is not valid.") -> Response:
    return Response(error_body("invalid", message, _flatten(detail)), status=status.HTTP_400_BAD_REQUEST)


#: (exception class, HTTP status, error code), first match wins.
_CS_STATUS: tuple[tuple[type[csapi.CSError], int, str], ...] = (
    (csapi.CSRateLimited, 429, "cs_rate_limited"),
    (csapi.CSTransportError, 503, "cs_unavailable"),
    (csapi.CSNotFound, 404, "cs_not_found"),
    (csapi.CSValidationError, 400, "cs_invalid"),
    (csapi.CSQuotaExceeded, 409, "cs_quota_exceeded"),
    (csapi.CSConflict, 409, "cs_conflict"),
    # The team's credential was refused: the caller's own authentication is fine, so not 401.
    (csapi.CSAuthError, 502, "cs_auth_failed"),
    (csapi.CSServerError, 502, "cs_error"),
    # Any other refusal: CS understood the request and declined it in the resource's current state.
    (csapi.CSError, 409, "cs_rejected"),
)

_CS_MESSAGES = {
    "cs_rate_limited": "%(service)s is limiting requests; try again later.",
    "cs_unavailable": "%(service)s cannot be reached right now; the dashboard's data stays browsable. Try again "
    "later.",
    "cs_auth_failed": "%(service)s refused the team's credential; a lead should check it.",
}


def cs_error_response(exc: csapi.CSError) -> Response:
    http_status, code = next((s, c) for klass, s, c in _CS_STATUS if isinstance(exc, klass))
    if code == "cs_error" and exc.http_status and exc.http_status < 500:
        # A failure code CS answered with a 4xx: the action was declined (e.g. already being deleted).
        http_status, code = 409, "cs_rejected"
    context = error_context(exc)
    service = exc.service  # "CS", or "DLI" for what the DLI client raised
    message = (
        (_CS_MESSAGES[code] % {"service": service} if code in _CS_MESSAGES else "")
        or context["description"]
        or f"{service} rejected the request."
    )
    headers = {}
    if http_status == 429:
        headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after or 1)))
    body = error_body(
        code,
        message,
        None,
        {k: context.get(k, "") for k in ("code", "description", "solution", "cause")},
    )
    return Response(body, status=http_status, headers=headers)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF exception handler: every handled failure in the one error shape."""
    from dashboard.jobs.rules import ActionRefused
    from dashboard.teams.concurrency import CallLimitReached

    if isinstance(exc, ActionRefused):
        # The object's state does not allow it: nothing was sent, nothing changed.
        return Response(error_body("action_refused", exc.message, {"action": [exc.action]}), status=409)
    if isinstance(exc, CallLimitReached):
        return Response(
            error_body("too_many_cloud_calls", str(exc.message)), status=429, headers={"Retry-After": "5"}
        )
    if isinstance(exc, csapi.CSError):
        # No rollback: the failed action's audit entry must be kept.
        logger.info("API request failed in CS: %r", exc)
        return cs_error_response(exc)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return validation_response(detail)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: let Django answer 500 and log it

    set_rollback()
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(max(1, math.ceil(exc.wait)))
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            error_body("invalid", "The request is not valid.", _flatten(exc.detail)),
            status=exc.status_code,
            headers=headers,
        )
    if isinstance(exc, exceptions.Throttled):
        message = "Too many requests; try again later."
        if exc.wait:
            message = f"Too many requests; try again in {max(1, math.ceil(exc.wait))} seconds."
        return Response(error_body("throttled", message), status=exc.status_code, headers=headers)
    code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
    message = str(exc.detail) if isinstance(exc.detail, str) else str(exc.default_detail)
    return Response(error_body(str(code), message), status=exc.status_code, headers=headers)
