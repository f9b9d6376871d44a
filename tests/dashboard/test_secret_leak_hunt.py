"""The secret leak hunt: a full scenario run with credential secrets set to recognisable random values,
then every rendered response, log record, broker message, exception text and database table (but the
encrypted secret column) is searched for them. Zero hits.
"""

from __future__ import annotations

import io
import logging
import secrets
import time
import zipfile

import pytest
from celery.signals import before_task_publish
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from csapi.emulator.testing import EmulatorServer
from dashboard.api.services import token_create
from dashboard.jobs.models import Job
from dashboard.polling.services import sync_all
from dashboard.teams.models import AuthType, Credential, Membership, Role, Team


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record):
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.texts.append(text)


@pytest.fixture
def canaries():
    return {"password": "PWCANARY" + secrets.token_hex(12), "sk": "SKCANARY" + secrets.token_hex(16)}


@pytest.fixture
def channel_canaries():
    """Secrets of alert channels: a webhook URL's token, its signing key and a robot's access token."""
    return {
        "url_token": "URLCANARY" + secrets.token_hex(12),
        "signing_key": "KEYCANARY" + secrets.token_hex(12),
        "robot_token": "ROBOTCANARY" + secrets.token_hex(12),
    }


@pytest.fixture
def canary_emulator(canaries):
    with EmulatorServer(seed="demo", account=canaries) as server:
        yield server


@pytest.fixture
def capture_logs():
    handler = _Capture()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(previous)


@pytest.fixture
def capture_broker():
    messages: list[str] = []

    def record(sender=None, body=None, headers=None, **kwargs):
        messages.append(f"{sender} {body!r} {headers!r}")

    before_task_publish.connect(record, weak=False)
    yield messages
    before_task_publish.disconnect(record)


def _dli_scenario(client, emu, tenant, canaries, raw_token, keep) -> list[str]:
    """The DLI part of the hunt; returns the texts of the DLI exceptions it met."""
    import json

    from csapi import CSError
    from dashboard.teams.cs import client_for
    from tests.dashboard.api import dli

    common = {
        "service": "dli",
        "region": "cn-north-1",
        "project_id": tenant.project_id,
        "cs_endpoint": "",
        "dli_endpoint": emu.url,
        "iam_endpoint": emu.url,
        "vpc_endpoint": "",
    }
    keep(
        client.post(
            reverse("credential_create", kwargs={"team": "alpha"}),
            {
                **common,
                "name": "dli-pw",
                "auth_type": AuthType.PASSWORD,
                "domain_name": tenant.domain,
                "username": tenant.user,
                "access_key": "",
                "secret": canaries["password"],
            },
        )
    )
    keep(
        client.post(
            reverse("credential_create", kwargs={"team": "beta"}),
            {
                **common,
                "name": "dli-aksk",
                "auth_type": AuthType.AKSK,
                "access_key": tenant.ak,
                "secret": canaries["sk"],
            },
        )
    )
    dli_pw, dli_aksk = Credential.objects.get(name="dli-pw"), Credential.objects.get(name="dli-aksk")
    for credential in (dli_pw, dli_aksk):
        sync_all(credential.id)  # whatever DLI polls
        dli.queue_rows(credential)
        dli.quota_rows(credential)
        kwargs = {"team": credential.team.slug, "credential": credential.public_id}
        keep(client.post(reverse("credential_test", kwargs=kwargs)))
        keep(client.get(reverse("credential_detail", kwargs=kwargs)))

    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw_token}"}
    jobs = "/api/v1/teams/alpha/jobs/"

    def api_post(path, body):
        return keep(client.post(path, json.dumps(body), content_type="application/json", **auth))

    body = {
        "credential": str(dli_pw.public_id),
        "name": "leak_hunt_dli",
        "queue_name": dli.flink_queue(dli_pw),
        "sql_body": "INSERT INTO sink SELECT * FROM source;",
        "obs_bucket": "leak-hunt-bucket",
        "run": True,
    }
    created = api_post(jobs + "sql/", body)
    assert created.status_code == 201, created.content
    job = Job.objects.get(credential=dli_pw, job_id=created.json()["job_id"])
    api_post(jobs + "sql/", body)  # the name is taken: DLI's refusal on the field
    emu.advance(120)
    dli.observe(job)
    url = f"{jobs}{dli_pw.public_id}/{job.job_id}/"
    assert api_post(url + "savepoint/", {}).status_code == 202
    emu.advance(60)
    dli.observe(job)
    api_post(url + "stop/", {"trigger_savepoint": True})
    emu.faults.configure({"path": "/streaming/", "error_rate": 1.0, "error_statuses": [500]})
    api_post(
        jobs + "jar/",
        {"credential": str(dli_pw.public_id), "name": "leak_jar", "entrypoint": "obs://b-1/a.jar"},
    )
    api_post(url + "run/", {})
    emu.faults.clear()
    page = {"team": "alpha", "credential": dli_pw.public_id, "job_id": job.job_id}
    for name in ("job_detail", "job_edit"):
        keep(client.get(reverse(name, kwargs=page)))
    keep(client.get(reverse("job_list", kwargs={"team": "alpha"}), {"service": "dli"}))
    for path in (url, jobs + "?service=dli", "/api/v1/teams/alpha/queues/", "/api/v1/teams/alpha/quotas/"):
        keep(client.get(path, **auth))

    texts: list[str] = []
    # DLI unreachable, and DLI refusing a wrong access key.
    Credential.objects.filter(pk=dli_pw.pk).update(
        dli_endpoint="http://127.0.0.1:9", iam_endpoint="http://127.0.0.1:9"
    )
    api_post(url + "run/", {})
    texts.extend(r.error for r in sync_all(dli_pw.id).values() if getattr(r, "error", ""))
    Credential.objects.filter(pk=dli_pw.pk).update(dli_endpoint=emu.url, iam_endpoint=emu.url)
    bad = Credential.objects.get(pk=dli_aksk.pk)
    bad.access_key = "WRONGAK000000000000"
    try:
        with client_for(bad) as cloud:
            cloud.jobs.list(limit=1)
    except CSError as exc:
        texts.extend([str(exc), repr(exc), repr(exc.__dict__)])
    assert texts, "no DLI failure was met"
    return texts


