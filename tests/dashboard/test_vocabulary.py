"""One place per fact: error codes, statuses and job types the dashboard names come from csapi."""

from __future__ import annotations

import re
from pathlib import Path

from csapi import vocab
from csapi.dli.errors import DLI_ERROR_CODES, DLI_ERROR_FIELDS
from csapi.errors import ERROR_CODES, ERROR_FIELDS, OBS_ALREADY_AUTHORIZED, OBS_NOT_AUTHORIZED

ROOT = Path(__file__).resolve().parents[2]
CODE = re.compile(r"\b(?:CS|DLI)\.\s?\d{4,5}\b")
SOURCES = [p for p in (ROOT / "dashboard").rglob("*.py") if "migrations" not in p.parts] + list(
    (ROOT / "templates").rglob("*.html")
)


def test_every_error_code_the_dashboard_names_is_documented():
    named = set(ERROR_FIELDS) | set(DLI_ERROR_FIELDS) | set(OBS_NOT_AUTHORIZED) | {OBS_ALREADY_AUTHORIZED}
    for path in SOURCES:
        named |= {c.replace(" ", "") for c in CODE.findall(path.read_text())}
    assert named, "the scan found nothing: the pattern is broken"
    missing = sorted(c for c in named if c not in ERROR_CODES and c not in DLI_ERROR_CODES)
    assert not missing, f"codes named by the dashboard but not in the error table: {missing}"


def test_the_code_to_field_table_names_fields_of_the_forms():
    from dashboard.clusters import forms as cluster_forms
    from dashboard.jobs import forms as job_forms
    from dashboard.usage import forms as usage_forms

    fields: set[str] = set()
    for module in (job_forms, cluster_forms, usage_forms):
        for value in vars(module).values():
            declared = getattr(value, "base_fields", None)
            if isinstance(declared, dict):
                fields |= set(declared)
    unknown = sorted({f for f in ERROR_FIELDS.values() if f not in fields})
    assert not unknown, f"ERROR_FIELDS names fields no form has: {unknown}"


STATUS_LITERAL = re.compile(
    r"[\"'](job_(?:init|submitting|submit_fail|running|running_exception|downloading|idle|"
    r"canceling|cancel_success|cancel_fail|savepointing|arrearage_stopped|"
    r"arrearage_recovering|finish))[\"']"
)
TYPE_LITERAL = re.compile(
    r"[\"'](flink_sql_job|flink_sql_edge_job|flink_jar_job|spark_streaming_jar_job|"
    r"shared_cluster|exclusive_cluster|edge_node)[\"']"
)


def test_statuses_and_job_types_are_names_not_strings():
    offenders = []
    for path in (p for p in SOURCES if p.suffix == ".py"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            code = line.split("#", 1)[0]
            if STATUS_LITERAL.search(code) or TYPE_LITERAL.search(code):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "use csapi.vocab names:\n" + "\n".join(offenders)
    assert vocab.JOB_RUNNING in vocab.JOB_STATUSES and vocab.FLINK_SQL_JOB in vocab.JOB_TYPES
