"""DLI's error answers in csapi's exception hierarchy, and malformed answers as clear protocol errors.

A scripted local server plays DLI here, answering what the emulator never would (missing fields, wrong
types, cut-off bodies, redirects, gateway errors).
"""

from __future__ import annotations

import json
import threading

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from csapi import (
    CSAuthError,
    CSConflict,
    CSEndpointRefused,
    CSNotFound,
    CSProtocolError,
    CSServerError,
    describe,
)
from csapi.auth import AKSKAuth
from csapi.dli import DLI_ERROR_CODES, DLIClient
from csapi.dli.errors import DLI_CODE_CLASSES
from csapi.emulator.testing import LOCAL_POLICY
from csapi.netguard import OutboundPolicy
from tests.listeners import Listener, http_answer

from ..csapi.helpers import ScriptedServer, Sleeps, json_response

JOB = {"job_id": 7, "name": "j", "status": "job_running", "queue_name": "q"}


@pytest.fixture(scope="module")
def scripted_server():
    app = ScriptedServer()
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    app.url = f"http://127.0.0.1:{srv.server_port}"
    try:
        yield app
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.fixture
def dli(scripted_server):
    """A scripted DLI: each test sets ``handler``; ``seen`` holds only this test's requests."""
    scripted_server.seen.clear()
    return scripted_server


def _client(app, retries: int = 0) -> DLIClient:
    from csapi.retry import RetryPolicy

    return DLIClient(
        app.url,
        "proj",
        AKSKAuth("AKAKAKAKAKAK", "sk"),
        outbound=LOCAL_POLICY,
        backoff=RetryPolicy(retries=retries, sleep=Sleeps()),
    )


def test_the_table_is_the_reference_page():
    assert len(DLI_ERROR_CODES) == 22 and set(DLI_ERROR_CODES) == set(DLI_CODE_CLASSES)
    assert DLI_ERROR_CODES["DLI.0013"].http_status == 401 and DLI_ERROR_CODES["DLI.0023"].http_status == 404
    assert all(spec.solution for spec in DLI_ERROR_CODES.values())
    assert describe("DLI.1028").description == "The quota is insufficient."


@pytest.mark.parametrize(
    "code, klass",
    [
        ("DLI.0002", CSNotFound),
        ("DLI.0006", CSConflict),
        ("DLI.0999", CSServerError),
        ("DLI.0013", CSAuthError),
    ],
)
def test_documented_codes_raise_their_class_with_description_and_solution(dli, code, klass):
    status = DLI_ERROR_CODES[code].http_status
    dli.handler = lambda r: json_response(
        {"error_code": code, "error_msg": "There is no queue named q"}, status
    )
    with pytest.raises(klass) as info:
        _client(dli).queues.get("q")
    err = info.value
    assert err.code == code and err.http_status == status and err.cause == "There is no queue named q"
    assert err.description == DLI_ERROR_CODES[code].description and err.solution in str(err)


def test_gateway_errors_fall_back_on_the_status(dli):
    dli.handler = lambda r: json_response(
        {"error_code": "APIGW.0301", "error_msg": "verify aksk signature fail"}, 401
    )
    with pytest.raises(CSAuthError) as info:
        _client(dli, retries=2).jobs.list()
    assert info.value.code == "APIGW.0301" and len(dli.seen) == 1  # AK/SK: nothing to renew, no retry


def test_an_undocumented_error_body_is_not_echoed():
    with Listener(
        answer=http_answer("500 Internal Server Error", b"<html>listener-password-1</html>")
    ) as bad:
        client = DLIClient(
            f"http://{bad.netloc}",
            "proj",
            AKSKAuth("AKAKAKAKAKAK", "sk"),
            retries=0,
            outbound=OutboundPolicy.allowing([bad.netloc]),
        )
        with pytest.raises(CSServerError) as info:
            client.jobs.list()
    text = str(info.value) + repr(info.value) + repr(vars(info.value))
    assert "listener-password-1" not in text and "HTTP 500" in str(info.value)


