"""Polling of a DLI credential's queues (D20) and project quotas (D23) against the emulator's DLI."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from csapi import vocab
from csapi.dli.models import Queue as DLIQueue
from dashboard.clusters.models import Queue
from dashboard.jobs.models import Job
from dashboard.polling import retention, services
from dashboard.polling.kinds import Synced
from dashboard.polling.kinds.queues import sync_queues
from dashboard.polling.models import Kind, PollHealth, kinds_of
from dashboard.teams.cs import client_for
from dashboard.teams.models import Service
from dashboard.usage.models import ProjectQuota, UserQuotaSample

pytestmark = pytest.mark.django_db


@pytest.fixture
def dli(dli_credential, emu, cache_ready, poll_settings):
    """The DLI credential, the emulator (demo seed) with its clock frozen."""
    return dli_credential


@pytest.fixture
def dli_client(dli):
    with client_for(dli) as client:
        yield client


def _project(emu):
    return emu.emulator.projects[emu.account.project_id].dli


def _run_a_draft(client, queue_name: str) -> int:
    """Run a job of ``queue_name`` that has never run; its CUs are held from now on."""
    draft = next(
        j
        for j in client.jobs.iter()
        if j.get("queue_name") == queue_name and j.get("status") in ("job_init", "job_cancel_success")
    )
    results = client.jobs.run([draft["job_id"]])
    assert all(r.ok for r in results), results
    return int(draft["job_id"])


def test_dli_polls_queues_and_quotas_after_its_other_kinds():
    kinds = kinds_of(Service.DLI)
    assert kinds[-2:] == (Kind.QUEUES, Kind.QUOTAS)
    assert Kind.QUEUES in services.SYNCS and Kind.QUEUES not in kinds_of(Service.CS)


def test_sync_queues_snapshots_the_flink_queues(dli, dli_client):
    result = services.sync(dli.pk, Kind.QUEUES)
    assert result.ok and result.written > 0, result.error
    listed = {q["queue_name"]: q for q in dli_client.queues.list()}
    rows = {q.queue_name: q for q in Queue.objects.filter(credential=dli)}
    assert set(rows) == set(listed) and rows
    for name, queue in rows.items():
        assert queue.team_id == dli.team_id
        assert queue.cu_count == listed[name]["cu_count"]
        assert queue.used_cu == pytest.approx(listed[name]["used_cu"])
        assert queue.queue_type == vocab.DLI_FLINK_QUEUE_TYPE
        assert queue.engine == "flink" and queue.create_time is not None
        assert queue.deleted_at is None and queue.cu_price is None
    assert any(q.used_cu for q in rows.values())  # the demo's running jobs hold CUs
    health = PollHealth.objects.get(credential=dli, kind=Kind.QUEUES)
    assert health.last_success and health.last_items == len(rows)


def test_a_steady_queue_sync_writes_nothing_in_constant_statements(dli):
    assert services.sync(dli.pk, Kind.QUEUES).written
    with CaptureQueriesContext(connection) as first:
        assert sync_queues(dli).written == 0
    with CaptureQueriesContext(connection) as again:
        assert sync_queues(dli).written == 0
    writes = [q for q in again.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert not writes
    reads = [q for q in again.captured_queries if "clusters_queue" in q["sql"]]
    assert len(reads) == 1 and len(again) == len(first)  # one SELECT of the queues' fingerprints
    result = services.sync(dli.pk, Kind.QUEUES)
    assert result.ok and result.written == 0 and not result.changed


def test_the_leads_price_survives_a_change_of_the_queue(dli, dli_client, emu):
    sync_queues(dli)
    prod = Queue.objects.filter(credential=dli, cu_count=64).get()
    before = prod.used_cu
    Queue.objects.filter(pk=prod.pk).update(cu_price=Decimal("0.3500"))
    job_id = _run_a_draft(dli_client, prod.queue_name)
    synced = sync_queues(dli)
    assert synced.written == 1  # the queue whose used CUs changed, nothing else
    prod.refresh_from_db()
    assert prod.used_cu > before
    assert prod.cu_price == Decimal("0.3500")
    cu = dli_client.jobs.get(job_id).units
    assert prod.used_cu == before + cu


def test_a_deleted_queue_is_marked_and_keeps_its_price_until_it_comes_back(dli, emu):
    sync_queues(dli)
    dev = Queue.objects.get(credential=dli, cu_count=16)
    Queue.objects.filter(pk=dev.pk).update(cu_price=Decimal("1.25"))
    project = _project(emu)
    with emu.emulator.projects[emu.account.project_id].lock:
        gone = project.queues.pop(dev.queue_name)
    assert sync_queues(dli).written == 1
    dev.refresh_from_db()
    assert dev.deleted_at is not None and dev.cu_price == Decimal("1.25")
    assert sync_queues(dli).written == 0  # marked once
    with emu.emulator.projects[emu.account.project_id].lock:
        project.queues[gone.queue_name] = gone
    assert sync_queues(dli).written == 1
    dev.refresh_from_db()
    assert dev.deleted_at is None and dev.cu_price == Decimal("1.25")


def test_a_failed_listing_deletes_nothing_and_backs_off(dli, emu):
    assert services.sync(dli.pk, Kind.QUEUES).ok
    emu.faults.configure({"path": "/queues$", "error_rate": 1.0})
    result = services.sync(dli.pk, Kind.QUEUES)
    assert not result.ok and result.error
    assert not Queue.objects.filter(credential=dli, deleted_at__isnull=False).exists()
    health = PollHealth.objects.get(credential=dli, kind=Kind.QUEUES)
    assert health.consecutive_failures == 1 and health.last_error
    assert health.next_attempt > timezone.now()
    emu.faults.clear()
    assert services.sync(dli.pk, Kind.QUEUES).ok
    health.refresh_from_db()
    assert health.consecutive_failures == 0 and not health.last_error


class _QueuesWithoutUsedCU:
    """A DLI client whose queue list lacks ``used_cu`` (an answer DLI may give): the list only."""

    def __init__(self, client):
        self._client = client
        self.queues = self

    def list(self):
        out = []
        for q in self._client.queues.list():
            data = dict(q)
            data.pop("used_cu", None)
            out.append(DLIQueue(data))
        return out


def test_without_used_cu_in_the_answer_the_jobs_running_on_the_queue_count(dli, dli_client):
    stub = _QueuesWithoutUsedCU(dli_client)
    queues = stub.list()
    name = queues[0]["queue_name"]
    job = Job.objects.create(
        team=dli.team,
        credential=dli,
        service=Service.DLI,
        job_id=990001,
        name="holds_cus",
        status=vocab.JOB_RUNNING,
        queue_name=name,
        spu_number=6,
        fingerprint="x",
    )
    Job.objects.create(
        team=dli.team,
        credential=dli,
        service=Service.DLI,
        job_id=990002,
        name="stopped",
        status=vocab.JOB_CANCEL_SUCCESS,
        queue_name=name,
        spu_number=10,
        fingerprint="y",
    )
    sync_queues(dli, client=stub, synced=Synced())
    row = Queue.objects.get(credential=dli, queue_name=name)
    assert row.used_cu == 6.0
    assert sync_queues(dli, client=stub).written == 0  # steady
    Job.objects.filter(pk=job.pk).update(status=vocab.JOB_CANCEL_SUCCESS)
    assert sync_queues(dli, client=stub).written == 1  # the jobs' CUs are part of the fingerprint
    row.refresh_from_db()
    assert row.used_cu == 0.0


def test_sync_quotas_on_dli_keeps_the_project_quotas_and_a_cu_sample(dli, dli_client):
    result = services.sync(dli.pk, Kind.QUOTAS)
    assert result.ok and result.written, result.error
    answer = dli_client.quotas.get().by_type
    rows = {q.type: q for q in ProjectQuota.objects.filter(credential=dli)}
    assert set(rows) == set(answer) >= {"CU", "QUEUE"}
    assert rows["CU"].quota == answer["CU"]["quota"] and rows["CU"].used == answer["CU"]["used"]
    assert rows["QUEUE"].used == answer["QUEUE"]["used"] and rows["QUEUE"].max == answer["QUEUE"]["max"]
    sample = UserQuotaSample.objects.get(credential=dli)
    assert sample.spu_used == round(answer["CU"]["used"]) and sample.spu_quota == answer["CU"]["quota"]
    with CaptureQueriesContext(connection) as steady:
        again = services.sync(dli.pk, Kind.QUOTAS)
    assert again.ok and again.written == 0 and not again.changed
    assert not [q for q in steady.captured_queries if "usage_" in q["sql"] and "INSERT" in q["sql"].upper()]
    assert UserQuotaSample.objects.filter(credential=dli).count() == 1


def test_cus_taken_by_a_run_append_a_sample(dli, dli_client):
    services.sync_quotas(dli)
    before = UserQuotaSample.objects.get(credential=dli).spu_used
    prod = next(q["queue_name"] for q in dli_client.queues.list() if q["cu_count"] == 64)
    _run_a_draft(dli_client, prod)
    assert services.sync_quotas(dli).written == 2  # the CU quota row and a sample
    newest = UserQuotaSample.objects.filter(credential=dli).order_by("-sampled_at").first()
    assert newest.spu_used > before
    assert UserQuotaSample.objects.filter(credential=dli).count() == 2


def test_sync_all_of_a_dli_credential_records_its_kinds(dli):
    results = services.sync_all(dli.pk)
    assert {Kind.QUEUES, Kind.QUOTAS} <= set(results)
    assert all(r.ok for r in results.values()), {k: r.error for k, r in results.items()}
    assert set(PollHealth.objects.filter(credential=dli).values_list("kind", flat=True)) == set(results)
    assert services.sync(dli.pk, Kind.OVERVIEW).skipped  # DLI has no billing overview


def test_retention_drops_old_tombstones_of_queues_and_quotas(dli, emu):
    sync_queues(dli)
    services.sync_quotas(dli)
    old = timezone.now() - timedelta(days=400)
    Queue.objects.filter(credential=dli, cu_count=16).update(deleted_at=old)
    ProjectQuota.objects.filter(credential=dli, type="QUEUE").update(deleted_at=old)
    UserQuotaSample.objects.filter(credential=dli).update(sampled_at=old)
    assert retention.prune_kind(dli, Kind.QUEUES).deleted == 1
    assert retention.prune_kind(dli, Kind.QUOTAS).deleted == 1  # the newest sample stays
    assert Queue.objects.filter(credential=dli).count() == 1
    assert UserQuotaSample.objects.filter(credential=dli).count() == 1
