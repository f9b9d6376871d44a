"""Helpers for the csapi tests: a scripted HTTP server and a recording sleep."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response


@dataclass
class Seen:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    raw_uri: str


@dataclass
class ScriptedServer:
    """Serves ``handler(request) -> Response`` and records every request it saw."""

    handler: Callable[[Request], Response] = field(
        default=lambda r: Response("{}", mimetype="application/json")
    )
    seen: list[Seen] = field(default_factory=list)
    url: str = ""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        body = request.get_data()
        self.seen.append(
            Seen(
                request.method,
                request.path,
                environ.get("QUERY_STRING", ""),
                dict(request.headers),
                body,
                environ.get("REQUEST_URI") or environ.get("RAW_URI") or request.full_path,
            )
        )
        return self.handler(request)(environ, start_response)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json", headers=headers)


class Sleeps(list):
    """An injectable ``sleep`` that records delays instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
