"""Seed data for the emulator: the demo tenants, an empty account, and large data sets for benchmarks.

Seeds (``--seed``):

- ``demo`` (default): two tenants (:data:`DEMO_TENANTS`), each with several IAM users with SPU quotas,
  two exclusive clusters, ~30 SQL / Flink JAR / Spark jobs in mixed states (running, stopped, drafts,
  failures), templates, host mappings, a VPC peering with routes, authorized OBS buckets, and an audit
  history, metrics and billing built by performing the actions at past instants.
- ``empty``: the first tenant's account only (users, no resources).

Beside the CS resources, ``demo`` and ``scale`` seed DLI queues, pools, templates and Flink jobs
(:mod:`csapi.emulator.dli_seed`); the CS data is the same with or without them.
- ``scale:N``: the first tenant's account with N jobs (fast: direct construction, no audit history).
- ``scale:N:T``: N jobs spread over T tenants with predictable credentials: project ids
  ``scale-project-01`` ... ``scale-project-T``, domains ``scale-domain-01`` ..., users
  ``scale-user-01`` ..., every password :data:`DEFAULT_PASSWORD`, AK ``SCALEAK00000000000001`` ...
  (``SCALEAK`` + the tenant number on 13 digits), SK ``scale-sk-01-`` padded with ``0`` to 40
  characters (see :func:`scale_tenant`).

The first tenant's login (domain, user, password, project id, AK, SK) can be replaced by the CLI's
account flags; :data:`DEMO_TENANTS` holds the defaults, for the dashboard's own seed command.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from . import dli_seed
from .model import SHARED_CLUSTER_ID, Cluster, Job, Project, User
from .service import ProjectOps

if TYPE_CHECKING:  # pragma: no cover
    from .app import Emulator

__all__ = [
    "DEFAULT_PASSWORD",
    "DEMO_TENANTS",
    "Tenant",
    "apply_seed",
    "make_jar",
    "scale_tenant",
]


@dataclass(frozen=True)
class Tenant:
    """One tenant's login: IAM domain (account), user, password, project, and the user's AK/SK."""

    domain: str
    user: str
    password: str
    project_id: str
    ak: str
    sk: str
    project_name: str = "cn-north-1"
    region: str = "cn-north-1"

    @property
    def user_id(self) -> str:
        return _hex_id("user", self.domain, self.user)

    @property
    def domain_id(self) -> str:
        return _hex_id("domain", self.domain)


DEFAULT_PASSWORD = "CsDemo#2024pass"  # noqa: S105 - a public demo account of the emulator

#: The demo seed's tenants; the first is the default account of the CLI and of the test server.
DEMO_TENANTS: tuple[Tenant, ...] = (
    Tenant(
        domain="acme-streaming",
        user="acme_admin",
        password=DEFAULT_PASSWORD,
        project_id="5a3314075bfa49b9ae360f4ecd333695",
        ak="ACMEDEMOAK0000000001",
        sk="acmeDemoSecretKey00000000000000000000001",
    ),
    Tenant(
        domain="globex-analytics",
        user="globex_admin",
        password="GlobexDemo#2024",  # noqa: S106
        project_id="9bc552e619af4326800d281a92984636",
        ak="GLOBEXDEMOAK00000001",
        sk="globexDemoSecretKey000000000000000000001",
    ),
)


def _hex_id(*parts: str) -> str:
    return hashlib.md5("/".join(parts).encode(), usedforsecurity=False).hexdigest()


def scale_tenant(number: int) -> Tenant:
    """The predictable login of tenant ``number`` (1-based) of a ``scale:N:T`` seed."""
    return Tenant(
        domain=f"scale-domain-{number:02d}",
        user=f"scale-user-{number:02d}",
        password=DEFAULT_PASSWORD,
        project_id=f"scale-project-{number:02d}",
        ak=f"SCALEAK{number:013d}",
        sk=f"scale-sk-{number:02d}-".ljust(40, "0"),
    )


def _account_tenant(base: Tenant, account: dict[str, str] | None) -> Tenant:
    if not account:
        return base
    keys = {"domain", "user", "password", "project_id", "ak", "sk"}
    changes = {k: v for k, v in account.items() if k in keys and v}
    return replace(base, **changes)


def make_jar(main_class: str = "com.example.StreamJob", extra: int = 0) -> bytes:
    """A small valid JAR (zip with a manifest), for seeds and tests."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("META-INF/MANIFEST.MF", f"Manifest-Version: 1.0\nMain-Class: {main_class}\n")
        archive.writestr(main_class.replace(".", "/") + ".class", b"\xca\xfe\xba\xbe" + b"\0" * (64 + extra))
    return buffer.getvalue()


