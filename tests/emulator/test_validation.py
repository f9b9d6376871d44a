"""csapi.validation as pure functions: the same rules the emulator answers with, without HTTP."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from csapi import limits, validation
from csapi.emulator.seed import make_jar
from csapi.validation import Violation


def codes(violations):
    return [v.code for v in violations]


def test_violation_is_frozen_with_field_code_message():
    v = validation.validate_sql_job({"run_mode": "shared_cluster"})[0]
    assert isinstance(v, Violation) and v.field == "name" and v.code == "CS.11007" and v.message


def test_valid_sql_job_has_no_violations():
    assert (
        validation.validate_sql_job(
            {"name": "ok", "run_mode": "shared_cluster", "spu_number": 2, "parallel_number": 8}
        )
        == []
    )


def test_parallelism_rule_uses_current_values_on_update():
    current = {"run_mode": "shared_cluster", "spu_number": 1, "parallel_number": 1}
    assert codes(
        validation.validate_sql_job({"job_id": 5, "parallel_number": 5}, update=True, current=current)
    ) == ["CS.11022"]
    assert (
        validation.validate_sql_job({"job_id": 5, "parallel_number": 4}, update=True, current=current) == []
    )


def test_checkpoint_accepts_every_documented_mode_form():
    for mode in ("exactly_once", "ExactlyOnce", "at_least_once", "AtLeastOnce", 1, 2, "1"):
        body = {
            "name": "a",
            "run_mode": "shared_cluster",
            "checkpoint_enabled": True,
            "checkpoint_mode": mode,
            "checkpoint_interval": 10,
            "obs_bucket": "b",
        }
        assert validation.validate_sql_job(body) == [], mode


def test_jar_check():
    assert validation.check_jar(make_jar(), "a.jar") == []
    assert codes(validation.check_jar(b"PK\x03\x04 broken", "a.jar")) == ["CS.11017"]
    assert codes(validation.check_jar(b"x" * (limits.UPLOAD_MAX_BYTES + 1), "a.jar")) == ["CS.11031"]


def test_jar_form_values_are_strings():
    form = {
        "name": "j",
        "desc": "",
        "job_type": "flink_jar_job",
        "cluster_id": "7",
        "spu_number": "3",
        "manager_spu": "1",
        "parallel_number": "8",
        "log_enabled": "false",
    }
    assert validation.validate_jar_job(form) == []
    assert codes(validation.validate_jar_job({**form, "parallel_number": "9"})) == ["CS.11022"]
    assert codes(validation.validate_jar_job({**form, "log_enabled": "maybe"})) == ["CS.10004"]


def test_hosts_file_parsing():
    data = b"# hosts\n\n10.0.0.1 a.example.com b.example.com  # two names\n::1 v6.example.com\n"
    mappings, violations = validation.parse_hosts_file(data)
    assert violations == []
    assert mappings == [
        ("10.0.0.1", "a.example.com"),
        ("10.0.0.1", "b.example.com"),
        ("::1", "v6.example.com"),
    ]
    _, violations = validation.parse_hosts_file(
        b"10.0.0.1 a.example.com\nbad line here\n10.0.0.300 c.example.com\n"
    )
    assert [(v.field, v.code) for v in violations] == [
        ("hosts_file:2", "CS.22004"),
        ("hosts_file:3", "CS.22004"),
    ]
    assert "Line 2" in violations[0].message
    assert codes(validation.parse_hosts_file(b"\n# nothing\n")[1]) == ["CS.22005"]
    assert codes(validation.parse_hosts_file(b"10.0.0.1 a.example.com\n10.0.0.2 A.example.com\n")[1]) == [
        "CS.22002"
    ]
    many = "".join(f"10.0.{i // 200}.{i % 200 + 1} h{i}.example.com\n" for i in range(1001)).encode()
    assert codes(validation.parse_hosts_file(many)[1]) == ["CS.22007"]


def test_network_rules():
    assert validation.validate_route({"destination": "192.168.0.0/16"}) == []
    assert codes(validation.validate_route({"destination": "192.168.0.1/16"})) == ["CS.22106"]
    assert codes(validation.validate_route({})) == ["CS.22104"]
    assert (
        codes(
            validation.validate_cluster(
                {
                    "name": "c",
                    "vpc_cidr": "10.0.0.0/16",
                    "subnet_cidr": "10.0.1.0/24",
                    "subnet_gateway": "10.0.1.1",
                }
            )
        )
        == []
    )
    assert codes(
        validation.validate_cluster({"name": "c", "subnet_cidr": "10.0.1.0/24", "subnet_gateway": "10.0.1.0"})
    ) == ["CS.20022"]


def test_audit_and_list_queries():
    assert (
        validation.validate_audit_query({"limit": "50", "resource_type": "cluster", "page_number": "2"}) == []
    )
    assert codes(validation.validate_audit_query({"limit": "51"})) == ["CS.24001"]
    assert codes(validation.validate_audit_query({"resource_type": "job_template"})) == ["CS.24002"]
    assert codes(validation.validate_list_query({"limit": "0"}, limit_code="CS.21031")) == ["CS.21031"]
    assert codes(validation.validate_list_query({"order": "sideways"})) == ["CS.10003"]


@given(st.text(max_size=80))
def test_job_name_rule_matches_the_limits(name):
    found = codes(validation.validate_sql_job({"name": name, "run_mode": "shared_cluster"}))
    ok = (
        bool(name.strip())
        and limits.utf8_len(name) <= limits.JOB_NAME_MAX_BYTES
        and bool(limits.JOB_NAME_PATTERN.match(name))
    )
    assert (found == []) == ok


@given(st.integers(min_value=-5, max_value=500), st.integers(min_value=-5, max_value=80))
def test_spu_and_parallelism_ranges(spu, par):
    found = codes(
        validation.validate_sql_job(
            {"name": "n", "run_mode": "shared_cluster", "spu_number": spu, "parallel_number": par}
        )
    )
    ok = (
        limits.SPU_MIN <= spu <= limits.SPU_MAX
        and limits.PARALLELISM_MIN <= par <= limits.PARALLELISM_MAX
        and par <= limits.PARALLELISM_PER_SPU * spu
    )
    assert (found == []) == ok
