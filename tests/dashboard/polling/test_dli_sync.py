"""DLI credentials' syncs against the emulator's DLI over HTTP: jobs, metrics and templates land in the
same snapshots as CS's, with the same guarantees (no write for what did not change, history only on a
change, deletion only after a complete listing, constant SQL statements per page, health and backoff).
"""

from __future__ import annotations

import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from csapi import AKSKAuth, vocab
from csapi.dli import DLIClient
from csapi.emulator import dli_seed
from csapi.emulator.testing import LOCAL_POLICY
from dashboard.jobs.models import Job, JobRun, JobStatusChange, MetricSample, Template
from dashboard.polling import runner, schedule
from dashboard.polling.kinds import jobs as job_kind
from dashboard.polling.models import Kind, PollHealth, kinds_of
from dashboard.polling.selectors import credential_freshness
from dashboard.teams.cs import client_for
from dashboard.teams.models import AuthType, Credential, Service, Team
from tests.dashboard.polling.test_json_columns import VALUES, json_type

pytestmark = pytest.mark.django_db

LIST_OP = "GET /v1.0/{project_id}/streaming/jobs"
METRICS_OP = "POST /v1.0/{project_id}/streaming/jobs/metrics"


@pytest.fixture
def dli(dli_credential, emulator, cache_ready, poll_settings):
    """Team alpha's DLI credential, with the emulator's clock frozen (nothing changes unless a test
    changes it)."""
    emulator.clock.freeze()
    return dli_credential


@pytest.fixture
def dli_api(emulator):
    """A DLI client of the emulator's first tenant, for arranging state (stops, deletes)."""
    tenant = emulator.account
    with DLIClient(
        emulator.url, tenant.project_id, AKSKAuth(tenant.ak, tenant.sk), retries=0, outbound=LOCAL_POLICY
    ) as client:
        yield client


def _listed(dli_api):
    return list(dli_api.jobs.iter(show_detail=True, order="asc"))


def _project(emulator):
    return emulator.emulator.projects[emulator.account.project_id]


def _live(credential):
    return Job.objects.live().filter(credential=credential)


def _ops(emulator, name: str) -> int:
    return emulator.emulator.stats()["by_operation"].get(name, 0)


def test_the_beat_fans_out_jobs_metrics_and_templates_for_a_dli_credential(dli):
    assert kinds_of(Service.DLI)[:3] == (Kind.JOBS, Kind.METRICS, Kind.TEMPLATES)
    schedule.ensure_health_rows()
    kinds = set(PollHealth.objects.filter(credential=dli).values_list("kind", flat=True))
    assert kinds == set(kinds_of(Service.DLI))
    assert {Kind.AUDIT, Kind.OVERVIEW, Kind.CLUSTERS}.isdisjoint(kinds)
    claimed = {kind for cid, kind, _lease in schedule.claim_due() if cid == dli.pk}
    assert claimed == set(kinds_of(Service.DLI))


def test_full_cycle_fills_jobs_metrics_and_templates(dli, dli_api):
    results = runner.sync_all(dli.pk)
    assert set(results) == set(kinds_of(Service.DLI))
    assert all(r.ok for r in results.values()), {k: r.error for k, r in results.items()}

    listed = _listed(dli_api)
    assert _live(dli).count() == len(listed) > 10
    assert set(Job.objects.filter(credential=dli).values_list("service", flat=True)) == {"dli"}
    first = listed[0]
    job = Job.objects.get(credential=dli, job_id=first["job_id"])
    assert job.team_id == dli.team_id
    assert (job.name, job.status, job.job_type) == (first["name"], first["status"], first["job_type"])
    assert job.raw["job_id"] == first["job_id"] and job.raw["job_config"]["cu_number"] == first.units
    assert job.fingerprint and job.cluster_id is None and job.cluster_name == ""
    assert JobStatusChange.objects.filter(job__credential=dli).count() == len(listed)

    running = [j for j in listed if j["status"] in vocab.RUNNING_STATUSES]
    assert MetricSample.objects.filter(job__credential=dli).count() == len(running) > 0
    assert Job.objects.filter(credential=dli, read_rate__isnull=False).count() == len(running)
    templates = list(dli_api.templates.iter())
    stored = Template.objects.filter(credential=dli, deleted_at__isnull=True)
    assert sorted(stored.values_list("template_id", "name")) == sorted(
        (t["template_id"], t["name"]) for t in templates
    )
    assert all(t.sql_body and t.raw["template_id"] == t.template_id for t in stored)

    health = PollHealth.objects.filter(credential=dli)
    assert {h.kind for h in health} == set(kinds_of(Service.DLI))
    assert all(h.last_success and not h.consecutive_failures and not h.last_error for h in health)
    fresh = credential_freshness(dli, kinds_of(Service.DLI))
    assert not fresh.stale and fresh.last_updated is not None


