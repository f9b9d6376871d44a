"""Every documented CS and DLI error code has its description and solution in English and in Chinese."""

from __future__ import annotations

import re

import pytest

from csapi.dli.errors import DLI_ERROR_CODES
from csapi.dli.errors_zh import ZH_HANS as DLI_ZH
from csapi.errors import ERROR_CODES, describe_in
from csapi.errors_zh import ZH_HANS as CS_ZH

HAN = re.compile(r"[\u4e00-\u9fff]")
TABLES = [("CS", ERROR_CODES, CS_ZH), ("DLI", DLI_ERROR_CODES, DLI_ZH)]


@pytest.mark.parametrize(("service", "english", "chinese"), TABLES, ids=[t[0] for t in TABLES])
def test_every_code_has_both_languages(service, english, chinese):
    assert set(chinese) == set(english), f"{service}: codes without Chinese or Chinese without a code"
    for code, spec in english.items():
        assert spec.description.strip() and spec.solution.strip(), code
        description, solution = chinese[code]
        assert HAN.search(description) and HAN.search(solution), code
        # Placeholders the reference writes into a row ({0}, {Bucket name}) survive the translation.
        for text, translated in ((spec.description, description), (spec.solution, solution)):
            assert set(re.findall(r"\{[^}]*\}", text)) == set(re.findall(r"\{[^}]*\}", translated)), code


@pytest.mark.parametrize("language", ["zh-hans", "zh_Hans", "zh-CN", "zh"])
def test_describe_in_chinese(language):
    assert describe_in("CS.11004", language).description == CS_ZH["CS.11004"][0]
    assert describe_in("cs. 11004", language).solution == CS_ZH["CS.11004"][1]
    assert describe_in("DLI.1028", language).description == DLI_ZH["DLI.1028"][0]


@pytest.mark.parametrize("language", ["en", "en-us", "", None, "fr"])
def test_describe_in_english_and_unknown_languages(language):
    assert describe_in("CS.11004", language) == ERROR_CODES["CS.11004"]
    assert describe_in("DLI.0001", language) == DLI_ERROR_CODES["DLI.0001"]


def test_undocumented_code():
    assert describe_in("CS.99999", "zh-hans") is None
    assert describe_in(None, "en") is None
