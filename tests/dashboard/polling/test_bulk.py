"""The poller's multi-row statements (dashboard.polling.bulk), through the test database (either backend)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from csapi import vocab
from dashboard.jobs.models import Job, JobStatusChange, MetricSample
from dashboard.polling import bulk
from dashboard.polling.kinds import jobs, metrics

pytestmark = pytest.mark.django_db

NASTY = [
    'O\'Brien "quoted"; DROP TABLE jobs_job; --',
    "作业 ✓ ünïcödé 😀",
    "100% of %s and %(name)s and %%",
    "back\\slash\nnew line\ttab",
    "",
]


@pytest.fixture
def cred(team):
    from dashboard.teams.models import Credential

    return Credential.objects.create(
        team=team, name="bulk", region="cn-north-1", project_id="p1", secret_encrypted="x"
    )


def _row(cred, job_id, *, name="job", config=None, when=None, status=vocab.JOB_RUNNING, now=None):
    """A row in the poller's write order (kinds.jobs.WRITE_FIELDS)."""
    now = now or datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    values = {
        "name": name,
        "desc": name,
        "username": "",
        "user_id": "",
        "project_id": "p1",
        "job_type": "flink_sql_job",
        "status": status,
        "status_desc": name,
        "run_mode": "",
        "cluster_id": None,
        "cluster_name": "",
        "spu_number": None,
        "parallel_number": 2,
        "create_time": when,
        "start_time": None,
        "update_time": when,
        "duration": None,
        "sql_body": name,
        "job_config": config,
        "root_id": None,
        "edge_group_ids": "",
        "graph_editor_enabled": None,
        "has_savepoint": False,
        "checkpoint_enabled": True,
        "log_enabled": None,
        "jar_url": "",
        "main_class": "",
        "args": "",
        "execution_graph": "",
        "raw": {"job_id": job_id, "name": name, "nested": {"list": [1, None, name]}},
        "fingerprint": f"fp{job_id}",
        "last_seen": now,
        "deleted_at": None,
    }
    return (cred.pk, cred.team_id, job_id, *[values[f] for f in jobs.SNAPSHOT_FIELDS], now)


def _upsert(rows, **kwargs):
    return bulk.insert(
        bulk.columns(Job, jobs.WRITE_FIELDS),
        rows,
        conflict=("credential_id", "job_id"),
        update=jobs.SNAPSHOT_FIELDS,
        returning=("id", "job_id"),
        **kwargs,
    )


