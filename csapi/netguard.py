"""Where the cloud clients may connect: the outbound request policy (server-side request forgery guard).

An endpoint is typed by a team lead, so nothing about it is trusted. Every request the CS and DLI
clients send goes through a ``requests`` session guarded here:

- the URL must be ``https`` (``http`` only for hosts the administrator allows), with no user info,
  query string or fragment, and no path beyond what the API appends;
- at connect time every address the host name resolves to is checked, so a name that resolves (or
  re-resolves, DNS rebinding) to loopback, private, link-local, multicast or reserved space is refused
  before a socket is opened; the connection then goes to the checked address, never to a second lookup;
- environment proxies are ignored, and no client follows redirects (each caller passes
  ``allow_redirects=False``; a 3xx answer is an error).

``OutboundPolicy.allowed_hosts`` names the exceptions: ``host`` or ``host:port`` entries (``[::1]:8900``
for IPv6) that may be plain ``http`` and may resolve to non-public addresses -- the local emulator in
the demo and the tests. Nothing else is an exception.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.poolmanager import PoolManager
from urllib3.util import connection as _u3conn

from .errors import CSEndpointRefused

__all__ = ["OutboundPolicy", "check_endpoint", "guard_session", "is_public_address"]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address; False for loopback, private, link-local,
    shared, multicast, reserved, documentation and unspecified space (IPv4 embedded in IPv6 included)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is a.b.c.d
            return is_public_address(str(ip.ipv4_mapped))
        inner = _embedded_v4(ip)
        if inner is not None and not is_public_address(str(inner)):
            return False
    return ip.is_global and not ip.is_multicast and not ip.is_reserved and not ip.is_unspecified


def _normal_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


@dataclass(frozen=True)
class OutboundPolicy:
    """Which endpoints the clients may reach. The default allows public https endpoints only."""

    allowed_hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def allowing(cls, hosts: Iterable[str]) -> OutboundPolicy:
        """A policy with ``hosts`` (``host`` or ``host:port``) as the administrator's exceptions."""
        entries = set()
        for entry in hosts:
            entry = entry.strip().lower()
            if not entry:
                continue
            if entry.startswith("[") and "]" in entry:  # [v6]:port or [v6]
                host, _, rest = entry[1:].partition("]")
                port = rest.lstrip(":")
                entries.add(f"{_normal_host(host)}:{port}" if port else _normal_host(host))
            elif entry.count(":") == 1:
                host, port = entry.split(":")
                entries.add(f"{_normal_host(host)}:{port}")
            else:
                entries.add(_normal_host(entry))
        return cls(frozenset(entries))

    def is_exception(self, host: str, port: int | None) -> bool:
        host = _normal_host(host)
        return host in self.allowed_hosts or (port is not None and f"{host}:{port}" in self.allowed_hosts)


def _port_of(parts) -> int:
    try:
        port = parts.port
    except ValueError:
        raise CSEndpointRefused("The endpoint's port is not a number between 0 and 65535.") from None
    return port if port is not None else (443 if parts.scheme == "https" else 80)


