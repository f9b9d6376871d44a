"""The API's JSON parser: DRF's, with bounds on size and nesting.

A JSON body nested a thousand levels deep makes Python's parser raise ``RecursionError``; a body of
megabytes costs memory for nothing (no API input is that large). Both answer 400 with the API's
error shape instead of failing.
"""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

#: The deepest nesting any API input needs (a job's tags are a list of objects: depth 3).
MAX_DEPTH = 32


def _depth(value, limit: int) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return depth
            deepest = max(deepest, depth)
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_JSON_MAX_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(f"The JSON body is larger than {limit // 1024} KB.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(raw.decode(encoding))
        except RecursionError:
            raise ParseError(f"The JSON body is nested more than {MAX_DEPTH} levels deep.") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"The JSON body is not valid JSON: {str(exc)[:100]}") from None
        if _depth(data, MAX_DEPTH) > MAX_DEPTH:
            raise ParseError(f"The JSON body is nested more than {MAX_DEPTH} levels deep.")
        return data
