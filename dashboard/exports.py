"""Spreadsheet exports. Every CSV the dashboard writes goes through :func:`csv_response`.

Cells come from the cloud (job names) and from users (credential names), so a cell that a
spreadsheet would read as a formula is neutralised as OWASP recommends: a value starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe. Numbers stay numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse
from django.utils.text import slugify

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_response(rows: Iterable[Iterable], filename: str) -> StreamingHttpResponse:
    """Stream ``rows`` as a CSV attachment named ``filename`` (slugified, ``.csv`` appended)."""
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([safe_cell(cell) for cell in row]) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{slugify(filename)}.csv"'
    return response