def test_values_round_trip_bound_never_formatted(cred):
    when = datetime(2023, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    config = {"quote": 'it\'s "x"', "unicode": "流 😀", "null": None, "n": 1.5, "list": [True, False]}
    rows = [
        _row(cred, 100 + i, name=text, config=config if i % 2 else None, when=when if i % 2 else None)
        for i, text in enumerate(NASTY)
    ]
    result = _upsert(rows)
    assert result.statements == 1
    assert sorted(j for _pk, j in result.returned) == [100 + i for i in range(len(NASTY))]
    assert {pk for pk, _j in result.returned} == set(Job.objects.values_list("pk", flat=True))
    for i, text in enumerate(NASTY):
        job = Job.objects.get(credential=cred, job_id=100 + i)
        assert job.name == job.desc == job.sql_body == text
        assert job.raw == {"job_id": 100 + i, "name": text, "nested": {"list": [1, None, text]}}
        if i % 2:
            assert job.job_config == config and job.create_time == when
        else:
            assert job.job_config is None and job.create_time is None  # SQL NULL, not JSON null
            assert Job.objects.filter(pk=job.pk, job_config__isnull=True).exists()
        assert job.spu_number is None and job.parallel_number == 2
        assert job.has_savepoint is False and job.checkpoint_enabled is True and job.log_enabled is None
        assert job.read_rate is None and job.metrics_at is None  # left to their defaults
        assert job.first_seen == job.last_seen == datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    assert Job.objects.count() == len(NASTY)  # the table is still there


def test_upsert_updates_snapshot_columns_only(cred):
    first = datetime(2024, 1, 1, tzinfo=UTC)
    ((pk, _),) = _upsert([_row(cred, 7, name="old", now=first)]).returned
    Job.objects.filter(pk=pk).update(read_rate=2.5)
    later = first + timedelta(hours=1)
    result = _upsert(
        [_row(cred, 7, name="new'name", status=vocab.JOB_CANCEL_SUCCESS, now=later), _row(cred, 8, now=later)]
    )
    assert result.statements == 1
    returned = dict((j, p) for p, j in result.returned)
    assert returned[7] == pk and set(returned) == {7, 8}
    job = Job.objects.get(pk=pk)
    assert job.name == "new'name" and job.status == vocab.JOB_CANCEL_SUCCESS
    assert job.first_seen == first and job.last_seen == later  # first_seen is not a snapshot column
    assert job.read_rate == 2.5  # the metrics columns are the metrics sync's
    assert Job.objects.count() == 2


def test_rows_are_chunked_under_the_parameter_limit(cred, monkeypatch):
    cols = bulk.columns(Job, jobs.WRITE_FIELDS)
    monkeypatch.setattr(bulk, "max_params", lambda _connection: len(cols.fields) * 3)
    rows = [_row(cred, n) for n in range(1, 11)]
    with CaptureQueriesContext(connection) as queries:
        result = _upsert(rows)
    # PostgreSQL binds one array per column (constant parameters); SQLite chunks the VALUES list.
    expected = 1 if connection.vendor == "postgresql" else 4
    assert result.statements == expected == len(queries.captured_queries)
    assert sorted(j for _p, j in result.returned) == list(range(1, 11))
    assert Job.objects.count() == 10


def test_real_parameter_limit_fits_a_page():
    width = len(jobs.WRITE_FIELDS)
    assert bulk.max_params(connection) >= width * 100


def test_insert_ignoring_conflicts_and_update_from_values(cred):
    pks = [p for p, _j in sorted(_upsert([_row(cred, n) for n in (1, 2, 3)]).returned, key=lambda r: r[1])]
    slot = datetime(2024, 2, 3, 4, 5, tzinfo=UTC)
    cols = bulk.columns(MetricSample, metrics.SAMPLE_FIELDS)
    sources = [{"name": "src'1", "records": 5, "label": "数据"}]
    rows = [(pk, slot, 5, 6, 0, None, 1.5, sources, []) for pk in pks]
    assert bulk.insert(cols, rows, conflict=("job_id", "sampled_at"), ignore_conflicts=True).statements == 1
    again = [(pk, slot, 99, 99, 99, 9.9, 9.9, [], []) for pk in pks]
    bulk.insert(cols, again, conflict=("job_id", "sampled_at"), ignore_conflicts=True)
    assert MetricSample.objects.count() == 3
    sample = MetricSample.objects.get(job_id=pks[0])
    assert sample.records_in == 5 and sample.read_rate is None and sample.sources == sources

    at = datetime(2024, 2, 3, 4, 6, tzinfo=UTC)
    # All-NULL columns in the first row: PostgreSQL must still know their types.
    updates = [(pks[0], None, None, None, None, None, None), (pks[1], 10, 20, 3, 1.25, 2.5, at)]
    assert bulk.update(bulk.columns(Job, metrics.JOB_FIGURE_FIELDS), "id", updates) == 1
    first, second, third = (Job.objects.get(pk=pk) for pk in pks)
    assert first.read_rate is None and first.metrics_at is None
    assert (second.read_rate, second.write_rate, second.records_in, second.records_out) == (1.25, 2.5, 10, 20)
    assert second.corrupted_records == 3 and second.metrics_at == at
    assert third.metrics_at is None and third.name == "job"  # untouched


def test_history_rows_and_empty_input(cred):
    ((pk, _),) = _upsert([_row(cred, 5)]).returned
    cols = bulk.columns(JobStatusChange, jobs.HISTORY_FIELDS)
    at = datetime(2024, 3, 4, tzinfo=UTC)
    assert (
        bulk.insert(
            cols,
            [
                (pk, "", vocab.JOB_RUNNING, "d'esc ✓", at),
                (pk, vocab.JOB_RUNNING, vocab.JOB_CANCEL_SUCCESS, "", at),
            ],
        ).statements
        == 1
    )
    assert list(
        JobStatusChange.objects.order_by("id").values_list("previous_status", "status", "status_desc")
    ) == [
        ("", vocab.JOB_RUNNING, "d'esc ✓"),
        (vocab.JOB_RUNNING, vocab.JOB_CANCEL_SUCCESS, ""),
    ]
    assert bulk.insert(cols, []).statements == 0 and bulk.update(cols, "job_id", []) == 0


def test_columns_left_out_of_the_job_write_default_to_null_or_to_the_database_default():
    written = set(jobs.WRITE_FIELDS)
    for field in Job._meta.concrete_fields:
        if field.primary_key or field.attname in written:
            continue
        if field.has_db_default():  # the INSERT leaves it out, the database fills it
            continue
        assert field.null and field.get_default() is None, field.name


def test_no_figure_column_of_a_job_is_indexed():
    """The metrics sync rewrites these on every cycle: an index on one would make each such update move
    the row and add an entry to every index of the jobs table (see jobs migration 0007)."""
    indexed = {f for index in Job._meta.indexes for f in index.fields}
    indexed |= {f for constraint in Job._meta.constraints for f in getattr(constraint, "fields", ())}
    indexed |= {f.name for f in Job._meta.fields if f.db_index or f.unique}
    assert indexed and not indexed & set(metrics.JOB_FIGURE_FIELDS[1:])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="heap-only updates are PostgreSQL's")
def test_figure_updates_stay_on_the_rows_page(cred):
    """Every job's figures updated once: nearly all in place (heap-only, no index entry added; on full
    pages hardly any is)."""
    pks = [pk for pk, _job_id in _upsert([_row(cred, n) for n in range(1, 41)]).returned]
    at = datetime(2024, 2, 3, 4, 6, tzinfo=UTC)
    updates = [(pk, 10, 20, 0, 1.5, 2.5, at) for pk in pks]

    def counts() -> tuple[int, int]:  # this transaction's updates of the table, and the in-place ones
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_stat_get_xact_tuples_updated(%s::regclass),"
                " pg_stat_get_xact_tuples_hot_updated(%s::regclass)",
                [Job._meta.db_table, Job._meta.db_table],
            )
            return cursor.fetchone()

    before = counts()
    assert bulk.update(bulk.columns(Job, metrics.JOB_FIGURE_FIELDS), "id", updates) == 1
    after = counts()
    updated, in_place = after[0] - before[0], after[1] - before[1]
    assert updated == len(pks) and in_place >= 0.8 * len(pks)
