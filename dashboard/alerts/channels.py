"""Sending one message to one channel, and the outbound policy for every request a channel makes.

Email goes through Django's mail (``EMAIL_*`` settings). The generic webhook is a small guarded
``requests`` session of our own: its HMAC-SHA256 signature covers the exact bytes of the body, which
apprise's json plugin cannot carry (it builds its own body, and its extra headers are fixed in the
URL). DingTalk, WeCom, Feishu, Lark and Slack robots go through apprise's plugins, which build each
service's payload and signature; the robot URL a lead pastes decides where they post.

Every outbound request obeys the same rules as the cloud clients (``csapi.netguard``): the URL is
checked before anything is sent (scheme, user info, literal addresses, and the dashboard's own
database and broker ports), and the connection is made by the guarded adapter, which resolves the
host once and refuses loopback, private and link-local addresses unless the administrator lists the
host in ``OUTBOUND_ALLOWED_HOSTS``. Apprise's plugins call ``requests.post`` at module level; the
plugins used here get a stand-in ``requests`` whose calls run on a guarded session, so there is no
path from a channel to the network that skips the policy.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import json
import logging
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from csapi.errors import CSEndpointRefused
from csapi.netguard import GuardedAdapter, OutboundPolicy, check_endpoint
from dashboard.alerts.models import Channel, ChannelKind

logger = logging.getLogger(__name__)

#: Apprise logs request URLs and payloads (robot tokens among them) at debug level: never let them out.
logging.getLogger("apprise").setLevel(logging.ERROR)

ROBOT_KINDS = (
    ChannelKind.DINGTALK,
    ChannelKind.WECOM,
    ChannelKind.FEISHU,
    ChannelKind.LARK,
    ChannelKind.SLACK,
)
URL_KINDS = (ChannelKind.WEBHOOK, *ROBOT_KINDS)
SIGNATURE_HEADER = "X-CSDash-Signature"
DELIVERY_HEADER = "X-CSDash-Delivery"


class DeliveryError(Exception):
    """A channel refused or failed a message; the text is readable and holds no secret."""


# ------------------------------------------------------------------------------------------ policy


def outbound_policy() -> OutboundPolicy:
    from dashboard.teams.cs import outbound_policy as policy

    return policy()


def _own_services() -> set[tuple[str, int]]:
    """(host, port) of the dashboard's database and broker: never a channel's target unless allowed."""
    found: set[tuple[str, int]] = set()
    db = settings.DATABASES["default"]
    if db.get("HOST"):
        found.add((str(db["HOST"]).lower().strip("[]"), int(db.get("PORT") or 5432)))
    for url in (getattr(settings, "CELERY_BROKER_URL", ""), getattr(settings, "REDIS_URL", "")):
        parts = urlsplit(str(url or ""))
        if parts.scheme.startswith(("redis", "amqp")) and parts.hostname:
            default = 6379 if parts.scheme.startswith("redis") else 5672
            found.add((parts.hostname.lower(), parts.port or default))
    return found


def _addresses(host: str, port: int) -> set[str]:
    try:
        return {info[4][0] for info in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)}
    except OSError:
        return set()


def refuse_own_services(url: str, policy: OutboundPolicy) -> None:
    """Refuse the database's and broker's host and port (by name or by address), unless allowed."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if f"{host}:{port}" in policy.allowed_hosts:
        return
    own = _own_services()
    if not own:
        return
    if (host, port) in own:
        raise CSEndpointRefused(_("This address is one of the dashboard's own services."))
    own_ports = {p for _h, p in own}
    if port in own_ports:
        mine = set().union(*(_addresses(h, p) for h, p in own if p == port))
        if mine & _addresses(host, port):
            raise CSEndpointRefused(_("This address is one of the dashboard's own services."))


