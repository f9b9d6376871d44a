"""Regression tests for the findings of the attack on a running instance (one or more per finding).

Each test fails on the code the attack ran against: the endpoint checks (request forgery with
readback), the secret that could be re-sent elsewhere, formula cells in CSV, a JAR zip bomb, the
hosts file parser, sign-in limits, nested JSON, API throttles and members with odd user names.
"""

from __future__ import annotations

import io
import json
import logging
import socket
import tracemalloc
import zipfile

import pytest
from django.urls import reverse

from dashboard.polling.services import sync
from dashboard.teams.models import AuthType, CloudCall, Credential
from tests.listeners import SECRET_BODY, Listener, http_answer

pytestmark = pytest.mark.django_db

LEAKS = ("listener-password-1", "listener-sk-1")


def _form(**overrides):
    data = {
        "name": "prod",
        "region": "cn-north-1",
        "project_id": "0123456789abcdef0123456789abcdef",
        "auth_type": AuthType.PASSWORD,
        "domain_name": "acme",
        "username": "robot",
        "access_key": "",
        "cs_endpoint": "",
        "iam_endpoint": "",
        "vpc_endpoint": "",
        "secret": "a-password-1",
    }
    data.update(overrides)
    return data


@pytest.fixture
def listener():
    with Listener() as lst:
        yield lst


@pytest.fixture
def strict(settings, emulator):
    """Only the emulator's own host and port are allowed: every other local address is refused."""
    settings.OUTBOUND_ALLOWED_HOSTS = [f"127.0.0.1:{emulator.port}"]
    return settings


@pytest.fixture
def run_calls(eager_celery, django_capture_on_commit_callbacks):
    def post(client, url, data=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **extra)

    return post


def _credential(team, endpoint, **fields) -> Credential:
    """A credential stored as an older release could have stored it (no form checks)."""
    values = {"name": "legacy", "auth_type": AuthType.AKSK, "access_key": "AKAKAKAKAKAKAKAK", **fields}
    credential = Credential(
        team=team,
        region="cn-north-1",
        project_id="p-1",
        cs_endpoint=endpoint,
        iam_endpoint=endpoint,
        vpc_endpoint=endpoint,
        **values,
    )
    credential.set_secret("stored-secret-1")
    credential.save()
    return credential


# --------------------------------------------------------------------------- 1. request forgery
def _loopback_name() -> str:
    name = socket.gethostname()
    assert "127.0.0.1" in {i[4][0] for i in socket.getaddrinfo(name, 80)}, (
        "the host name must resolve to loopback"
    )
    return name


