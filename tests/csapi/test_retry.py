"""Retry policy and token refresh, against a real local HTTP server."""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.wrappers import Response

from csapi import CSClient, RetryPolicy, backoff_delay
from csapi.auth import MemoryCache, TokenAuth
from csapi.emulator.testing import LOCAL_POLICY
from csapi.errors import (
    CSAuthError,
    CSConflict,
    CSProtocolError,
    CSRateLimited,
    CSServerError,
    CSTimeout,
    CSUnavailable,
)

from .helpers import json_response

OK = {"message_id": "CS.10001", "message": "ok", "current_time": 1, "payload": {"total": 0, "jobs": []}}


def make_client(url, sleeps, *, retries=3, auth=None, timeout=(2, 2)):
    policy = RetryPolicy(retries=retries, base=0.5, cap=4, sleep=sleeps, rng=random.Random(7))
    return CSClient(url, "proj", auth, backoff=policy, timeout=timeout, outbound=LOCAL_POLICY)


def script(server, *answers):
    """Answer the requests in turn with ``answers`` (the last one repeats)."""
    queue = list(answers)

    def handler(request):
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        return answer if isinstance(answer, Response) else answer()

    server.handler = handler


# ------------------------------------------------------------------ backoff


def test_backoff_delay_full_jitter_is_pinnable():
    rng = random.Random(1)
    delays = [backoff_delay(a, 0.5, 4, rng) for a in range(8)]
    for attempt, delay in enumerate(delays):
        assert 0 <= delay <= min(4, 0.5 * 2**attempt)
    assert len(set(delays)) == len(delays)  # jittered, not fixed steps
    assert backoff_delay(30, 0.5, 4, random.Random(0)) <= 4
    assert backoff_delay(0, 0.5, 4, random.Random(0)) == random.Random(0).uniform(0, 0.5)


def test_backoff_delay_reproducible_with_seed():
    assert [backoff_delay(a, 1, 10, random.Random(3)) for a in range(4)] == [
        backoff_delay(a, 1, 10, random.Random(3)) for a in range(4)
    ]


# ------------------------------------------------------------------ 5xx


def test_5xx_retried_for_get(server, sleeps):
    script(server, json_response({"error_msg": "boom"}, 503), json_response({}, 500), json_response(OK))
    page = make_client(server.url, sleeps).jobs.list()
    assert page == [] and page.total == 0
    assert len(server.seen) == 3 and len(sleeps) == 2
    assert all(0 <= d <= 0.5 * 2**i for i, d in enumerate(sleeps))


def test_5xx_gives_up_after_retries(server, sleeps):
    script(server, json_response({"error_code": "X", "error_msg": "down"}, 502))
    with pytest.raises(CSServerError) as info:
        make_client(server.url, sleeps, retries=2).jobs.get(5)
    assert info.value.http_status == 502 and len(server.seen) == 3


@pytest.mark.parametrize("call", ["create", "run", "stop", "update"])
def test_5xx_not_retried_for_non_idempotent(server, sleeps, call):
    script(server, json_response({"error_msg": "boom"}, 500), json_response(OK))
    client = make_client(server.url, sleeps)
    with pytest.raises(CSServerError):
        if call == "create":
            client.jobs.create_sql("j", sql_body="select 1")
        elif call == "run":
            client.jobs.run(1)
        elif call == "stop":
            client.jobs.stop(1)
        else:
            client.jobs.update_sql(1, name="x")
    assert len(server.seen) == 1 and sleeps == []


def test_metrics_query_is_retried_as_a_read(server, sleeps):
    script(
        server, json_response({}, 503), json_response({"payload": {"jobs": [{"job_id": 1, "metrics": {}}]}})
    )
    result = make_client(server.url, sleeps).jobs.metrics([1])
    assert [m.job_id for m in result] == [1] and len(server.seen) == 2