def test_a_run_of_a_dli_job_is_placed_on_its_queue(dli):
    runner.sync(dli.pk, Kind.JOBS)
    job = Job.objects.filter(credential=dli, status=vocab.JOB_RUNNING).first()
    run = JobRun.objects.get(job=job)
    assert run.cluster_name == job.queue_name != "" and run.cluster_id is None


def test_dli_only_fields_land_in_their_columns(dli, dli_api):
    runner.sync(dli.pk, Kind.JOBS)
    for listed in _listed(dli_api):
        job = Job.objects.get(credential=dli, job_id=listed["job_id"])
        cfg = listed.config
        assert job.queue_name == listed["queue_name"] != ""
        assert job.spu_number == cfg["cu_number"] and job.parallel_number == cfg["parallel_number"]
        assert job.manager_cu_number == cfg["manager_cu_number"]
        assert (job.tm_cus, job.tm_slot_num) == (cfg["tm_cus"], cfg["tm_slot_num"])
        assert job.flink_version == cfg["flink_version"]
        assert job.resume_checkpoint is cfg["resume_checkpoint"]
        assert job.resume_max_num == cfg["resume_max_num"]
        assert job.restart_times == listed["restart_times"]
        assert job.has_savepoint is listed["has_savepoint"]
        assert job.savepoint_path == (listed.get("savepoint_path") or "")
        assert job.checkpoint_enabled is cfg["checkpoint_enabled"]
        assert job.job_config["checkpoint_mode"] == cfg["checkpoint_mode"]
        if listed["job_type"] == vocab.FLINK_JAR_JOB:
            assert job.jar_url == cfg["entrypoint"] != "" and job.main_class == listed["main_class"]
        else:
            assert job.sql_body == listed["sql_body"] != ""
    jobs = Job.objects.filter(credential=dli)
    # the demo has a job restarting after exceptions and jobs stopped with a savepoint
    assert jobs.filter(restart_times__gt=0).exists()
    assert jobs.filter(has_savepoint=True).exclude(savepoint_path="").exists()


def test_tags_the_dashboard_sent_are_kept_since_dli_does_not_list_them(dli, dli_api):
    runner.sync(dli.pk, Kind.JOBS)
    job = Job.objects.filter(credential=dli).order_by("job_id").first()
    tags = [{"key": "team", "value": "alpha"}, {"key": "n", "value": "123"}]
    # as dashboard.jobs.services leaves a job it just created or updated: its tags, and no fingerprint
    Job.objects.filter(pk=job.pk).update(tags=tags, fingerprint="")
    assert runner.sync(dli.pk, Kind.JOBS).written == 1
    job.refresh_from_db()
    assert job.tags == tags and job.fingerprint

    # a listing that carries tags writes them (DLI's list form)
    payload = {**job.raw, "tags": [{"key": "env", "value": "prod"}]}
    job_kind.apply_dli_page(dli, [payload], {}, job.last_seen)
    job.refresh_from_db()
    assert job.tags == [{"key": "env", "value": "prod"}]


def test_a_steady_cycle_writes_nothing_and_leaves_the_team_version_alone(dli):
    first = runner.sync_all(dli.pk)
    assert all(r.ok and r.written for r in first.values())
    version = Team.objects.get(pk=dli.team_id).version
    changes = JobStatusChange.objects.count()
    samples = MetricSample.objects.count()
    fingerprints = sorted(
        Job.objects.filter(credential=dli).values_list("job_id", "fingerprint", "last_seen")
    )

    second = runner.sync_all(dli.pk)

    assert all(r.ok for r in second.values())
    assert {k: r.written for k, r in second.items()} == {k: 0 for k in second}
    assert not any(r.changed for r in second.values())
    assert Team.objects.get(pk=dli.team_id).version == version
    assert JobStatusChange.objects.count() == changes and MetricSample.objects.count() == samples
    assert (
        sorted(Job.objects.filter(credential=dli).values_list("job_id", "fingerprint", "last_seen"))
        == fingerprints
    )


