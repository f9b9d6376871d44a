"""The client's paging and retry rules against the emulator's counters and fault injection."""

from __future__ import annotations

import pytest
import requests

from csapi import CSProtocolError, CSServerError, CSTimeout, CSUnavailable
from csapi.auth import AKSKAuth
from csapi.dli import DLIClient
from csapi.emulator.testing import LOCAL_POLICY
from csapi.retry import RetryPolicy

from .conftest import PROD, SQL

LIST = "GET /v1.0/{project_id}/streaming/jobs"


def _lists(server) -> int:
    return server.emulator.stats()["by_operation"].get(LIST, 0)


@pytest.mark.parametrize("count, pages", [(250, 3), (200, 2), (0, 1)])
def test_paging_is_lazy_and_costs_ceil_n_over_page(count, pages, client_factory, server):
    server.reset(f"scale:{count}")
    client = client_factory("aksk")
    server.emulator.reset_stats()
    jobs = iter(client.jobs.iter())
    if count:
        first = next(jobs)
        assert _lists(server) == 1 and first.job_id
        for _ in range(99):
            next(jobs)
        assert _lists(server) == 1  # the first page is not used up yet
    rest = list(jobs)
    assert len(rest) + (100 if count else 0) == count
    assert _lists(server) == pages


def test_paging_skips_a_job_shifted_in_by_a_create(client_factory, server):
    server.reset("scale:150")
    client = client_factory("aksk")
    pager = client.jobs.iter(page_size=50)
    seen = []
    for i, job in enumerate(pager):
        seen.append(job.job_id)
        if i == 10:  # newest first: a new job pushes every later page down by one
            client.jobs.create_sql("arrived_meanwhile", queue_name="scale_flink_queue", sql_body=SQL)
    originals = set(range(min(seen), min(seen) + 150))
    assert len(seen) == len(set(seen)) and originals <= set(seen)  # none twice, none missed
    assert pager.pages_fetched == 4  # the pushed-out last job costs one more page


def test_idempotent_read_retries_a_5xx(client_factory, server, sleeps):
    client = client_factory("token")
    server.faults.configure(
        {
            "path": "/streaming/jobs$",
            "methods": ["GET"],
            "error_rate": 1.0,
            "error_statuses": [503],
            "times": 2,
        }
    )
    server.emulator.reset_stats()
    assert client.jobs.list().total == 13
    assert _lists(server) == 3 and len(sleeps) == 2


def test_a_write_is_not_repeated_after_a_5xx(client_factory, server, sleeps):
    client = client_factory("aksk")
    job = client.jobs.create_sql("no_repeat", queue_name=PROD, sql_body=SQL)
    server.faults.configure(
        {"path": "/streaming/jobs/run$", "error_rate": 1.0, "error_statuses": [500], "times": 1}
    )
    server.emulator.reset_stats()
    with pytest.raises(CSServerError) as info:
        client.jobs.run([job.job_id])
    assert info.value.code == "DLI.0999"  # a DLI path's 500 carries DLI's body
    assert server.emulator.stats()["total"] == 1 and sleeps == []


def test_429_is_retried_after_retry_after_even_for_a_write(client_factory, server, sleeps):
    client = client_factory("aksk")
    server.faults.configure(
        {"path": "/streaming/sql-jobs$", "throttle_rate": 1.0, "retry_after": 2, "times": 1}
    )
    job = client.jobs.create_sql("after_throttle", queue_name=PROD, sql_body=SQL)
    assert sleeps == [2.0]
    assert [j.name for j in client.jobs.iter(name="after_throttle")] == ["after_throttle"] and job.job_id


def test_a_truncated_read_is_retried_a_truncated_write_is_not(client_factory, server, sleeps):
    client = client_factory("aksk")
    server.faults.configure(
        {"path": "/streaming/jobs$", "methods": ["GET"], "truncate_rate": 1.0, "times": 1}
    )
    assert client.jobs.list().total == 13 and len(sleeps) == 1
    server.faults.configure({"path": "/streaming/sql-jobs$", "truncate_rate": 1.0, "times": 1})
    with pytest.raises(CSProtocolError):
        client.jobs.create_sql("cut_off", queue_name=PROD, sql_body=SQL)
    assert len(sleeps) == 1  # no retry: the job exists now
    assert client.jobs.list(name="cut_off").total == 1


def test_non_json_answers_exhaust_into_a_protocol_error(client_factory, server):
    client = client_factory("aksk", retries=1)
    server.faults.configure({"path": "/queues", "non_json_rate": 1.0})
    with pytest.raises(CSProtocolError) as info:
        client.queues.list()
    assert "not JSON" in str(info.value) and "<html>" not in str(info.value)


def test_an_expired_token_is_renewed_once(client_factory, server):
    client = client_factory("token")
    client.jobs.list()
    server.emulator.expire_tokens()
    server.emulator.reset_stats()
    assert client.jobs.list().total == 13
    ops = server.emulator.stats()["by_operation"]
    assert ops["POST /v3/auth/tokens"] == 1 and ops[LIST] == 2


def test_connection_refused_is_retried_for_a_write(closed_port, sleeps):
    client = DLIClient(
        f"http://127.0.0.1:{closed_port}",
        "proj",
        AKSKAuth("AKAKAKAKAKAK", "sk"),
        outbound=LOCAL_POLICY,
        backoff=RetryPolicy(retries=2, sleep=sleeps),
    )
    with pytest.raises(CSUnavailable):
        client.jobs.run([1])
    assert len(sleeps) == 2  # never sent, so safe to repeat


def test_read_timeout_retries_a_read_but_not_a_write(client_factory, server, sleeps):
    client = client_factory("aksk", retries=1, timeout=(1, 0.3))
    server.faults.configure({"path": "/streaming/", "latency_ms": 600})
    server.emulator.reset_stats()
    with pytest.raises(CSTimeout):
        client.jobs.run([1])
    assert server.emulator.stats()["total"] == 1 and sleeps == []
    with pytest.raises(CSTimeout):
        client.jobs.list()
    assert _lists(server) == 2 and len(sleeps) == 1


def test_deadline_bounds_the_call_with_its_retries(client_factory, server):
    import time

    client = client_factory("aksk", retries=5, timeout=(1, 5), deadline=1.0, backoff=RetryPolicy(retries=5))
    server.faults.configure({"path": "/streaming/jobs$", "latency_ms": 1500})
    started = time.monotonic()
    with pytest.raises(CSTimeout):
        client.jobs.list()
    assert time.monotonic() - started < 2.5


@pytest.fixture
def closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_faults_apply_to_dli_paths_over_plain_http(server):
    server.faults.configure({"path": "/v3/.*/quotas$", "error_rate": 1.0, "error_statuses": [503]})
    answer = requests.get(f"{server.url}/v3/{server.account.project_id}/quotas", timeout=5)
    assert answer.status_code == 503 and answer.json()["error_code"] == "APIGW.0503"
