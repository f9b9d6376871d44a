"""CS and DLI failures read in the person's language: the documented description and solution from the
error tables (csapi), the labels around them from the catalogue, CS's own words quoted as they came."""

from __future__ import annotations

import pytest
from django.utils import translation

from csapi.errors import CSTimeout, CSValidationError
from dashboard.teams.cs import error_context, error_text


def _conflict():
    return CSValidationError(
        http_status=400,
        code="CS.11004",
        cause="This job name is already existed",
        suggestion="Please choose a new job name",
    )


def test_english_keeps_cs_own_suggestion():
    with translation.override("en"):
        text = error_text(_conflict())
    assert text == (
        "CS.11004: The job name exists. Cause: This job name is already existed. "
        "Solution: Please choose a new job name."
    )


def test_chinese_uses_the_chinese_table():
    with translation.override("zh-hans"):
        text = error_text(_conflict())
        context = error_context(_conflict())
    assert text.startswith("CS.11004: 作业名称已存在。")
    assert "原因：This job name is already existed." in text and "处理方法：请换一个作业名称。" in text
    assert context == {
        "code": "CS.11004",
        "description": "作业名称已存在。",
        "cause": "This job name is already existed",
        "solution": "请换一个作业名称。",
    }


def test_dli_codes_in_chinese():
    with translation.override("zh-hans"):
        context = error_context(CSValidationError(http_status=400, code="DLI.0001"))
    assert context["description"] == "参数校验出错。"


def test_failures_without_a_code_are_named_in_the_language():
    with translation.override("zh-hans"):
        assert error_text(CSTimeout()) == "CS 未能及时响应。"
        assert error_text(RuntimeError("boom")) == "控制台无法与 CS 通信，请稍后重试。"
    with translation.override("en"):
        assert error_text(CSTimeout()) == "CS did not answer in time."


def test_failures_without_a_code_name_the_service_that_failed():
    """A DLI answer without a documented code says DLI, not CS (the DLI client marks its errors)."""
    from csapi.auth import AKSKAuth
    from csapi.dli import DLIClient
    from csapi.errors import CSServerError
    from csapi.netguard import OutboundPolicy
    from tests.listeners import Listener, http_answer

    with Listener(answer=http_answer("500 Internal Server Error", b"")) as dli:
        client = DLIClient(
            f"http://{dli.netloc}",
            "proj",
            AKSKAuth("AKAKAKAKAKAK", "sk"),
            retries=0,
            outbound=OutboundPolicy.allowing([dli.netloc]),
        )
        with pytest.raises(CSServerError) as info:
            client.queues.list()
    assert info.value.service == "DLI" and info.value.code is None
    with translation.override("en"):
        assert error_text(info.value).startswith("DLI had an internal error.")
        assert error_text(CSServerError(http_status=500)).startswith("CS had an internal error.")
    with translation.override("zh-hans"):
        assert error_text(info.value).startswith("DLI 内部出错。")
