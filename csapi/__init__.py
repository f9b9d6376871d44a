"""csapi: the Huawei Cloud Stream Service (CS) client, and its successor's, DLI's. Django-free.

``CSClient`` has one method per operation of the CS API, grouped by resource; ``DLIClient``
(:mod:`csapi.dli`) the same for DLI Flink jobs, on Huawei's SDK. ``TokenAuth`` and ``AKSKAuth``
authenticate both; errors are ``CSError`` subclasses; ``vocab`` and ``limits`` (``dli.limits``) hold
the status vocabulary and field limits shared with the emulator and the dashboard.
"""

from .auth import AKSKAuth, MemoryCache, TokenAuth, sign_request, verify_request
from .client import CSClient
from .dli import DLIClient
from .errors import (
    ERROR_CODES,
    CSAuthError,
    CSConflict,
    CSEndpointRefused,
    CSError,
    CSNotFound,
    CSProtocolError,
    CSQuotaExceeded,
    CSRateLimited,
    CSServerError,
    CSTimeout,
    CSTransportError,
    CSUnavailable,
    CSValidationError,
    ErrorSpec,
    describe,
    error_from_response,
)
from .models import CSObject, Page
from .netguard import OutboundPolicy, check_endpoint
from .retry import RetryPolicy, backoff_delay

__all__ = [
    "AKSKAuth",
    "CSAuthError",
    "CSClient",
    "CSConflict",
    "CSEndpointRefused",
    "CSError",
    "CSNotFound",
    "CSObject",
    "CSProtocolError",
    "CSQuotaExceeded",
    "CSRateLimited",
    "CSServerError",
    "CSTimeout",
    "CSTransportError",
    "CSUnavailable",
    "CSValidationError",
    "DLIClient",
    "ERROR_CODES",
    "ErrorSpec",
    "MemoryCache",
    "OutboundPolicy",
    "Page",
    "RetryPolicy",
    "TokenAuth",
    "backoff_delay",
    "check_endpoint",
    "describe",
    "error_from_response",
    "sign_request",
    "verify_request",
]