def test_a_redirect_is_an_error_and_is_not_followed():
    with Listener() as target:
        hop_answer = http_answer(
            "302 Found", b"{}", f"Location: http://{target.netloc}/v1.0/proj/streaming/jobs\r\n"
        )
        with Listener(answer=hop_answer) as hop:
            client = DLIClient(
                f"http://{hop.netloc}",
                "proj",
                AKSKAuth("AKAKAKAKAKAK", "sk"),
                retries=0,
                outbound=OutboundPolicy.allowing([hop.netloc, target.netloc]),
            )
            with pytest.raises(CSProtocolError) as info:
                client.jobs.list()
            assert "redirect" in str(info.value) and hop.accepted == 1 and target.accepted == 0


@pytest.mark.parametrize(
    "body",
    [
        {"is_success": "true", "message": ""},  # no job_list
        {"is_success": "true", "job_list": {"total_count": "many", "jobs": []}},  # int() fails inside the SDK
        {"is_success": "true", "job_list": {"total_count": 1, "jobs": [{"job_id": [7]}]}},  # a list for an id
        {
            "is_success": "true",
            "job_list": {"total_count": 1, "jobs": [{"name": "no id"}]},
        },  # a job without id
        {
            "is_success": "true",
            "job_list": {"total_count": 1, "jobs": [{"job_id": 7, "has_savepoint": "maybe"}]},
        },
        {"is_success": "true", "job_list": [1, 2]},
    ],
)
def test_malformed_answers_are_protocol_errors(dli, body):
    dli.handler = lambda r: json_response(body)
    with pytest.raises(CSProtocolError) as info:
        _client(dli).jobs.list()
    assert "answer" in str(info.value)


def test_a_misfit_names_where_it_is_in_the_answer(dli):
    jobs = [dict(JOB, job_id=1), dict(JOB, job_id=2, job_config={"cu_number": [4]})]
    dli.handler = lambda r: json_response(
        {"is_success": "true", "job_list": {"total_count": 2, "jobs": jobs}}
    )
    with pytest.raises(CSProtocolError) as info:
        _client(dli).jobs.list()
    message = str(info.value)
    assert "job list.job_list.jobs[1].job_config.cu_number should be a whole number" in message, message


@pytest.mark.parametrize("raw", [b'{"is_success": "true", "job_li', b"<html>oops</html>", b"\xff\xfe"])
def test_cut_off_and_foreign_bodies_are_protocol_errors(dli, raw):
    dli.handler = lambda r: Response(raw, status=200, mimetype="application/json")
    with pytest.raises(CSProtocolError):
        _client(dli).jobs.get(7)
    with pytest.raises(CSProtocolError):
        _client(dli).queues.list()


def test_wire_booleans_and_unknown_fields_survive(dli):
    job = dict(JOB, has_savepoint="false", restart_times=3, brand_new_field={"x": 1})
    dli.handler = lambda r: json_response({"is_success": "true", "message": "ok", "job_detail": job})
    got = _client(dli).jobs.get(7)
    assert got.has_savepoint is False and got["has_savepoint"] is False  # the SDK alone would say True
    assert got.brand_new_field == {"x": 1} and got.restart_times == 3 and got.meta["is_success"] is True


def test_is_success_false_on_a_success_status_is_an_error(dli):
    dli.handler = lambda r: json_response({"is_success": "false", "message": "queue busy"})
    with pytest.raises(CSConflict) as info:
        _client(dli).jobs.delete_one(7)
    assert info.value.cause == "queue busy"


def test_batch_answers_are_matched_to_the_job_ids(dli):
    dli.handler = lambda r: json_response([{"is_success": True, "message": "ok"}])
    results = _client(dli).jobs.stop([1, 2])
    assert [(r.job_id, r.ok) for r in results] == [(1, True), (2, True)]
    dli.handler = lambda r: json_response(
        [{"is_success": "true"}, {"is_success": "true"}, {"is_success": "true"}]
    )
    with pytest.raises(CSProtocolError):
        _client(dli).jobs.stop([1, 2])
    sent = json.loads(dli.seen[0].body)
    assert sent == {"job_ids": [1, 2]}