def test_4xx_not_retried(server, sleeps):
    script(server, json_response({"error_id": "CS.13006", "error_cause": "running"}, 400))
    with pytest.raises(CSConflict):
        make_client(server.url, sleeps).jobs.get(1)
    assert len(server.seen) == 1


# ------------------------------------------------------------------ 429


@pytest.mark.parametrize("call", ["get", "run"])
def test_429_waits_retry_after_for_all_calls(server, sleeps, call):
    script(
        server,
        json_response({"error_msg": "slow down"}, 429, {"Retry-After": "3"}),
        json_response({"error_msg": "slow down"}, 429, {"Retry-After": "1.5"}),
        json_response(OK),
    )
    client = make_client(server.url, sleeps)
    client.jobs.get(1) if call == "get" else client.jobs.run(1)
    assert sleeps == [3, 1.5] and len(server.seen) == 3


def test_429_without_retry_after_backs_off(server, sleeps):
    script(server, json_response({}, 429), json_response(OK))
    make_client(server.url, sleeps).jobs.run(1)
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 0.5


def test_429_retry_after_is_capped(server, sleeps):
    script(server, json_response({}, 429, {"Retry-After": "100000"}), json_response(OK))
    make_client(server.url, sleeps).jobs.get(1)
    assert sleeps == [60]


def test_429_gives_up(server, sleeps):
    script(server, json_response({}, 429, {"Retry-After": "2"}))
    with pytest.raises(CSRateLimited) as info:
        make_client(server.url, sleeps, retries=1).jobs.run(1)
    assert info.value.retry_after == 2 and len(server.seen) == 2


# ------------------------------------------------------------------ transport


@pytest.mark.parametrize("call", ["get", "run"])
def test_connection_refused_is_retried_then_unavailable(closed_port, sleeps, call):
    client = make_client(f"http://127.0.0.1:{closed_port}", sleeps, retries=2)
    with pytest.raises(CSUnavailable) as info:
        client.jobs.get(1) if call == "get" else client.jobs.run(1)
    # the request never reached CS, so even a run may be retried
    assert len(sleeps) == 2
    assert info.value.method in ("GET", "POST") and "127.0.0.1" in info.value.url


def test_read_timeout_get_retried_then_timeout(server, sleeps):
    def slow():
        time.sleep(0.6)
        return json_response(OK)

    script(server, slow)
    client = make_client(server.url, sleeps, retries=1, timeout=(2, 0.2))
    with pytest.raises(CSTimeout):
        client.jobs.get(1)
    assert len(server.seen) == 2 and len(sleeps) == 1


def test_read_timeout_not_retried_for_post(server, sleeps):
    def slow():
        time.sleep(0.6)
        return json_response(OK)

    script(server, slow)
    client = make_client(server.url, sleeps, retries=3, timeout=(2, 0.2))
    with pytest.raises(CSTimeout):
        client.jobs.run(1)
    assert len(server.seen) == 1 and sleeps == []


def test_non_json_success_is_protocol_error(server, sleeps):
    script(server, Response("<html>proxy</html>", 200, mimetype="text/html"))
    with pytest.raises(CSProtocolError):
        make_client(server.url, sleeps, retries=0).jobs.get(1)


def test_truncated_body_is_protocol_error_and_not_retried_for_post(server, sleeps):
    def truncated():
        return Response('{"message_id": "CS.1', 200, mimetype="application/json")

    script(server, truncated)
    with pytest.raises(CSProtocolError):
        make_client(server.url, sleeps).jobs.run(1)
    assert len(server.seen) == 1


def test_truncated_body_retried_for_get(server, sleeps):
    script(
        server,
        Response('{"payload": {"job_id": ', 200, mimetype="application/json"),
        json_response({"payload": {"job_id": 1}}),
    )
    assert make_client(server.url, sleeps).jobs.get(1).job_id == 1
    assert len(server.seen) == 2


def test_error_body_with_success_status(server, sleeps):
    script(server, json_response({"error_code": "CS.12004", "error_msg": "gone"}, 200))
    from csapi.errors import CSNotFound

    with pytest.raises(CSNotFound):
        make_client(server.url, sleeps).jobs.get(1)


