"""DLI seed data, beside each seeded CS project (the CS data is left exactly as it was).

- ``demo``: every demo project gets an elastic resource pool with two general-purpose queues (a busy
  production queue and a small development queue), a SQL queue, three templates, an exported job file,
  and thirteen Flink jobs built by performing the actions at past instants: running SQL and JAR jobs
  (one restarting after exceptions), a job that failed while running, one that could not be submitted
  because its queue had no free CUs, jobs stopped with and without a savepoint, and drafts.
- ``scale:N[:T]``: every project also gets N DLI Flink jobs (constructed directly, in the scale seed's
  mix of statuses) on one large general-purpose queue, for benchmarks and paging tests.
- ``empty``: no DLI resources.

DLI ids come from their own counters (``dli_job``, ``dli_template``, ``dli_queue``, ``dli_pool``), so
seeding DLI never shifts a CS id.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from .dli import DLIOps
from .dli_model import SUBMIT_SECONDS, DLIJob, DLIPool, DLIQueue

if TYPE_CHECKING:  # pragma: no cover
    from .app import Emulator
    from .model import Project, User

__all__ = ["seed_demo", "seed_scale"]

_DAY = 86400.0

_SQL = {
    "orders": (
        "CREATE TABLE orders (order_id STRING, shop STRING, amount DOUBLE, ts TIMESTAMP(3)) WITH ("
        "'connector' = 'kafka', 'topic' = 'orders', 'properties.bootstrap.servers' = '10.0.0.10:9092', "
        "'format' = 'json');\n"
        "CREATE TABLE shop_totals (shop STRING, total DOUBLE) WITH ('connector' = 'print');\n"
        "INSERT INTO shop_totals SELECT shop, SUM(amount) FROM orders GROUP BY shop;"
    ),
    "clicks": (
        "CREATE TABLE clicks (user_id STRING, page STRING, ts TIMESTAMP(3)) WITH ("
        "'connector' = 'kafka', 'topic' = 'clicks', 'properties.bootstrap.servers' = '10.0.0.10:9092', "
        "'format' = 'json');\n"
        "CREATE TABLE sessions (user_id STRING, pages BIGINT) WITH ('connector' = 'print');\n"
        "INSERT INTO sessions SELECT user_id, COUNT(page) FROM clicks GROUP BY user_id;"
    ),
    "sensors": (
        "CREATE TABLE sensors (device STRING, temperature DOUBLE) WITH ('connector' = 'datagen');\n"
        "CREATE TABLE hot_devices (device STRING, temperature DOUBLE) WITH ('connector' = 'print');\n"
        "INSERT INTO hot_devices SELECT device, temperature FROM sensors WHERE temperature > 80;"
    ),
}

# (name, kind, queue, cu, parallel, plan); plans: run, restarting, fail_running, no_cus, stop_savepoint,
# stop, draft
_DEMO_JOBS: tuple[tuple[str, str, str, int, int, str], ...] = (
    ("orders_enrich", "sql", "prod", 8, 8, "run"),
    ("clickstream_sessions", "sql", "prod", 4, 4, "restarting"),
    ("fraud_alerts", "sql", "prod", 4, 2, "run"),
    ("inventory_sync", "jar", "prod", 6, 4, "run"),
    ("sensor_rollup", "sql", "dev", 12, 8, "run"),
    ("dev_backfill", "sql", "dev", 8, 4, "no_cus"),
    ("payments_audit", "sql", "prod", 4, 4, "fail_running"),
    ("daily_report", "sql", "prod", 2, 2, "stop_savepoint"),
    ("geo_heatmap", "jar", "prod", 4, 4, "stop_savepoint"),
    ("legacy_etl", "sql", "prod", 2, 1, "stop"),
    ("draft_user_segments", "sql", "dev", 2, 1, "draft"),
    ("draft_ab_metrics", "jar", "dev", 3, 2, "draft"),
    ("draft_price_watch", "sql", "prod", 2, 1, "draft"),
)


def _queue(
    emu: Emulator, project: Project, name: str, cu: int, at: float, owner: str, **extra: Any
) -> DLIQueue:
    queue = DLIQueue(
        queue_id=emu.next_id("dli_queue"),
        queue_name=name,
        owner=owner,
        cu_count=cu,
        create_time=at,
        resource_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"dli-queue/{project.project_id}/{name}")),
        **extra,
    )
    project.dli.queues[name] = queue
    return queue


def _pool(emu: Emulator, project: Project, name: str, queues: list[str], at: float, owner: str) -> DLIPool:
    pool = DLIPool(
        pool_id=emu.next_id("dli_pool"),
        name=name,
        owner=owner,
        max_cu=256,
        min_cu=16,
        create_time=at,
        description="Elastic resource pool of the stream jobs",
        queues=list(queues),
        resource_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"dli-pool/{project.project_id}/{name}")),
    )
    project.dli.pools[name] = pool
    for queue in queues:
        project.dli.queues[queue].elastic_resource_pool_name = name
    return pool


def seed_demo(emu: Emulator, project: Project, admin: User, short: str) -> None:
    """The demo's DLI resources for one project (see the module docstring)."""
    now = emu.clock.now()
    t = now - 20 * _DAY
    prod, dev, sql = f"{short}_flink_prod", f"{short}_flink_dev", f"{short}_sql"
    _queue(emu, project, prod, 64, t, admin.name, description="Production stream jobs")
    _queue(emu, project, dev, 16, t + 60, admin.name, description="Development and tests")
    _queue(emu, project, sql, 16, t + 120, admin.name, queue_type="sql", description="Batch SQL")
    _pool(emu, project, f"{short}-flink-pool", [prod, dev], t, admin.name)

    def ops(at: float) -> DLIOps:
        o = DLIOps(emu, project, admin)
        o.now = at
        return o

    for i, (key, sql_body) in enumerate(_SQL.items()):
        ops(t + 300 + i).create_template(
            {
                "name": f"tpl_{key}",
                "desc": f"Template: {key}",
                "sql_body": sql_body[:2048],
                "job_type": "flink_opensource_sql_job",
            }
        )
    queues = {"prod": prod, "dev": dev}
    created: list[tuple[int, str, float]] = []
    for i, (name, kind, queue, cu, parallel, plan) in enumerate(_DEMO_JOBS):
        at = t + _DAY + i * 3600
        body: dict[str, Any] = {
            "name": f"{short}_{name}",
            "desc": name.replace("_", " ").capitalize(),
            "queue_name": queues[queue],
            "cu_number": cu,
            "manager_cu_number": 1,
            "parallel_number": parallel,
            "checkpoint_enabled": i % 2 == 0,
            "checkpoint_mode": 1 if i % 3 else 2,
            "checkpoint_interval": 60,
            "obs_bucket": f"{short}-flink-checkpoints",
            "log_enabled": True,
            "restart_when_exception": plan == "restarting",
            "tags": [{"key": "team", "value": short}, {"key": "env", "value": queue}],
        }
        if kind == "sql":
            body["sql_body"] = list(_SQL.values())[i % len(_SQL)]
            body["flink_version"] = "1.17"
            result = ops(at).create_sql_job(body)
        else:
            body.update(
                entrypoint=f"obs://{short}-flink-jars/{name}.jar",
                main_class=f"com.example.{name.title().replace('_', '')}",
                entrypoint_args="--window 60",
                dependency_jars=[f"obs://{short}-flink-jars/libs/common.jar"],
                flink_version="1.15",
            )
            result = ops(at).create_jar_job(body)
        created.append((result["job"]["job_id"], plan, at))

    for job_id, plan, at in created:
        if plan == "draft":
            continue
        run_at = at + 3600
        if plan in ("run", "stop", "stop_savepoint"):
            emu.queue_outcomes("job_running")
        elif plan in ("restarting", "fail_running"):
            emu.queue_outcomes("job_running_exception")
        ops(run_at).run_jobs({"job_ids": [job_id]})
        if plan == "stop_savepoint":
            ops(run_at + 2 * _DAY).stop_jobs({"job_ids": [job_id], "trigger_savepoint": True})
        elif plan == "stop":
            ops(run_at + 3 * _DAY).stop_jobs({"job_ids": [job_id]})
    ops(now - 2 * _DAY).export_jobs({"obs_dir": f"obs://{short}-flink-backups/exports", "is_selected": False})