def test_running_jobs_durations_grow_without_a_write(dli, emulator):
    runner.sync(dli.pk, Kind.JOBS)
    emulator.advance(300)  # running jobs' duration grows; nothing else changes
    assert runner.sync(dli.pk, Kind.JOBS).written == 0


def test_a_status_change_appends_one_history_row(dli, dli_api, emulator):
    runner.sync(dli.pk, Kind.JOBS)
    job = Job.objects.filter(credential=dli, status=vocab.JOB_RUNNING).order_by("job_id").first()
    before = job.status_changes.count()
    dli_api.jobs.stop([job.job_id])
    emulator.advance(600)

    assert runner.sync(dli.pk, Kind.JOBS).written == 1
    job.refresh_from_db()
    assert job.status == vocab.JOB_CANCEL_SUCCESS
    changes = list(job.status_changes.order_by("observed_at", "id"))
    assert len(changes) == before + 1
    assert (changes[-1].previous_status, changes[-1].status) == (vocab.JOB_RUNNING, job.status)
    assert runner.sync(dli.pk, Kind.JOBS).written == 0
    assert job.status_changes.count() == before + 1


def test_a_job_deleted_in_dli_is_marked_deleted(dli, dli_api, poll_settings):
    poll_settings.POLL_PAGE_SIZE = 5
    runner.sync(dli.pk, Kind.JOBS)
    # one inside a page, the first of the second page (a gap between pages), and the last one
    ordered = list(Job.objects.filter(credential=dli).order_by("job_id").values_list("job_id", flat=True))
    victims = {ordered[2], ordered[5], ordered[-1]}
    assert all(r.ok for r in dli_api.jobs.delete(sorted(victims)))

    result = runner.sync(dli.pk, Kind.JOBS)

    assert result.ok and result.written == len(victims)
    gone = set(Job.objects.filter(credential=dli, deleted_at__isnull=False).values_list("job_id", flat=True))
    assert gone == victims
    assert _live(dli).count() == len(_listed(dli_api))


def test_a_failing_page_midway_deletes_nothing(dli, dli_api, emulator, poll_settings):
    poll_settings.POLL_PAGE_SIZE = 5
    runner.sync(dli.pk, Kind.JOBS)
    victim = Job.objects.filter(credential=dli).exclude(status__in=vocab.RUNNING_STATUSES).order_by("job_id")
    victim = victim.first()
    assert dli_api.jobs.delete([victim.job_id])[0].ok
    client = client_for(dli)
    listing = client.jobs.list

    def then_break(**query):
        page = listing(**query)
        emulator.faults.configure({"path": r"/streaming/jobs$", "error_rate": 1.0})
        return page

    client.jobs.list = then_break  # the first page is answered, every later one fails (HTTP 5xx)
    with pytest.raises(Exception):  # noqa: B017 - whichever error the failed page raised
        job_kind.sync_jobs(dli, client=client)
    client.close()
    assert not Job.objects.filter(credential=dli, deleted_at__isnull=False).exists()

    # through the runner: the failure is recorded, with its backoff, and the credential stays usable
    emulator.faults.configure({"path": r"/streaming/jobs$", "error_rate": 1.0})
    result = runner.sync(dli.pk, Kind.JOBS)
    health = PollHealth.objects.get(credential=dli, kind=Kind.JOBS)
    assert not result.ok and health.consecutive_failures == 1 and health.last_error == result.error
    assert health.next_attempt > health.last_error_at
    assert credential_freshness(dli, Kind.JOBS).stale
    dli.refresh_from_db()
    assert not dli.needs_attention

    emulator.faults.clear()
    assert runner.sync(dli.pk, Kind.JOBS).ok
    victim.refresh_from_db()
    assert victim.deleted_at is not None
    assert Job.objects.filter(credential=dli, deleted_at__isnull=False).count() == 1