@pytest.mark.parametrize(
    "endpoint, says",
    [
        ("https://127.0.0.1:{port}", "loopback"),
        ("http://127.0.0.1:{port}", "https"),
        ("https://10.0.0.1", "private"),
        ("https://169.254.169.254", "link-local"),
        ("https://[::1]:{port}", "loopback"),
        ("https://[fd00::1]", "private"),
        ("https://user:pw@cs.example.com", "user name"),
        ("https://cs.example.com/_emulator/tenants?", "query"),
        ("https://cs.example.com/_emulator/tenants", "path"),
    ],
)
def test_credential_form_refuses_local_endpoints(roles, login, strict, listener, endpoint, says):
    url = endpoint.format(port=listener.port)
    for field in ("cs_endpoint", "iam_endpoint", "vpc_endpoint"):
        response = login(roles.lead).post(
            reverse("credential_create", kwargs={"team": "alpha"}), _form(**{field: url})
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert field in errors and says in " ".join(errors[field]), errors
    assert not Credential.objects.exists()
    assert listener.accepted == 0


@pytest.mark.parametrize("where", ["127.0.0.1", "10.0.0.1", "169.254.169.254", "[::1]", "[fd00::1]", "name"])
def test_stored_local_endpoint_is_refused_by_test_connection_and_poller(
    roles, login, strict, listener, run_calls, where
):
    """Rows written before the checks existed: the clients refuse them at connect time, nothing is sent."""
    host = _loopback_name() if where == "name" else where
    port = f":{listener.port}" if where in ("127.0.0.1", "name") else ""
    credential = _credential(roles.team, f"https://{host}{port}")
    run_calls(
        login(roles.lead),
        reverse("credential_test", kwargs={"team": "alpha", "credential": credential.public_id}),
    )
    call = CloudCall.objects.get()
    assert call.state == "failed"
    assert "loopback" in call.message or "private" in call.message or "link-local" in call.message
    result = sync(credential.pk, "jobs")
    assert not result.ok
    credential.refresh_from_db()
    assert credential.needs_attention
    assert listener.accepted == 0


def test_redirect_to_loopback_is_not_followed(roles, login, strict, listener, run_calls, settings):
    with Listener(
        answer=http_answer(
            "307 Temporary Redirect", b"{}", f"Location: http://127.0.0.1:{listener.port}/v3/auth/tokens\r\n"
        )
    ) as hop:
        settings.OUTBOUND_ALLOWED_HOSTS = [hop.netloc]  # an allowed host that redirects to a refused one
        credential = _credential(
            roles.team, f"http://{hop.netloc}", auth_type=AuthType.PASSWORD, domain_name="d", username="u"
        )
        run_calls(
            login(roles.lead),
            reverse("credential_test", kwargs={"team": "alpha", "credential": credential.public_id}),
        )
        assert "redirect" in CloudCall.objects.get().message
        assert hop.accepted >= 1 and listener.accepted == 0


@pytest.mark.parametrize(
    "answer",
    [
        http_answer(),  # a 2xx JSON body full of someone else's secrets
        http_answer(body=b'["a list", {"password": "listener-password-1"}]'),
        http_answer(body=b'"listener-sk-1"'),
        http_answer(body=b"12345"),
        http_answer("403 Forbidden"),
        http_answer("500 Internal Server Error", b"<html>listener-password-1 listener-sk-1</html>"),
    ],
)
def test_answers_of_a_foreign_endpoint_are_never_read_back(
    roles, login, listener, run_calls, settings, answer
):
    """Whatever an allowed endpoint answers, nothing of it is stored or shown, and no page fails."""
    listener.answer = answer
    settings.OUTBOUND_ALLOWED_HOSTS = [listener.netloc]
    credential = _credential(roles.team, f"http://{listener.netloc}")
    client = login(roles.lead)
    run_calls(
        client, reverse("credential_test", kwargs={"team": "alpha", "credential": credential.public_id})
    )
    sync(credential.pk, "jobs")
    credential.refresh_from_db()
    stored = (
        json.dumps(credential.cs_versions)
        + credential.last_error
        + json.dumps(list(CloudCall.objects.values("message", "error")))
    )
    pages = [
        client.get(credential.get_absolute_url()),
        client.get(reverse("job_list", kwargs={"team": "alpha"})),
        client.get("/api/v1/teams/alpha/poll-health/"),
    ]
    for response in pages:
        assert response.status_code == 200
        stored += response.content.decode()
    for leak in LEAKS:
        assert leak not in stored


# --------------------------------------------------------------------------- 2. secret recovery
@pytest.mark.parametrize(
    "field, value",
    [
        ("iam_endpoint", "https://iam.attacker.example.com"),
        ("cs_endpoint", "https://cs.attacker.example.com"),
        ("vpc_endpoint", "https://vpc.attacker.example.com"),
        ("region", "ap-southeast-1"),
        ("domain_name", "other-domain"),
        ("username", "other-user"),
    ],
)
def test_moving_a_secret_needs_the_secret(roles, login, cs_credential, field, value):
    before = Credential.objects.values().get(pk=cs_credential.pk)
    data = _form(
        name=cs_credential.name,
        project_id=cs_credential.project_id,
        domain_name=cs_credential.domain_name,
        username=cs_credential.username,
        cs_endpoint=cs_credential.cs_endpoint,
        iam_endpoint=cs_credential.iam_endpoint,
        vpc_endpoint=cs_credential.vpc_endpoint,
        secret="",
    )
    data[field] = value
    url = reverse("credential_edit", kwargs={"team": "alpha", "credential": cs_credential.public_id})
    response = login(roles.lead).post(url, data)
    assert response.status_code == 200
    assert "enter the secret" in " ".join(response.context["form"].errors["secret"])
    assert Credential.objects.values().get(pk=cs_credential.pk) == before


def test_the_service_refuses_it_too(roles, cs_credential):
    from django.core.exceptions import ValidationError

    from dashboard.teams.access import TeamAccess
    from dashboard.teams.services import credential_save

    cs_credential.iam_endpoint = "https://iam.attacker.example.com"
    with pytest.raises(ValidationError):
        credential_save(
            access=TeamAccess(roles.team, 30), user=roles.lead, credential=cs_credential, secret=None
        )
    assert Credential.objects.get(pk=cs_credential.pk).iam_endpoint != "https://iam.attacker.example.com"


def test_renaming_keeps_the_secret(roles, login, cs_credential):
    data = _form(
        name="renamed",
        project_id=cs_credential.project_id,
        domain_name=cs_credential.domain_name,
        username=cs_credential.username,
        cs_endpoint=cs_credential.cs_endpoint,
        iam_endpoint=cs_credential.iam_endpoint,
        vpc_endpoint=cs_credential.vpc_endpoint,
        secret="",
    )
    url = reverse("credential_edit", kwargs={"team": "alpha", "credential": cs_credential.public_id})
    assert login(roles.lead).post(url, data).status_code == 302
    assert Credential.objects.get(pk=cs_credential.pk).name == "renamed"


# --------------------------------------------------------------------------- 3. CSV formulas
def test_csv_cells_cannot_be_formulas(roles, login, synced):
    from dashboard.exports import safe_cell
    from dashboard.jobs.models import Job

    hostile = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "=cmd|' /C calc'!A0"]
    for job, name in zip(Job.objects.filter(credential=synced), hostile, strict=False):
        Job.objects.filter(pk=job.pk).update(name=name)
    Credential.objects.filter(pk=synced.pk).update(name="=1+2")
    response = login(roles.lead).get(reverse("billing_jobs_csv", kwargs={"team": "alpha"}))
    import csv

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    cells = [cell for row in rows for cell in row]
    assert any(c.startswith("'=") for c in cells)
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert safe_cell(-5) == -5 and safe_cell("-5") == "'-5" and safe_cell("ok") == "ok"


