"""DLI queues (D20): where a DLI credential's Flink jobs run, with their CUs, type and engine.

One list call per sync (DLI answers the project's queues in one list, unpaged). The rows are upserted
on (credential, queue name) with fingerprints, so a steady project writes nothing; a queue missing from
a complete listing is marked deleted (and restored when it comes back), never removed, so that its
price stays with the runs billed on it. ``cu_price`` belongs to the lead: the sync never writes it.

CUs in use: DLI's answer carries ``used_cu``. Where it does not (older regions answer without it), the
sum of the CUs of the queue's jobs that hold CUs, as the job snapshot has them, stands in, and enters
the fingerprint so that a change of it is written like a change in DLI's answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from csapi import vocab
from dashboard.clusters.models import Queue
from dashboard.jobs.models import Job
from dashboard.polling.clients import client as _client
from dashboard.polling.coerce import fingerprint, integer, number, text, timestamp
from dashboard.polling.kinds import Synced
from dashboard.polling.snapshots import keyed, upsert
from dashboard.teams.models import Credential


def queue_values(q: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "description": text(q.get("description")),
        "owner": text(q.get("owner"), 128),
        "queue_type": text(q.get("queue_type") or q.get("queueType"), 32),
        "resource_mode": integer(q.get("resource_mode")),
        "cu_count": integer(q.get("cu_count") if q.get("cu_count") is not None else q.get("cuCount")),
        "used_cu": number(q.get("used_cu")),
        "engine": text(q.get("engine"), 64),
        "elastic_resource_pool": text(q.get("elastic_resource_pool_name"), 128),
        "charging_mode": integer(
            q.get("charging_mode") if q.get("charging_mode") is not None else q.get("chargingMode")
        ),
        "create_time": timestamp(q.get("create_time")),
    }


def jobs_cu_in_use(credential: Credential) -> dict[str, float]:
    """Per queue name: the CUs the credential's live jobs hold, from the job snapshot (one query)."""
    rows = (
        Job.objects.filter(
            credential=credential, deleted_at__isnull=True, status__in=vocab.DLI_CU_HOLDING_STATUSES
        )
        .exclude(queue_name="")
        .order_by()
        .values_list("queue_name")
        .annotate(cu=Sum("spu_number"))
    )
    return {name: float(cu or 0) for name, cu in rows}


def sync_queues(credential: Credential, *, client=None, synced: Synced | None = None) -> Synced:
    """Snapshot the project's Flink queues (D20) of a DLI credential: one list call, one upsert."""
    client = client or _client(credential)
    synced = synced or Synced()
    now = timezone.now()
    items = list(keyed(client.queues.list(), lambda q: text(q.get("queue_name"), 128), queue_values))
    if any(values["used_cu"] is None for _name, values in items):
        from_jobs = jobs_cu_in_use(credential)
        for name, values in items:
            if values["used_cu"] is None:
                values["used_cu"] = from_jobs.get(name, 0.0)
                values["fingerprint"] = fingerprint(values["raw"], extra=values["used_cu"])
    synced.items = len(items)
    synced.written += upsert(
        Queue,
        scope={"credential_id": credential.pk},
        extra={"team_id": credential.team_id},
        key_field="queue_name",
        items=items,
        now=now,
        soft_delete=True,
    ).written
    return synced