def check_channel_url(url: str, policy: OutboundPolicy | None = None) -> str:
    """``url`` if a channel may post to it (the cloud clients' endpoint rules, with a path and query
    allowed); otherwise :class:`CSEndpointRefused` with a readable reason."""
    policy = policy or outbound_policy()
    text = (url or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CSEndpointRefused(_("The URL must start with https:// (or http://) and name a host."))
    if parts.fragment or "#" in text or any(ch in text for ch in "\\ \t\r\n{}"):
        raise CSEndpointRefused(_("The URL contains characters that are not allowed."))
    check_endpoint(f"{parts.scheme}://{parts.netloc}", policy, what="URL")
    refuse_own_services(text, policy)
    return text


class ChannelAdapter(GuardedAdapter):
    """The cloud clients' guarded adapter, also refusing the dashboard's own database and broker."""

    def send(self, request, **kwargs):
        refuse_own_services(request.url, self.policy)
        return super().send(request, **kwargs)


def guarded_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.proxies.clear()
    adapter = ChannelAdapter(outbound_policy())
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


# ------------------------------------------------------------------------------------------ apprise


@dataclass
class _Transcript:
    """What the robot's HTTP calls answered (apprise itself only says yes or no)."""

    errors: list[str] = field(default_factory=list)


_transcript: contextvars.ContextVar[_Transcript | None] = contextvars.ContextVar(
    "alert_transcript", default=None
)


def _readable_failure(exc: BaseException) -> str:
    if isinstance(exc, CSEndpointRefused):
        return str(exc)
    if isinstance(exc, requests.Timeout):
        return _("The receiver did not answer in time.")
    if isinstance(exc, requests.ConnectionError):
        return _("The receiver could not be reached.")
    return _("The request failed ({name}).").format(name=type(exc).__name__)


class _GuardedRequests:
    """Stands in for the ``requests`` module inside apprise's robot plugins: the same names, with
    every call sent on a guarded session, redirects never followed, and the outcome noted."""

    def __getattr__(self, name: str):
        return getattr(requests, name)

    def request(self, method: str, url: str, **kwargs):
        kwargs["allow_redirects"] = False
        transcript = _transcript.get()
        with guarded_session() as session:
            try:
                response = session.request(method, url, **kwargs)
            except (requests.RequestException, CSEndpointRefused) as exc:
                if transcript is not None:
                    transcript.errors.append(_readable_failure(exc))
                if isinstance(exc, CSEndpointRefused):
                    # apprise catches RequestException only: a refusal must not escape as a crash
                    raise requests.ConnectionError(str(exc)) from None
                raise
        if transcript is not None and not 200 <= response.status_code < 300:
            transcript.errors.append(
                _("The receiver answered HTTP {status}.").format(status=response.status_code)
            )
        return response

    def post(self, url, data=None, json=None, **kwargs):
        return self.request("POST", url, data=data, json=json, **kwargs)

    def get(self, url, params=None, **kwargs):
        return self.request("GET", url, params=params, **kwargs)


_GUARDED_REQUESTS = _GuardedRequests()


def _plugins():
    """Apprise's robot plugin modules, each given the guarded ``requests`` (once per process)."""
    from apprise.plugins import dingtalk, feishu, lark, slack, wecombot

    modules = {
        ChannelKind.DINGTALK: dingtalk,
        ChannelKind.WECOM: wecombot,
        ChannelKind.FEISHU: feishu,
        ChannelKind.LARK: lark,
        ChannelKind.SLACK: slack,
    }
    for module in modules.values():
        if module.requests is not _GUARDED_REQUESTS:
            module.requests = _GUARDED_REQUESTS
    return modules


@dataclass(frozen=True)
class RobotUrl:
    """A robot's webhook URL as its service shows it, and the apprise URL with the same tokens."""

    url: str
    apprise_url: str


def _last_segment(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def parse_robot_url(kind: str, url: str, signing_key: str = "") -> RobotUrl:
    """Read the tokens out of a robot URL (as DingTalk, WeCom, Feishu, Lark and Slack display it).

    Raises ``ValueError`` with a readable reason when the URL does not have the service's shape.
    """
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if kind == ChannelKind.DINGTALK:
        token = (query.get("access_token") or [""])[0]
        if not token:
            raise ValueError(_("A DingTalk robot URL ends in ?access_token=..."))
        secret = f"{signing_key}@" if signing_key else ""
        return RobotUrl(url, f"dingtalk://{secret}{token}/")
    if kind == ChannelKind.WECOM:
        key = (query.get("key") or [""])[0]
        if not key:
            raise ValueError(_("A WeCom robot URL ends in ?key=..."))
        return RobotUrl(url, f"wecombot://{key}")
    if kind in (ChannelKind.FEISHU, ChannelKind.LARK):
        token = _last_segment(parts.path)
        if "/hook/" not in parts.path or not token:
            raise ValueError(_("A Feishu or Lark robot URL ends in /open-apis/bot/v2/hook/<token>."))
        return RobotUrl(url, f"{'feishu' if kind == ChannelKind.FEISHU else 'lark'}://{token}")
    if kind == ChannelKind.SLACK:
        tokens = [p for p in parts.path.split("/") if p]
        if len(tokens) != 4 or tokens[0] != "services":
            raise ValueError(_("A Slack incoming webhook URL looks like /services/T…/B…/…"))
        return RobotUrl(url, "slack://{}/{}/{}".format(*tokens[1:]))
    raise ValueError(f"not a robot kind: {kind}")


def _robot_plugin(kind: str, robot: RobotUrl):
    """Apprise's plugin for the robot, pointed at the URL the lead gave (not the service's default)."""
    import apprise

    modules = _plugins()
    plugin = apprise.Apprise.instantiate(robot.apprise_url, suppress_exceptions=True)
    if plugin is None:
        raise DeliveryError(_("The robot URL's token has a form the service does not use."))
    plugin.socket_connect_timeout = settings.ALERT_HTTP_TIMEOUT[0]  # apprise's request_timeout reads these
    plugin.socket_read_timeout = settings.ALERT_HTTP_TIMEOUT[1]
    plugin.redirects = False
    if type(plugin).__module__ != modules[kind].__name__:  # only the guarded plugin modules may send
        raise DeliveryError(_("The robot URL's token has a form the service does not use."))
    if kind in (ChannelKind.DINGTALK, ChannelKind.FEISHU):
        plugin.notify_url = robot.url  # formatted with the token: a URL without placeholders stays itself
    elif kind == ChannelKind.WECOM:
        plugin.api_url = robot.url
    elif kind == ChannelKind.LARK:
        plugin.webhook_url = robot.url
    elif kind == ChannelKind.SLACK:
        base = robot.url.split("/services/", 1)[0]
        plugin.webhook_url = f"{base}/services"
    return plugin


@contextmanager
def _noted() -> Iterator[_Transcript]:
    transcript = _Transcript()
    token = _transcript.set(transcript)
    try:
        yield transcript
    finally:
        _transcript.reset(token)


# ------------------------------------------------------------------------------------------ messages


@dataclass(frozen=True)
class Message:
    key: str  # the idempotency key
    title: str
    text: str
    markdown: str
    payload: dict


def signature(signing_key: str, timestamp: str, body: bytes) -> str:
    """``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>``: receivers recompute it with the key."""
    digest = hmac.new(signing_key.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(signing_key: str, header: str, body: bytes, *, tolerance: float = 300.0) -> bool:
    """Check a webhook's signature header (for receivers, and the tests that stand in for them)."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = fields["t"]
        if abs(time.time() - int(timestamp)) > tolerance:
            return False
    except (KeyError, ValueError):
        return False
    return hmac.compare_digest(signature(signing_key, timestamp, body), header)


def _send_email(channel: Channel, message: Message) -> None:
    from django.core.mail import EmailMessage, get_connection

    domain = settings.ALERT_EMAIL_DOMAIN
    mail = EmailMessage(
        subject=message.title,
        body=message.text,
        from_email=settings.ALERT_EMAIL_FROM,
        to=channel.recipients,
        headers={"Message-ID": f"<{message.key}@{domain}>", "X-CSDash-Delivery": message.key},
        connection=get_connection(timeout=settings.ALERT_HTTP_TIMEOUT[1]),
    )
    try:
        mail.send(fail_silently=False)
    except Exception as exc:  # smtplib's errors, timeouts, refused connections: never the message's text
        raise DeliveryError(
            _("The mail server refused or did not answer ({name}).").format(name=type(exc).__name__)
        ) from None


def _send_webhook(channel: Channel, message: Message) -> None:
    secrets = channel.get_secrets()
    url = secrets["url"]
    try:
        check_channel_url(url)
    except CSEndpointRefused as exc:
        raise DeliveryError(str(exc)) from None
    body = json.dumps(message.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {"Content-Type": "application/json", DELIVERY_HEADER: message.key, "User-Agent": "CS-Dashboard"}
    if secrets["signing_key"]:
        headers[SIGNATURE_HEADER] = signature(secrets["signing_key"], str(int(time.time())), body)
    try:
        with guarded_session() as session:
            response = session.post(
                url, data=body, headers=headers, timeout=settings.ALERT_HTTP_TIMEOUT, allow_redirects=False
            )
    except (requests.RequestException, CSEndpointRefused) as exc:
        raise DeliveryError(_readable_failure(exc)) from None
    if not 200 <= response.status_code < 300:
        raise DeliveryError(_("The receiver answered HTTP {status}.").format(status=response.status_code))


def _send_robot(channel: Channel, message: Message) -> None:
    import apprise

    secrets = channel.get_secrets()
    try:
        check_channel_url(secrets["url"])
        robot = parse_robot_url(channel.kind, secrets["url"], secrets["signing_key"])
    except (CSEndpointRefused, ValueError) as exc:
        raise DeliveryError(str(exc)) from None
    plugin = _robot_plugin(channel.kind, robot)
    with _noted() as transcript:
        ok = plugin.notify(
            body=message.markdown if channel.kind != ChannelKind.WECOM else message.text,
            title=message.title,
            body_format=apprise.NotifyFormat.MARKDOWN
            if channel.kind != ChannelKind.WECOM
            else apprise.NotifyFormat.TEXT,
        )
    if not ok or transcript.errors:
        raise DeliveryError(
            transcript.errors[-1] if transcript.errors else _("The robot refused the message.")
        )


def send(channel: Channel, message: Message) -> None:
    """Send ``message`` to ``channel`` once; :class:`DeliveryError` says why it did not go."""
    if channel.kind == ChannelKind.EMAIL:
        _send_email(channel, message)
    elif channel.kind == ChannelKind.WEBHOOK:
        _send_webhook(channel, message)
    elif channel.kind in ROBOT_KINDS:
        _send_robot(channel, message)
    else:
        raise DeliveryError(_("Unknown channel kind."))


# ------------------------------------------------------------------------------------------ forms


def validate_emails(text: str) -> list[str]:
    addresses = [a.strip() for a in (text or "").replace(";", ",").split(",") if a.strip()]
    if not addresses:
        raise ValidationError(_("Enter at least one email address."))
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                _("“%(address)s” is not an email address."), params={"address": address[:100]}
            ) from None
    return addresses


def validate_target(kind: str, url: str, signing_key: str = "") -> str:
    """The URL a channel of ``kind`` may post to, or a ``ValidationError`` for the form's field."""
    try:
        text = check_channel_url(url)
        if kind in ROBOT_KINDS:
            parse_robot_url(kind, text, signing_key)
    except (CSEndpointRefused, ValueError) as exc:
        raise ValidationError(str(exc)) from None
    return text


def target_hint(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…" if parts.netloc else ""