# ------------------------------------------------------------------ tokens


class FakeIAM:
    """IAM + CS on the scripted server: tokens t1, t2, ...; CS accepts only ``valid`` tokens."""

    def __init__(self, server, lifetime=timedelta(hours=24), expire_code="CS.10007", status=400):
        self.server = server
        self.issued = 0
        self.valid: set[str] = set()
        self.lifetime = lifetime
        self.expire_code = expire_code
        self.status = status
        self.lock = threading.Lock()
        self.bodies = []
        server.handler = self.handle

    def handle(self, request):
        if request.path == "/v3/auth/tokens":
            body = request.get_json()
            self.bodies.append(body)
            if body["auth"]["identity"]["password"]["user"]["password"] != "pw":
                return json_response(
                    {"error": {"code": 401, "message": "bad password", "title": "Unauthorized"}}, 401
                )
            with self.lock:
                self.issued += 1
                token = f"t{self.issued}"
                self.valid.add(token)
            time.sleep(0.05)
            expires = (datetime.now(UTC) + self.lifetime).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            return json_response(
                {"token": {"expires_at": expires, "methods": ["password"]}}, 201, {"X-Subject-Token": token}
            )
        if request.headers.get("X-Auth-Token") not in self.valid:
            return json_response({"error_id": self.expire_code, "error_cause": "token expired"}, self.status)
        return json_response({"message_id": "CS.10001", "payload": {"job_id": 1, "token": "never"}})

    def expire_all(self):
        self.valid.clear()


def token_auth(server, cache=None, password="pw", **kw):
    return TokenAuth(
        server.url,
        "domain",
        "user",
        password,
        "proj",
        cache=cache or MemoryCache(),
        outbound=LOCAL_POLICY,
        **kw,
    )


def test_token_sent_and_cached(server, sleeps):
    iam = FakeIAM(server)
    auth = token_auth(server)
    client = make_client(server.url, sleeps, auth=auth)
    client.jobs.get(1)
    client.jobs.get(1)
    assert iam.issued == 1
    cs_calls = [s for s in server.seen if s.path != "/v3/auth/tokens"]
    assert all(s.headers["X-Auth-Token"] == "t1" for s in cs_calls)
    body = iam.bodies[0]["auth"]
    assert body["identity"]["methods"] == ["password"]
    assert body["identity"]["password"]["user"] == {
        "name": "user",
        "password": "pw",
        "domain": {"name": "domain"},
    }
    assert body["scope"] == {"project": {"id": "proj"}}


def test_cache_shared_between_auth_objects(server, sleeps):
    iam = FakeIAM(server)
    cache = MemoryCache()
    token_auth(server, cache).get_token()
    assert token_auth(server, cache).get_token() == "t1" and iam.issued == 1
    # the cache key does not depend on (or reveal) the password
    key = token_auth(server, cache).cache_key
    assert "pw" not in key and key == token_auth(server, cache, password="other").cache_key


@pytest.mark.parametrize(("code", "status"), [("CS.10007", 400), (None, 401)])
def test_expired_token_refreshed_once_and_request_retried(server, sleeps, code, status):
    iam = FakeIAM(server, expire_code=code or "X", status=status)
    auth = token_auth(server)
    client = make_client(server.url, sleeps, auth=auth)
    client.jobs.get(1)
    iam.expire_all()
    assert client.jobs.run(1).message_id == "CS.10001"  # non-idempotent too: CS rejected the first try
    assert iam.issued == 2 and sleeps == []
    assert [s.headers.get("X-Auth-Token") for s in server.seen if s.path != "/v3/auth/tokens"][-2:] == [
        "t1",
        "t2",
    ]


