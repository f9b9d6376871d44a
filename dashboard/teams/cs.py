"""Build a cloud client from a team credential: the only place a credential secret is decrypted.

A credential speaks CS (``csapi.CSClient``) or DLI (``csapi.dli.DLIClient``, on Huawei's SDK); both
clients take the same authentication, outbound policy, timeouts and deadline, and raise the same
``csapi.errors`` classes, so callers branch on the service only where the two APIs differ.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from csapi import AKSKAuth, CSClient, CSError, OutboundPolicy, TokenAuth
from csapi import errors as csapi_errors
from csapi.dli import DLIClient
from dashboard.teams import crypto
from dashboard.teams.models import AuthType, Credential


class EncryptedTokenCache:
    """The Django cache (shared by every process), with IAM tokens encrypted like credential secrets.

    A token grants the credential's rights for 24 hours, so it never sits in Redis or the cache table
    in clear text.
    """

    def get(self, key: str, default: Any = None) -> Any:
        value = cache.get(key)
        if not isinstance(value, str):
            return value if value is not None else default
        try:
            return json.loads(crypto.decrypt(value))
        except (crypto.SecretDecryptionError, ValueError):
            return default

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        cache.set(key, crypto.encrypt(json.dumps(value)), timeout)

    def add(self, key: str, value: Any, timeout: float | None = None) -> bool:
        return cache.add(key, value, timeout)

    def delete(self, key: str) -> None:
        cache.delete(key)


token_cache = EncryptedTokenCache()


def outbound_policy() -> OutboundPolicy:
    """Where cloud requests may go: public https endpoints, plus ``OUTBOUND_ALLOWED_HOSTS``."""
    return OutboundPolicy.allowing(settings.OUTBOUND_ALLOWED_HOSTS)


def client_for(credential: Credential, *, interactive: bool = False) -> CSClient | DLIClient:
    """The client of ``credential``'s service: a ``CSClient`` for CS, a ``DLIClient`` for DLI.

    IAM tokens are cached in the Django cache, shared by all processes.

    ``interactive`` is for calls a person waits for: short timeouts, one retry, and an overall
    deadline (``CS_INTERACTIVE_DEADLINE``) so that a silent endpoint cannot hold them.
    """
    policy = outbound_policy()
    timeout = settings.CS_INTERACTIVE_TIMEOUT if interactive else settings.CS_HTTP_TIMEOUT
    if credential.auth_type == AuthType.AKSK:
        auth = AKSKAuth(credential.access_key, credential.get_secret())
    else:
        auth = TokenAuth(
            credential.effective_iam_endpoint,
            credential.domain_name,
            credential.username,
            credential.get_secret(),
            credential.project_id,
            cache=token_cache,
            outbound=policy,
            timeout=settings.CS_INTERACTIVE_TIMEOUT if interactive else (5, settings.CS_HTTP_TIMEOUT),
        )
    retries = min(1, settings.CS_HTTP_RETRIES) if interactive else settings.CS_HTTP_RETRIES
    deadline = settings.CS_INTERACTIVE_DEADLINE if interactive else None
    if credential.is_dli:
        return DLIClient(
            credential.effective_dli_endpoint,
            credential.project_id,
            auth,
            timeout=timeout,
            retries=retries,
            outbound=policy,
            deadline=deadline,
        )
    return CSClient(
        credential.effective_cs_endpoint,
        credential.project_id,
        auth,
        timeout=timeout,
        retries=retries,
        vpc_endpoint=credential.effective_vpc_endpoint,
        outbound=policy,
        deadline=deadline,
    )


#: What a failure of each kind says when the service gave no documented code; ``%(service)s`` is
#: "CS" or "DLI" (``CSError.service``).
_DEFAULT_MESSAGES = {
    csapi_errors.CSAuthError: gettext_lazy("%(service)s did not accept the credential."),
    csapi_errors.CSNotFound: gettext_lazy("%(service)s does not know this resource."),
    csapi_errors.CSValidationError: gettext_lazy("%(service)s refused a value of the request."),
    csapi_errors.CSConflict: gettext_lazy(
        "%(service)s refused: the resource is not in a state that allows this."
    ),
    csapi_errors.CSQuotaExceeded: gettext_lazy("%(service)s refused: a quota is used up."),
    csapi_errors.CSRateLimited: gettext_lazy("%(service)s asks to slow down: too many requests."),
    csapi_errors.CSServerError: gettext_lazy("%(service)s had an internal error."),
    csapi_errors.CSTimeout: gettext_lazy("%(service)s did not answer in time."),
    csapi_errors.CSUnavailable: gettext_lazy("%(service)s cannot be reached."),
    csapi_errors.CSProtocolError: gettext_lazy(
        "%(service)s answered with a response the dashboard cannot read."
    ),
    csapi_errors.CSEndpointRefused: gettext_lazy("The dashboard does not send requests to this endpoint."),
    csapi_errors.CSTransportError: gettext_lazy("The connection to %(service)s failed."),
}


def _default_message(exc: CSError) -> str:
    service = exc.service
    for klass in type(exc).__mro__:
        found = _DEFAULT_MESSAGES.get(klass)
        if found is not None:
            return str(found) % {"service": service}  # a text without %(service)s ignores it
    return gettext("The request to %(service)s failed.") % {"service": service}


def _documented(exc: CSError) -> tuple[str, str]:
    """The description and solution of ``exc``'s code (table 7-2, DLI's table) in the active language."""
    spec = csapi_errors.describe_in(exc.code, translation.get_language()) if exc.code else None
    if spec is None:
        return exc.description or "", exc.solution or ""
    return spec.description, spec.solution


def _english() -> bool:
    return (translation.get_language() or "en").split("-")[0] == "en"


def error_text(exc: Exception) -> str:
    """A readable, secret-free sentence for a CS failure (code, description, cause and solution), in
    the active language: the documented texts are translated; what CS itself said (its cause and
    suggestion) is quoted as it came."""
    if isinstance(exc, CSError):
        parts = []
        description, solution = _documented(exc)
        head = description or exc.message or _default_message(exc)
        parts.append(f"{exc.code}: {head}" if exc.code else head)
        if exc.cause and exc.cause != head and exc.cause != exc.description:
            parts.append(gettext("Cause: %(cause)s") % {"cause": exc.cause})
        # In English CS's own suggestion is the more specific advice; in another language the
        # documented solution in that language comes first.
        advice = (exc.suggestion or solution) if _english() else (solution or exc.suggestion)
        if advice:
            parts.append(gettext("Solution: %(solution)s") % {"solution": advice})
        return " ".join(_sentence(p) for p in parts)
    if getattr(exc, "message", None):  # the dashboard's own refusal (an action the state does not allow)
        return str(exc.message)
    return gettext("The dashboard could not talk to CS; try again later.")


def _sentence(text: str) -> str:
    """``text`` ending with one full stop (。 for Chinese text)."""
    text = text.rstrip().rstrip(".。")
    return text + ("。" if text and "\u4e00" <= text[-1] <= "\u9fff" else ".")


#: The fields of a CS or DLI error that :func:`error_text` words (none of them holds a secret).
_RECORDED = ("code", "message", "cause", "suggestion", "http_status")


def error_record(exc: BaseException) -> dict[str, Any]:
    """What a worker keeps of a failure so that each reader gets it in their own language: the error's
    class, service, code and CS's own words (JSON); {} for a failure that is not CS's or DLI's."""
    if not isinstance(exc, CSError):
        return {}
    record = {"class": type(exc).__name__, "service": exc.service}
    record.update({name: getattr(exc, name) for name in _RECORDED if getattr(exc, name, None)})
    return record


def recorded_error_text(record: Any, fallback: str = "") -> str:
    """:func:`error_text` of an :func:`error_record`, in the active language; ``fallback`` (the sentence
    stored with it) when there is no record or it names no error class of csapi."""
    klass = getattr(csapi_errors, str(record.get("class", "")), None) if isinstance(record, dict) else None
    if not (isinstance(klass, type) and issubclass(klass, CSError)):
        return fallback
    exc = klass(**{name: record[name] for name in _RECORDED if name in record})
    exc.service = str(record.get("service") or exc.service)
    return error_text(exc)


def error_context(exc: Exception) -> dict:
    """Fields for ``partials/cs_error.html``: code, description, cause and solution (active language)."""
    if isinstance(exc, CSError):
        description, solution = _documented(exc)
        advice = (exc.suggestion or solution) if _english() else (solution or exc.suggestion)
        return {
            "code": exc.code or (f"HTTP {exc.http_status}" if exc.http_status else ""),
            "description": description or exc.message or _default_message(exc),
            "cause": exc.cause or "",
            "solution": advice or "",
        }
    return {"code": "", "description": error_text(exc), "cause": "", "solution": ""}
