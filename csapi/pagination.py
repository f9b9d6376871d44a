"""Lazy iterators over the CS list operations.

Two paging schemes appear in the reference:

* cursor lists -- jobs (5.1.11), templates (5.2.4), clusters (5.3.4), cluster jobs (5.3.8), host
  mappings (5.3.11) and user quotas (5.3.14): ``cursor`` is the ID of the last item already seen
  (job ID, template ID, cluster ID, host mapping ID, user ID), ``next=true`` asks for the page after
  it (``false`` the page before), ``limit`` the page size and ``order`` asc/desc.
* page-number lists -- audit logs (5.1.14): ``page_number`` and ``limit`` (at most 50).

Pages are fetched one at a time as the iterator is consumed. Iteration ends on a short or empty
page, or when the service repeats a cursor or a page (so a server that ignores the cursor cannot
cause an endless loop).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from .limits import AUDIT_LIMIT_MAX, AUDIT_PAGE_NUMBER_MIN, LIST_LIMIT_MIN
from .models import Page

__all__ = ["CursorPager", "PageNumberPager"]

T = TypeVar("T")
FetchPage = Callable[[dict[str, Any]], Page]


class _Pager(Generic[T]):
    def __init__(self) -> None:
        self.pages_fetched = 0
        self.total: int | None = None

    def pages(self) -> Iterator[Page]:  # pragma: no cover - abstract
        raise NotImplementedError

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page


class CursorPager(_Pager[T]):
    """Iterate a cursor/next/limit/order list lazily.

    ``fetch`` takes the query parameters of one page and returns a :class:`~csapi.models.Page`;
    ``id_key`` names the field whose value of the last item becomes the next ``cursor``.
    """

    def __init__(
        self,
        fetch: FetchPage,
        *,
        id_key: str,
        page_size: int,
        params: dict[str, Any] | None = None,
        cursor: Any = None,
        forward: bool = True,
    ) -> None:
        super().__init__()
        if page_size < LIST_LIMIT_MIN:
            raise ValueError(f"page_size must be at least {LIST_LIMIT_MIN}")
        self._fetch = fetch
        self.id_key = id_key
        self.page_size = page_size
        self.params = {k: v for k, v in (params or {}).items() if v is not None}
        self.cursor = cursor
        self.forward = forward

    def pages(self) -> Iterator[Page]:
        cursor = self.cursor
        seen_cursors: set[Any] = set()
        while True:
            query = dict(self.params, limit=self.page_size)
            if cursor is not None:
                query["cursor"] = cursor
                query["next"] = self.forward
            page = self._fetch(query)
            self.pages_fetched += 1
            if self.total is None:
                self.total = page.total
            if not page:
                return
            yield page
            if len(page) < self.page_size:
                return
            last = page[-1].get(self.id_key) if hasattr(page[-1], "get") else None
            if last is None or last == cursor or last in seen_cursors:
                return
            seen_cursors.add(last)
            cursor = last


class PageNumberPager(_Pager[T]):
    """Iterate a page_number/limit list (audit logs) lazily; ``limit`` is at most 50."""

    def __init__(
        self,
        fetch: FetchPage,
        *,
        limit: int = AUDIT_LIMIT_MAX,
        params: dict[str, Any] | None = None,
        start_page: int = AUDIT_PAGE_NUMBER_MIN,
        max_pages: int | None = None,
    ) -> None:
        super().__init__()
        if not 1 <= limit <= AUDIT_LIMIT_MAX:
            raise ValueError(f"limit must be between 1 and {AUDIT_LIMIT_MAX}")
        self._fetch = fetch
        self.limit = limit
        self.params = {k: v for k, v in (params or {}).items() if v is not None}
        self.start_page = start_page
        self.max_pages = max_pages

    def pages(self) -> Iterator[Page]:
        number = self.start_page
        previous: list[Any] | None = None
        while self.max_pages is None or self.pages_fetched < self.max_pages:
            page = self._fetch(dict(self.params, page_number=number, limit=self.limit))
            self.pages_fetched += 1
            if self.total is None:
                self.total = page.total
            if not page or list(page) == previous:
                return
            yield page
            if len(page) < self.limit:
                return
            previous = list(page)
            number += 1