def test_refresh_only_once(server, sleeps):
    iam = FakeIAM(server)
    auth = token_auth(server)
    client = make_client(server.url, sleeps, auth=auth)
    iam.valid = set()

    def never_valid(request):
        if request.path == "/v3/auth/tokens":
            return FakeIAM.handle(iam, request)
        return json_response({"error_id": "CS.10007", "error_cause": "expired"}, 400)

    server.handler = never_valid
    with pytest.raises(CSAuthError) as info:
        client.jobs.get(1)
    assert info.value.code == "CS.10007" and iam.issued == 2


def test_token_refreshed_ahead_of_expiry(server):
    iam = FakeIAM(server, lifetime=timedelta(minutes=10))
    now = [datetime.now(UTC)]
    auth = token_auth(server, min_remaining=timedelta(minutes=5), clock=lambda: now[0])
    assert auth.get_token() == "t1"
    now[0] += timedelta(minutes=4)
    assert auth.get_token() == "t1"
    now[0] += timedelta(minutes=2)  # less than 5 minutes left
    assert auth.get_token() == "t2" and iam.issued == 2


def test_concurrent_callers_fetch_one_token(server):
    iam = FakeIAM(server)
    cache = MemoryCache()
    auths = [token_auth(server, cache) for _ in range(8)]
    results = []
    threads = [threading.Thread(target=lambda a=a: results.append(a.get_token())) for a in auths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["t1"] * 8 and iam.issued == 1


def test_bad_password_raises_auth_error_without_secret(server):
    FakeIAM(server)
    auth = token_auth(server, password="wrong-secret")
    with pytest.raises(CSAuthError) as info:
        auth.get_token()
    assert "wrong-secret" not in str(info.value) and "wrong-secret" not in repr(auth)
    assert info.value.http_status == 401


def test_iam_unreachable(closed_port):
    auth = TokenAuth(
        f"http://127.0.0.1:{closed_port}", "d", "u", "pw", "p", cache=MemoryCache(), outbound=LOCAL_POLICY
    )
    with pytest.raises(CSUnavailable):
        auth.get_token()


def test_missing_subject_token_is_protocol_error(server):
    server.handler = lambda r: json_response({"token": {}}, 201)
    with pytest.raises(CSProtocolError):
        token_auth(server).get_token()


def test_invalidate_clears_cache(server):
    iam = FakeIAM(server)
    cache = MemoryCache()
    auth = token_auth(server, cache)
    auth.get_token()
    auth.invalidate()
    assert cache.get(auth.cache_key) is None
    assert auth.get_token() == "t2" and iam.issued == 2


def test_logs_never_carry_secrets(server, sleeps, caplog):
    FakeIAM(server)
    caplog.set_level("DEBUG", logger="csapi")
    client = make_client(server.url, sleeps, auth=token_auth(server))
    client.jobs.get(1)
    text = caplog.text
    assert "GET /v1.0/proj/job/1 -> 200" in text
    assert "pw" not in text.replace("pwd", "") and "t1" not in text


class LockingCache(MemoryCache):
    """A cache with ``add`` (as Django's), so fetches are serialised across processes."""

    def add(self, key, value, timeout=None):
        if self.get(key) is not None:
            return False
        self.set(key, value, timeout)
        return True


def test_waits_for_another_process_fetching_the_token(server):
    iam = FakeIAM(server)
    cache = LockingCache()
    auth = token_auth(server, cache)
    cache.add(auth.cache_key + ":lock", "1", 30)  # another worker is fetching right now
    expires = (datetime.now(UTC) + timedelta(hours=24)).isoformat()
    timer = threading.Timer(
        0.2, lambda: cache.set(auth.cache_key, {"token": "from-other", "expires_at": expires})
    )
    timer.start()
    assert auth.get_token() == "from-other"
    assert iam.issued == 0 and auth.fetch_count == 0


def test_fetches_anyway_when_the_lock_holder_vanishes(server):
    iam = FakeIAM(server)
    cache = LockingCache()
    auth = token_auth(server, cache, lock_wait=0.2)
    cache.add(auth.cache_key + ":lock", "1", 30)
    assert auth.get_token() == "t1" and iam.issued == 1