def _project(tenant: Tenant) -> Project:
    project = Project(
        project_id=tenant.project_id,
        project_name=tenant.project_name,
        domain_id=tenant.domain_id,
        domain_name=tenant.domain,
        region=tenant.region,
        app_id=_hex_id("app", tenant.project_id),
    )
    admin = User(
        user_id=tenant.user_id,
        name=tenant.user,
        password=tenant.password,
        ak=tenant.ak,
        sk=tenant.sk,
        spu_quota=400,
    )
    project.users[admin.user_id] = admin
    return project


def _add_user(project: Project, tenant: Tenant, name: str, quota: int, index: int) -> User:
    user = User(
        user_id=_hex_id("user", tenant.domain, name),
        name=name,
        password=tenant.password,
        ak=f"{tenant.ak[:14]}U{index:05d}",
        sk=_hex_id("sk", tenant.sk, name) + "00000000",
        spu_quota=quota,
    )
    project.users[user.user_id] = user
    return user


def apply_seed(emu: Emulator, spec: str, account: dict[str, str] | None = None) -> list[Tenant]:
    """Fill ``emu`` (already emptied) according to ``spec``; returns the tenants' logins."""
    spec = (spec or "demo").strip()
    first = _account_tenant(DEMO_TENANTS[0], account)
    if spec == "empty":
        project = _project(first)
        emu.add_project(project)
        return [first]
    if spec == "demo":
        tenants = [first, DEMO_TENANTS[1]]
        for i, tenant in enumerate(tenants):
            project = _project(tenant)
            emu.add_project(project)
            _seed_demo(emu, project, tenant, variant=i)
            dli_seed.seed_demo(emu, project, project.users[tenant.user_id], tenant.domain.split("-")[0])
        # a cross-tenant peering: the second tenant's cluster asks for the first tenant's VPC
        _seed_cross_peering(emu, tenants)
        return tenants
    if spec.startswith("scale:"):
        parts = spec.split(":")
        count = int(parts[1])
        tenant_count = int(parts[2]) if len(parts) > 2 else 1
        if count < 0 or tenant_count < 1:
            raise ValueError(f"bad seed {spec!r}")
        tenants = [first] if tenant_count == 1 else [scale_tenant(i + 1) for i in range(tenant_count)]
        for i, tenant in enumerate(tenants):
            share = count // tenant_count + (1 if i < count % tenant_count else 0)
            project = _project(tenant)
            emu.add_project(project)
            _seed_scale(emu, project, share)
            dli_seed.seed_scale(emu, project, share)
        return tenants
    raise ValueError(f"unknown seed {spec!r} (demo, empty, scale:N or scale:N:T)")


# ------------------------------------------------------------------------------------------- demo
_SQL_TEMPLATES = {
    "car_speed_alarm": (
        "CREATE SOURCE STREAM car_infos (car_id STRING, car_owner STRING, car_speed INT) "
        'WITH (type = "dis", region = "cn-north-1", channel = "csinput", encode = "csv", field_delimiter = ",");\n'
        "CREATE SINK STREAM over_speed_warning (car_id STRING, car_speed INT) "
        'WITH (type = "apig", region = "cn-north-1", encode = "csv", field_delimiter = ",");\n'
        "INSERT INTO over_speed_warning SELECT car_id, car_speed FROM car_infos WHERE car_speed > 120;"
    ),
    "order_totals": (
        "CREATE SOURCE STREAM orders (order_id STRING, shop STRING, amount DOUBLE) "
        'WITH (type = "dis", region = "cn-north-1", channel = "orders", encode = "json");\n'
        "CREATE SINK STREAM shop_totals (shop STRING, total DOUBLE) "
        'WITH (type = "obs", region = "cn-north-1", encode = "csv", field_delimiter = ",");\n'
        "INSERT INTO shop_totals SELECT shop, SUM(amount) FROM orders "
        "GROUP BY TUMBLE(proctime, INTERVAL '1' MINUTE), shop;"
    ),
    "click_sessions": (
        "CREATE SOURCE STREAM clicks (user_id STRING, page STRING, ts BIGINT) "
        'WITH (type = "kafka", kafka_bootstrap_servers = "10.0.0.10:9092", kafka_topic = "clicks", encode = "json");\n'
        "CREATE SINK STREAM sessions (user_id STRING, pages INT) "
        'WITH (type = "smn", region = "cn-north-1", topic_urn = "urn:smn:cn-north-1:demo:sessions");\n'
        "INSERT INTO sessions SELECT user_id, COUNT(page) FROM clicks GROUP BY user_id;"
    ),
    "sensor_filter": (
        "CREATE SOURCE STREAM sensors (device STRING, temperature DOUBLE) "
        'WITH (type = "dis", region = "cn-north-1", channel = "sensors", encode = "csv", field_delimiter = ",");\n'
        "CREATE SINK STREAM hot_devices (device STRING, temperature DOUBLE) "
        'WITH (type = "dis", region = "cn-north-1", channel = "alerts", encode = "csv", field_delimiter = ",");\n'
        "INSERT INTO hot_devices SELECT device, temperature FROM sensors WHERE temperature > 80;"
    ),
}

