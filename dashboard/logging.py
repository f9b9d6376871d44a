"""Keeping secrets out of log records and error reports.

Secrets are never passed to loggers on purpose; this is the second line of defence for text that
might carry one by accident (a library's debug line, an echoed header, an exception's repr, a
traceback's local variables). A secret can appear in four forms and each is covered:

- JSON: ``"password": "..."``; Python repr: ``'password': '...'``;
- assignments and query strings: ``password=...``, ``sk=...``; keyword arguments in a repr;
- HTTP headers: ``X-Auth-Token: ...``, ``X-Subject-Token``, ``Authorization: ...`` (signatures too);
- URLs with user info: ``https://user:password@host``.

Key names are matched case-insensitively: password, passwd, secret (and ``*_secret``), sk,
secret_key, access_key_secret, token, auth_token, api_key, signing_key, cookie and session id.
"""

from __future__ import annotations

import logging
import re

from django.views.debug import SafeExceptionReporterFilter

_KEYS = (
    r"password|passwd|pwd|secret|[a-z_]*_secret|secret_key|sk|access_key_secret|securitytoken|security_token"
    r"|token|auth_token|x-auth-token|x-subject-token|api_key|apikey|signing_key|webhook_secret"
    r"|sessionid|csrftoken|cookie|authorization"
)
_REDACTED = "[redacted]"

_PATTERNS = [
    # JSON and repr: "key": "value" / 'key': 'value' / b'key': b'value'
    re.compile(rf"""(?i)(b?(["'])(?:{_KEYS})\2\s*:\s*b?)(["'])((?:\\.|(?!\3).)*)(\3)"""),
    # headers and assignments: key: value / key=value / key = 'value' (up to a separator)
    re.compile(rf"""(?i)(\b(?:{_KEYS})\b\s*(?:[:=])\s*)(["']?)([^\s"',;&}}\])]+)(\2)"""),
    # Authorization header values and signatures
    re.compile(r"(?i)(SDK-HMAC-SHA256\s+)([^\r\n'\"]+)"),
    re.compile(r"(?i)(Bearer\s+)([A-Za-z0-9._~+/=-]+)"),
    re.compile(r"(?i)(signature=)([0-9a-f]+)"),
    # user info in URLs
    re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)([^/\s:@'\"]+:[^/\s@'\"]*)(@)"),
]


def _sub_json(match: re.Match) -> str:
    return f"{match.group(1)}{match.group(3)}{_REDACTED}{match.group(5)}"


def _sub_assign(match: re.Match) -> str:
    return f"{match.group(1)}{match.group(2)}{_REDACTED}{match.group(4)}"


def redact(text: str) -> str:
    """``text`` with every secret-looking value replaced by ``[redacted]``."""
    if not text:
        return text
    text = _PATTERNS[0].sub(_sub_json, text)
    text = _PATTERNS[1].sub(_sub_assign, text)
    text = _PATTERNS[2].sub(lambda m: m.group(1) + _REDACTED, text)
    text = _PATTERNS[3].sub(lambda m: m.group(1) + _REDACTED, text)
    text = _PATTERNS[4].sub(lambda m: m.group(1) + _REDACTED, text)
    text = _PATTERNS[5].sub(lambda m: m.group(1) + _REDACTED + m.group(3), text)
    return text


class RedactSecretsFilter(logging.Filter):
    """Redacts the message and the formatted exception of every record that passes a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(formatted)
            record.exc_info = None  # the handler prints exc_text, never the raw exception again
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class SecretsExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's error reports (the debug page and mailed reports) without secrets.

    Besides Django's own rules (settings and POST fields whose names look secret), every local
    variable of a traceback frame is shown redacted, and variables whose name looks secret are hidden.
    """

    hidden_settings = re.compile(
        r"API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CREDENTIAL|DATABASE_URL|REDIS_URL|BROKER",
        flags=re.I,
    )
    _secret_names = re.compile(rf"(?i)^(?:{_KEYS}|_password|_sk|_secret|raw|body|content|payload)$")

    def get_traceback_frame_variables(self, request, tb_frame):
        cleansed = []
        for name, value in super().get_traceback_frame_variables(request, tb_frame):
            if self._secret_names.match(str(name)):
                cleansed.append((name, self.cleansed_substitute))
                continue
            try:
                text = repr(value)
            except Exception:  # noqa: BLE001 - a broken repr hides nothing worth showing
                text = "<unrepresentable>"
            cleansed.append((name, redact(text)))
        return cleansed

    def get_post_parameters(self, request):
        params = super().get_post_parameters(request)
        if not params:
            return params
        params = params.copy()
        for key in list(params.keys()):
            if self._secret_names.match(key) or re.search(r"(?i)pass|secret|token|key", key):
                params[key] = self.cleansed_substitute
        return params
