"""Build a CS client from a team credential: the only place a credential secret is decrypted."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.cache import cache

from csapi import AKSKAuth, CSClient, CSError, OutboundPolicy, TokenAuth
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


def client_for(credential: Credential, *, interactive: bool = False) -> CSClient:
    """A ``CSClient`` for ``credential``. IAM tokens are cached in the Django cache, shared by all processes.

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
    return CSClient(
        credential.effective_cs_endpoint,
        credential.project_id,
        auth,
        timeout=timeout,
        retries=min(1, settings.CS_HTTP_RETRIES) if interactive else settings.CS_HTTP_RETRIES,
        vpc_endpoint=credential.effective_vpc_endpoint,
        outbound=policy,
        deadline=settings.CS_INTERACTIVE_DEADLINE if interactive else None,
    )


def error_text(exc: Exception) -> str:
    """A readable, secret-free sentence for a CS failure (code, description, cause and solution)."""
    if isinstance(exc, CSError):
        parts = []
        head = exc.description or exc.message or exc.default_message
        parts.append(f"{exc.code}: {head}" if exc.code else head)
        if exc.cause and exc.cause != head:
            parts.append(f"Cause: {exc.cause}")
        advice = exc.suggestion or exc.solution
        if advice:
            parts.append(f"Solution: {advice}")
        return " ".join(p.rstrip(".") + "." for p in parts)
    if getattr(exc, "message", None):  # the dashboard's own refusal (an action the state does not allow)
        return str(exc.message)
    return "The dashboard could not talk to CS; try again later."


def error_context(exc: Exception) -> dict:
    """Fields for ``partials/cs_error.html``: code, description, cause and solution."""
    if isinstance(exc, CSError):
        return {
            "code": exc.code or (f"HTTP {exc.http_status}" if exc.http_status else ""),
            "description": exc.description or exc.message or exc.default_message,
            "cause": exc.cause or "",
            "solution": exc.suggestion or exc.solution or "",
        }
    return {"code": "", "description": error_text(exc), "cause": "", "solution": ""}
