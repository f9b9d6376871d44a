"""The error table of reference 7.2 and building exceptions from answers of both body forms."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import pytest
import requests

from csapi import errors
from csapi.errors import (
    ERROR_CODES,
    CSAuthError,
    CSConflict,
    CSError,
    CSNotFound,
    CSQuotaExceeded,
    CSRateLimited,
    CSServerError,
    CSValidationError,
    describe,
    error_class_for,
    error_from_response,
)

REFERENCE = Path("/work/shared/cs-api-reference.txt")


def fake_response(status: int, body, headers=None, url="https://cs.example.com/v1.0/p/sql_job?token=secret"):
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response.headers.update(headers or {})
    request = requests.Request("POST", url).prepare()
    response.request = request
    response.url = url
    return response


def test_table_has_every_documented_row():
    assert len(ERROR_CODES) == 159
    if REFERENCE.exists():
        text = REFERENCE.read_text()
        section = text[
            text.index("Table 7-2 Common error codes") : text.index("7.3 Obtaining a Project ID\n\nObtaining")
        ]
        documented = {c.replace(" ", "") for c in re.findall(r"^(CS\. ?\d{5})\t", section, re.M)}
        assert documented == set(ERROR_CODES)


@pytest.mark.parametrize("code", sorted(ERROR_CODES))
def test_every_code_is_complete(code):
    spec = ERROR_CODES[code]
    assert spec.code == code and re.fullmatch(r"CS\.\d{5}", code)
    assert spec.http_status == 400
    assert spec.description and spec.solution
    assert issubclass(error_class_for(code, spec.http_status), CSError)


def test_describe():
    assert describe("CS.11004").description == "The job name exists."
    assert describe("CS. 11010").code == "CS.11010"
    assert describe("cs.11004").code == "CS.11004"
    assert describe("CS.99999") is None and describe(None) is None


@pytest.mark.parametrize(
    ("code", "klass"),
    [
        ("CS.11004", CSConflict),
        ("CS.12004", CSNotFound),
        ("CS.13006", CSConflict),
        ("CS.15002", CSConflict),
        ("CS.18003", CSQuotaExceeded),
        ("CS.13001", CSQuotaExceeded),
        ("CS.22007", CSQuotaExceeded),
        ("CS.10007", CSAuthError),
        ("CS.10005", CSAuthError),
        ("CS.11012", CSValidationError),
        ("CS.24001", CSValidationError),
        ("CS.10001", CSServerError),
        ("CS.20005", CSNotFound),
    ],
)
def test_code_classes(code, klass):
    assert error_class_for(code, 400) is klass


@pytest.mark.parametrize(
    ("status", "klass"),
    [
        (400, CSValidationError),
        (401, CSAuthError),
        (403, CSAuthError),
        (404, CSNotFound),
        (409, CSConflict),
        (429, CSRateLimited),
        (500, CSServerError),
        (503, CSServerError),
        (418, CSError),
    ],
)
def test_status_classes(status, klass):
    assert error_class_for(None, status) is klass
    assert error_class_for("XX.0001", status) is klass


def test_429_and_401_win_over_codes():
    assert error_class_for("CS.11004", 429) is CSRateLimited
    assert error_class_for("CS.11004", 401) is CSAuthError


def test_long_form_body():
    body = {
        "error_id": "CS.11004",
        "error_name": "JOB_NAME_EXIST",
        "error_cause": "This job name is already existed",
        "error_suggestion": "Please choose a new job name",
        "error_time": 1538016904593,
    }
    err = error_from_response(fake_response(400, body, {"X-Request-Id": "req-1"}))
    assert isinstance(err, CSConflict)
    assert (err.code, err.name, err.cause, err.suggestion) == (
        "CS.11004",
        "JOB_NAME_EXIST",
        "This job name is already existed",
        "Please choose a new job name",
    )
    assert err.error_id == "CS.11004" and err.error_time == 1538016904593
    assert err.http_status == 400 and err.method == "POST" and err.request_id == "req-1"
    assert err.description == "The job name exists." and err.solution == "Select a new job name."
    assert err.url == "https://cs.example.com/v1.0/p/sql_job"
    text = str(err)
    assert text.startswith(
        "CS.11004 The job name exists: This job name is already existed. Solution: Please choose"
    )
    assert "secret" not in text and "secret" not in repr(err)


def test_short_form_body():
    err = error_from_response(
        fake_response(400, {"error_code": "CS.12004", "error_msg": "job 5 does not exist"})
    )
    assert isinstance(err, CSNotFound)
    assert err.code == "CS.12004" and err.cause == "job 5 does not exist"
    assert "Check the reason or create a job" in str(err)


def test_iam_style_short_form_with_other_prefix():
    err = error_from_response(
        fake_response(401, {"error_msg": "The format of message is error", "error_code": "AS.0001"})
    )
    assert isinstance(err, CSAuthError) and err.code == "AS.0001" and err.description is None


@pytest.mark.parametrize(
    "body",
    [
        [{"error_id": "CS.20005", "error_cause": "no cluster"}],
        {"error": {"error_code": "CS.20005", "error_msg": "no cluster"}},
        {"payload": {"error_id": "CS.20005"}},
    ],
)
def test_wrapped_bodies(body):
    err = error_from_response(fake_response(400, body))
    assert isinstance(err, CSNotFound) and err.code == "CS.20005"


@pytest.mark.parametrize(
    ("status", "body", "klass"),
    [
        (502, b"<html>Bad Gateway</html>", CSServerError),
        (400, b"", CSValidationError),
        (404, b"not json", CSNotFound),
        (500, b'{"truncated": ', CSServerError),
        (400, {"unrelated": 1}, CSValidationError),
    ],
)
def test_bodies_without_error_fields(status, body, klass):
    err = error_from_response(fake_response(status, body))
    assert type(err) is klass and err.code is None and err.http_status == status
    assert str(err)


def test_retry_after_parsing():
    err = error_from_response(fake_response(429, {"error_msg": "slow down"}, {"Retry-After": "7"}))
    assert isinstance(err, CSRateLimited) and err.retry_after == 7
    assert errors.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert errors.parse_retry_after("garbage") is None and errors.parse_retry_after(None) is None


def test_errors_pickle():
    err = error_from_response(fake_response(400, {"error_id": "CS.11004", "error_cause": "x"}))
    again = pickle.loads(pickle.dumps(err))  # noqa: S301 - our own bytes
    assert type(again) is CSConflict and again.code == "CS.11004" and str(again) == str(err)


def test_safe_url_strips_credentials_and_query():
    assert errors.safe_url("https://user:pw@h:1/p?q=secret#f") == "https://h:1/p"
