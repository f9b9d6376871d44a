"""What the rules read from the snapshots, each fact through one small function.

DLI's jobs and credentials reach the snapshots in a later change; the facts only DLI has (a job's
restart count, CU quotas) are read here, so that change fills these functions and no rule changes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from csapi.dli.tags import tag_list
from dashboard.teams.models import Credential
from dashboard.usage.models import OverviewSnapshot, UserQuota


def job_restart_count(job: Any) -> int | None:
    """How often the cloud restarted a job after exceptions (DLI's ``restart_times``), if it says."""
    value = getattr(job, "restart_times", None)
    if value is None:
        raw = job.get("raw") if isinstance(job, Mapping) else getattr(job, "raw", None)
        value = (raw or {}).get("restart_times") if isinstance(raw, Mapping) else None
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def job_tags(raw: Any) -> dict[str, str]:
    """A job's tags as a mapping, from any form the clouds use: DLI's ``[{"key", "value"}]``, a
    mapping, or CS's text (``"k=v,k2=v2"`` or that list as JSON)."""
    tags = (raw or {}).get("tags") if isinstance(raw, Mapping) else None
    if isinstance(tags, str):
        text = tags.strip()
        if text.startswith(("[", "{")):
            try:
                tags = json.loads(text)
            except ValueError:
                tags = text
        if isinstance(tags, str):
            out = {}
            for pair in tags.split(","):
                key, _sep, value = pair.partition("=")
                if key.strip():
                    out[key.strip()] = value.strip()
            return out
    return {t["key"]: t["value"] for t in tag_list(tags) or [] if t["key"]}


@dataclass(frozen=True)
class QuotaUse:
    """SPU (CS) or CU (DLI) in use against one quota."""

    subject: str
    name: str
    used: float
    total: float
    unit: str

    @property
    def percent(self) -> float:
        return 100.0 * self.used / self.total if self.total else 0.0


def quota_usage(credential: Credential) -> list[QuotaUse]:
    """The quotas of a credential and what is in use: CS's users' SPU quotas (one query).

    DLI fills this with its CU quotas per queue or project when its credentials arrive.
    """
    rows = UserQuota.objects.filter(
        credential=credential, deleted_at__isnull=True, spu_quota__gt=0
    ).values_list("user_id", "user_name", "spu_used", "spu_quota")
    return [
        QuotaUse(
            f"quota:{credential.pk}:{user_id}", user_name or user_id, float(used or 0), float(total), "SPU"
        )
        for user_id, user_name, used, total in rows
    ]


@dataclass(frozen=True)
class CostEstimate:
    so_far: float
    estimate: float
    unit: str
    price_per_hour: float


def day_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def daily_cost(credential: Credential, now: datetime) -> CostEstimate | None:
    """The estimated cost of today: spent since midnight (CS's cumulative ``total_cost`` now, less at
    the last snapshot before midnight, or the day's first) plus the current hourly price until
    midnight. Two queries; None without a snapshot of today."""
    start = day_start(now)
    latest = (
        OverviewSnapshot.objects.filter(credential=credential, taken_at__gte=start)
        .order_by("-taken_at")
        .first()
    )
    if latest is None or latest.total_cost is None:
        return None
    base = (
        OverviewSnapshot.objects.filter(credential=credential, taken_at__lt=start, total_cost__isnull=False)
        .order_by("-taken_at")
        .values_list("total_cost", flat=True)
        .first()
    )
    if base is None:
        base = (
            OverviewSnapshot.objects.filter(
                credential=credential, taken_at__gte=start, total_cost__isnull=False
            )
            .order_by("taken_at")
            .values_list("total_cost", flat=True)
            .first()
        )
    so_far = max(0.0, float(latest.total_cost) - float(base or 0.0))
    hours_left = max(0.0, (start + timedelta(days=1) - now).total_seconds() / 3600.0)
    price = latest.price_per_hour
    return CostEstimate(so_far, so_far + price * hours_left, latest.billing_unit or "CNY", price)


__all__ = ["QuotaUse", "CostEstimate", "daily_cost", "job_restart_count", "job_tags", "quota_usage"]
