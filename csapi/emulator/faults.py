"""Fault injection for the emulator: latency, 5xx answers, 429 with Retry-After, broken bodies.

A :class:`Faults` object holds a list of :class:`FaultRule` objects and a seeded random generator,
so a given seed and request sequence always injects the same faults. Rules apply to CS, IAM and VPC
paths only (never to the ``/_emulator`` control paths). Each rule may be limited to a path regex
(``re.search`` on the request path), to some HTTP methods, and to a number of injections (``times``).

For every request the rules that match are consulted in order: their latencies add up; the first
rule whose dice say so decides the answer (an error status, a 429, or a truncated / non-JSON body).

The token lifetime (seconds) also lives here because it is switched the same way.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["FaultDecision", "FaultRule", "Faults", "DEFAULT_TOKEN_LIFETIME"]

#: Reference 3.2: "The validity period of a token is 24 hours."
DEFAULT_TOKEN_LIFETIME = 24 * 3600.0

_ERROR_STATUSES = (500, 502, 503)


@dataclass
class FaultRule:
    """One fault rule. Rates are shares of matching requests, between 0 and 1."""

    path: str | None = None
    methods: list[str] | None = None
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    error_rate: float = 0.0
    error_statuses: list[int] = field(default_factory=lambda: list(_ERROR_STATUSES))
    throttle_rate: float = 0.0
    retry_after: int = 1
    truncate_rate: float = 0.0
    non_json_rate: float = 0.0
    times: int | None = None
    injected: int = 0

    def __post_init__(self) -> None:
        self._regex = re.compile(self.path) if self.path else None
        for name in ("error_rate", "throttle_rate", "truncate_rate", "non_json_rate"):
            value = float(getattr(self, name))
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
            setattr(self, name, value)
        if self.latency_ms < 0 or self.latency_jitter_ms < 0:
            raise ValueError("latency must be >= 0")
        if self.methods:
            self.methods = [m.upper() for m in self.methods]
        self.error_statuses = [int(s) for s in self.error_statuses] or list(_ERROR_STATUSES)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultRule:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "injected"}
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown fault rule fields: {', '.join(sorted(unknown))}")
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.injected >= self.times:
            return False
        if self.methods and method.upper() not in self.methods:
            return False
        return self._regex is None or self._regex.search(path) is not None


@dataclass
class FaultDecision:
    """What to do to one request."""

    latency: float = 0.0  # seconds
    status: int | None = None  # an error status to answer with instead of the real answer
    retry_after: int | None = None
    body: str | None = None  # "truncate" or "non_json"

    @property
    def any(self) -> bool:
        return bool(self.latency or self.status or self.body)


class Faults:
    """The fault configuration of one emulator, switchable at run time."""

    def __init__(
        self,
        rules: list[FaultRule] | None = None,
        *,
        seed: int = 0,
        token_lifetime: float = DEFAULT_TOKEN_LIFETIME,
    ) -> None:
        self._lock = threading.Lock()
        self.seed = seed
        self._rng = random.Random(seed)
        self.rules: list[FaultRule] = list(rules or [])
        self.token_lifetime = float(token_lifetime)

    # ------------------------------------------------------------------ configuration
    def configure(self, data: dict[str, Any]) -> None:
        """Replace the configuration from its JSON form (see :meth:`to_dict`).

        Keys: ``rules`` (list of rule objects), ``seed``, ``token_lifetime`` (seconds). A single rule
        may also be given at top level (``{"path": "...", "error_rate": 1}``); ``{"add": {...}}``
        appends a rule instead of replacing them.
        """
        with self._lock:
            if "add" in data:
                self.rules.append(FaultRule.from_dict(data["add"]))
                return
            rule_keys = set(data) & (set(FaultRule.__dataclass_fields__) - {"injected"})
            if "rules" in data:
                rules = [FaultRule.from_dict(r) for r in data["rules"] or []]
            elif rule_keys:
                rules = [FaultRule.from_dict({k: data[k] for k in rule_keys})]
            else:
                rules = []
            self.rules = rules
            if "seed" in data and data["seed"] is not None:
                self.seed = int(data["seed"])
            self._rng = random.Random(self.seed)
            if "token_lifetime" in data:
                tl = data["token_lifetime"]
                self.token_lifetime = DEFAULT_TOKEN_LIFETIME if tl is None else float(tl)

    def clear(self) -> None:
        """Switch every fault off (and the token lifetime back to 24 h)."""
        with self._lock:
            self.rules = []
            self._rng = random.Random(self.seed)
            self.token_lifetime = DEFAULT_TOKEN_LIFETIME

    def to_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "seed": self.seed,
                "token_lifetime": self.token_lifetime,
                "rules": [r.to_dict() for r in self.rules],
            }

    # ------------------------------------------------------------------ deciding
    def decide(self, method: str, path: str) -> FaultDecision:
        decision = FaultDecision()
        if not self.rules:
            return decision
        with self._lock:
            for rule in self.rules:
                if not rule.matches(method, path):
                    continue
                hit = False
                if rule.latency_ms or rule.latency_jitter_ms:
                    jitter = self._rng.uniform(0, rule.latency_jitter_ms) if rule.latency_jitter_ms else 0.0
                    decision.latency += (rule.latency_ms + jitter) / 1000.0
                    hit = True
                if decision.status is None and decision.body is None:
                    if rule.error_rate and self._rng.random() < rule.error_rate:
                        decision.status = self._rng.choice(rule.error_statuses)
                        hit = True
                    elif rule.throttle_rate and self._rng.random() < rule.throttle_rate:
                        decision.status = 429
                        decision.retry_after = int(rule.retry_after)
                        hit = True
                    elif rule.truncate_rate and self._rng.random() < rule.truncate_rate:
                        decision.body = "truncate"
                        hit = True
                    elif rule.non_json_rate and self._rng.random() < rule.non_json_rate:
                        decision.body = "non_json"
                        hit = True
                if hit:
                    rule.injected += 1
        return decision
