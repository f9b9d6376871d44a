"""Reads of poll health for pages: how fresh a team's (or a credential's) snapshots are.

``freshness(team)`` and ``credential_freshness(credential)`` return a :class:`Freshness`: per kind
the last successful update, a ``stale`` flag (older than ``POLL_STALE_FACTOR`` x the interval, never
fetched, failing, or the credential needs attention) and the readable errors. Render it with
``{% include "polling/_freshness.html" with freshness=freshness %}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from dashboard.polling.models import Kind, PollHealth, kinds_of
from dashboard.teams.cs import recorded_error_text
from dashboard.teams.models import Credential, Team


def _age_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


@dataclass(frozen=True)
class KindFreshness:
    kind: str
    label: str
    interval: float
    last_success: datetime | None
    last_attempt: datetime | None
    next_attempt: datetime | None
    age_seconds: float | None
    consecutive_failures: int
    stale: bool
    errors: tuple[str, ...] = ()

    @property
    def age_text(self) -> str:
        return _age_text(self.age_seconds)

    @property
    def failing(self) -> bool:
        return self.consecutive_failures > 0


@dataclass(frozen=True)
class Freshness:
    kinds: dict[str, KindFreshness]
    credentials: int
    needs_attention: tuple[str, ...] = ()
    errors: tuple[str, ...] = field(default=())

    @property
    def last_updated(self) -> datetime | None:
        """The oldest last success among the kinds: every shown figure is at least this fresh."""
        times = [k.last_success for k in self.kinds.values()]
        if not times or any(t is None for t in times):
            return None
        return min(times)

    @property
    def age_seconds(self) -> float | None:
        updated = self.last_updated
        return None if updated is None else (timezone.now() - updated).total_seconds()

    @property
    def age_text(self) -> str:
        return _age_text(self.age_seconds)

    @property
    def stale(self) -> bool:
        return bool(self.needs_attention) or any(k.stale for k in self.kinds.values())

    @property
    def failing(self) -> bool:
        return any(k.failing for k in self.kinds.values())

    def as_dict(self) -> dict:
        return {
            "stale": self.stale,
            "last_updated": self.last_updated.isoformat() if self.last_updated else None,
            "age_seconds": None if self.age_seconds is None else round(self.age_seconds, 1),
            "needs_attention": list(self.needs_attention),
            "errors": list(self.errors),
            "kinds": {
                k.kind: {
                    "last_success": k.last_success.isoformat() if k.last_success else None,
                    "age_seconds": None if k.age_seconds is None else round(k.age_seconds, 1),
                    "stale": k.stale,
                    "consecutive_failures": k.consecutive_failures,
                }
                for k in self.kinds.values()
            },
        }


def _kinds(kinds: Iterable[str] | str | None) -> list[str]:
    if kinds is None:
        return list(Kind.values)
    wanted = [kinds] if isinstance(kinds, str) else list(kinds)
    unknown = [k for k in wanted if k not in Kind.values]
    if unknown:
        raise ValueError(f"unknown poll kinds: {', '.join(unknown)}")
    return wanted


def _build(
    credentials: list[Credential],
    kinds: list[str],
    now: datetime | None = None,
    health: list[PollHealth] | None = None,
) -> Freshness:
    now = now or timezone.now()
    factor = float(settings.POLL_STALE_FACTOR)
    # Each kind over the credentials whose service polls it: a DLI credential makes no cluster or
    # overview stale, nor a CS credential a queue.
    credentials = [c for c in credentials if any(k in kinds_of(c.service) for k in kinds)]
    if health is None:
        health = list(PollHealth.objects.filter(credential__in=[c.pk for c in credentials], kind__in=kinds))
    rows: dict[tuple[int, str], PollHealth] = {(h.credential_id, h.kind): h for h in health}
    multiple = len(credentials) > 1
    result: dict[str, KindFreshness] = {}
    all_errors: list[str] = []
    everyone = credentials
    for kind in kinds:
        # Only the credentials whose service polls the kind (DLI has no audit logs, CS no queues): a
        # kind none of the team's credentials polls is left out rather than "never fetched".
        credentials = [c for c in everyone if kind in kinds_of(c.service)]
        if everyone and not credentials:
            continue
        interval = float(settings.POLL_INTERVALS.get(kind, 60))
        successes: list[datetime | None] = []
        attempts: list[datetime] = []
        nexts: list[datetime] = []
        failures = 0
        stale = False
        errors: list[str] = []
        for credential in credentials:
            health = rows.get((credential.pk, kind))
            last = health.last_success if health else None
            successes.append(last)
            if health and health.last_attempt:
                attempts.append(health.last_attempt)
            if health and health.next_attempt:
                nexts.append(health.next_attempt)
            if health and health.consecutive_failures:
                failures = max(failures, health.consecutive_failures)
                if health.last_error:
                    error = gettext("%(service)s error: %(error)s") % {
                        "service": "DLI" if credential.is_dli else "CS",
                        "error": recorded_error_text(health.last_error_record, health.last_error),
                    }
                    errors.append(f"{credential.name}: {error}" if multiple else error)
            if (
                last is None
                or (now - last).total_seconds() > factor * interval
                or (health is not None and health.consecutive_failures > 0)
                or credential.needs_attention
            ):
                stale = True
        last_success = None if (not successes or any(s is None for s in successes)) else min(successes)
        result[kind] = KindFreshness(
            kind=kind,
            label=Kind(kind).label,
            interval=interval,
            last_success=last_success,
            last_attempt=max(attempts) if attempts else None,
            next_attempt=min(nexts) if nexts else None,
            age_seconds=None if last_success is None else (now - last_success).total_seconds(),
            consecutive_failures=failures,
            stale=stale,
            errors=tuple(dict.fromkeys(errors)),
        )
        all_errors.extend(errors)
    credentials = everyone
    attention = tuple(
        f"{c.name}: {c.last_error_text}" if c.last_error else c.name for c in credentials if c.needs_attention
    )
    return Freshness(
        kinds=result,
        credentials=len(credentials),
        needs_attention=attention,
        errors=tuple(dict.fromkeys(all_errors)),
    )


def freshness(team: Team, kinds: Iterable[str] | str | None = None) -> Freshness:
    """How fresh ``team``'s snapshots of ``kinds`` (default: all) are, each over the team's credentials
    whose service polls it."""
    credentials = list(
        Credential.objects.filter(team=team).only(
            "pk", "name", "service", "needs_attention", "last_error", "last_error_record"
        )
    )
    return _build(credentials, _kinds(kinds))


#: Poll health is read again after this many seconds: a sync that changed nothing does not change the
#: team's version, yet the "updated N s ago" notice must follow it.
POLL_STATE_TTL = 5


def team_poll_state(team: Team) -> tuple[list[Credential], list[PollHealth]]:
    """The team's credentials (names, attention flags) and their poll health.

    Cached under the team's version (a credential saved or a sync that changed health bumps it) and a
    few seconds of time, so the freshness shown is never older than ``POLL_STATE_TTL``, and kept on
    ``team`` for the rest of the request. No secret column is loaded.
    """
    import time

    from dashboard.pagecache import cached

    def load() -> tuple[list[Credential], list[PollHealth]]:
        credentials = list(
            Credential.objects.filter(team=team)
            .only(
                "pk",
                "public_id",
                "name",
                "team_id",
                "service",
                "needs_attention",
                "last_error",
                "last_error_record",
            )
            .order_by("name")
        )
        return credentials, list(PollHealth.objects.filter(credential__in=[c.pk for c in credentials]))

    # A page asks several times (freshness, credentials, each job's polled minute): read once per
    # request, on the request's own team instance, whatever second the later asks come in (a request
    # that spans the end of a time bucket would read it all again).
    memo = team.__dict__.setdefault("_poll_state", {})
    if team.version not in memo:
        bucket = int(time.time() // POLL_STATE_TTL)
        key = f"poll-state:{team.pk}:{team.created_at.timestamp()}:{team.version}:{bucket}"
        memo[team.version] = cached(key, load, ttl=POLL_STATE_TTL * 2)
    return memo[team.version]


def team_freshness(team: Team, kinds: Iterable[str] | str | None = None) -> Freshness:
    """:func:`freshness` from :func:`team_poll_state`: how old the data is, and whether that is stale,
    is worked out at each call."""
    credentials, health = team_poll_state(team)
    return _build(credentials, _kinds(kinds), health=health)


def credential_freshness(credential: Credential, kinds: Iterable[str] | str | None = None) -> Freshness:
    """How fresh one credential's snapshots of ``kinds`` (default: all) are."""
    return _build([credential], _kinds(kinds))


