"""Shared pieces of the OpenAPI description: error responses, common parameters and examples."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from dashboard.api.serializers import ErrorSerializer


def _error(description: str, code: str, message: str, **extra) -> OpenApiResponse:
    return OpenApiResponse(
        ErrorSerializer,
        description=description,
        examples=[OpenApiExample(code, value={"code": code, "message": message, "detail": None, **extra})],
    )


UNAUTHENTICATED = _error(
    "No valid token or session.", "not_authenticated", "Authentication credentials were not provided."
)
FORBIDDEN = _error(
    "The caller's role in the team is too low (or a browser session sent no CSRF token).",
    "permission_denied",
    "This needs the operator role in Alpha Stream.",
)
NOT_FOUND = _error(
    "No such team for the caller (outsiders get this too), or no such object.", "not_found", "No such team"
)
INVALID = OpenApiResponse(
    ErrorSerializer,
    description="The request is not valid; messages per field.",
    examples=[
        OpenApiExample(
            "invalid",
            value={
                "code": "invalid",
                "message": "The request is not valid.",
                "detail": {"name": ["The name may only contain letters, digits, '-' and '_'."]},
            },
        )
    ],
)
CS_REJECTED = _error(
    "CS refused the action (conflict, quota).",
    "cs_conflict",
    "The job is already running.",
    cs={
        "code": "CS.12003",
        "description": "The job is running.",
        "solution": "Stop the job first.",
        "cause": "job 1203 is running",
    },
)
THROTTLED = OpenApiResponse(
    ErrorSerializer,
    description="Too many write requests (or CS is limiting requests). Wait `Retry-After` seconds.",
    examples=[
        OpenApiExample(
            "throttled",
            value={
                "code": "throttled",
                "message": "Too many requests; try again in 12 seconds.",
                "detail": None,
            },
        )
    ],
)
CS_FAILED = _error(
    "CS failed or refused the team's credential.",
    "cs_error",
    "CS server error",
    cs={
        "code": "CS.10001",
        "description": "An internal error occurred on the service.",
        "solution": "Submit a service ticket for troubleshooting or try again later.",
        "cause": "",
    },
)
CS_UNAVAILABLE = _error(
    "CS cannot be reached; reads keep working from snapshots.",
    "cs_unavailable",
    "CS cannot be reached right now; the dashboard's data stays browsable. Try again later.",
    cs={
        "code": "",
        "description": "The dashboard could not talk to CS; try again later.",
        "solution": "",
        "cause": "",
    },
)

READ_ERRORS = {401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND}
WRITE_ERRORS = {
    400: INVALID,
    **READ_ERRORS,
    409: CS_REJECTED,
    429: THROTTLED,
    502: CS_FAILED,
    503: CS_UNAVAILABLE,
}


def responses(ok, *, write: bool = False, status: int = 200, extra: dict | None = None) -> dict:
    out = {status: ok, **(WRITE_ERRORS if write else READ_ERRORS)}
    if not write:
        out[400] = INVALID
    out.update(extra or {})
    return out


PAGE_PARAMS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number (from 1)."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Items per page (at most 200; default 50)."),
]