_DAY = 86400.0


def _seed_demo(emu: Emulator, project: Project, tenant: Tenant, variant: int) -> None:
    now = emu.clock.now()
    admin = project.users[tenant.user_id]
    users = [
        admin,
        _add_user(project, tenant, "ops_alice", 120, 1),
        _add_user(project, tenant, "dev_bob", 60, 2),
        _add_user(project, tenant, "analyst_carol", 16, 3),
    ]
    short = tenant.domain.split("-")[0]
    buckets = [f"{short}-checkpoints", f"{short}-job-logs"]

    def ops(user: User, at: float) -> ProjectOps:
        o = ProjectOps(emu, project, user, ip=f"10.18.{variant}.{10 + users.index(user)}")
        o.now = at
        return o

    t = now - 30 * _DAY
    ops(admin, t).obs_authorize(buckets)
    prod = ops(admin, t + 60).create_cluster(
        {
            "name": f"{short}-prod-stream",
            "desc": "Production stream processing",
            "maximum_spu_quota": 240,
            "vpc_cidr": "172.16.0.0/23",
            "subnet_cidr": "172.16.0.0/24",
            "subnet_gateway": "172.16.0.1",
        }
    )
    dev = ops(admin, t + 120).create_cluster(
        {
            "name": f"{short}-dev-sandbox",
            "desc": "Development and testing",
            "maximum_spu_quota": 60,
            "vpc_cidr": "192.168.0.0/23",
            "subnet_cidr": "192.168.0.0/24",
            "subnet_gateway": "192.168.0.1",
        }
    )
    prod_id = int(prod["payload"]["cluster_id"])
    dev_id = int(dev["payload"]["cluster_id"])
    for user in users[1:]:
        user.clusters = [prod_id, dev_id] if user.name != "analyst_carol" else [dev_id]

    ops(admin, t + 300).add_hosts(
        prod_id,
        {
            "hosts_info": [
                {"hostname": "kafka-1.internal.example.com", "ip": "10.10.0.11"},
                {"hostname": "kafka-2.internal.example.com", "ip": "10.10.0.12"},
                {"hostname": "kafka-3.internal.example.com", "ip": "10.10.0.13"},
                {"hostname": "redis.internal.example.com", "ip": "10.10.1.20"},
                {"hostname": "rds-mysql.internal.example.com", "ip": "10.10.2.30"},
            ]
        },
    )
    ops(admin, t + 360).add_hosts(
        dev_id,
        {
            "hosts_info": [
                {"hostname": "kafka-dev.internal.example.com", "ip": "192.168.10.5"},
            ]
        },
    )
    peer_vpc = str(uuid.uuid5(uuid.NAMESPACE_URL, f"peer-vpc/{tenant.project_id}"))
    peering = ops(admin, t + 600).create_peering(
        prod_id, {"vpc_id": peer_vpc, "name": f"{short}-to-datalake"}
    )
    peering_id = peering["peering"]["id"]
    project.peerings[peering_id].status = "ACTIVE"
    ops(admin, t + 660).create_local_route(prod_id, peering_id, {"destination": "10.20.0.0/16"})
    ops(admin, t + 700)._add_route(
        project.peerings[peering_id], "172.16.0.0/23", peer_vpc, project.project_id, "peer"
    )

    for i, (name, sql) in enumerate(_SQL_TEMPLATES.items()):
        ops(admin, t + 900 + i).create_template(
            {"name": f"tpl_{name}", "desc": f"Template: {name.replace('_', ' ')}", "sql_body": sql}
        )

    # jobs: (name, kind, owner index, spu, parallel, cluster, plan)
    #   plan: "run" (running), "stop" (ran, stopped), "draft", "fail_submit", "fail_running",
    #         "submitting" (run a moment ago)
    sql_names = list(_SQL_TEMPLATES)
    plans = (
        ["run"] * 12
        + ["stop"] * 7
        + ["draft"] * 5
        + ["fail_submit"] * 2
        + ["fail_running"] * 2
        + ["submitting"] * 2
    )
    jar = make_jar()
    created: list[tuple[int, str, float, User]] = []
    for i, plan in enumerate(plans):
        owner = users[i % 3]
        at = t + _DAY + i * 0.8 * _DAY
        o = ops(owner, at)
        kind = "flink_jar" if i % 7 == 3 else "spark" if i % 7 == 5 else "sql"
        exclusive = kind != "sql" or i % 3 == 0
        cluster_id = prod_id if (i % 2 == 0 or owner.name == "ops_alice") else dev_id
        if cluster_id not in owner.clusters:
            cluster_id = prod_id if prod_id in owner.clusters else dev_id
        if kind == "sql":
            sql_key = sql_names[i % len(sql_names)]
            if sql_key == "click_sessions":
                exclusive = True  # Kafka sources need an exclusive cluster (CS.13014)
            body: dict[str, Any] = {
                "name": f"{sql_key}_{i:02d}",
                "desc": f"{sql_key.replace('_', ' ').capitalize()} job",
                "sql_body": _SQL_TEMPLATES[sql_key],
                "run_mode": "exclusive_cluster" if exclusive else "shared_cluster",
                "spu_number": 2 + i % 3,
                "parallel_number": 1 + i % 4,
                "checkpoint_enabled": i % 2 == 0,
                "checkpoint_mode": "exactly_once" if i % 4 else "at_least_once",
                "checkpoint_interval": 30,
                "obs_bucket": buckets[0] if i % 2 == 0 else "",
                "log_enabled": i % 5 == 0,
                "smn_topic": "cs_job_exception" if i % 6 == 0 else "",
                "restart_when_exception": i % 3 == 0,
                "idle_state_retention": 0,
                "job_type": "flink_sql_job",
            }
            if i % 5 == 0:
                body["obs_bucket"] = buckets[0]
            if exclusive:
                body["cluster_id"] = cluster_id
            result = o.create_sql_job(body)
        else:
            form = {
                "name": f"{'flink' if kind == 'flink_jar' else 'spark'}_app_{i:02d}",
                "desc": "User-defined streaming application",
                "job_type": "flink_jar_job" if kind == "flink_jar" else "spark_streaming_jar_job",
                "cluster_id": str(cluster_id),
                "manager_spu": "1",
                "main_class": "com.example.StreamJob",
                "args": "--window 60",
                "log_enabled": "true",
                "obs_bucket": buckets[1],
            }
            if kind == "flink_jar":
                form.update(spu_number="4", parallel_number="4")
            else:
                form.update(executor_number="2", executor_spu="1")
            result = o.create_jar_job(form, {"jar": ("stream-job.jar", jar)})
        created.append((result["payload"]["job_id"], plan, at, owner))

    for job_id, plan, at, owner in created:
        if plan == "draft":
            continue
        if plan == "submitting":
            run_at = now - 2
        else:
            run_at = at + 3600
        if plan == "fail_submit":
            emu.queue_outcomes("job_submit_fail")
        elif plan == "fail_running":
            emu.queue_outcomes("job_running_exception")
        else:
            emu.queue_outcomes("job_running")
        ops(owner, run_at).run_jobs([job_id], resume=False, batch=False)
        if plan == "stop":
            ops(owner, run_at + 2 * _DAY).stop_jobs([job_id], savepoint=(job_id % 2 == 0), batch=False)
    # a template and a job edited later, a deleted job, and a quota change, for the audit history
    ops(admin, now - 3 * _DAY).update_template({"id": min(project.templates), "desc": "Speed alarm (tuned)"})
    ops(admin, now - 2 * _DAY).update_quota(users[2].user_id, {"spu_quota": 64})
    first_draft = next(job_id for job_id, plan, _at, _o in created if plan == "draft")
    ops(admin, now - _DAY).delete_jobs([first_draft])
    project.audit.sort(key=lambda trace: trace.op_time)


