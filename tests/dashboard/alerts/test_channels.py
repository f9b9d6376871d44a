"""Channels against real peers: apprise's robot payloads reach a local receiver standing in for the
robot URL, email reaches an SMTP server, a failing receiver is retried and shown, and the outbound
policy refuses loopback, link-local and the dashboard's own services without connecting."""

from __future__ import annotations

import pytest
from django.urls import reverse

from csapi import CSEndpointRefused
from dashboard.alerts import channels, delivery
from dashboard.alerts.messages import message_for
from dashboard.alerts.models import Channel, ChannelKind, DeliveryAttempt, Notification, NotificationState
from tests.dashboard.alerts.conftest import SIGNING_KEY
from tests.listeners import Listener

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "team": {"slug": "alpha", "name": "Alpha Stream"},
    "rule": {
        "id": "r",
        "name": "failures",
        "kind": "job_failed",
        "severity": "critical",
        "severity_label": "Critical",
    },
    "generated_at": "2026-01-01 10:00:00 UTC",
    "counts": {"opened": 1},
    "opened": [
        {
            "incident": "i",
            "subject": "clickstream_agg",
            "summary": "Running → Running exception",
            "status": "job_running_exception",
            "status_label": "Running exception",
            "status_desc": "TaskManager lost",
            "url": "https://dash.example.com/t/alpha/jobs/x/1/",
            "at": "2026-01-01 10:00:00 UTC",
        }
    ],
}

ROBOTS = {
    ChannelKind.DINGTALK: "/robot/send?access_token=0123456789abcdef0123456789abcdef",
    ChannelKind.WECOM: "/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
    ChannelKind.FEISHU: "/open-apis/bot/v2/hook/0123abcd-4567-89ef-0123-456789abcdef",
    ChannelKind.LARK: "/open-apis/bot/v2/hook/0123abcd-4567-89ef-0123-456789abcdef",
    ChannelKind.SLACK: "/services/T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ",
}


@pytest.mark.parametrize("kind", list(ROBOTS))
def test_robot_payload_reaches_the_robot_url(receiver, make_channel, kind):
    if kind == ChannelKind.SLACK:
        receiver.answer = b"ok"  # what Slack's incoming webhooks answer
    channel = make_channel(kind, url=receiver.url + ROBOTS[kind])
    channels.send(channel, message_for("a-key-1", PAYLOAD))
    (request,) = receiver.requests
    assert request.path.split("?")[0] == ROBOTS[kind].split("?")[0]
    body = request.json
    text = repr(body)
    assert "clickstream_agg" in text and "TaskManager lost" in text
    if kind == ChannelKind.DINGTALK:
        assert body["msgtype"] == "markdown" and "access_token=" in request.path
    elif kind == ChannelKind.WECOM:
        assert body["msgtype"] == "text"
    elif kind == ChannelKind.SLACK:
        assert "blocks" in body or "attachments" in body or "text" in body


def test_dingtalk_signs_with_its_secret(receiver, make_channel):
    channel = make_channel(
        ChannelKind.DINGTALK,
        url=receiver.url + ROBOTS[ChannelKind.DINGTALK],
        signing_key="SECabcdef0123456789",
    )
    channels.send(channel, message_for("a-key-2", PAYLOAD))
    (request,) = receiver.requests
    assert "timestamp=" in request.path and "sign=" in request.path


def test_a_failing_receiver_is_retried_and_shown(receiver, make_channel, settings, login, roles):
    settings.ALERT_MAX_ATTEMPTS = 3
    receiver.status = 500
    channel = make_channel(url=f"{receiver.url}/hook", signing_key=SIGNING_KEY)
    row = Notification.objects.create(key="k-500", team=roles.team, channel=channel, payload=PAYLOAD)
    assert delivery.deliver(row.pk) == "retrying"
    row.refresh_from_db()
    assert row.state == NotificationState.RETRYING and "HTTP 500" in row.last_error
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
    assert delivery.deliver(row.pk) == "retrying"
    receiver.status = 200
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
    assert delivery.deliver(row.pk) == "sent"
    assert delivery.deliver(row.pk) == "not due"  # a duplicate task sends nothing
    assert len(receiver.requests) == 3
    assert len({r.headers["x-csdash-delivery"] for r in receiver.requests}) == 1
    assert list(DeliveryAttempt.objects.order_by("number").values_list("ok", flat=True)) == [
        False,
        False,
        True,
    ]
    receiver.status = 500
    failing = Notification.objects.create(key="k-500-b", team=roles.team, channel=channel, payload=PAYLOAD)
    settings.ALERT_MAX_ATTEMPTS = 1
    assert delivery.deliver(failing.pk) == "failed"
    page = login(roles.viewer).get(
        reverse("alert_channel", kwargs={"team": "alpha", "channel": channel.public_id})
    )
    assert page.status_code == 200
    assert "The receiver answered HTTP 500." in page.content.decode()


def test_a_silent_receiver_times_out_without_holding_the_next(settings, make_channel, roles, receiver):
    settings.ALERT_HTTP_TIMEOUT = (1.0, 1.0)
    with Listener(silent=True) as silent:
        settings.OUTBOUND_ALLOWED_HOSTS = [*settings.OUTBOUND_ALLOWED_HOSTS, silent.netloc]
        slow = make_channel(url=f"http://{silent.netloc}/hook", signing_key=SIGNING_KEY)
        good = make_channel(url=f"{receiver.url}/hook", signing_key=SIGNING_KEY)
        a = Notification.objects.create(key="k-slow", team=roles.team, channel=slow, payload=PAYLOAD)
        b = Notification.objects.create(key="k-good", team=roles.team, channel=good, payload=PAYLOAD)
        assert delivery.deliver(a.pk) == "retrying"
        assert delivery.deliver(b.pk) == "sent"
    a.refresh_from_db()
    assert "did not answer in time" in a.last_error


