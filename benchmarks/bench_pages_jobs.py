"""Jobs pages: SQL statements per page do not grow with the number of jobs; latency vs a trivial view.

Django is set up on a temporary SQLite database (or DATABASE_URL), migrated, and filled with bulk_create:
20,000 jobs over four teams (5,000 in the team shown), with status history, metric samples and audit
traces for the job whose detail page is measured. Pages are rendered with the Django test client.

Figures (``BENCH`` lines):
- ``page.jobs.queries``, ``page.jobs_filtered.queries``, ``page.job_detail.queries``: SQL statements
  of a first render at 5,000 jobs in the team (floor: the same page with 50 jobs in the team; ratio 1 =
  constant);
- ``page.jobs.median``, ``page.jobs_filtered.median``, ``page.job_detail.median``: median response
  time in ms of a browser that keeps the page open (the page as the next visitor gets it); floor: a
  trivial view (``HttpResponse("ok")``) behind the same middleware and URL configuration, requested
  alternately with the page in the same loop, so both see the same machine load;
- ``page.jobs.uncached.median``, ``page.jobs_filtered.uncached.median``,
  ``page.job_detail.uncached.median``: the same, every request rendered anew (rendered pages and
  fragments dropped before each, as after a change to the team); floor: the trivial view;
- ``page.jobs.cached.prepared``: median ms of the cached job list with the per-request user and
  membership lookups compiled to SQL once (``dashboard.prepared``); floor: the same with Django
  compiling them on every request (ratio below 1: what the prepared SQL saves);
- ``page.jobs.zh``: median ms to render the job list and the job detail (both, caches emptied first)
  for a browser asking for Simplified Chinese; floor: the same for English, requested alternately in
  the same loop (ratio at most 1.1: the translated pages cost about what the English ones do);
- ``page.dli_jobs.queries``, ``page.dli_job_detail.queries``: the same for a team whose jobs are DLI
  Flink jobs (a DLI credential; queue, CUs, task manager sizing, restarts, savepoint path, Flink
  version, tags and resume settings filled as the poller fills them): SQL statements of a first render
  at 5,000 jobs in the team, floor the same page at 50 (ratio 1 = constant); and
  ``page.dli_jobs.uncached.median``, ``page.dli_job_detail.uncached.median`` against the trivial view.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import timedelta

from benchmarks._django import setup_django

TEAMS = 4
JOBS_PER_TEAM = 5_000
SMALL_TEAM_JOBS = 50
ROUNDS = 400  # page and trivial view requests each, alternating
UNCACHED_ROUNDS = 60  # the same, every page rendered anew
LANGUAGE_ROUNDS = 40  # renders of the list and the detail per language, alternating


def _trivial_view(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


# The product's URLs plus the floor's trivial view, so both go through the same resolver.
urlpatterns: list = []


def _setup_django(tmp: str) -> None:
    setup_django(tmp)
    from django.urls import include, path

    if not urlpatterns:
        urlpatterns.extend([path("trivial/", _trivial_view), path("", include("dashboard.urls"))])


STATUSES = (
    ["job_running"] * 6 + ["job_cancel_success"] * 2 + ["job_init", "job_submit_fail", "job_submitting"]
)
TYPES = ["flink_sql_job", "flink_sql_job", "flink_jar_job", "spark_streaming_jar_job"]
MODES = ["shared_cluster", "exclusive_cluster"]


DLI_STATUSES = [*STATUSES, "job_idle", "job_savepointing", "job_finish"]
DLI_TYPES = ["flink_opensource_sql_job", "flink_opensource_sql_job", "flink_jar_job", "flink_sql_job"]


def _dli_fields(i: int) -> dict:
    """A DLI job's own columns, as the poller fills them (dashboard.polling.kinds.jobs)."""
    return {
        "service": "dli",
        "status": DLI_STATUSES[i % len(DLI_STATUSES)],
        "job_type": DLI_TYPES[i % len(DLI_TYPES)],
        "run_mode": "",
        "cluster_id": None,
        "cluster_name": "",
        "queue_name": f"flink_queue_{i % 5}",
        "manager_cu_number": 1,
        "tm_cus": 1,
        "tm_slot_num": 1 + i % 4,
        "restart_times": i % 3,
        "has_savepoint": i % 4 == 0,
        "savepoint_path": f"obs://bench-savepoints/job-{i}/" if i % 4 == 0 else "",
        "flink_version": "1.15" if i % 2 else "1.12",
        "tags": [{"key": "team", "value": "bench"}, {"key": "n", "value": str(i % 10)}],
        "resume_checkpoint": i % 2 == 0,
        "resume_max_num": -1 if i % 2 == 0 else 5,
    }