_SCALE_STATUSES = (
    ("job_running", 40),
    ("job_cancel_success", 35),
    ("job_submit_fail", 5),
    ("job_running_exception", 5),
    ("job_submitting", 2),
    ("job_cancel_fail", 1),
    ("job_finish", 12),
)


def seed_scale(emu: Emulator, project: Project, count: int) -> None:
    """``count`` DLI Flink jobs on one large queue, constructed directly (fast)."""
    now = emu.clock.now()
    admin = next(iter(project.users.values()))
    queue_name = "scale_flink_queue"
    wheel: list[str] = []
    for status, weight in _SCALE_STATUSES:
        wheel.extend([status] * weight)
    first_id = emu.next_id("dli_job")
    emu.counters["dli_job"] = first_id + count - 1
    drafts = min(50, count // 100)
    running_cu = 0
    dli = project.dli
    pid = project.project_id
    for n in range(count):
        job_id = first_id + n
        created = now - 90 * _DAY + n * (80 * _DAY / max(count, 1))
        cu = 2 + n % 3
        timeline: list[list[Any]] = []
        run_start = 0.0
        if n >= drafts:
            status = wheel[(n * 37) % len(wheel)]
            run_start = created + 600
            up = run_start + SUBMIT_SECONDS
            if status == "job_submitting":
                run_start = now - 1
                timeline = [[run_start, "job_submitting", ""]]
            elif status == "job_running":
                timeline = [[run_start, "job_submitting", ""], [up, "job_running", ""]]
            elif status == "job_submit_fail":
                timeline = [[run_start, "job_submitting", ""], [up, status, "The queue has no free CUs."]]
            elif status == "job_running_exception":
                timeline = [
                    [run_start, "job_submitting", ""],
                    [up, "job_running", ""],
                    [up + 3600, status, "TaskManager lost."],
                ]
            else:
                timeline = [
                    [run_start, "job_submitting", ""],
                    [up, "job_running", ""],
                    [up + 7200, "job_canceling", ""],
                    [up + 7203, status, ""],
                ]
            if status in ("job_running", "job_submitting"):
                running_cu += cu
        dli.jobs[job_id] = DLIJob(
            job_id=job_id,
            name=f"scale_flink_{job_id}",
            job_type="flink_opensource_sql_job",
            user_id=admin.user_id,
            user_name=admin.name,
            project_id=pid,
            create_time=created,
            update_time=created,
            desc="Benchmark job",
            queue_name=queue_name,
            sql_body=_SQL["sensors"],
            cu_number=cu,
            parallel_number=1 + n % 4,
            timeline=timeline,
            run_start=run_start,
            run_count=1 if timeline else 0,
        )
    dli.job_ids = sorted(dli.jobs)
    dli.job_names = {j.name: j.job_id for j in dli.jobs.values()}
    _queue(
        emu, project, queue_name, running_cu + 64, now - 100 * _DAY, admin.name, description="Benchmark queue"
    )
    _pool(emu, project, "scale-flink-pool", [queue_name], now - 100 * _DAY, admin.name)
    dli.cu_quota = max(dli.cu_quota, running_cu + 1000)