@pytest.mark.parametrize("kind", [ChannelKind.WEBHOOK, ChannelKind.DINGTALK, ChannelKind.SLACK])
@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]"])
def test_loopback_is_refused_without_a_connection(settings, roles, kind, host):
    settings.OUTBOUND_ALLOWED_HOSTS = []
    with Listener(host.strip("[]")) as listener:
        url = f"https://{host}:{listener.port}" + (ROBOTS.get(kind) or "/hook")
        with pytest.raises(CSEndpointRefused):
            channels.check_channel_url(url)
        channel = Channel(team=roles.team, name="x", kind=kind)
        channel.set_secrets(url=url, signing_key=SIGNING_KEY)
        with pytest.raises(channels.DeliveryError):
            channels.send(channel, message_for("k", PAYLOAD))
        assert listener.accepted == 0


def test_a_name_resolving_to_loopback_is_refused_at_connect_time(settings, roles):
    """The URL check passes a host name; the guarded adapter resolves it and refuses the address."""
    settings.OUTBOUND_ALLOWED_HOSTS = []
    with Listener() as listener:
        url = f"http://localtest.invalid:{listener.port}/hook"
        session = channels.guarded_session()
        with pytest.raises(Exception):  # noqa: B017 - refused (or unresolvable): never connected
            session.post(url, data=b"{}", timeout=2)
        assert listener.accepted == 0


def test_robot_requests_always_use_the_guarded_session(settings, roles):
    """Apprise's plugins get the guarded ``requests``: a loopback robot URL handed to apprise directly
    (skipping the dashboard's own check) still does not connect."""
    settings.OUTBOUND_ALLOWED_HOSTS = []
    with Listener() as listener:
        robot = channels.parse_robot_url(
            ChannelKind.FEISHU, f"http://127.0.0.1:{listener.port}" + ROBOTS[ChannelKind.FEISHU]
        )
        plugin = channels._robot_plugin(ChannelKind.FEISHU, robot)
        assert plugin.notify(body="x", title="y") is False
        assert listener.accepted == 0


def test_the_database_and_broker_ports_are_refused_unless_allowed(settings, roles):
    with Listener() as listener:
        settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]  # loopback allowed, as in the tests
        settings.REDIS_URL = f"redis://127.0.0.1:{listener.port}/0"
        with pytest.raises(CSEndpointRefused):
            channels.check_channel_url(f"http://127.0.0.1:{listener.port}/hook")
        channel = Channel(team=roles.team, name="x", kind=ChannelKind.WEBHOOK)
        channel.set_secrets(url=f"http://127.0.0.1:{listener.port}/hook", signing_key=SIGNING_KEY)
        with pytest.raises(channels.DeliveryError):
            channels.send(channel, message_for("k", PAYLOAD))
        assert listener.accepted == 0
        settings.OUTBOUND_ALLOWED_HOSTS = [f"127.0.0.1:{listener.port}"]  # the administrator's exception
        assert channels.check_channel_url(f"http://127.0.0.1:{listener.port}/hook")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://hooks.example.com/x", "https://"),
        ("https://user:pw@hooks.example.com/x", "user name"),
        ("http://169.254.169.254/latest/meta-data", "https://"),
        ("https://169.254.169.254/latest/meta-data", "169.254.169.254"),
        ("https://localhost/hook", "this machine"),
        ("https://10.0.0.8/hook", "10.0.0.8"),
    ],
)
def test_bad_urls_are_field_errors(settings, login, roles, url, why):
    settings.OUTBOUND_ALLOWED_HOSTS = []
    response = login(roles.lead).post(
        reverse("alert_channel_create", kwargs={"team": "alpha"}),
        {"name": "hook", "kind": "webhook", "enabled": "on", "url": url, "signing_key": SIGNING_KEY},
    )
    assert response.status_code == 400
    assert why in response.content.decode()
    assert not Channel.objects.exists()


def test_email_through_smtp(smtp, make_channel):
    channel = make_channel(ChannelKind.EMAIL, emails="oncall@example.com")
    channels.send(channel, message_for("a-mail-1", PAYLOAD))
    (mail,) = smtp.messages
    assert mail["Message-ID"] == "<a-mail-1@localhost>"
    assert "clickstream_agg" in mail.get_body().get_content()


def test_invalid_emails_are_field_errors(login, roles):
    response = login(roles.lead).post(
        reverse("alert_channel_create", kwargs={"team": "alpha"}),
        {"name": "mail", "kind": "email", "emails": "oncall@example.com, not-an-address"},
    )
    assert response.status_code == 400 and "not-an-address" in response.content.decode()
    assert not Channel.objects.exists()


def test_test_message_from_the_channel_page(
    receiver, login, roles, make_channel, django_capture_on_commit_callbacks, eager_celery
):
    channel = make_channel(url=f"{receiver.url}/hook", signing_key=SIGNING_KEY)
    client = login(roles.lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("alert_channel_test", kwargs={"team": "alpha", "channel": channel.public_id})
        )
    assert response.status_code == 302
    (request,) = receiver.requests
    assert request.json["test"] is True
    assert channels.verify_signature(SIGNING_KEY, request.headers["x-csdash-signature"], request.body)
    assert (
        login(roles.viewer)
        .post(reverse("alert_channel_test", kwargs={"team": "alpha", "channel": channel.public_id}))
        .status_code
        == 403
    )