def test_a_deletion_during_the_listing_marks_no_job_that_exists(dli, dli_api, poll_settings):
    """A job deleted while DLI is listed moves every later job one offset forward: the job at the next
    page's first offset is never listed. It still exists, so it must not be marked deleted."""
    poll_settings.POLL_PAGE_SIZE = 5
    runner.sync(dli.pk, Kind.JOBS)
    ids = list(Job.objects.filter(credential=dli).order_by("job_id").values_list("job_id", flat=True))
    victim = ids[1]  # on the first page
    skipped = ids[5]  # first of the second page: listed at offset 4 once the victim is gone
    client = client_for(dli)
    listing = client.jobs.list
    calls = []

    def delete_after_the_first_page(**query):
        page = listing(**query)
        if not calls:
            assert dli_api.jobs.delete([victim])[0].ok
        calls.append(query)
        return page

    client.jobs.list = delete_after_the_first_page
    job_kind.sync_jobs(dli, client=client)
    client.close()
    assert not Job.objects.filter(credential=dli, job_id=skipped, deleted_at__isnull=False).exists()

    # the next listing is stable: the deleted job is marked, every other one stays
    runner.sync(dli.pk, Kind.JOBS)
    gone = set(Job.objects.filter(credential=dli, deleted_at__isnull=False).values_list("job_id", flat=True))
    assert gone == {victim}
    assert _live(dli).count() == len(_listed(dli_api))


def test_a_listing_costs_one_request_per_page_and_none_more(dli, emulator, poll_settings):
    listed = len(_project(emulator).dli.jobs)
    for size in (5, listed):  # full pages then a short one; exactly one full page
        poll_settings.POLL_PAGE_SIZE = size
        for _ in range(2):  # first, then steady
            emulator.emulator.reset_stats()
            assert runner.sync(dli.pk, Kind.JOBS).items == listed
            assert _ops(emulator, LIST_OP) == math.ceil(listed / size)


def _scale(emulator, count: int) -> None:
    """The emulator's first project with exactly ``count`` DLI jobs (the scale seed's mix of statuses)."""
    emulator.reset("empty")
    emulator.clock.freeze()
    dli_seed.seed_scale(emulator.emulator, _project(emulator), count)


@pytest.mark.parametrize("count", [50, 500])
def test_sql_statements_per_page_are_constant(dli, emulator, poll_settings, count):
    poll_settings.POLL_PAGE_SIZE = 10
    poll_settings.POLL_METRICS_BATCH = 1000  # more than DLI takes: capped at its batch maximum
    _scale(emulator, count)
    pages = count // 10

    def job_statements(ctx):
        return [
            q["sql"]
            for q in ctx.captured_queries
            if '"jobs_job' in q["sql"] and "jobs_jobrun" not in q["sql"]
        ]

    def run_statements(ctx):
        return [q["sql"] for q in ctx.captured_queries if "jobs_jobrun" in q["sql"]]

    emulator.emulator.reset_stats()
    with CaptureQueriesContext(connection) as first:
        assert job_kind.sync_jobs(dli).written == count
    with CaptureQueriesContext(connection) as steady:
        assert job_kind.sync_jobs(dli).written == 0
    assert _ops(emulator, LIST_OP) == 2 * pages
    # first: per page one SELECT, one INSERT of jobs, one INSERT of status history; then one sweep
    assert len(job_statements(first)) == 3 * pages + 1
    assert pages <= len(run_statements(first)) <= 2 * pages
    # steady: per page one SELECT; then one sweep for jobs gone from DLI
    assert len(job_statements(steady)) == pages + 1
    assert not run_statements(steady)

    running = Job.objects.filter(credential=dli, status__in=vocab.RUNNING_STATUSES).count()
    result = runner.sync(dli.pk, Kind.METRICS)
    assert result.ok and result.items == running > 0
    assert _ops(emulator, METRICS_OP) == math.ceil(running / 100)


