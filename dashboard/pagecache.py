"""Whole pages of a team, rendered once per team version and served from the cache.

A page is rendered with markers ("slots") where it shows something that belongs to one request (the
CSRF token, the flash messages, the user's name in the header) or to the current second (how fresh
the data is), stored under a key made of everything else it depends on, and filled in on every
request:

- the team and its version (``dashboard.teams.versions``: any write to the team's data changes it),
- the user's role in the team (which actions the page offers) and staff flag: members of the same
  role share a page,
- the full path with its query, the minute (running durations), the time zone and the language.

A hit costs the two lookups of :func:`~dashboard.teams.access.get_team_for_user`'s user and membership,
one cache read and a few string replacements. The slot markers are derived from the secret key, so
no content (a job name, a description) can contain one by accident or design.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from dashboard.teams.access import TeamAccess

TTL = 3600  # seconds; a key changes with what it shows, the TTL only bounds memory
PAGE_TTL = 120  # a page's key names the minute it was rendered in: it is not asked for after that


def _marker(name: str) -> str:
    return "pageslot-" + salted_hmac("dashboard.pagecache", name).hexdigest()[:32]


_MARKERS: dict[str, str] = {}


def marker(name: str) -> str:
    """The marker of slot ``name`` (stable across processes that share the secret key)."""
    found = _MARKERS.get(name)
    if found is None:
        found = _MARKERS[name] = _marker(name)
    return found


def cache():
    """Rendered pages and fragments: derived data, in local memory or Redis when configured."""
    return caches["fragments"]


def digest(value: Any) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=12).hexdigest()


def rendering_key() -> str:
    """What else rendered HTML depends on: the build (templates and code), the active time zone and
    the language."""
    return f"{settings.BUILD_ID}:{timezone.get_current_timezone_name()}:{translation.get_language()}"


def page_key(request: HttpRequest, access: TeamAccess, *extra: Any) -> str:
    team, user = access.team, request.user
    parts = (
        team.pk,
        team.created_at.timestamp(),
        team.version,
        access.role,
        user.is_staff,
        request.get_full_path(),
        int(time.time() // 60),
        rendering_key(),  # the build, the time zone and the language
        extra,
    )
    return f"page:{digest(parts)}"


def slot_context(*names: str) -> dict[str, Any]:
    """Template context for a page rendered to be cached: the CSRF token, the messages and ``names``
    become slots (``{{ name }}`` renders the marker)."""
    context: dict[str, Any] = {
        "csrf_token": marker("csrf"),
        "messages_html": marker("messages"),
        "whoami": marker("whoami"),
    }
    context.update({name: marker(name) for name in names})
    return context


def _split(html: str) -> tuple[tuple[bytes, ...], tuple[str, ...]]:
    """The page as encoded literal parts and the slot names between them (filled by a join, not by
    scanning the page once per slot on every request)."""
    names = {m: name for name, m in _MARKERS.items()}
    pattern = re.compile("|".join(re.escape(m) for m in names))
    literals: list[bytes] = []
    slots: list[str] = []
    start = 0
    for match in pattern.finditer(html):
        literals.append(html[start : match.start()].encode())
        slots.append(names[match.group()])
        start = match.end()
    literals.append(html[start:].encode())
    return tuple(literals), tuple(slots)


def fill(
    request: HttpRequest,
    page: tuple[tuple[bytes, ...], tuple[str, ...]],
    values: dict[str, str] | None = None,
) -> bytes:
    """Put this request's CSRF token, messages, user name and ``values`` (by slot name) into a split
    cached page."""
    literals, slots = page
    filled: dict[str, str] = dict(values or {})
    if "whoami" in slots:
        filled["whoami"] = escape(request.user.get_username())
    if "csrf" in slots:
        filled["csrf"] = get_token(request)
    if "messages" in slots:
        storage = get_messages(request)
        filled["messages"] = (
            render_to_string("partials/messages.html", {"messages": storage}) if len(storage) else ""
        )
    out = [literals[0]]
    for name, literal in zip(slots, literals[1:], strict=True):
        out.append(filled.get(name, "").encode())
        out.append(literal)
    return b"".join(out)


def serve(
    request: HttpRequest,
    key: str,
    build: Callable[[], str],
    values: tuple[str, Callable[[], dict[str, str]], int] | None = None,
    extra: dict[str, str] | None = None,
) -> HttpResponse:
    """The page cached under ``key`` (``build()`` renders it on a miss), with its slots filled in.

    ``values`` is ``(key, build, ttl)`` of the cached slot values (by slot name); both entries are read
    in one cache round trip. ``extra``: slot values the caller has already (HTML as it is inserted).
    """
    keys = [key] if values is None else [key, values[0]]
    found = cache().get_many(keys)
    page = found.get(key)
    if page is None:
        page = _split(build())
        cache().set(key, page, PAGE_TTL)
    filled: dict[str, str] = {}
    if values is not None:
        values_key, values_build, values_ttl = values
        filled = found.get(values_key)
        if filled is None:
            filled = values_build()
            cache().set(values_key, filled, values_ttl)
    if extra:
        filled = {**filled, **extra}
    return HttpResponse(fill(request, page, filled))


def cached(key: str, build: Callable[[], Any], ttl: int = TTL) -> Any:
    """A value cached under ``key`` for ``ttl`` seconds (``build()`` on a miss); keys carry what it shows."""
    value = cache().get(key)
    if value is None:
        value = build()
        cache().set(key, value, ttl)
    return value


def fragment(key: str, build: Callable[[], str]) -> SafeString:
    """Rendered HTML cached under ``key`` and the active time zone and language (``build()`` on a miss)."""
    return mark_safe(cached(f"{key}:{rendering_key()}", build))  # noqa: S308 (escaped by the template engine)