def _team(name: str, jobs: int, stamp: int, user=None, *, dli: bool = False):
    from django.utils import timezone

    from dashboard.jobs.models import Job
    from dashboard.teams.models import Credential, Membership, Role, Team

    team = Team.objects.create(name=f"{name} {stamp}", slug=f"{name}-{stamp}")
    if user is not None:
        Membership.objects.create(team=team, user=user, role=Role.OPERATOR)
    cred = Credential(
        team=team,
        name=f"{name}-account",
        region="cn-north-1",
        project_id=f"p{stamp}{name}"[:32],
        access_key="AK" + "0" * 18,
        auth_type="aksk",
        **({"service": "dli", "dli_endpoint": "https://dli.cn-north-1.myhuaweicloud.com"} if dli else {}),
    )
    cred.set_secret("bench-secret-not-real")
    cred.save()
    now = timezone.now()
    batch = []
    for i in range(jobs):
        fields = {
            "credential": cred,
            "team": team,
            "job_id": 100_000 + i,
            "name": f"job-{i}",
            "status": STATUSES[i % len(STATUSES)],
            "job_type": TYPES[i % len(TYPES)],
            "run_mode": MODES[i % 2],
            "cluster_id": 1000 + i % 7,
            "cluster_name": f"cluster-{i % 7}",
            "spu_number": 2 + i % 5,
            "parallel_number": 1 + i % 4,
            "create_time": now - timedelta(minutes=i),
            "update_time": now - timedelta(seconds=i),
            "start_time": now - timedelta(hours=i % 100),
            "duration": (i + 1) * 60_000,
            "read_rate": 12.5 * (i % 9),
            "write_rate": 3.0 * (i % 5),
            "fingerprint": "",
            "last_seen": now,
            "raw": {"job_id": 100_000 + i},
            "job_config": {"checkpoint_enabled": False, "log_enabled": True, "obs_bucket": "b"},
            "sql_body": "INSERT INTO k SELECT a FROM s;" if i % 4 < 2 else "",
        }
        if dli:
            fields.update(_dli_fields(i))
        batch.append(Job(**fields))
        if len(batch) == 2000:
            Job.objects.bulk_create(batch)
            batch = []
    if batch:
        Job.objects.bulk_create(batch)
    return team, cred


def _detail_history(team, cred) -> None:
    from django.utils import timezone

    from dashboard.jobs.models import AuditTrace, Job, JobStatusChange, MetricSample
    from dashboard.teams.models import ActionLog

    job = Job.objects.get(credential=cred, job_id=100_000)
    now = timezone.now()
    JobStatusChange.objects.bulk_create(
        [
            JobStatusChange(
                job=job,
                previous_status="job_running",
                status="job_running_exception" if i % 2 else "job_running",
                status_desc="restart",
                observed_at=now - timedelta(minutes=i),
            )
            for i in range(200)
        ]
    )
    MetricSample.objects.bulk_create(
        [
            MetricSample(
                job=job,
                sampled_at=now - timedelta(minutes=i),
                records_in=i * 100,
                records_out=i * 90,
                corrupted_records=i % 3,
                read_rate=10.0 + i % 7,
                write_rate=9.0 + i % 5,
            )
            for i in range(2000)
        ]
    )
    AuditTrace.objects.bulk_create(
        [
            AuditTrace(
                credential=cred,
                team=team,
                key=f"k{i}",
                resource_id=str(job.job_id),
                event_name="run_job",
                op_user="alice",
                op_time=now - timedelta(minutes=i),
                op_result="CS.10001",
            )
            for i in range(300)
        ]
    )
    ActionLog.objects.bulk_create(
        [
            ActionLog(
                team=team,
                credential=cred,
                action="job.run",
                target_type="job",
                target_id=f"{cred.public_id}:{job.job_id}",
                target_name=job.name,
                outcome="success",
            )
            for _ in range(300)
        ]
    )


def _queries(client, url: str) -> int:
    from django.db import connection

    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(executed)


def _medians(client, url: str, floor_url: str, rounds: int, *, uncached: bool = False) -> tuple[float, float]:
    """Median ms of ``url`` and of ``floor_url``, requested alternately ``rounds`` times each.

    ``uncached``: the rendered pages and fragments are dropped before every request (of both), so
    each page is rendered from the database as after a change.
    """
    from django.core.cache import caches

    page, floor = [], []
    for i in range(rounds):
        for target, times in (
            ((url, page), (floor_url, floor)) if i % 2 == 0 else ((floor_url, floor), (url, page))
        ):
            if uncached:
                caches["fragments"].clear()
            started = time.perf_counter()
            response = client.get(target)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (target, response.status_code)
    return statistics.median(page), statistics.median(floor)