def _seed_cross_peering(emu: Emulator, tenants: list[Tenant]) -> None:
    """The second tenant's prod cluster asks to peer with the first tenant's prod VPC (pending)."""
    first = emu.projects[tenants[0].project_id]
    second = emu.projects[tenants[1].project_id]
    first_cluster = min(first.clusters.values(), key=lambda c: c.cluster_id)
    second_cluster = min(second.clusters.values(), key=lambda c: c.cluster_id)
    admin = second.users[tenants[1].user_id]
    ops = ProjectOps(emu, second, admin)
    ops.now = emu.clock.now() - _DAY
    ops.create_peering(
        second_cluster.cluster_id,
        {"vpc_id": first_cluster.vpc_id, "name": "globex-to-acme", "accept_tenant_id": first.project_id},
    )


# ------------------------------------------------------------------------------------------ scale
_SCALE_SQL = _SQL_TEMPLATES["car_speed_alarm"]
_SCALE_STATUSES = (
    ("job_running", 40),
    ("job_cancel_success", 35),
    ("job_submit_fail", 5),
    ("job_running_exception", 5),
    ("job_submitting", 2),
    ("job_cancel_fail", 1),
    ("job_finish", 12),
)


def _seed_scale(emu: Emulator, project: Project, count: int) -> None:
    now = emu.clock.now()
    users = list(project.users.values())
    for user in users:
        user.spu_quota = 10**6  # the scale seed ignores quotas so that every planned job can run
    cluster = Cluster(
        cluster_id=emu.next_id("cluster"),
        name="scale-cluster",
        desc="Benchmark cluster",
        owner_id=users[0].user_id,
        maximum_spu_quota=400,
        created_at=now - 60 * _DAY,
        vpc_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"vpc/{project.project_id}/scale")),
        timeline=[[now - 60 * _DAY, 5, ""]],
    )
    project.clusters[cluster.cluster_id] = cluster
    users[0].clusters.append(cluster.cluster_id)
    project.obs_buckets.add("scale-checkpoints")
    wheel: list[str] = []
    for status, weight in _SCALE_STATUSES:
        wheel.extend([status] * weight)
    first_id = emu.next_id("job")
    emu.counters["job"] = first_id + count - 1
    admin = users[0]
    pid = project.project_id
    drafts = min(50, count // 100)
    for n in range(count):
        job_id = first_id + n
        created = now - 90 * _DAY + n * (80 * _DAY / max(count, 1))
        if n < drafts:
            timeline: list[list[Any]] = []
            run_start = 0.0
        else:
            status = wheel[(n * 37) % len(wheel)]
            run_start = created + 600
            if status == "job_submitting":
                run_start = now - 1
                timeline = [[run_start, "job_submitting", ""]]
            elif status == "job_running":
                timeline = [[run_start, "job_submitting", ""], [run_start + 5, "job_running", ""]]
            elif status == "job_submit_fail":
                timeline = [[run_start, "job_submitting", ""], [run_start + 5, status, "Submission failed."]]
            elif status == "job_running_exception":
                timeline = [
                    [run_start, "job_submitting", ""],
                    [run_start + 5, "job_running", ""],
                    [run_start + 3600, status, "TaskManager lost."],
                ]
            else:
                timeline = [
                    [run_start, "job_submitting", ""],
                    [run_start + 5, "job_running", ""],
                    [run_start + 7200, "job_canceling", ""],
                    [run_start + 7203, status, ""],
                ]
        job = Job(
            job_id=job_id,
            name=f"scale_job_{job_id}",
            job_type="flink_sql_job",
            run_mode="shared_cluster",
            user_id=admin.user_id,
            user_name=admin.name,
            project_id=pid,
            create_time=created,
            update_time=created,
            desc="Benchmark job",
            cluster_id=SHARED_CLUSTER_ID,
            spu_number=1 + n % 4,
            parallel_number=1 + n % 4,
            sql_body=_SCALE_SQL,
            timeline=timeline,
            run_start=run_start,
            run_count=1 if timeline else 0,
        )
        project.jobs[job_id] = job
    project.job_ids = sorted(project.jobs)
    project.job_names = {j.name: j.job_id for j in project.jobs.values()}
