"""Error answers of the emulator, in the body form of reference 7.2, from csapi's error table."""

from __future__ import annotations

import re
from typing import Any

from csapi.errors import ERROR_CODES

__all__ = ["ApiError", "error_body", "error_name"]

#: Names CS is known to use (7.2 example); other names are derived from the description.
_KNOWN_NAMES = {
    "CS.11004": "JOB_NAME_EXIST",
    "CS.10007": "TOKEN_EXPIRED",
    "CS.10008": "TOKEN_MISSING",
    "CS.10006": "PROJECT_ID_MISMATCH",
}
_STOP = {"the", "a", "an", "is", "are", "of", "to", "in", "for", "be", "can", "has", "been"}


def error_name(code: str) -> str:
    """An UPPER_SNAKE name for an error code (e.g. CS.11004 -> JOB_NAME_EXIST)."""
    if code in _KNOWN_NAMES:
        return _KNOWN_NAMES[code]
    spec = ERROR_CODES.get(code)
    if spec is None:
        return "UNKNOWN_ERROR"
    words = [w for w in re.findall(r"[A-Za-z]+", spec.description) if w.lower() not in _STOP]
    return "_".join(w.upper() for w in words[:5]) or "ERROR"


class ApiError(Exception):
    """An error answer: a CS error code (table 7-2) or a gateway-style error (``gateway=True``)."""

    def __init__(
        self,
        code: str,
        cause: str | None = None,
        *,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        args: tuple[Any, ...] = (),
        gateway: bool = False,
    ) -> None:
        spec = ERROR_CODES.get(code)
        if spec is None and not gateway:
            raise KeyError(f"unknown CS error code {code}")
        self.code = code
        self.spec = spec
        self.gateway = gateway
        description = spec.description if spec else (cause or code)
        if args:
            description = description.replace("{0}", str(args[0])).replace("{Bucket name}", str(args[0]))
        self.cause = cause or description
        self.status = status or (spec.http_status if spec else 400)
        self.headers = headers or {}
        super().__init__(f"{code}: {self.cause}")

    def body(self, now_ms: int) -> dict[str, Any]:
        if self.gateway:
            return {"error_code": self.code, "error_msg": self.cause}
        return error_body(self.code, self.cause, now_ms)


def error_body(code: str, cause: str, now_ms: int) -> dict[str, Any]:
    spec = ERROR_CODES.get(code)
    return {
        "error_id": code,
        "error_name": error_name(code),
        "error_cause": cause,
        "error_suggestion": spec.solution if spec else "",
        "error_time": now_ms,
    }
