"""Property-based conformance: every operation of the generated OpenAPI schema, called as a viewer,
an operator and a lead (and anonymously), never answers 5xx and always answers what the schema says
(status codes, content types, headers and bodies)."""

from __future__ import annotations

import hashlib

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from dashboard.wsgi import application

# Deterministic and small enough for the normal suite: the schema's own examples, then a few
# generated cases per operation (valid and invalid), no coverage or stateful phases.
CONFIG = SchemathesisConfig.from_dict(
    {
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"mode": "all", "max-examples": 3, "deterministic": True},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=CONFIG)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
ROLES = ("viewer", "operator", "lead")


#: The snapshots an operation reads, by the first part of its path after the team.
KINDS_BY_PATH = {
    "jobs": ["clusters", "jobs"],
    "templates": ["templates"],
    "clusters": ["clusters", "jobs"],
    "quotas": ["quotas"],
    "queues": [],
    "overview": ["overview"],
    "cost-history": ["overview"],
}


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go straight to the WSGI application here, not through Django's test client, so the
    request signals would close the database connection that holds the test's transaction (as the
    test client prevents)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(roles, cs_credential, dli_credential, emulator, fast_cs):
    """A personal token for each role; alpha's snapshots are synced from the emulator on first use;
    a DLI credential with a running DLI job, its queues and its project quotas."""
    from dashboard.api.services import token_create
    from tests.dashboard.api import dli

    tokens = {role: token_create(user=getattr(roles, role), name="conformance")[1] for role in ROLES}
    _alert_objects(roles.team)
    dli.queue_rows(dli_credential)
    dli.quota_rows(dli_credential)
    dli_job = dli.running_job(roles.operator, dli_credential, emulator, name="conformance_dli")
    return {
        "credential": cs_credential,
        "dli": dli_credential,
        "dli_job": dli_job,
        "tokens": tokens,
        "synced": False,
    }


def _alert_objects(team) -> None:
    """A channel, a rule, an incident, a silence and a maintenance window, for the alerts operations."""
    from django.utils import timezone

    from dashboard.alerts.models import Channel, Incident, MaintenanceWindow, Rule, Silence

    channel = Channel(team=team, name="pager", kind="webhook")
    channel.set_secrets(url="https://hooks.example.com/pager", signing_key="conformance-key-123456")
    channel.save()
    rule = Rule.objects.create(team=team, name="failures", kind="job_failed")
    rule.channels.add(channel)
    Incident.objects.create(team=team, rule=rule, subject="credential:0", subject_name="x", summary="s")
    until = timezone.now() + timezone.timedelta(hours=1)
    Silence.objects.create(team=team, rule=rule, until=until)
    MaintenanceWindow.objects.create(team=team, name="upgrade", starts_at=timezone.now(), ends_at=until)


def _sync_for(world, path: str) -> None:
    """Fill the snapshots the operation at ``path`` reads (once per operation: syncs cost CS calls)."""
    from dashboard.polling.services import sync_all

    if world["synced"]:
        return
    world["synced"] = True
    head = path.removeprefix("/api/v1/teams/{team_slug}/").split("/", 1)[0]
    kinds = KINDS_BY_PATH.get(head)
    if kinds:
        sync_all(world["credential"].pk, kinds)


#: Operations only DLI objects answer: their real ids are the DLI credential's.
DLI_PATHS = ("/queues/", "/savepoint/")


def _real_ids(world, path: str = "") -> dict[str, str]:
    from dashboard.clusters.models import Cluster, Peering, Queue
    from dashboard.jobs.models import Job, Template
    from dashboard.usage.models import UserQuota

    if any(part in path for part in DLI_PATHS) or ("/jobs/{credential}/" in path and _half(path)):
        dli = world["dli"]
        queue = Queue.objects.filter(credential=dli).values_list("queue_name", flat=True).first()
        job = (
            Job.objects.filter(credential=dli, deleted_at__isnull=True)
            .values_list("job_id", flat=True)
            .first()
        )
        ids = {"team_slug": "alpha", "credential": str(dli.public_id), "queue_name": queue or ""}
        if job is not None:
            ids["job_id"] = str(job)
        return ids
    cred = world["credential"]
    ids: dict[str, str] = {"team_slug": "alpha", "credential": str(cred.public_id)}
    for name, model, field in (
        ("job_id", Job, "job_id"),
        ("template_id", Template, "template_id"),
        ("cluster_id", Cluster, "cluster_id"),
        ("user_id", UserQuota, "user_id"),
    ):
        value = model.objects.filter(credential=cred).values_list(field, flat=True).first()
        if value is not None:
            ids[name] = str(value)
    from dashboard.alerts.models import Channel, Incident, MaintenanceWindow, Rule, Silence

    for name, model in (
        ("rule", Rule),
        ("channel", Channel),
        ("incident", Incident),
        ("silence", Silence),
        ("window", MaintenanceWindow),
    ):
        value = model.objects.filter(team__slug="alpha").values_list("public_id", flat=True).first()
        if value is not None:
            ids[name] = str(value)
    peering = Peering.objects.filter(cluster__credential=cred).values_list("peering_id", flat=True).first()
    if peering:
        ids["peering_id"] = peering
    return ids


def _half(path: str) -> bool:
    """Half of the job operations address the DLI job, as a pure function of the path."""
    return int(hashlib.sha256(path.encode()).hexdigest(), 16) % 2 == 1


@schema.parametrize()
@settings(
    max_examples=3,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_api_conforms_to_its_schema(case, world):
    # Half of the cases address the team's real objects (reaching the handlers), half keep the
    # generated ids (reaching the 404s); the choice is a pure function of the case, so runs repeat.
    _sync_for(world, case.operation.path)
    ids = _real_ids(world, case.operation.path)
    real = (
        int(hashlib.sha256(repr(sorted((case.path_parameters or {}).items())).encode()).hexdigest(), 16) % 2
    )
    if case.path_parameters:
        case.path_parameters["team_slug"] = "alpha"
        if real:
            case.path_parameters.update({k: v for k, v in ids.items() if k in case.path_parameters})
    for role in ROLES:
        case.call_and_validate(headers={"Authorization": f"Bearer {world['tokens'][role]}"}, checks=CHECKS)
    case.call_and_validate(headers={"Authorization": ""}, checks=CHECKS)
