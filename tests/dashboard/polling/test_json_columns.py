"""Every JSON column the poller writes keeps every JSON value as CS sent it.

Strings stay strings (``"abc"``, ``"123"``, ``"true"``), numbers and booleans keep their types, a
top-level ``null`` is SQL NULL (as Django stores ``None``) and nested values keep theirs. PostgreSQL
is where this can break: a page travels there as one JSON document and each value is read back from
it (``bulk._json_rows``); reading a JSON column's value as text and parsing it again failed on
``"abc"`` and stored ``"123"`` as a number. The same tests run on SQLite. Each value is checked twice:
as Django reads it back, and as the database itself types it (``jsonb_typeof`` / ``json_type``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection, models

from csapi import vocab
from dashboard.clusters.models import Cluster, ClusterJob, HostMapping, Peering, Route
from dashboard.jobs.models import AuditTrace, Job, MetricSample, Template
from dashboard.polling import bulk
from dashboard.polling.kinds import audit, jobs, metrics, usage
from dashboard.polling.snapshots import keyed, upsert
from dashboard.teams.models import Credential
from dashboard.usage.models import OverviewSnapshot, UserQuota

pytestmark = pytest.mark.django_db

NESTED = {"list": ["abc", "123", "true", 1.5, 7, True, False, None], "object": {"s": "x", "n": None}}
#: (value, the JSON type the database must report for it)
VALUES = [
    pytest.param("abc", "string", id="string"),
    pytest.param("123", "string", id="numeric-string"),
    pytest.param("true", "string", id="true-string"),
    pytest.param("", "string", id="empty-string"),
    pytest.param(1.5, "number", id="float"),
    pytest.param(7, "number", id="integer"),
    pytest.param(True, "boolean", id="true"),
    pytest.param(False, "boolean", id="false"),
    pytest.param(NESTED, "object", id="nested-object"),
    pytest.param(["abc", "123", None], "array", id="nested-array"),
]
#: Every model the poller writes, and of each the JSON columns (checked against the models below).
POLLED = [
    Job,
    MetricSample,
    AuditTrace,
    Template,
    Cluster,
    ClusterJob,
    HostMapping,
    Peering,
    Route,
    UserQuota,
]
JSON_COLUMNS = [
    (model, field.name)
    for model in [*POLLED, OverviewSnapshot]
    for field in model._meta.concrete_fields
    if isinstance(field, models.JSONField)
]
_SQLITE_TYPES = {
    "text": "string",
    "integer": "number",
    "real": "number",
    "true": "boolean",
    "false": "boolean",
}


def json_type(model, field: str, pk: int, path: str | None = None) -> str | None:
    """The database's own type of the stored value (of one key of it with ``path``); None for SQL NULL."""
    qn = connection.ops.quote_name
    column = qn(model._meta.get_field(field).column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            expr = f"jsonb_typeof({column} -> %s)" if path else f"jsonb_typeof({column})"
        else:
            expr = f"json_type({column}, %s)" if path else f"json_type({column})"
        params = [(path if connection.vendor == "postgresql" else f"$.{path}")] if path else []
        cursor.execute(f"SELECT {expr} FROM {qn(model._meta.db_table)} WHERE id = %s", [*params, pk])  # noqa: S608
        (found,) = cursor.fetchone()
    return _SQLITE_TYPES.get(found, found) if connection.vendor == "sqlite" else found


@pytest.fixture
def owners(team):
    credential = Credential.objects.create(
        team=team, name="json", region="cn-north-1", project_id="p1", secret_encrypted="x"
    )
    job = Job.objects.create(credential=credential, team=team, job_id=1, fingerprint="f")
    cluster = Cluster.objects.create(credential=credential, team=team, cluster_id=1, fingerprint="f")
    peering = Peering.objects.create(cluster=cluster, peering_id="p1", fingerprint="f")
    return SimpleNamespace(credential=credential, team=team, job=job, cluster=cluster, peering=peering)


def _row_of(model, owners, n: int):
    """An instance of ``model`` with what its NOT NULL columns need; its JSON columns are set by the test."""
    cred = {"credential": owners.credential, "team": owners.team}
    return {
        Job: lambda: Job(**cred, job_id=100 + n, fingerprint="f"),
        MetricSample: lambda: MetricSample(
            job=owners.job, sampled_at=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(n)
        ),
        AuditTrace: lambda: AuditTrace(**cred, key=f"k{n}"),
        Template: lambda: Template(**cred, template_id=100 + n, fingerprint="f"),
        Cluster: lambda: Cluster(**cred, cluster_id=100 + n, fingerprint="f"),
        ClusterJob: lambda: ClusterJob(cluster=owners.cluster, job_id=100 + n, fingerprint="f"),
        HostMapping: lambda: HostMapping(cluster=owners.cluster, host_id=100 + n, fingerprint="f"),
        Peering: lambda: Peering(cluster=owners.cluster, peering_id=f"p{100 + n}", fingerprint="f"),
        Route: lambda: Route(peering=owners.peering, route_id=f"r{n}", fingerprint="f"),
        UserQuota: lambda: UserQuota(**cred, user_id=f"u{n}", fingerprint="f"),
    }[model]()


def test_the_list_covers_every_json_column_of_the_polled_models():
    names = {f"{m.__name__}.{f}" for m, f in JSON_COLUMNS}
    assert names == {
        "Job.job_config",
        "Job.raw",
        "Job.tags",
        "MetricSample.sources",
        "MetricSample.sinks",
        "AuditTrace.raw",
        "Template.raw",
        "Cluster.raw",
        "ClusterJob.raw",
        "HostMapping.raw",
        "Peering.raw",
        "Route.raw",
        "UserQuota.clusters",
        "UserQuota.raw",
        "OverviewSnapshot.raw",
    }


@pytest.mark.parametrize(("value", "kind"), VALUES)
def test_every_json_value_at_the_top_of_every_column_written_in_bulk(owners, value, kind):
    """The statement every bulk write of the poller goes through, with the value as the whole column."""
    for n, (model, field) in enumerate((m, f) for m, f in JSON_COLUMNS if m in POLLED):
        row = _row_of(model, owners, n)
        setattr(row, field, value)
        cols = bulk.columns(model)
        ((pk,),) = bulk.insert(cols, bulk.model_rows(cols, [row]), returning=("id",)).returned
        stored = model.objects.values_list(field, flat=True).get(pk=pk)
        assert stored == value and type(stored) is type(value), (model.__name__, field)
        assert json_type(model, field, pk) == kind, (model.__name__, field)


def test_a_top_level_null_is_sql_null_and_a_nested_null_stays_json(owners):
    row = _row_of(Job, owners, 1)
    row.job_config = None
    row.raw = {"n": None}
    cols = bulk.columns(Job)
    ((pk,),) = bulk.insert(cols, bulk.model_rows(cols, [row]), returning=("id",)).returned
    assert Job.objects.filter(pk=pk, job_config__isnull=True).exists()  # SQL NULL, not JSON null
    assert json_type(Job, "job_config", pk) is None
    assert json_type(Job, "raw", pk, "n") == "null"
    assert Job.objects.get(pk=pk).raw == {"n": None}


def _probe(value):
    """A CS object carrying ``value`` under ``probe`` and inside a nested object."""
    return {"probe": value, "deep": {"probe": value, "list": [value]}}


@pytest.mark.parametrize(("value", "kind"), [*VALUES, pytest.param(None, "null", id="null")])
def test_every_json_value_through_each_kinds_write_path(owners, value, kind):
    """What each kind makes of a CS answer carrying the value, written the way the kind writes it."""
    now = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    credential = owners.credential

    # jobs: the listed payload is ``raw``; ``job_config`` keeps the mapping CS sent
    payload = {
        "job_id": 500,
        "name": "j",
        "status": vocab.JOB_RUNNING,
        **_probe(value),
        "job_config": _probe(value),
    }
    jobs.apply_page(credential, [payload], {}, now, {})
    job = Job.objects.get(credential=credential, job_id=500)
    assert job.raw == payload and job.job_config == _probe(value)
    for field in ("raw", "job_config"):
        assert json_type(Job, field, job.pk, "probe") == kind

    # metrics: ``sources`` and ``sinks`` are stored as CS sent them (a falsy value is "no streams")
    streams = value if value else []
    metrics.write_batch(
        {job.job_id: (job.pk, (None, None, None, None, None))},
        [{"job_id": job.job_id, "metrics": {"sources": streams, "sinks": [_probe(value)]}}],
        now,
    )
    sample = MetricSample.objects.get(job=job)
    assert sample.sources == streams and type(sample.sources) is type(streams)
    assert sample.sinks == [_probe(value)]
    assert json_type(MetricSample, "sources", sample.pk) == (kind if value else "array")

    # audit: the trace as received is ``raw``
    trace = {"op_time": int(now.timestamp() * 1000), "event_name": "createJob", **_probe(value)}
    assert audit.store_traces(credential, [trace], now) == 1
    stored_trace = AuditTrace.objects.get(credential=credential)
    assert stored_trace.raw == trace and json_type(AuditTrace, "raw", stored_trace.pk, "probe") == kind

    # a small snapshot set (user quotas): ``raw`` and ``clusters`` (stored as CS sent them)
    user = {"user_id": "u1", "user_name": "u", "spu_quota": 1, "clusters": value or [], **_probe(value)}
    items = list(keyed([user], lambda u: u["user_id"], usage.quota_values))
    upsert(
        UserQuota,
        scope={"credential_id": credential.pk},
        extra={"team_id": owners.team.pk},
        key_field="user_id",
        items=items,
        now=now,
        soft_delete=True,
    )
    quota = UserQuota.objects.get(credential=credential, user_id="u1")
    assert quota.raw == user and json_type(UserQuota, "raw", quota.pk, "probe") == kind
    assert quota.clusters == (value or []) and json_type(UserQuota, "clusters", quota.pk) == (
        kind if value else "array"
    )

    # the overview: an ORM create, which is Django's own adaptation
    snapshot = OverviewSnapshot.objects.create(credential=credential, team=owners.team, raw=_probe(value))
    assert json_type(OverviewSnapshot, "raw", snapshot.pk, "probe") == kind