# --------------------------------------------------------------------------- 4. zip bomb
def _bomb(size: int = 256 * 1024 * 1024) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("META-INF/MANIFEST.MF", "w", force_zip64=True) as entry:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                entry.write(chunk)
    return buffer.getvalue()


def test_zip_bomb_jar_is_refused_within_bounds(roles, login, cs_credential):
    bomb = _bomb()
    assert len(bomb) < 512 * 1024
    upload = io.BytesIO(bomb)
    upload.name = "bomb.jar"
    tracemalloc.start()
    try:
        response = login(roles.operator).post(
            reverse("jar_job_create", kwargs={"team": "alpha"}),
            {
                "credential": cs_credential.public_id,
                "name": "bomb",
                "desc": "x",
                "job_type": "flink_jar_job",
                "run_mode": "shared_cluster",
                "cluster_id": "",
                "spu_number": 2,
                "manager_spu": 1,
                "parallel_number": 1,
                "jar": upload,
            },
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["jar"])
    assert "manifest unpacks to more than" in errors
    assert peak < 50 * 1024 * 1024, f"refusing the bomb took {peak / 1e6:.0f} MB"


def test_lying_zip_header_is_read_in_bounds():
    """An entry whose declared size is small but whose data inflates further is cut off at the cap."""
    from csapi import limits
    from csapi.validation import read_jar_manifest

    data = _bomb(8 * 1024 * 1024)
    # patch the declared sizes in the central directory and local header to claim 100 bytes
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo("META-INF/MANIFEST.MF")
    info.file_size = 100
    info.compress_size = 100
    text, problems = read_jar_manifest(archive)
    assert problems and text == ""  # cut off at the cap, or its checksum fails: refused either way
    assert "unpacks to more than" in problems[0].message or "cannot be read" in problems[0].message
    assert limits.JAR_MANIFEST_MAX_BYTES < 1024 * 1024


