"""Every DLI limit, twice: the client refuses the bad value before any request, and the emulator, sent
the same value by a client that does not check, answers DLI's documented code."""

from __future__ import annotations

import pytest

from csapi import CSQuotaExceeded, CSValidationError
from csapi.dli import limits, validation

from .conftest import PROD, SQL, ops_count

LONG_SQL = "x" * (limits.SQL_MAX_CHARS + 1)


def _sql(**fields):
    base = {"queue_name": PROD, "sql_body": SQL}
    base.update(fields)
    name = base.pop("name", "limit_job")
    return lambda c: c.jobs.create_sql(name, **base)


def _jar(**fields):
    base = {"queue_name": PROD, "entrypoint": "obs://b/a.jar", "cu_number": 4}
    base.update(fields)
    return lambda c: c.jobs.create_jar("limit_jar", **base)


def _tpl(name="limit_tpl", **fields):
    return lambda c: c.templates.create(name, **fields)


CASES = {
    "job name too long": _sql(name="n" * (limits.JOB_NAME_MAX_CHARS + 1)),
    "job name blank": _sql(name=""),
    "job name characters": _sql(name="bad name!"),
    "job desc too long": _sql(desc="d" * (limits.JOB_DESC_MAX_CHARS + 1)),
    "queue name too long": _sql(queue_name="q" * (limits.QUEUE_NAME_MAX_CHARS + 1)),
    "sql too large": _sql(sql_body=LONG_SQL),
    "cu below range": _sql(cu_number=limits.CU_MIN - 1),
    "cu above range": _sql(cu_number=limits.CU_MAX + 1),
    "parallelism above range": _sql(cu_number=400, parallel_number=limits.PARALLELISM_MAX + 1),
    "parallelism above 4 x task CUs": _sql(cu_number=3, manager_cu_number=1, parallel_number=9),
    "manager takes every CU": _jar(cu_number=2, manager_cu_number=2),
    "tm_cus below range": _sql(tm_cus=0),
    "checkpoint interval too short": _sql(checkpoint_interval=limits.CHECKPOINT_INTERVAL_MIN - 1),
    "checkpoint interval too long": _sql(checkpoint_interval=limits.CHECKPOINT_INTERVAL_MAX + 1),
    "checkpoint mode unknown": _sql(checkpoint_mode=3),
    "resume_max_num zero": _sql(resume_max_num=0),
    "too many tags": _sql(tags={f"k{i}": "v" for i in range(limits.TAGS_MAX + 1)}),
    "tag key too long": _sql(tags={"k" * (limits.TAG_KEY_MAX_CHARS + 1): "v"}),
    "tag key reserved": _sql(tags={"_sys_owner": "v"}),
    "tag value characters": _sql(tags={"k": "a*b"}),
    "tag value too long": _jar(tags={"k": "v" * (limits.TAG_VALUE_MAX_CHARS + 1)}),
    "dirty data strategy": _sql(dirty_data_strategy="3"),
    "update: parallelism above 4 x task CUs": lambda c: c.jobs.update_sql(_draft(c), parallel_number=400),
    "template name too long": _tpl(name="t" * (limits.TEMPLATE_NAME_MAX_CHARS + 1)),
    "template desc too long": _tpl(desc="d" * (limits.TEMPLATE_DESC_MAX_CHARS + 1)),
    "template sql too large": _tpl(sql_body="s" * (limits.TEMPLATE_SQL_MAX_CHARS + 1)),
    "template job type": _tpl(job_type="flink_jar_job"),
    "list limit above 100": lambda c: c.jobs.list(limit=limits.LIST_LIMIT_MAX + 1),
    "list offset negative": lambda c: c.jobs.list(offset=-1),
    "list status unknown": lambda c: c.jobs.list(status="job_sleeping"),
    "template list limit": lambda c: c.templates.list(limit=limits.LIST_LIMIT_MAX + 1),
    "pool list limit": lambda c: c.pools.list(limit=limits.POOL_LIST_LIMIT_MAX + 1),
    "batch empty": lambda c: c.jobs.run([]),
    "batch too large": lambda c: c.jobs.stop(list(range(1, limits.BATCH_MAX + 2))),
    "batch id not positive": lambda c: c.jobs.delete([0]),
    "metrics batch empty": lambda c: c.jobs.metrics([]),
    "savepoint action": lambda c: c.jobs.savepoint(_running(c), "bkt/sp", action="STOP"),
    "savepoint path blank": lambda c: c.jobs.savepoint(_running(c), ""),
    "export dir blank": lambda c: c.jobs.export_jobs(""),
    "export selection empty": lambda c: c.jobs.export_jobs("obs://b/x", []),
    "import file blank": lambda c: c.jobs.import_jobs(""),
}


def _draft(client) -> int:
    return next(j.job_id for j in client.jobs.iter(status="job_init"))


def _running(client) -> int:
    return next(j.job_id for j in client.jobs.iter(status="job_running"))


@pytest.mark.parametrize("case", list(CASES))
def test_client_refuses_before_sending(case, client_factory, server):
    client = client_factory("aksk")
    call = CASES[case]
    server.emulator.reset_stats()
    with pytest.raises(CSValidationError) as info:
        call(client)
    sent = server.emulator.stats()["by_operation"]
    lookups = {k: v for k, v in sent.items() if k.startswith("GET")}  # _draft/_running find their job
    assert sent == lookups, f"the client sent {sent} for a refused request"
    assert info.value.code == "DLI.0001" and "before sending" in str(info.value)
    assert info.value.description == "Parameter check errors occur."


@pytest.mark.parametrize("case", list(CASES))
def test_emulator_answers_the_documented_code(case, client_factory, server):
    client = client_factory("aksk", check_limits=False)
    before = ops_count(server)
    with pytest.raises(CSValidationError) as info:
        CASES[case](client)
    assert ops_count(server) > before
    assert info.value.code == "DLI.0001" and info.value.http_status == 400
    assert "before sending" not in str(info.value) and info.value.cause


def test_template_count(client_factory, server):
    """dli_02_0245: at most 100 templates; the 101st is DLI.1028. The forms check the count they know."""
    client = client_factory("aksk")
    existing = client.templates.list().total
    for i in range(limits.TEMPLATES_MAX - existing):
        client.templates.create(f"bulk_{i:03d}", sql_body=SQL)
    assert client.templates.list().total == limits.TEMPLATES_MAX
    assert validation.validate_template_count(limits.TEMPLATES_MAX)[0].code == "DLI.1028"
    assert validation.validate_template_count(limits.TEMPLATES_MAX - 1) == []
    with pytest.raises(CSQuotaExceeded) as info:
        client.templates.create("one_too_many", sql_body=SQL)
    assert info.value.code == "DLI.1028" and info.value.description == "The quota is insufficient."


def test_values_at_the_limits_pass(client_factory, server):
    client = client_factory("aksk")
    job = client.jobs.create_sql(
        "n" * limits.JOB_NAME_MAX_CHARS,
        queue_name=PROD,
        sql_body=SQL,
        desc="d" * limits.JOB_DESC_MAX_CHARS,
        cu_number=limits.CU_MAX,
        parallel_number=validation.max_parallelism(limits.CU_MAX),
        checkpoint_interval=limits.CHECKPOINT_INTERVAL_MAX,
        tags={f"k{i}": "v" for i in range(limits.TAGS_MAX)},
        resume_max_num=-1,
    )
    assert client.jobs.get(job.job_id).config.parallel_number == 4 * (limits.CU_MAX - 1)
    assert len(client.jobs.list(limit=limits.LIST_LIMIT_MAX)) == 14
