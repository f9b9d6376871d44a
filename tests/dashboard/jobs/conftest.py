"""Fixtures for the jobs pages: snapshots synced from the emulator, URL helpers, CS call counting."""

from __future__ import annotations

import pytest
import requests
from django.urls import reverse


def sync_kinds(credential, kinds=("clusters", "jobs", "metrics", "audit", "templates")):
    from dashboard.polling.services import sync

    for kind in kinds:
        result = sync(credential.id, kind)
        assert result.ok, result


@pytest.fixture
def synced(cs_credential):
    """Team alpha's snapshots (clusters, jobs, metrics, audit, templates) synced from the emulator."""
    sync_kinds(cs_credential)
    return cs_credential


@pytest.fixture
def other_synced(other_cs_credential):
    sync_kinds(other_cs_credential, ("clusters", "jobs", "templates"))
    return other_cs_credential


def job_url(name, job, **extra):
    return reverse(
        name,
        kwargs={"team": job.team.slug, "credential": job.credential.public_id, "job_id": job.job_id, **extra},
    )


def team_url(name, team="alpha", **extra):
    return reverse(name, kwargs={"team": team, **extra})


class CSCalls:
    """Counts the requests the emulator served (its /_emulator/stats)."""

    def __init__(self, emulator):
        self.emulator = emulator

    def total(self) -> int:
        return requests.get(f"{self.emulator.url}/_emulator/stats", timeout=5).json()["total"]

    def state(self) -> dict:
        return requests.get(f"{self.emulator.url}/_emulator/state", timeout=5).json()

    def jobs(self, tenant_index=0) -> int:
        project = self.emulator.tenants[tenant_index].project_id
        return self.state()["projects"][project]["jobs"]


@pytest.fixture
def cs_calls(emulator):
    return CSCalls(emulator)


@pytest.fixture
def sql_job(synced):
    from dashboard.jobs.models import Job

    return Job.objects.filter(
        credential=synced,
        job_type="flink_sql_job",
        deleted_at__isnull=True,
        status__in=["job_cancel_success", "job_init"],
    ).first()


@pytest.fixture
def running_job(synced):
    from dashboard.jobs.models import Job

    return Job.objects.filter(credential=synced, status="job_running").first()


@pytest.fixture
def stopped_job(synced):
    from dashboard.jobs.models import Job

    return Job.objects.filter(credential=synced, status__in=["job_cancel_success", "job_init"]).first()