def _jar() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nMain-Class: com.example.Main\n")
        zf.writestr("com/example/Main.class", b"\xca\xfe\xba\xbe")
    return buffer.getvalue()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_no_secret_anywhere(
    canaries, channel_canaries, canary_emulator, capture_logs, capture_broker, client, settings
):
    from celery.contrib.testing.worker import start_worker

    from dashboard.celery import app
    from dashboard.polling.tasks import poll_due

    if "DatabaseCache" in settings.CACHES["default"]["BACKEND"]:
        call_command("createcachetable", verbosity=0)
    cache.clear()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    emu = canary_emulator
    tenant = emu.account
    assert tenant.password == canaries["password"] and tenant.sk == canaries["sk"]

    User = get_user_model()
    lead = User.objects.create_user("lead", password="pw-lead-123456")
    root = User.objects.create_superuser("root", password="pw-root-123456")
    team = Team.objects.create(name="Alpha", slug="alpha")
    other = Team.objects.create(name="Beta", slug="beta")
    Membership.objects.create(team=team, user=lead, role=Role.LEAD)
    Membership.objects.create(team=other, user=lead, role=Role.LEAD)

    responses: list[str] = []
    exceptions: list[str] = []

    def keep(response):
        responses.append(response.content.decode(errors="replace") + repr(dict(response.items())))
        return response

    client.force_login(lead, backend="dashboard.teams.auth.ModelBackend")

    # Credentials are created through the form (the secrets travel in a POST), one per auth scheme.
    common = {
        "region": "cn-north-1",
        "project_id": tenant.project_id,
        "cs_endpoint": emu.url,
        "iam_endpoint": emu.url,
        "vpc_endpoint": emu.url,
    }
    keep(
        client.post(
            reverse("credential_create", kwargs={"team": "alpha"}),
            {
                **common,
                "name": "pw",
                "auth_type": AuthType.PASSWORD,
                "domain_name": tenant.domain,
                "username": tenant.user,
                "secret": canaries["password"],
            },
        )
    )
    keep(
        client.post(
            reverse("credential_create", kwargs={"team": "beta"}),
            {
                **common,
                "name": "aksk",
                "auth_type": AuthType.AKSK,
                "access_key": tenant.ak,
                "secret": canaries["sk"],
            },
        )
    )
    # A form error with a secret in it.
    keep(
        client.post(
            reverse("credential_create", kwargs={"team": "alpha"}),
            {
                **common,
                "name": "bad",
                "project_id": "bad id",
                "auth_type": AuthType.PASSWORD,
                "domain_name": tenant.domain,
                "username": tenant.user,
                "secret": canaries["password"],
            },
        )
    )
    pw = Credential.objects.get(name="pw")
    aksk = Credential.objects.get(name="aksk")

    # Poll cycles with both schemes, then the credential actions.
    for credential in (pw, aksk):
        assert all(r.ok for r in sync_all(credential.id).values())
        for name in ("credential_test", "credential_register"):
            keep(
                client.post(
                    reverse(name, kwargs={"team": credential.team.slug, "credential": credential.public_id})
                )
            )
        keep(
            client.post(
                reverse(
                    "credential_authorize_obs",
                    kwargs={"team": credential.team.slug, "credential": credential.public_id},
                ),
                {"buckets": "demo-bucket"},
            )
        )

    # Every page of team alpha, as its lead.
    job = Job.objects.filter(credential=pw).exclude(sql_body="").first()
    for name in ("home", "jobs_all"):
        keep(client.get(reverse(name)))
    for name in (
        "team_detail",
        "members",
        "credential_list",
        "job_list",
        "template_list",
        "cluster_list",
        "quota_list",
        "billing",
        "sql_job_create",
        "jar_job_create",
    ):
        keep(client.get(reverse(name, kwargs={"team": "alpha"})))
    job_kwargs = {"team": "alpha", "credential": pw.public_id, "job_id": job.job_id}
    for name in ("job_detail", "job_edit", "job_clone"):
        keep(client.get(reverse(name, kwargs=job_kwargs)))

    # Writes: run, stop, a SQL job through the form, a JAR upload, and failed CS calls.
    keep(client.post(reverse("job_run", kwargs=job_kwargs)))
    keep(client.post(reverse("job_stop", kwargs=job_kwargs)))
    emu.faults.configure({"path": "sql_job", "error_rate": 1.0, "error_statuses": [500]})
    keep(
        client.post(
            reverse("sql_job_create", kwargs={"team": "alpha"}),
            {
                "credential": pw.public_id,
                "name": "leak_hunt_job",
                "sql_body": "SELECT 1",
                "run_mode": "shared_cluster",
                "job_type": "flink_sql_job",
                "spu_number": 2,
                "parallel_number": 1,
            },
        )
    )
    emu.faults.clear()
    jar_response = client.post(
        reverse("jar_job_create", kwargs={"team": "alpha"}),
        {
            "credential": pw.public_id,
            "name": "leak_hunt_jar",
            "desc": "x",
            "job_type": "flink_jar_job",
            "run_mode": "shared_cluster",
            "spu_number": 2,
            "manager_spu": 1,
            "parallel_number": 1,
            "jar": io.BytesIO(_jar()),
        },
    )
    keep(jar_response)
    # CS unreachable: a credential pointing nowhere.
    Credential.objects.filter(pk=pw.pk).update(
        cs_endpoint="http://127.0.0.1:9", iam_endpoint="http://127.0.0.1:9"
    )
    pw.refresh_from_db()
    keep(client.post(reverse("credential_test", kwargs={"team": "alpha", "credential": pw.public_id})))
    result = sync_all(pw.id)
    exceptions.extend(r.error for r in result.values() if getattr(r, "error", ""))
    Credential.objects.filter(pk=pw.pk).update(cs_endpoint=emu.url, iam_endpoint=emu.url)
    # Wrong password: CS rejects it; the readable error is kept on the credential.
    from csapi import CSError
    from dashboard.teams.cs import client_for

    try:
        bad = Credential.objects.get(pk=aksk.pk)
        bad.access_key = "WRONGAK000000000000"
        with client_for(bad) as cs:
            cs.jobs.list(limit=1)
    except CSError as exc:
        exceptions.extend([str(exc), repr(exc), repr(exc.__dict__)])

    # The API, with a personal token.
    _, raw_token = token_create(user=lead, name="leak hunt")

    # DLI: a credential of each scheme through the form, test connection, and DLI jobs through the API
    # (create and run, savepoint, stop with savepoint, a refusal, DLI failing and unreachable), then
    # the DLI job's pages and endpoints, its queues and its quotas.
    exceptions.extend(_dli_scenario(client, emu, tenant, canaries, raw_token, keep))

    for path in (
        "/api/v1/teams/",
        "/api/v1/teams/alpha/jobs/",
        "/api/v1/teams/alpha/poll-health/",
        "/api/schema/",
    ):
        keep(client.get(path, HTTP_AUTHORIZATION=f"Bearer {raw_token}"))

    # Alert channels with secrets, through the form: a webhook that answers and a robot that cannot be
    # reached; their pages, a form error, test messages (sent by the worker below) and the API.
    from tests.dashboard.alerts.receivers import HttpReceiver

    hook_receiver = HttpReceiver()
    settings.OUTBOUND_ALLOWED_HOSTS = [*settings.OUTBOUND_ALLOWED_HOSTS, hook_receiver.netloc]
    channel_forms = [
        {
            "name": "hook",
            "kind": "webhook",
            "enabled": "on",
            "url": f"{hook_receiver.url}/hook?token={channel_canaries['url_token']}",
            "signing_key": channel_canaries["signing_key"],
        },
        {
            "name": "robot",
            "kind": "dingtalk",
            "enabled": "on",
            "url": f"http://127.0.0.1:9/robot/send?access_token={channel_canaries['robot_token']}",
        },
        {
            "name": "bad",
            "kind": "webhook",
            "url": f"ftp://x/{channel_canaries['url_token']}",
            "signing_key": "k",
        },
    ]
    for data in channel_forms:
        keep(client.post(reverse("alert_channel_create", kwargs={"team": "alpha"}), data))
    from dashboard.alerts.models import Channel

    for channel in Channel.objects.all():
        ckw = {"team": "alpha", "channel": channel.public_id}
        keep(client.post(reverse("alert_channel_test", kwargs=ckw)))
        for name in ("alert_channel", "alert_channel_edit"):
            keep(client.get(reverse(name, kwargs=ckw)))
        keep(
            client.get(
                f"/api/v1/teams/alpha/alerts/channels/{channel.public_id}/",
                HTTP_AUTHORIZATION=f"Bearer {raw_token}",
            )
        )
    keep(client.get(reverse("alert_channels", kwargs={"team": "alpha"})))
    keep(client.get("/api/v1/teams/alpha/alerts/channels/", HTTP_AUTHORIZATION=f"Bearer {raw_token}"))

    # Admin pages.
    client.force_login(root, backend="dashboard.teams.auth.ModelBackend")
    for url in (
        "/admin/teams/credential/",
        f"/admin/teams/credential/{pw.pk}/change/",
        f"/admin/teams/credential/{aksk.pk}/change/",
        "/admin/teams/actionlog/",
        "/admin/alerts/channel/",
        *(f"/admin/alerts/channel/{pk}/change/" for pk in Channel.objects.values_list("pk", flat=True)),
    ):
        keep(client.get(url))

    # Celery tasks through the real broker, run by a real worker.
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        poll_due.delay()
        from dashboard.polling.services import refresh_soon

        refresh_soon(aksk, ["jobs", "metrics"])
        deadline = time.monotonic() + 30
        from dashboard.alerts.models import Notification
        from dashboard.teams.models import CloudCall

        while time.monotonic() < deadline and (
            len(capture_broker) < 3
            or CloudCall.objects.filter(state__in=["queued", "running"]).exists()
            or Notification.objects.filter(state="pending").exists()
        ):
            time.sleep(0.2)
        time.sleep(1)
    assert capture_broker, "no task went through the broker"
    hook_receiver.close()
    assert hook_receiver.requests, "the webhook's test message was not sent"
    assert Notification.objects.filter(state="retrying").exists(), "the unreachable robot did not fail"
    for channel in Channel.objects.all():
        keep(client.get(reverse("alert_channel", kwargs={"team": "alpha", "channel": channel.public_id})))
    # The cloud calls queued by the credential pages ran in that worker: their pages and fragments.
    client.force_login(lead, backend="dashboard.teams.auth.ModelBackend")
    assert CloudCall.objects.filter(state__in=["succeeded", "failed"]).exists()
    for call in CloudCall.objects.select_related("credential__team"):
        kwargs = {"team": call.credential.team.slug, "credential": call.credential.public_id}
        keep(client.get(reverse("credential_detail", kwargs=kwargs)))
        keep(
            client.get(
                reverse("credential_call", kwargs={**kwargs, "call": call.public_id}), HTTP_HX_REQUEST="true"
            )
        )

    # The database: every table, every column but the encrypted secret.
    rows: list[str] = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            columns = [
                f.column
                for f in model._meta.concrete_fields
                if not (
                    table in (Credential._meta.db_table, Channel._meta.db_table)
                    and f.column == "secret_encrypted"
                )
            ]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows.extend(repr(row) for row in cursor.fetchall())

    haystacks = {
        "responses": responses,
        "log records": capture_logs.texts,
        "broker messages": capture_broker,
        "exceptions": exceptions,
        "database rows": rows,
    }
    assert len(responses) > 30 and len(capture_logs.texts) > 50 and rows
    for where, texts in haystacks.items():
        for secret in [*canaries.values(), *channel_canaries.values()]:
            hits = [t[:200] for t in texts if secret in t]
            assert not hits, f"a credential secret appears in {where}: {hits[:3]}"