@pytest.mark.parametrize("auth", ["password", "aksk"])
def test_a_rejected_dli_credential_needs_attention_and_stops_polling(
    roles, emulator, cache_ready, poll_settings, auth
):
    tenant = emulator.account
    credential = Credential(
        team=roles.team,
        name="dli-wrong",
        service=Service.DLI,
        region="cn-north-1",
        project_id=tenant.project_id,
        dli_endpoint=emulator.url,
        iam_endpoint=emulator.url,
        auth_type=AuthType.PASSWORD if auth == "password" else AuthType.AKSK,
        domain_name=tenant.domain,
        username=tenant.user,
        access_key=tenant.ak if auth == "aksk" else "",
    )
    credential.set_secret("not-the-secret")
    credential.save()

    result = runner.sync(credential.pk, Kind.JOBS)

    assert not result.ok
    credential.refresh_from_db()
    assert credential.needs_attention and credential.last_error
    assert "not-the-secret" not in credential.last_error
    assert runner.sync(credential.pk, Kind.TEMPLATES).skipped == "credential needs attention"
    assert all(cid != credential.pk for cid, _kind, _lease in schedule.claim_due())
    assert credential_freshness(credential, kinds_of(Service.DLI)).stale
    assert not Job.objects.filter(credential=credential).exists()


@pytest.mark.parametrize(("value", "kind"), [*VALUES, pytest.param(None, "null", id="null")])
def test_json_values_keep_their_types_through_the_dli_write_path(dli, value, kind):
    """``raw``, ``job_config`` and ``tags`` of a DLI page, as DLI sent them (PostgreSQL reads each value
    back from one JSON document: see test_json_columns)."""
    from django.utils import timezone

    probe = {"probe": value, "deep": {"probe": value, "list": [value]}}
    payload = {
        "job_id": 900,
        "name": "j",
        "status": vocab.JOB_RUNNING,
        "queue_name": "q",
        **probe,
        "job_config": {"cu_number": 2, **probe},
        "tags": [{"key": "k", "value": "123"}, {"key": "t", "value": "true"}],
    }
    job_kind.apply_dli_page(dli, [payload], {}, timezone.now())
    job = Job.objects.get(credential=dli, job_id=900)
    assert job.raw == payload and job.job_config == payload["job_config"]
    for field in ("raw", "job_config"):
        assert json_type(Job, field, job.pk, "probe") == kind
    assert job.tags == payload["tags"] and json_type(Job, "tags", job.pk) == "array"
    assert type(job.tags[0]["value"]) is str and job.spu_number == 2 and job.service == "dli"


def test_wire_turns_dli_results_into_plain_json(dli_api):
    from decimal import Decimal

    page = dli_api.jobs.list(limit=1, show_detail=True)
    plain = job_kind.wire({"a": page[0], "rate": Decimal("1.5"), "list": [Decimal("2.25")]})
    assert type(plain["a"]) is dict and type(plain["a"]["job_config"]) is dict
    assert plain["rate"] == 1.5 and type(plain["rate"]) is float and plain["list"] == [2.25]


def test_a_team_with_cs_and_dli_credentials_is_fresh_once_both_are_polled(dli, cs_credential):
    """Freshness counts, per kind, the credentials whose service polls it: DLI has no audit logs, CS no
    queues, so neither makes the other's kinds "never fetched"."""
    from dashboard.polling.selectors import freshness, team_freshness

    for credential in (cs_credential, dli):
        assert all(r.ok for r in runner.sync_all(credential.pk).values())
    for fresh in (freshness(dli.team), team_freshness(dli.team)):
        assert not fresh.stale and fresh.last_updated is not None
        assert set(fresh.kinds) == set(kinds_of(Service.CS)) | set(kinds_of(Service.DLI))
    # the jobs pages' kinds are polled by both: a failing DLI listing makes them stale
    PollHealth.objects.filter(credential=dli, kind=Kind.JOBS).update(consecutive_failures=1, last_error="x")
    assert freshness(dli.team, (Kind.JOBS, Kind.METRICS)).stale
    assert not freshness(dli.team, Kind.AUDIT).stale


def test_a_dli_fingerprint_is_exact_about_json_types_and_ignores_the_duration():
    from decimal import Decimal

    from csapi.models import CSObject

    fp = job_kind.dli_job_fingerprint
    forms = [{"a": 1}, {"a": 1.0}, {"a": True}, {"a": "1"}, {"a": None}, {"a": [1]}]
    assert len({fp(f) for f in forms}) == len(forms)
    assert fp({"a": 1, "duration": 5}) == fp({"a": 1, "duration": 9}) == fp({"a": 1})
    assert fp(CSObject({"r": Decimal("1.5"), "c": CSObject({"x": 1})})) == fp({"r": 1.5, "c": {"x": 1}})
