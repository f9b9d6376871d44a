"""The queues page (leads): the team's DLI queues with CUs used of total, type, engine and jobs, and
the lead's price per CU-hour, from the snapshots the poller took of the emulator's DLI."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from csapi import vocab
from dashboard.clusters.models import Queue
from dashboard.jobs.models import Job
from dashboard.polling.services import sync
from dashboard.teams.models import ActionLog, Service

pytestmark = pytest.mark.django_db

URL = reverse("queue_list", kwargs={"team": "alpha"})


@pytest.fixture
def queues(dli_credential):
    """Team alpha's DLI queues, synced from the emulator, and a few DLI jobs on them."""
    assert sync(dli_credential.pk, "queues").ok
    rows = list(Queue.objects.filter(credential=dli_credential).order_by("queue_name"))
    assert len(rows) >= 2
    for i, (status, queue) in enumerate(
        [(vocab.JOB_RUNNING, rows[0]), (vocab.JOB_CANCEL_SUCCESS, rows[0]), (vocab.JOB_RUNNING, rows[1])]
    ):
        Job.objects.create(
            team=dli_credential.team,
            credential=dli_credential,
            service=Service.DLI,
            job_id=880000 + i,
            name=f"dli_job_{i}",
            status=status,
            queue_name=queue.queue_name,
            spu_number=4 + i,
            fingerprint=str(i),
        )
    return rows


def _post(client, queue, price, **extra):
    data = {"credential": str(queue.credential.public_id), "queue": queue.queue_name, "cu_price": price}
    return client.post(URL, {**data, **extra})


def test_roles(roles, login, queues):
    assert login(None).get(URL).status_code == 302
    assert login(roles.outsider).get(URL).status_code == 404
    assert login(roles.other_lead).get(URL).status_code == 404
    for user in (roles.viewer, roles.operator):
        response = login(user).get(URL)
        assert response.status_code == 403 and b"lead" in response.content.lower()
        assert _post(login(user), queues[0], "1").status_code == 403
    assert login(roles.lead).get(URL).status_code == 200
    assert login(roles.lead).put(URL).status_code == 405
    assert Queue.objects.filter(cu_price__isnull=False).count() == 0


def test_each_queue_with_its_cus_type_engine_and_jobs(roles, login, queues):
    page = login(roles.lead).get(URL).content.decode()
    for queue in queues:
        assert f'data-queue="{queue.queue_name}"' in page
        assert f"{queue.used_cu:g} / {queue.cu_count} CU" in page
        assert f'max="{queue.cu_count}"' in page
    assert str(vocab.DLI_QUEUE_TYPES["general"]) in page and "<dd>Flink</dd>" in page
    for job in Job.objects.filter(credential__service=Service.DLI):
        assert f'data-job="{job.job_id}"' in page and job.name in page
    section = page[page.index(f'data-queue="{queues[0].queue_name}"') :]
    section = section[: section.index("</section>")]
    assert "2 jobs" in section and "dli_job_0" in section and "dli_job_2" not in section
    assert section.index("dli_job_0") < section.index("dli_job_1")  # holding CUs first
    assert "none set" in section  # no price yet, said in words


def test_the_page_costs_constant_queries(roles, login, queues, dli_credential):
    client = login(roles.lead)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    Job.objects.bulk_create(
        Job(
            team=dli_credential.team,
            credential=dli_credential,
            service=Service.DLI,
            job_id=870000 + i,
            name=f"more_{i}",
            status=vocab.JOB_RUNNING,
            queue_name=queues[i % 2].queue_name,
            spu_number=1,
            fingerprint="m",
        )
        for i in range(60)
    )
    with CaptureQueriesContext(connection) as many:
        page = client.get(URL).content.decode()
    assert len(many) == len(few)
    assert "The first 20 are shown" in page


def test_a_deleted_queue_and_other_teams_queues_are_not_shown(roles, login, queues):
    Queue.objects.filter(pk=queues[1].pk).update(deleted_at=timezone.now())
    page = login(roles.lead).get(URL).content.decode()
    assert f'data-queue="{queues[0].queue_name}"' in page
    assert f'data-queue="{queues[1].queue_name}"' not in page


