"""The outbound policy of the cloud clients: where a request may go, checked before and at connect time.

Every refusal is proved twice: the client raises ``CSEndpointRefused`` with a clear sentence, and a
local listener standing where the request would have gone accepts no connection.
"""

from __future__ import annotations

import socket

import pytest

from csapi import AKSKAuth, CSClient, CSEndpointRefused, CSProtocolError, MemoryCache, TokenAuth
from csapi.netguard import OutboundPolicy, check_endpoint, is_public_address
from tests.listeners import Listener, http_answer

STRICT = OutboundPolicy()


@pytest.fixture
def listener():
    with Listener() as lst:
        yield lst


@pytest.fixture
def listener6():
    with Listener("::1") as lst:
        yield lst


def _client(endpoint: str, policy: OutboundPolicy = STRICT, **kwargs) -> CSClient:
    return CSClient(endpoint, "proj", AKSKAuth("AKAKAKAKAKAK", "sk"), retries=0, outbound=policy, **kwargs)


@pytest.mark.parametrize(
    "address, public",
    [
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104
        ("224.0.0.1", False),
        ("239.255.255.250", False),
        ("255.255.255.255", False),
        ("192.0.2.1", False),
        ("::1", False),
        ("fd00::1", False),
        ("fe80::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("64:ff9b::a9fe:a9fe", False),
        ("2002:7f00:1::1", False),
        ("::", False),
        ("2001:db8::1", False),
        ("8.8.8.8", True),
        ("1.1.1.1", True),
        ("2606:4700:4700::1111", True),
        ("::ffff:8.8.8.8", True),
        ("not-an-address", False),
    ],
)
def test_address_classes(address, public):
    assert is_public_address(address) is public


@pytest.mark.parametrize(
    "endpoint, says",
    [
        ("http://cs.cn-north-1.myhuaweicloud.com", "must use https"),
        ("https://user:pw@cs.cn-north-1.myhuaweicloud.com", "user name or password"),
        ("https://cs.cn-north-1.myhuaweicloud.com?", "query string"),
        ("https://cs.cn-north-1.myhuaweicloud.com/_emulator/tenants#", "query string"),
        ("https://cs.cn-north-1.myhuaweicloud.com/x?y=", "query string"),
        ("https://cs.cn-north-1.myhuaweicloud.com/_emulator/tenants", "without a path"),
        ("ftp://cs.example.com", "https:// URL"),
        ("https://127.0.0.1", "loopback"),
        ("https://10.0.0.1", "private"),
        ("https://169.254.169.254", "link-local"),
        ("https://[::1]", "loopback"),
        ("https://[fd00::1]", "private"),
        ("https://[::ffff:127.0.0.1]", "loopback"),
        ("https://localhost:8900", "this machine"),
        ("https://foo.localhost", "this machine"),
        ("https://cs.example.com:99999", "port"),
    ],
)
def test_endpoint_refused_before_any_request(endpoint, says):
    with pytest.raises(CSEndpointRefused) as info:
        check_endpoint(endpoint, STRICT)
    assert says in str(info.value)
    with pytest.raises(CSEndpointRefused):
        _client(endpoint)


def test_public_https_endpoints_pass():
    assert check_endpoint("https://cs.cn-north-1.myhuaweicloud.com", STRICT)
    assert check_endpoint("https://cs.cn-north-1.myhuaweicloud.com:443/", STRICT)
    assert check_endpoint("https://iam.example.com/v3", STRICT, paths=("", "/v3"))


@pytest.mark.parametrize("literal", ["127.0.0.1", "[::1]"])
def test_loopback_listener_gets_no_connection(literal, listener, listener6):
    target = listener if literal == "127.0.0.1" else listener6
    with pytest.raises(CSEndpointRefused):
        _client(f"https://{literal}:{target.port}").jobs.list()
    with pytest.raises(CSEndpointRefused):
        TokenAuth(f"https://{literal}:{target.port}", "d", "u", "pw", "proj", cache=MemoryCache())
    assert target.accepted == 0


def test_a_name_that_resolves_to_loopback_is_refused_at_connect_time(listener):
    """The URL names a host, not an address: the check runs on what the name resolves to, when connecting."""
    name = socket.gethostname()
    resolved = {info[4][0] for info in socket.getaddrinfo(name, listener.port, 0, socket.SOCK_STREAM)}
    assert resolved and not any(is_public_address(a) for a in resolved), (
        f"this test needs the machine's host name to resolve to a local address, got {resolved}"
    )
    assert "127.0.0.1" in resolved
    check_endpoint(f"https://{name}:{listener.port}", STRICT)  # nothing to see in the URL itself
    with pytest.raises(CSEndpointRefused) as info:
        _client(f"https://{name}:{listener.port}").jobs.list()
    assert "resolves to" in str(info.value)
    assert listener.accepted == 0


def test_allowed_host_is_reachable_but_nothing_else(listener):
    """The administrator's exception is the exact host and port, not the address it resolves to."""
    policy = OutboundPolicy.allowing([f"127.0.0.1:{listener.port}"])
    _client(f"http://127.0.0.1:{listener.port}", policy).jobs.list()  # the listener is no CS, but may answer
    assert listener.accepted == 1
    with Listener() as other:
        with pytest.raises(CSEndpointRefused):
            _client(f"http://127.0.0.1:{other.port}", policy)
        name = socket.gethostname()
        with pytest.raises(CSEndpointRefused):
            _client(f"http://{name}:{listener.port}", policy)
        assert other.accepted == 0


def test_redirect_to_loopback_is_not_followed(listener):
    """An allowed endpoint that answers 302/307 elsewhere: the client stops, the target sees nothing."""
    with Listener(
        answer=http_answer("302 Found", b"{}", f"Location: http://127.0.0.1:{listener.port}/x\r\n")
    ) as hop:
        policy = OutboundPolicy.allowing([hop.netloc, listener.netloc])
        with pytest.raises(CSProtocolError) as info:
            _client(f"http://{hop.netloc}", policy).jobs.list()
        assert "redirect" in str(info.value)
        assert hop.accepted == 1 and listener.accepted == 0


def test_token_request_is_never_redirected(listener):
    """IAM's POST carries the password: a 307 must not re-send it anywhere."""
    redirect = http_answer(
        "307 Temporary Redirect", b"{}", f"Location: http://127.0.0.1:{listener.port}/v3/auth/tokens\r\n"
    )
    with Listener(answer=redirect) as hop:
        policy = OutboundPolicy.allowing([hop.netloc, listener.netloc])
        auth = TokenAuth(
            f"http://{hop.netloc}", "d", "u", "the-password", "proj", cache=MemoryCache(), outbound=policy
        )
        with pytest.raises(CSProtocolError):
            auth.get_token()
        assert hop.accepted == 1 and listener.accepted == 0


def test_an_error_answer_is_not_read_back(listener):
    """A 4xx/5xx body that is not a documented CS error is described by its status, never quoted."""
    with Listener(answer=http_answer("500 Internal Server Error")) as bad:
        policy = OutboundPolicy.allowing([bad.netloc])
        with pytest.raises(Exception) as info:
            _client(f"http://{bad.netloc}", policy).jobs.list()
        text = str(info.value) + repr(info.value) + repr(vars(info.value))
        assert "listener-password-1" not in text and "listener-sk-1" not in text


def test_environment_proxies_are_ignored(listener, monkeypatch):
    """A proxy variable cannot route the clients around the checks."""
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{listener.port}")
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{listener.port}")
    with pytest.raises(CSEndpointRefused):
        _client("https://10.1.2.3").jobs.list()
    client = _client("https://cs.invalid")  # a public-looking name that does not resolve
    with pytest.raises(Exception) as info:
        client.jobs.list()
    assert not isinstance(info.value, CSEndpointRefused)
    assert listener.accepted == 0


def test_deadline_bounds_a_silent_endpoint():
    """An endpoint that accepts and never answers holds an interactive call for its deadline only."""
    import time

    with Listener(silent=True) as silent:
        policy = OutboundPolicy.allowing([silent.netloc])
        client = CSClient(
            f"http://{silent.netloc}",
            "proj",
            AKSKAuth("AKAKAKAKAKAK", "sk"),
            retries=3,
            timeout=(1, 30),
            deadline=1.5,
            outbound=policy,
        )
        started = time.monotonic()
        with pytest.raises(Exception) as info:
            client.jobs.list()
        elapsed = time.monotonic() - started
    assert "timed out" in str(info.value) or "did not answer" in str(info.value)
    assert elapsed < 3.0
