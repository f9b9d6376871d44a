"""Pagination, multipart bodies, result objects, vocabulary and limits."""

from __future__ import annotations

import io
import json
import pickle

import pytest
from werkzeug.formparser import parse_form_data
from werkzeug.test import EnvironBuilder

from csapi import limits, vocab
from csapi.models import Cluster, CSObject, Job, Page
from csapi.multipart import MultipartBody
from csapi.pagination import CursorPager, PageNumberPager

# ------------------------------------------------------------------ pagination


def fake_cursor_source(ids, *, ignore_cursor=False):
    calls = []

    def fetch(query):
        calls.append(dict(query))
        ordered = sorted(ids, reverse=True)
        if "cursor" in query and not ignore_cursor:
            ordered = [i for i in ordered if i < query["cursor"]]
        items = [CSObject(job_id=i) for i in ordered[: query["limit"]]]
        return Page(items, total=len(ids))

    return fetch, calls


def test_cursor_pager_is_lazy_and_complete():
    fetch, calls = fake_cursor_source(list(range(1, 11)))
    pager = CursorPager(fetch, id_key="job_id", page_size=3, params={"status": None, "order": "desc"})
    iterator = iter(pager)
    assert next(iterator).job_id == 10 and len(calls) == 1
    rest = [j.job_id for j in iterator]
    assert rest == list(range(9, 0, -1))
    assert [c.get("cursor") for c in calls] == [None, 8, 5, 2]
    assert all(c.get("next") is True for c in calls[1:]) and "status" not in calls[0]
    assert pager.total == 10


def test_cursor_pager_exact_multiple_stops_on_empty_page():
    fetch, calls = fake_cursor_source(list(range(1, 7)))
    assert [j.job_id for j in CursorPager(fetch, id_key="job_id", page_size=3)] == [6, 5, 4, 3, 2, 1]
    assert len(calls) == 3


def test_cursor_pager_survives_a_server_ignoring_the_cursor():
    fetch, calls = fake_cursor_source(list(range(1, 11)), ignore_cursor=True)
    items = list(CursorPager(fetch, id_key="job_id", page_size=3))
    assert len(items) <= 6 and len(calls) <= 2


def test_page_number_pager():
    data = list(range(7))

    def fetch(query):
        start = (query["page_number"] - 1) * query["limit"]
        return Page([CSObject(n=n) for n in data[start : start + query["limit"]]], total=len(data))

    pager = PageNumberPager(fetch, limit=3, params={"resource_type": "job"})
    assert [t.n for t in pager] == data and pager.pages_fetched == 3
    with pytest.raises(ValueError):
        PageNumberPager(fetch, limit=limits.AUDIT_LIMIT_MAX + 1)


def test_page_number_pager_stops_on_repeated_page():
    pager = PageNumberPager(lambda q: Page([CSObject(n=1), CSObject(n=2)]), limit=2)
    assert len(list(pager)) == 2 and pager.pages_fetched == 2


# ------------------------------------------------------------------ multipart


def _parse(body: MultipartBody):
    raw = body.to_bytes()
    assert len(raw) == len(body)
    env = EnvironBuilder(
        method="POST", input_stream=io.BytesIO(raw), content_type=body.content_type, content_length=len(raw)
    ).get_environ()
    _, form, files = parse_form_data(env)
    return form, files


def test_multipart_fields_and_files(tmp_path):
    path = tmp_path / "app.jar"
    path.write_bytes(b"PK" + bytes(range(256)) * 300)
    handle = io.BytesIO(b"skip" + b"config-data")
    handle.read(4)
    body = MultipartBody(
        [("name", "job"), ("log_enabled", True), ("args", '--x "quoted" ü'), ("none", None)],
        [("jar", path, None, "application/java-archive"), ("config", handle, "c.properties", None)],
    )
    form, files = _parse(body)
    assert form["name"] == "job" and form["log_enabled"] == "true" and form["args"] == '--x "quoted" ü'
    assert "none" not in form
    assert files["jar"].filename == "app.jar" and files["jar"].read() == path.read_bytes()
    assert files["config"].read() == b"config-data"
    again = body.fresh()
    assert again.to_bytes() == body.to_bytes()  # file objects are rewound for a retry