def test_the_lead_sets_and_clears_a_price(roles, login, queues):
    client = login(roles.lead)
    response = _post(client, queues[0], "0.3456")
    assert response.status_code == 302 and response["Location"] == URL
    queues[0].refresh_from_db()
    assert queues[0].cu_price == Decimal("0.3456")
    entry = ActionLog.objects.get(action="queue.price")
    assert entry.user == roles.lead and entry.target_name == queues[0].queue_name
    assert "0.3456" in entry.message
    page = client.get(URL).content.decode()
    assert "0.3456" in page
    assert _post(client, queues[0], "").status_code == 302
    queues[0].refresh_from_db()
    assert queues[0].cu_price is None


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("-1", "greater than or equal to 0"),
        ("0.12345", "4 decimal places"),
        ("123456789.5", "8 digits before the decimal point"),
        ("abc", "Enter a number"),
        ("NaN", "Enter a number"),
        ("1e400", ""),
    ],
)
def test_a_bad_price_is_a_field_error(roles, login, queues, price, message):
    response = _post(login(roles.lead), queues[0], price)
    assert response.status_code == 200
    page = response.content.decode()
    assert "field-error" in page and message in page
    queues[0].refresh_from_db()
    assert queues[0].cu_price is None
    assert not ActionLog.objects.filter(action="queue.price").exists()


def test_a_queue_not_the_teams_is_a_404(roles, login, queues, emulator):
    from dashboard.teams.models import AuthType, Credential

    other = Credential(
        team=roles.other_team,
        name="beta-dli",
        service=Service.DLI,
        region="cn-north-1",
        project_id=emulator.tenants[1].project_id,
        dli_endpoint=emulator.url,
        iam_endpoint=emulator.url,
        auth_type=AuthType.AKSK,
        access_key=emulator.tenants[1].ak,
    )
    other.set_secret(emulator.tenants[1].sk)
    other.save()
    assert sync(other.pk, "queues").ok
    theirs = Queue.objects.filter(credential=other).first()
    client = login(roles.lead)
    assert _post(client, theirs, "1").status_code == 404
    assert (
        client.post(URL, {"credential": str(uuid.uuid4()), "queue": "x", "cu_price": "1"}).status_code == 404
    )
    deleted = queues[1]
    Queue.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    assert _post(client, deleted, "1").status_code == 404
    assert not Queue.objects.filter(cu_price__isnull=False).exists()
    assert theirs.queue_name not in client.get(URL).content.decode()
    beta = login(roles.other_lead).get(reverse("queue_list", kwargs={"team": "beta"})).content.decode()
    assert theirs.queue_name in beta and queues[0].queue_name not in beta


def test_the_navigation_offers_queues_to_leads_of_teams_with_dli(roles, login, dli_credential):
    alpha = reverse("job_list", kwargs={"team": "alpha"})
    assert f'href="{URL}"' in login(roles.lead).get(alpha).content.decode()
    assert f'href="{URL}"' not in login(roles.viewer).get(alpha).content.decode()
    assert f'href="{URL}"' not in login(roles.operator).get(alpha).content.decode()
    beta = login(roles.other_lead).get(reverse("job_list", kwargs={"team": "beta"})).content.decode()
    assert "/queues/" not in beta  # beta has no DLI credential


def test_a_bad_price_shows_on_its_own_queue(roles, login, queues):
    response = _post(login(roles.lead), queues[1], "-5")
    page = response.content.decode()
    mine = page[page.index(f'data-queue="{queues[1].queue_name}"') :]
    other = page[
        page.index(f'data-queue="{queues[0].queue_name}"') : page.index(
            f'data-queue="{queues[1].queue_name}"'
        )
    ]
    assert "field-error" in mine[: mine.index("</section>")] and "field-error" not in other
    assert 'value="-5"' in mine  # what was typed stays to be corrected


@pytest.mark.parametrize("credential", ["not-a-uuid", ""])
def test_a_malformed_queue_reference_is_a_404(roles, login, queues, credential):
    response = login(roles.lead).post(
        URL, {"credential": credential, "queue": queues[0].queue_name, "cu_price": "1"}
    )
    assert response.status_code == 404