def test_the_sdk_request_is_signed_for_the_project(dli):
    dli.handler = lambda r: json_response({"is_success": True, "quotas": {"resources": []}})
    _client(dli).quotas.get()
    seen = dli.seen[0]
    assert seen.path == "/v3/proj/quotas" and seen.headers["X-Project-Id"] == "proj"
    assert seen.headers["Authorization"].startswith("SDK-HMAC-SHA256 Access=AKAKAKAKAKAK")


def test_endpoints_are_checked_at_construction_and_at_connect_time():
    import socket

    with pytest.raises(CSEndpointRefused):
        DLIClient("http://127.0.0.1:9", "proj", AKSKAuth("AKAKAKAKAKAK", "sk"))  # default: public https only
    with Listener() as listener:
        name = socket.gethostname()  # resolves to a local address on this machine
        client = DLIClient(
            f"https://{name}:{listener.port}", "proj", AKSKAuth("AKAKAKAKAKAK", "sk"), retries=2
        )
        with pytest.raises(CSEndpointRefused) as info:  # through the SDK, not one of its wrappers
            client.jobs.list()
        assert type(info.value) is CSEndpointRefused and "resolves to" in str(info.value)
        assert listener.accepted == 0


def test_environment_proxies_are_ignored(monkeypatch):
    with Listener() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", f"http://{proxy.netloc}")
        monkeypatch.setenv("HTTP_PROXY", f"http://{proxy.netloc}")
        client = DLIClient("https://dli.invalid", "proj", AKSKAuth("AKAKAKAKAKAK", "sk"), retries=0)
        with pytest.raises(Exception) as info:
            client.jobs.list()
        assert not isinstance(info.value, CSEndpointRefused) and proxy.accepted == 0


def test_a_dli_refusal_names_the_field_it_concerns():
    from csapi import CSValidationError
    from csapi.dli.errors import error_field

    fields = ("name", "queue_name", "parallel_number", "dirty_data_kind", "sql_body")
    # the code alone says it (a job of that name exists; SQL syntax)
    assert error_field(CSConflict("exists", code="DLI.0006"), fields) == "name"
    assert error_field(CSValidationError("bad", code="DLI.0004"), fields) == "sql_body"
    # a parameter error: by the caller's words, else by a field's own name in DLI's message
    bad_queue = CSValidationError("The queue flink_q does not exist", code="DLI.0001")
    assert error_field(bad_queue, fields, (("queue", "queue_name"),)) == "queue_name"
    assert error_field(CSValidationError("parallel_number must be 1 to 10", code="DLI.0001"), fields) == (
        "parallel_number"
    )
    # the client's own refusal names DLI's wire field; a form may hold it under another name
    refusal = CSValidationError("bad strategy", code="DLI.0001")
    refusal.field = "dirty_data_strategy"
    assert (
        error_field(refusal, fields, aliases={"dirty_data_strategy": "dirty_data_kind"}) == "dirty_data_kind"
    )
    assert error_field(refusal, ("dirty_data_strategy",)) == "dirty_data_strategy"
    # nothing names a field these fields have: the error goes to the top of the form
    assert error_field(CSValidationError("parallel_number too big", code="DLI.0001"), ("name",)) is None
    assert error_field(CSServerError("boom", code="DLI.0999"), fields) is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"team": "a", "n": 3}, [{"key": "team", "value": "a"}, {"key": "n", "value": "3"}]),
        (
            [{"key": "team", "value": None}, "junk", {"key": "k"}],
            [{"key": "team", "value": ""}, {"key": "k", "value": ""}],
        ),
        (({"key": "a", "value": "b"},), [{"key": "a", "value": "b"}]),
        ("team=a", None),
        (None, None),
    ],
)
def test_tags_take_dlis_list_shape_from_a_list_or_a_mapping(given, expected):
    from csapi.dli.tags import tag_list

    assert tag_list(given) == expected
