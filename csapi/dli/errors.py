"""DLI errors: the error-code table of the DLI API reference, mapped into csapi's exception hierarchy.

DLI answers a failed call with HTTP 4xx/5xx and ``{"error_code": "DLI.xxxx", "error_msg": "..."}``
(DLI API reference, "Error Codes", dli_02_0056). :data:`DLI_ERROR_CODES` holds every row of that
page's table (HTTP status, code, message) plus ``DLI.12004``, which the reference's Flink and variable
pages list as their own. DLI's table gives no solutions; each row's ``solution`` is the dashboard's
advice for that code, so that a person reading an error always gets a next step.

The table is registered with :mod:`csapi.errors` (``register_error_table``), so one machinery builds
every exception: ``error_from_response`` reads a DLI body as it reads a CS one, ``describe("DLI.0001")``
finds the row, and a code raises the class callers branch on (:data:`DLI_CODE_CLASSES`). Gateway codes
(``APIGW.*``) are not DLI's and fall back on the HTTP status (401 auth, 429 rate limit, ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from csapi.errors import (
    CSAuthError,
    CSConflict,
    CSError,
    CSNotFound,
    CSQuotaExceeded,
    CSServerError,
    CSValidationError,
    ErrorSpec,
    register_error_table,
    register_error_translations,
)

__all__ = [
    "DLI_CODE_CLASSES",
    "DLI_ERROR_CODES",
    "DLI_ERROR_FIELDS",
    "error_field",
    "DLI_PREFIX",
    "INVALID_PARAMETER",
    "NOT_FOUND",
    "OBJECT_EXISTS",
    "NOT_SUPPORTED",
    "QUOTA_INSUFFICIENT",
    "SERVER_ERROR",
    "JOB_NOT_FOUND",
]

DLI_PREFIX = "DLI"

#: The codes the rest of the package names (one spelling each).
INVALID_PARAMETER = "DLI.0001"
NOT_FOUND = "DLI.0002"
OBJECT_EXISTS = "DLI.0006"
NOT_SUPPORTED = "DLI.0007"
QUOTA_INSUFFICIENT = "DLI.1028"
RESOURCE_NOT_FOUND = "DLI.0023"
SERVER_ERROR = "DLI.0999"
JOB_NOT_FOUND = "DLI.12004"

# (code, HTTP status, DLI's message, the dashboard's advice, exception class)
_TABLE: tuple[tuple[str, int, str, str, type[CSError]], ...] = (
    (
        "DLI.0001",
        400,
        "Parameter check errors occur.",
        "Correct the value DLI names in the message (lengths, characters and ranges are listed in the "
        "DLI API reference) and send the request again.",
        CSValidationError,
    ),
    (
        "DLI.0002",
        400,
        "The object does not exist.",
        "Check the name or ID: the job, template or queue may have been deleted, or belong to another "
        "project.",
        CSNotFound,
    ),
    (
        "DLI.0003",
        400,
        "SQL permission verification fails.",
        "Grant the IAM user the DLI permissions the statement needs.",
        CSAuthError,
    ),
    (
        "DLI.0004",
        400,
        "SQL syntax parsing errors occur.",
        "Fix the SQL syntax at the position DLI reports.",
        CSValidationError,
    ),
    (
        "DLI.0005",
        400,
        "SQL semantics parsing errors occur.",
        "Check the tables, columns and functions the SQL statement uses.",
        CSValidationError,
    ),
    ("DLI.0006", 400, "The object exists.", "Choose another name.", CSConflict),
    (
        "DLI.0007",
        400,
        "The operation is not supported.",
        "Check the job's status and type: the action may not apply to it now.",
        CSConflict,
    ),
    (
        "DLI.0008",
        400,
        "Metadata errors occur.",
        "Check the database and table metadata, then try again.",
        CSValidationError,
    ),
    (
        "DLI.0009",
        400,
        "System restrictions.",
        "Stay within DLI's system limits (see the DLI API reference), or ask for a higher limit.",
        CSQuotaExceeded,
    ),
    (
        "DLI.0011",
        400,
        "The file permission check fails.",
        "Authorize DLI to read and write the OBS bucket, then try again.",
        CSAuthError,
    ),
    (
        "DLI.0012",
        400,
        "Resource objects are unavailable.",
        "Wait until the queue or resource pool is available, or choose another one.",
        CSConflict,
    ),
    (
        "DLI.0013",
        401,
        "User authentication errors occur.",
        "Check the credential: the AK/SK or the IAM user's password and project.",
        CSAuthError,
    ),
    (
        "DLI.0014",
        401,
        "Service authentication errors occur.",
        "Check that DLI is authorized in this project (service agency), then try again.",
        CSAuthError,
    ),
    ("DLI.0015", 400, "Token parsing error.", "Sign in again to get a new IAM token.", CSAuthError),
    (
        "DLI.0016",
        400,
        "The identity and role are incorrect.",
        "Give the IAM user a DLI role in this project.",
        CSAuthError,
    ),
    (
        "DLI.0018",
        400,
        "Data conversion errors occur.",
        "Check the types of the values sent (numbers, booleans, lists).",
        CSValidationError,
    ),
    (
        "DLI.0019",
        400,
        "The task times out.",
        "Try again later, or with less work per request.",
        CSServerError,
    ),
    (
        "DLI.0023",
        404,
        "No related resources were found.",
        "Check the name or ID of the resource.",
        CSNotFound,
    ),
    (
        "DLI.0100",
        400,
        "The result expires.",
        "Run the job again to produce a new result.",
        CSNotFound,
    ),
    (
        "DLI.0999",
        400,
        "Server-side errors occur.",
        "Try again later; if it persists, open a service ticket with the request ID.",
        CSServerError,
    ),
    (
        "DLI.1028",
        400,
        "The quota is insufficient.",
        "Free up what counts against the quota (for example delete unused templates) or ask for a "
        "higher quota.",
        CSQuotaExceeded,
    ),
    (
        "DLI.12004",
        400,
        "The job does not exist. Check the reason or create a job.",
        "Check the job ID: the job may have been deleted.",
        CSNotFound,
    ),
)

#: Every documented DLI error code -> its row (code, HTTP status, description, solution).
DLI_ERROR_CODES: dict[str, ErrorSpec] = {row[0]: ErrorSpec(*row[:4]) for row in _TABLE}
#: Every documented DLI error code -> the exception class raised for it.
DLI_CODE_CLASSES: dict[str, type[CSError]] = {row[0]: row[4] for row in _TABLE}

register_error_table(DLI_PREFIX, DLI_ERROR_CODES, DLI_CODE_CLASSES)

#: The field of a job form a documented code always concerns, by the dashboard's form field names (as
#: csapi's ``ERROR_FIELDS`` for CS): DLI's answer is shown on that field of whichever form has it.
DLI_ERROR_FIELDS: dict[str, str] = {
    OBJECT_EXISTS: "name",  # a job or template of that name exists
    "DLI.0004": "sql_body",  # SQL syntax
    "DLI.0005": "sql_body",  # SQL semantics
    "DLI.0011": "obs_bucket",  # OBS file permission
    "DLI.0012": "queue_name",  # the queue or pool is unavailable
}
#: Codes whose message names the parameter or object it is about (parameter check, no such object).
_FIELD_IN_MESSAGE = frozenset({INVALID_PARAMETER, NOT_FOUND, RESOURCE_NOT_FOUND, JOB_NOT_FOUND})


def error_field(
    exc: Exception,
    fields: Iterable[str],
    words: Iterable[tuple[str, str]] = (),
    aliases: Mapping[str, str] | None = None,
) -> str | None:
    """The one of ``fields`` (a form's or a request's) that a DLI refusal concerns, or None.

    In order: the field the client's own check named (DLI's wire name, or the caller's name for it in
    ``aliases``); the field the code always concerns (:data:`DLI_ERROR_FIELDS`); for a parameter or
    not-found error, the field its message names, by one of ``words`` (``(word, field)`` pairs, the
    caller's vocabulary) or by the field's own name.
    """
    names = set(fields)
    wire = getattr(exc, "field", None)
    for candidate in (wire, (aliases or {}).get(wire or "")):
        if candidate and candidate in names:
            return candidate
    code = getattr(exc, "code", "") or ""
    named = DLI_ERROR_FIELDS.get(code)
    if named in names:
        return named
    if code not in _FIELD_IN_MESSAGE:
        return None
    text = " ".join(str(getattr(exc, a, "") or "") for a in ("message", "cause", "suggestion")).lower()
    for word, name in words:
        if word in text and name in names:
            return name
    return next(
        (f for f in sorted(names, key=len, reverse=True) if re.search(rf"\b{re.escape(f)}\b", text)), None
    )


def _register_translations() -> None:
    from csapi.dli.errors_zh import ZH_HANS

    register_error_translations("zh-hans", ZH_HANS)


_register_translations()
