"""Lazy iteration over DLI's ``offset``/``limit`` lists (Flink jobs D5, templates D16, pools D22).

DLI pages by position: ``offset`` items skipped, ``limit`` items returned (at most 100), with the
list's ``total_count`` in every answer. Pages are fetched one at a time as the iterator is consumed,
and iteration stops

- when the offset reaches the total the latest page announced (so N items cost exactly
  ceil(N / page size) requests, never a last empty one; a job created meanwhile raises the total, so
  the item it pushed past the end is still fetched),
- on a short or empty page (DLI omitted the total, or items were deleted meanwhile),
- when an item's key repeats a key already yielded (items created meanwhile shift later pages by one
  position: the repeat is skipped, not yielded twice), or a whole page repeats (a server that ignores
  ``offset`` cannot cause an endless loop).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from csapi.models import Page

from . import limits

__all__ = ["OffsetPager"]

T = TypeVar("T")


class OffsetPager(Generic[T]):
    """Iterate an offset/limit list lazily; ``fetch(offset, limit)`` returns one :class:`Page`."""

    def __init__(
        self,
        fetch: Callable[[int, int], Page],
        *,
        page_size: int = limits.LIST_LIMIT_MAX,
        key: str | None = None,
        offset: int = 0,
        max_items: int | None = None,
    ) -> None:
        if not limits.LIST_LIMIT_MIN <= page_size <= limits.LIST_LIMIT_MAX:
            raise ValueError(f"page_size must be between {limits.LIST_LIMIT_MIN} and {limits.LIST_LIMIT_MAX}")
        if offset < limits.OFFSET_MIN:
            raise ValueError("offset must be >= 0")
        self._fetch = fetch
        self.page_size = page_size
        self.key = key
        self.offset = offset
        self.max_items = max_items
        self.pages_fetched = 0
        self.total: int | None = None

    def pages(self) -> Iterator[Page]:
        offset = self.offset
        seen: set[Any] = set()
        previous_first: Any = object()
        yielded = 0
        while self.max_items is None or yielded < self.max_items:
            if self.total is not None and offset >= self.total:
                return
            page = self._fetch(offset, self.page_size)
            self.pages_fetched += 1
            if isinstance(page.total, int):
                self.total = page.total
            if not page:
                return
            first = page[0].get(self.key) if self.key else None
            if self.key and first is not None and first == previous_first:
                return  # the same page again: the offset was ignored
            previous_first = first
            fresh = page
            if self.key:
                fresh = Page(
                    [item for item in page if item.get(self.key) not in seen],
                    total=page.total,
                    meta=page.meta,
                )
                seen.update(item.get(self.key) for item in fresh)
            if self.max_items is not None:
                fresh = Page(list(fresh)[: self.max_items - yielded], total=page.total, meta=page.meta)
            yielded += len(fresh)
            if fresh:
                yield fresh
            if len(page) < self.page_size:
                return
            offset += len(page)

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page
