"""DLI credentials: the form, test connection (including an endpoint of the other service), the demo."""

from __future__ import annotations

import pytest
from django.urls import reverse

from csapi.emulator.testing import EmulatorServer
from dashboard.teams.models import AuthType, CloudCall, Credential, Service

pytestmark = pytest.mark.django_db


def _url(name, credential):
    return reverse(name, kwargs={"team": credential.team.slug, "credential": credential.public_id})


@pytest.fixture
def run_call(eager_celery, django_capture_on_commit_callbacks):
    def post(client, url, data=None, **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **headers)

    return post


def _form(**overrides):
    data = {
        "name": "dli-prod",
        "service": Service.DLI,
        "region": "cn-north-1",
        "project_id": "0123456789abcdef0123456789abcdef",
        "auth_type": AuthType.PASSWORD,
        "domain_name": "acme",
        "username": "robot",
        "access_key": "",
        "cs_endpoint": "",
        "dli_endpoint": "http://127.0.0.1:8900",
        "iam_endpoint": "",
        "vpc_endpoint": "",
        "secret": "s3cret-value",
    }
    data.update(overrides)
    return data


def test_lead_creates_a_dli_credential_next_to_a_cs_one(roles, login, cs_credential):
    response = login(roles.lead).post(reverse("credential_create", kwargs={"team": "alpha"}), _form())
    assert response.status_code == 302
    created = Credential.objects.get(name="dli-prod")
    assert created.service == Service.DLI and created.is_dli
    assert created.effective_endpoint == "http://127.0.0.1:8900"
    listing = login(roles.viewer).get(reverse("credential_list", kwargs={"team": "alpha"})).content.decode()
    assert "DLI" in listing and "CS" in listing
    detail = login(roles.lead).get(created.get_absolute_url()).content.decode()
    assert "Data Lake Insight (DLI)" in detail and "http://127.0.0.1:8900" in detail
    # CS-only operations are not offered on a DLI credential
    assert "Register with CS" not in detail and "Authorize OBS buckets" not in detail


def test_default_dli_endpoint_follows_the_region(roles):
    credential = Credential(team=roles.team, name="d", region="ap-southeast-1", service=Service.DLI)
    assert credential.effective_endpoint == "https://dli.ap-southeast-1.myhuaweicloud.com"


def test_a_credential_keeps_its_service(roles, login, dli_credential):
    url = reverse("credential_edit", kwargs={"team": "alpha", "credential": dli_credential.public_id})
    response = login(roles.lead).post(
        url, _form(name=dli_credential.name, service=Service.CS, dli_endpoint=dli_credential.dli_endpoint)
    )
    assert response.status_code == 302
    dli_credential.refresh_from_db()
    assert dli_credential.service == Service.DLI


@pytest.mark.parametrize(
    ("service", "field", "value", "other"),
    [
        (Service.DLI, "dli_endpoint", "https://cs.cn-north-1.myhuaweicloud.com", "CS"),
        (Service.CS, "cs_endpoint", "https://dli.cn-north-1.myhuaweicloud.com", "DLI"),
    ],
)
def test_an_endpoint_of_the_other_service_is_a_field_error(roles, login, service, field, value, other):
    data = _form(service=service, **{"cs_endpoint": "", "dli_endpoint": "", field: value})
    response = login(roles.lead).post(reverse("credential_create", kwargs={"team": "alpha"}), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and f"is {other}'s endpoint" in errors[field][0]
    assert not Credential.objects.filter(name="dli-prod").exists()


def test_dli_test_connection(roles, login, dli_credential, run_call):
    response = run_call(login(roles.lead), _url("credential_test", dli_credential))
    assert response.status_code == 302
    call = CloudCall.objects.get()
    assert call.state == "succeeded", call.message
    assert call.message.startswith("Connected to DLI")
    dli_credential.refresh_from_db()
    assert dli_credential.last_verified_at is not None and dli_credential.last_error == ""


def test_cs_only_operations_are_refused_for_dli(roles, login, dli_credential, run_call):
    lead = login(roles.lead)
    response = run_call(lead, _url("credential_register", dli_credential))
    assert response.status_code == 302
    assert not CloudCall.objects.exists()
    page = lead.get(response["Location"]).content.decode()
    assert "a DLI credential has no such call" in page


@pytest.fixture
def single_service():
    servers: list[EmulatorServer] = []

    def start(service: str) -> EmulatorServer:
        server = EmulatorServer(seed="demo", services=(service,)).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.mark.parametrize(
    ("service", "served", "expected"),
    [
        (Service.DLI, "cs", "answers as Cloud Stream Service (CS), not DLI"),
        (Service.CS, "dli", "answers as DLI, not Cloud Stream Service (CS)"),
    ],
)
def test_endpoint_of_the_other_service_says_so_on_test_connection(
    roles, login, run_call, single_service, service, served, expected
):
    server = single_service(served)
    tenant = server.account
    credential = Credential(
        team=roles.team,
        name="mixed-up",
        service=service,
        region="cn-north-1",
        project_id=tenant.project_id,
        cs_endpoint=server.url,
        dli_endpoint=server.url,
        iam_endpoint=server.url,
        vpc_endpoint=server.url,
        auth_type=AuthType.AKSK,
        access_key=tenant.ak,
    )
    credential.set_secret(tenant.sk)
    credential.save()
    run_call(login(roles.lead), _url("credential_test", credential))
    call = CloudCall.objects.get()
    assert call.state == "failed"
    assert expected in call.message
    credential.refresh_from_db()
    assert expected in credential.last_error and credential.last_verified_at is None


def test_seed_demo_seeds_a_dli_credential_per_team(emulator):
    from django.core.management import call_command

    call_command(
        "seed_demo", "--password", "demo-pass-123", "--endpoint", emulator.url, stdout=open("/dev/null", "w")
    )
    for slug in ("demo", "demo-2"):
        services = set(Credential.objects.filter(team__slug=slug).values_list("service", flat=True))
        assert services == {Service.CS, Service.DLI}