def _language_medians(client, urls: list[str], rounds: int) -> tuple[float, float]:
    """Median ms of rendering ``urls`` (caches emptied before each) in Chinese and in English."""
    from django.core.cache import caches

    zh, en = [], []
    for i in range(rounds):
        order = (("zh-CN,zh;q=0.9", zh), ("en-US,en;q=0.9", en))
        for language, times in order if i % 2 == 0 else order[::-1]:
            total = 0.0
            for url in urls:
                caches["fragments"].clear()
                started = time.perf_counter()
                response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
                total += (time.perf_counter() - started) * 1000
                assert response.status_code == 200, (url, response.status_code)
                assert response["Content-Language"] == ("zh-hans" if language.startswith("zh") else "en")
            times.append(total)
    return statistics.median(zh), statistics.median(en)


def run(report, profile: bool | str = False) -> None:
    tmp = tempfile.mkdtemp(prefix="bench-jobs-")
    _setup_django(tmp)
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    stamp = int(time.time())
    user = get_user_model().objects.create_user(username=f"bench-jobs-{stamp}", password="x" * 20)
    small, small_cred = _team("small", SMALL_TEAM_JOBS, stamp, user)
    big, big_cred = _team("shown", JOBS_PER_TEAM, stamp, user)
    for n in range(TEAMS - 1):
        _team(f"other{n}", JOBS_PER_TEAM, stamp)
    _detail_history(small, small_cred)
    _detail_history(big, big_cred)

    client = Client()
    client.force_login(user, backend="dashboard.teams.auth.ModelBackend")
    filtered = "?status=running&type=flink_sql_job&mode=exclusive_cluster&q=job-1&sort=name&page=2"

    def pages(team, cred):
        detail = reverse(
            "job_detail", kwargs={"team": team.slug, "credential": cred.public_id, "job_id": 100_000}
        )
        listing = reverse("job_list", kwargs={"team": team.slug})
        return {"jobs": listing, "jobs_filtered": listing + filtered, "job_detail": detail}

    with override_settings(ROOT_URLCONF=__name__):
        small_pages, big_pages = pages(small, small_cred), pages(big, big_cred)
        if profile:
            import cProfile
            import pstats

            from django.core.cache import caches

            for name in big_pages:  # profile the steady state (warm caches), as the medians measure it
                client.get(big_pages[name])
            with cProfile.Profile() as prof:
                for _ in range(20):
                    for name in big_pages:
                        if profile == "uncached":
                            caches["fragments"].clear()
                        client.get(big_pages[name])
            pstats.Stats(prof).sort_stats("cumulative").print_stats(60)
            return
        for name in ("jobs", "jobs_filtered", "job_detail"):
            small_queries = _queries(client, small_pages[name])
            queries = _queries(client, big_pages[name])
            median, floor = _medians(client, big_pages[name], "/trivial/", ROUNDS)
            report(f"page.{name}.queries", queries, "queries", floor=small_queries)
            report(f"page.{name}.median", median, "ms", floor=floor)
            median, floor = _medians(client, big_pages[name], "/trivial/", UNCACHED_ROUNDS, uncached=True)
            report(f"page.{name}.uncached.median", median, "ms", floor=floor)
        # What the SQL compiled once (dashboard.prepared) buys a cached page: the same page with the
        # two per-request lookups compiled by Django each time as the floor.
        from dashboard.prepared import PreparedQuery

        try:
            PreparedQuery.compiled = False
            plain, _floor = _medians(client, big_pages["jobs"], "/trivial/", ROUNDS)
        finally:
            PreparedQuery.compiled = True
        prepared, _floor = _medians(client, big_pages["jobs"], "/trivial/", ROUNDS)
        report("page.jobs.cached.prepared", prepared, "ms", floor=plain)
        zh, en = _language_medians(client, [big_pages["jobs"], big_pages["job_detail"]], LANGUAGE_ROUNDS)
        report("page.jobs.zh", zh, "ms", floor=en)

        # DLI: the same pages for a team whose jobs are DLI Flink jobs, at 50 and at 5,000 jobs
        dli_small, dli_small_cred = _team("dlismall", SMALL_TEAM_JOBS, stamp, user, dli=True)
        dli_big, dli_big_cred = _team("dlishown", JOBS_PER_TEAM, stamp, user, dli=True)
        _detail_history(dli_small, dli_small_cred)
        _detail_history(dli_big, dli_big_cred)
        dli_small_pages, dli_big_pages = pages(dli_small, dli_small_cred), pages(dli_big, dli_big_cred)
        for name in ("jobs", "job_detail"):
            small_queries = _queries(client, dli_small_pages[name])
            queries = _queries(client, dli_big_pages[name])
            report(f"page.dli_{name}.queries", queries, "queries", floor=small_queries)
            median, floor = _medians(client, dli_big_pages[name], "/trivial/", UNCACHED_ROUNDS, uncached=True)
            report(f"page.dli_{name}.uncached.median", median, "ms", floor=floor)