# --------------------------------------------------------------------------- 6. hosts files
def test_hosts_file_of_bad_lines_stops_early_and_quotes_little():
    from csapi import limits
    from csapi.validation import parse_hosts_file

    data = b"not-a-mapping\n" * (limits.HOSTS_FILE_MAX_BYTES // 14)
    tracemalloc.start()
    try:
        mappings, violations = parse_hosts_file(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not mappings
    assert len(violations) == limits.HOSTS_FILE_MAX_ERRORS + 1
    assert "Stopped at line" in violations[-1].message
    assert peak < 64 * 1024 * 1024
    line = b"x" * (limits.HOSTS_FILE_MAX_BYTES - 10)
    _, violations = parse_hosts_file(line)
    assert len(violations) == 1 and len(violations[0].message) < 200


def test_hosts_upload_form_shows_short_errors(roles, login, synced):
    from dashboard.clusters.models import Cluster

    cluster = Cluster.objects.filter(credential=synced).exclude(cluster_id=0).first()
    upload = io.BytesIO(b"y" * (4 * 1024 * 1024) + b"\n" + b"bad line\n" * 1000)
    upload.name = "hosts"
    url = reverse(
        "hosts_upload",
        kwargs={"team": "alpha", "credential": synced.public_id, "cluster_id": cluster.cluster_id},
    )
    response = login(roles.lead).post(url, {"hosts_file": upload})
    assert response.status_code in (200, 400)
    assert "field-error" in response.content.decode()
    assert len(response.content) < 100_000


# --------------------------------------------------------------------------- 7. limits
def test_sign_in_is_limited_per_user_name_across_addresses(roles, client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    url = reverse("login")
    for i in range(5):
        client.post(url, {"username": "lead", "password": "wrong"}, REMOTE_ADDR=f"10.0.{i}.1")
    response = client.post(
        url, {"username": "lead", "password": "correct-horse-battery-9"}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_sign_in_is_limited_per_address_across_user_names(roles, client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    url = reverse("login")
    for name in ("a1", "a2", "a3", "a4", "a5"):
        client.post(url, {"username": name, "password": "wrong"}, REMOTE_ADDR="10.1.1.1")
    response = client.post(
        url, {"username": "viewer", "password": "correct-horse-battery-9"}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code in (403, 429)


@pytest.mark.parametrize("body", ["[" * 5000 + "]" * 5000, '{"a":' * 100 + "1" + "}" * 100])
def test_deeply_nested_json_answers_400(roles, login, cs_credential, body):
    response = login(roles.operator).post(
        "/api/v1/teams/alpha/jobs/sql/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested" in response.content.decode()


def test_oversized_json_answers_400(roles, login, cs_credential, settings):
    settings.API_JSON_MAX_BYTES = 1024
    response = login(roles.operator).post(
        "/api/v1/teams/alpha/jobs/sql/", json.dumps({"name": "x" * 5000}), content_type="application/json"
    )
    assert response.status_code == 400 and "larger than" in response.content.decode()


def test_more_tokens_buy_no_more_writes(roles, client, cs_credential, throttle_rates):
    from dashboard.api.services import token_create

    throttle_rates(api_write="3/min", api_write_user="3/min")
    tokens = [token_create(user=roles.operator, name=f"t{i}")[1] for i in range(4)]
    statuses = []
    for i in range(6):
        response = client.post(
            "/api/v1/teams/alpha/jobs/sql/",
            "{}",
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {tokens[i % len(tokens)]}",
        )
        statuses.append(response.status_code)
    assert statuses[:3] == [400, 400, 400] and statuses[3:] == [429, 429, 429]


def test_outsiders_do_not_spend_a_teams_write_budget(roles, login, cs_credential, throttle_rates):
    throttle_rates(api_write_team="2/min")
    for _ in range(5):
        assert (
            login(roles.outsider)
            .post("/api/v1/teams/alpha/jobs/sql/", "{}", content_type="application/json")
            .status_code
            == 404
        )
    statuses = [
        login(user).post("/api/v1/teams/alpha/jobs/sql/", "{}", content_type="application/json").status_code
        for user in (roles.operator, roles.lead, roles.operator)
    ]
    assert statuses == [400, 400, 429]


# --------------------------------------------------------------------------- 8. odd user names
def test_members_page_with_a_slash_in_a_user_name(roles, login, make_user):
    from dashboard.teams.models import Membership, Role

    odd = make_user("first/last")
    Membership.objects.create(team=roles.team, user=odd, role=Role.VIEWER)
    client = login(roles.lead)
    assert client.get(reverse("members", kwargs={"team": "alpha"})).status_code == 200
    url = reverse("member_role", kwargs={"team": "alpha", "member_id": "first/last"})
    assert client.post(url, {"role": Role.OPERATOR}).status_code == 302
    assert Membership.objects.get(user=odd).role == Role.OPERATOR


# --------------------------------------------------------------------------- secrets in every form
def test_redaction_covers_json_repr_and_urls():
    from dashboard.logging import redact

    samples = {
        '{"password": "s3cret-1", "name": "x"}': "s3cret-1",
        "{'password': 's3cret-2', 'sk': 's3cret-3'}": "s3cret-2",
        "Tenant(domain='d', password='s3cret-4', sk='s3cret-5')": "s3cret-5",
        "https://admin:s3cret-6@host/x": "s3cret-6",
        "X-Auth-Token: s3cret-7": "s3cret-7",
        "GET /v1?token=s3cret-8&x=1": "s3cret-8",
        "Authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abcdef012345": "abcdef012345",
        SECRET_BODY.decode(): "listener-sk-1",
    }
    for text, secret in samples.items():
        assert secret not in redact(text), text
    assert redact("job_name=abc status=running") == "job_name=abc status=running"


def test_logged_exceptions_are_redacted(caplog):
    from dashboard.logging import RedactSecretsFilter

    record = None
    try:
        raise ValueError("{'password': 's3cret-9'}")
    except ValueError:
        record = logging.LogRecord(
            "x",
            logging.ERROR,
            __file__,
            1,
            "failed with %s",
            ("password=s3cret-10",),
            exc_info=__import__("sys").exc_info(),
        )
    RedactSecretsFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "s3cret-9" not in text and "s3cret-10" not in text and "[redacted]" in text


def test_error_reports_hide_secrets_in_frames(rf):
    from dashboard.logging import SecretsExceptionReporterFilter

    def failing(password, tenants):
        raise RuntimeError("boom")

    try:
        failing("s3cret-11", [{"sk": "s3cret-12"}])
    except RuntimeError as exc:
        tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    variables = dict(SecretsExceptionReporterFilter().get_traceback_frame_variables(rf.get("/"), tb.tb_frame))
    text = repr(variables)
    assert "s3cret-11" not in text and "s3cret-12" not in text