def check_endpoint(
    url: str, policy: OutboundPolicy, *, what: str = "endpoint", paths: Iterable[str] = ("",)
) -> str:
    """``url`` if the policy lets the clients send requests to it; otherwise :class:`CSEndpointRefused`.

    ``paths`` are the path prefixes the endpoint may carry (the IAM endpoint may end in ``/v3``). The
    host's addresses are checked when connecting, not here, so a form can call this without a lookup;
    an IP literal is checked here too.
    """
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        raise CSEndpointRefused(f"The {what} is not a valid URL.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CSEndpointRefused(f"The {what} must be an https:// URL with a host name.")
    if "@" in parts.netloc:
        raise CSEndpointRefused(f"The {what} must not contain a user name or password.")
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise CSEndpointRefused(f"The {what} must not contain a query string (?) or fragment (#).")
    if parts.path.rstrip("/") not in {p.rstrip("/") for p in paths}:
        raise CSEndpointRefused(f"The {what} must be just the scheme and host (and port), without a path.")
    if any(ch in text for ch in "\\ \t\r\n%"):
        raise CSEndpointRefused(f"The {what} contains characters that are not allowed in a host name.")
    port = _port_of(parts)
    exception = policy.is_exception(parts.hostname, port)
    if parts.scheme == "http" and not exception:
        raise CSEndpointRefused(f"The {what} must use https://.")
    if not exception:
        try:
            literal = ipaddress.ip_address(_normal_host(parts.hostname))
        except ValueError:
            literal = None
        if literal is not None and not is_public_address(str(literal)):
            raise CSEndpointRefused(
                f"The {what} points at {literal}, a loopback, private, link-local or reserved address; "
                "the dashboard only connects to public cloud endpoints."
            )
        if _normal_host(parts.hostname) in ("localhost", "localhost.localdomain") or parts.hostname.endswith(
            ".localhost"
        ):
            raise CSEndpointRefused(
                f"The {what} points at this machine; the dashboard does not connect there."
            )
    return text


def _checked_addresses(host: str, port: int, policy: OutboundPolicy) -> list[tuple]:
    """Resolve ``host`` once and check every address; refuse if any is not public (unless allowed)."""
    infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    if policy.is_exception(host, port):
        return infos
    for info in infos:
        address = info[4][0]
        if not is_public_address(address):
            raise CSEndpointRefused(
                f"The endpoint host {host} resolves to {address}, a loopback, private, link-local or "
                "reserved address; the dashboard does not connect there."
            )
    return infos


class _GuardedConnectionMixin:
    """Opens the socket itself: resolve, check every address, connect to a checked address."""

    outbound_policy: OutboundPolicy = OutboundPolicy()

    def _new_conn(self):  # type: ignore[override]
        host, port = self._dns_host, self.port  # type: ignore[attr-defined]
        try:
            infos = _checked_addresses(host, port, self.outbound_policy)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[attr-defined]
        last: OSError | None = None
        for _family, _type, _proto, _canon, sockaddr in infos:
            try:
                # an IP literal: create_connection looks nothing more up
                sock = _u3conn.create_connection(
                    (sockaddr[0], sockaddr[1]),
                    self.timeout,  # type: ignore[attr-defined]
                    source_address=self.source_address,  # type: ignore[attr-defined]
                    socket_options=self.socket_options,  # type: ignore[attr-defined]
                )
            except TimeoutError as exc:
                raise ConnectTimeoutError(
                    self,
                    f"Connection to {host} timed out. (connect timeout={self.timeout})",  # type: ignore[attr-defined]
                ) from exc
            except OSError as exc:
                last = exc
                continue
            return sock
        raise NewConnectionError(self, f"Failed to establish a new connection: {last}")


class _GuardedPoolManager(PoolManager):
    def __init__(self, *args, policy: OutboundPolicy, **kwargs):
        super().__init__(*args, **kwargs)

        class _HTTPConn(_GuardedConnectionMixin, HTTPConnection):
            outbound_policy = policy

        class _HTTPSConn(_GuardedConnectionMixin, HTTPSConnection):
            outbound_policy = policy

        class _HTTPPool(HTTPConnectionPool):
            ConnectionCls = _HTTPConn

        class _HTTPSPool(HTTPSConnectionPool):
            ConnectionCls = _HTTPSConn

        self.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


class GuardedAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` that checks each request's URL and each connection's addresses."""

    __attrs__ = [*HTTPAdapter.__attrs__, "policy"]

    def __init__(self, policy: OutboundPolicy, **kwargs):
        self.policy = policy
        super().__init__(**kwargs)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
        self._pool_connections, self._pool_maxsize, self._pool_block = connections, maxsize, block
        self.poolmanager = _GuardedPoolManager(
            num_pools=connections, maxsize=maxsize, block=block, policy=self.policy, **pool_kwargs
        )

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        raise CSEndpointRefused("The cloud clients do not use proxies.")

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        base = f"{parts.scheme}://{parts.netloc}"
        check_endpoint(base, self.policy)  # scheme, user info, literal addresses of every request
        return super().send(request, **kwargs)


def guard_session(session: requests.Session, policy: OutboundPolicy) -> requests.Session:
    """Route every request of ``session`` through the policy; ignore environment proxies."""
    session.trust_env = False
    session.proxies.clear()
    adapter = GuardedAdapter(policy)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