def poller_status(now: datetime | None = None) -> dict:
    """For /healthz: whether the poller runs at all, and how many credential kinds are stale or failing."""
    now = now or timezone.now()
    factor = float(settings.POLL_STALE_FACTOR)
    active = Credential.objects.filter(needs_attention=False).exclude(secret_encrypted="")
    health = list(
        PollHealth.objects.filter(credential__in=active).values_list(
            "kind", "last_attempt", "last_success", "consecutive_failures"
        )
    )
    stale = failing = 0
    latest_attempt = None
    for kind, attempt, success, failures in health:
        interval = float(settings.POLL_INTERVALS.get(kind, 60))
        if failures:
            failing += 1
        if success is None or (now - success).total_seconds() > factor * interval:
            stale += 1
        if attempt and (latest_attempt is None or attempt > latest_attempt):
            latest_attempt = attempt
    credentials = active.count()
    # The poller is alive when some sync was attempted recently (nothing to poll counts as alive).
    window = factor * min(float(v) for v in settings.POLL_INTERVALS.values()) + 60
    alive = credentials == 0 or (
        latest_attempt is not None and (now - latest_attempt).total_seconds() <= window
    )
    return {
        "alive": alive,
        "credentials": credentials,
        "needs_attention": Credential.objects.filter(needs_attention=True).count(),
        "stale": stale,
        "failing": failing,
        "last_attempt": latest_attempt.isoformat() if latest_attempt else None,
    }


def poll_health_rows(team: Team):
    """The poll health of every credential and kind of ``team``, by credential name and kind."""
    return (
        PollHealth.objects.filter(credential__team=team)
        .select_related("credential")
        .order_by("credential__name", "kind")
    )