def test_multipart_streams_in_chunks(tmp_path):
    path = tmp_path / "big.jar"
    path.write_bytes(b"x" * (1024 * 1024))
    body = MultipartBody([], [("jar", path, None, None)])
    chunks = list(body)
    assert max(len(c) for c in chunks) <= 64 * 1024 and sum(map(len, chunks)) == len(body)
    reader = body.fresh()
    assert len(reader.read(10)) == 10 and len(reader.read()) == len(body) - 10


# ------------------------------------------------------------------ models


def test_csobject_attribute_access_and_unknown_fields():
    job = Job(
        {
            "job_id": 1,
            "status": "job_running",
            "future_field": {"nested": [{"a": 1}]},
            "job_config": {"checkpoint_mode": 2},
        }
    )
    assert job.job_id == 1 and job.future_field.nested[0].a == 1
    assert job.checkpoint_mode == "at_least_once" and job.status_info.group == "running"
    with pytest.raises(AttributeError):
        _ = job.missing
    assert json.loads(json.dumps(job)) == job.to_dict()
    again = pickle.loads(pickle.dumps(job))  # noqa: S301 - our own bytes
    assert again == job and type(again) is Job


def test_cluster_status_info():
    assert Cluster(status_code=5).status_info.health == "healthy"
    assert Cluster(status_name="cluster_deleting").status_info.code == 16
    assert Cluster(status_code=77).status_info.health == "unknown"


# ------------------------------------------------------------------ vocabulary and limits


def test_job_statuses():
    for name in (
        "job_init",
        "job_submitting",
        "job_submit_fail",
        "job_running",
        "job_running_exception",
        "job_canceling",
        "job_cancel_success",
        "job_cancel_fail",
    ):
        assert name in vocab.JOB_STATUSES
    groups = {s.group for s in vocab.JOB_STATUSES.values()}
    assert groups == {"running", "transitional", "failed", "stopped", "idle", "draft"}
    assert vocab.job_status("job_new_thing").group == "unknown" and vocab.job_status(None).known is False
    assert vocab.job_status("running").name == "job_running"


def test_cluster_statuses_cover_table_5_94():
    assert sorted(vocab.CLUSTER_STATUSES) == [*range(1, 21), *range(25, 30)]
    assert vocab.cluster_status(5).name == "cluster_running"
    assert vocab.cluster_status("5").code == 5
    assert {s.health for s in vocab.CLUSTER_STATUSES.values()} == {
        "healthy",
        "transitional",
        "failed",
        "stopped",
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("exactly_once", "exactly_once"),
        ("ExactlyOnce", "exactly_once"),
        (1, "exactly_once"),
        ("2", "at_least_once"),
        ("AtLeastOnce", "at_least_once"),
        (None, None),
        (True, None),
        ("other", None),
        (3, None),
    ],
)
def test_checkpoint_modes(value, expected):
    assert vocab.normalize_checkpoint_mode(value) == expected
    if expected:
        assert vocab.checkpoint_mode_int(value) == vocab.CHECKPOINT_MODE_TO_INT[expected]


def test_run_modes_and_dirty_data():
    assert vocab.job_type_allowed("edge_node", "flink_sql_edge_job")
    assert not vocab.job_type_allowed("shared_cluster", "flink_jar_job")
    assert vocab.parse_dirty_data_strategy("2:bucket/dir") == ("2", "bucket/dir")
    assert vocab.parse_dirty_data_strategy("0") == ("0", None)
    assert vocab.parse_dirty_data_strategy("2:") is None and vocab.parse_dirty_data_strategy("9") is None
    assert vocab.dirty_data_strategy("2", "b/p") == "2:b/p"


def test_limits():
    assert limits.JOB_NAME_MAX_BYTES == 57 and limits.SQL_MAX_BYTES == 10_000
    assert limits.JOB_NAME_PATTERN.match("job_1-a") and not limits.JOB_NAME_PATTERN.match("my job")
    assert limits.max_parallelism(2) == 8 and limits.max_parallelism(100) == 50
    assert limits.max_manager_spu(2) == 1 and limits.max_manager_spu(10) == 4
    assert limits.utf8_len("ジョブ") == 9
    assert limits.UPLOAD_MAX_BYTES == 8 * 1024 * 1024 and limits.AUDIT_LIMIT_MAX == 50
