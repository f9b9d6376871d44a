"""Log filtering that keeps credentials out of log records.

Secrets are never passed to loggers on purpose; this filter is the second line of defence for text
that might carry a token or a signature by accident (a library's debug line, an echoed header).
"""

from __future__ import annotations

import logging
import re

_PATTERNS = [
    re.compile(r"(?i)(x-auth-token|x-subject-token)(['\"]?\s*[:=]\s*['\"]?)([^\s'\",}]+)"),
    re.compile(r"(?i)(signature=)([0-9a-f]+)"),
    re.compile(r"(?i)(\"password\"\s*:\s*\")([^\"]*)"),
]


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: "".join(m.groups()[:-1]) + "[redacted]", text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
