"""Usage: the users' SPU quotas (5.3.14) and the account overview (5.1.3: job and cluster counts,
prices, costs); on a DLI credential, the project's quotas (D23) instead of the users'.

Both also keep a time series for the charts (``UserQuotaSample``, ``OverviewSnapshot``). A point is
appended when the figures differ from the newest one: a series holds each value until the next point,
so an unchanged account writes nothing however often it is polled. The newest point is what the usage
pages show as current; how fresh it is, is the kind's poll health.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

import csapi
from dashboard.polling.clients import client as _client
from dashboard.polling.coerce import integer, mapping, number, plain, text, timestamp
from dashboard.polling.kinds import Synced
from dashboard.polling.snapshots import keyed, upsert
from dashboard.teams.models import Credential
from dashboard.usage.models import OverviewSnapshot, ProjectQuota, UserQuota, UserQuotaSample


def quota_values(u: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "user_name": text(u.get("user_name"), 128),
        "spu_quota": integer(u.get("spu_quota")),
        "spu_used": integer(u.get("spu_used")),
        "clusters": plain(u.get("clusters") or []),
    }


def sync_quotas(
    credential: Credential, *, client: csapi.CSClient | None = None, synced: Synced | None = None
) -> Synced:
    """Snapshot the users' SPU quotas, and append a totals sample (the SPU chart) when they changed.

    On a DLI credential: the project's quotas (:func:`sync_project_quotas`)."""
    client = client or _client(credential)
    synced = synced or Synced()
    if credential.is_dli:
        return sync_project_quotas(credential, client=client, synced=synced)
    now = timezone.now()
    items = list(
        keyed(
            client.quotas.iter(page_size=settings.POLL_PAGE_SIZE),
            lambda u: text(u.get("user_id"), 64),
            quota_values,
        )
    )
    totals = {
        "spu_used": sum(v["spu_used"] or 0 for _k, v in items),
        "spu_quota": sum(v["spu_quota"] or 0 for _k, v in items),
        "users": len(items),
    }
    synced.items = len(items)
    with transaction.atomic():
        written = upsert(
            UserQuota,
            scope={"credential_id": credential.pk},
            extra={"team_id": credential.team_id},
            key_field="user_id",
            items=items,
            now=now,
            soft_delete=True,
        ).written
        written += _append_sample(credential, totals, now)
    synced.written += written  # once the transaction committed
    return synced


def _append_sample(credential: Credential, totals: dict[str, int], now) -> int:
    """Append a units-in-use sample when ``totals`` differ from the newest one; the rows written."""
    newest = (
        UserQuotaSample.objects.filter(credential=credential).order_by("-sampled_at").values(*totals).first()
    )
    if newest == totals:
        return 0
    UserQuotaSample.objects.create(
        credential=credential, team_id=credential.team_id, sampled_at=now, **totals
    )
    return 1


def project_quota_values(r: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "quota": integer(r.get("quota")),
        "used": number(r.get("used")),
        "min": integer(r.get("min")),
        "max": integer(r.get("max")),
    }


def sync_project_quotas(credential: Credential, *, client, synced: Synced) -> Synced:
    """Snapshot a DLI project's quotas (D23: one call), and append a CU sample (the team's CUs in use
    over time, in ``UserQuotaSample``'s ``spu_*`` columns) when the CUs used or the CU quota changed.

    A quota type missing from the answer is marked deleted: the answer is the complete set.
    """
    now = timezone.now()
    answer = client.quotas.get()
    items = list(
        keyed(answer.get("resources") or [], lambda r: text(r.get("type"), 64), project_quota_values)
    )
    cu = next((values for key, values in items if key == csapi.vocab.DLI_QUOTA_CU), None)
    totals = {
        "spu_used": round(cu["used"] or 0) if cu else 0,
        "spu_quota": (cu["quota"] or 0) if cu else 0,
        "users": 0,
    }
    synced.items = len(items)
    with transaction.atomic():
        written = upsert(
            ProjectQuota,
            scope={"credential_id": credential.pk},
            extra={"team_id": credential.team_id},
            key_field="type",
            items=items,
            now=now,
            soft_delete=True,
        ).written
        if cu is not None:
            written += _append_sample(credential, totals, now)
    synced.written += written  # once the transaction committed
    return synced


_JOB_OVERVIEW_FIELDS = {
    "total_jobs": integer,
    "running_jobs_count": integer,
    "finished_job_count": integer,
    "exception_job_count": integer,
    "running_job_charge": number,
    "running_job_price": number,
    "running_job_total_spu": integer,
    "running_job_total_time": number,
}
_CLUSTER_OVERVIEW_FIELDS = {
    "total_clusters": integer,
    "running_cluster_count": integer,
    "exception_cluster_count": integer,
    "other_cluster_count": integer,
    "running_cluster_charge": number,
    "running_cluster_price": number,
    "running_cluster_total_spu": integer,
    "running_cluster_total_time": number,
}


def overview_values(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The figures of an overview answer, as the snapshot's columns (its time and ``raw`` aside)."""
    jobs = mapping(payload.get("job_overview"))
    clusters = mapping(payload.get("cluster_overview"))
    values: dict[str, Any] = {name: conv(jobs.get(name)) for name, conv in _JOB_OVERVIEW_FIELDS.items()}
    values.update({name: conv(clusters.get(name)) for name, conv in _CLUSTER_OVERVIEW_FIELDS.items()})
    values["total_cost"] = number(payload.get("total_cost"))
    values["billing_unit"] = text(jobs.get("billing_unit") or clusters.get("billing_unit"), 16)
    values["time_unit"] = text(jobs.get("time_unit") or clusters.get("time_unit"), 16)
    return values


def sync_overview(
    credential: Credential, *, client: csapi.CSClient | None = None, synced: Synced | None = None
) -> Synced:
    """Append an overview snapshot when its figures differ from the newest one."""
    client = client or _client(credential)
    synced = synced or Synced()
    payload = client.account.overview()
    synced.items = 1
    values = overview_values(payload)
    newest = (
        OverviewSnapshot.objects.filter(credential=credential).order_by("-taken_at").values(*values).first()
    )
    if newest == values:
        return synced
    OverviewSnapshot.objects.create(
        credential=credential,
        team_id=credential.team_id,
        taken_at=timezone.now(),
        cs_time=timestamp(getattr(payload, "meta", {}).get("current_time") or payload.get("current_time")),
        raw=plain(payload),
        **values,
    )
    synced.written += 1
    return synced
