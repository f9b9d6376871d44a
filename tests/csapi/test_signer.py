"""AK/SK signing: byte-for-byte agreement with huaweicloudsdkcore's signer, and the verifier."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote, quote_plus

import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csapi.auth import AKSKAuth, canonical_query_string, sign_request, verify_request
from csapi.multipart import MultipartBody

from .helpers import json_response

AK = "AKTESTAKTESTAKTEST01"
SK = "sk-very-secret-0123456789abcdef"
DATE = "20240305T101112Z"
NOW = datetime(2024, 3, 5, 10, 11, 12, tzinfo=UTC)


def sdk_headers(method, host, path, query, headers, body, ak=AK, sk=SK):
    request = SdkRequest(
        method=method,
        schema="https",
        host=host,
        resource_path=path,
        query_params=list(query),
        header_params=dict(headers),
        body=body,
    )
    Signer(BasicCredentials(ak, sk, "project")).sign(request)
    return request.header_params


def encode_query(query, plus=False):
    enc = quote_plus if plus else (lambda s: quote(s, safe="~"))
    parts = []
    for key, value in query:
        text = str(value).lower() if isinstance(value, bool) else str(value)
        parts.append(f"{enc(key)}={enc(text)}")
    return "&".join(parts)


def mine(method, host, path, query, headers, body, plus=False):
    qs = encode_query(query, plus)
    url = f"https://{host}{path}" + (f"?{qs}" if qs else "")
    return url, sign_request(method, url, headers, body, AK, SK)


def assert_same(method, host, path, query, headers, body, plus=False):
    theirs = sdk_headers(method, host, path, query, headers, body)
    url, ours = mine(method, host, path, query, headers, body, plus)
    assert ours["Authorization"] == theirs["Authorization"]
    for name in ("X-Sdk-Content-Sha256", "Host"):
        if name in ours:
            assert theirs[name] == ours[name]
    return url, ours


BASE_HEADERS = {"Content-Type": "application/json", "X-Sdk-Date": DATE}


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "get"])
def test_every_method(method):
    assert_same(
        method, "cs.cn-north-1.myhuaweicloud.com", "/v1.0/p1/jobs", [("limit", "10")], BASE_HEADERS, None
    )


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/versions",
        "/v1.0/p1/job/123/run",
        "/v1.0/p1/job/123/run/",
        "/v1.0/p 1/a b",
        "/v1.0/p%201/a%20b",
        "/v1.0/プロジェクト/ジョブ",
        "/v1.0/%E3%83%97/x",
        "/a~b/c-d_e.f",
        "/a+b/c=d;e,f",
        "/a%2Fb/c",
        "/a%25b",
        "//double//slash",
    ],
)
def test_paths(path):
    assert_same("GET", "cs.example.com", path, [], BASE_HEADERS, None)


@pytest.mark.parametrize(
    "query",
    [
        [],
        [("a", "1"), ("a", "0"), ("a", "")],
        [("b", "x y"), ("a", "1")],
        [("empty", "")],
        [("flag", True), ("other", False)],
        [("k", "ü/é?&=#+"), ("ü", "v")],
        [("z", "1"), ("Z", "2"), ("_", "3"), ("~", "4")],
        [("name", "my job"), ("status", "job_running"), ("show_detail", True), ("cursor", "50")],
    ],
)
@pytest.mark.parametrize("plus", [False, True])
def test_queries(query, plus):
    assert_same("GET", "cs.example.com", "/v1.0/p/jobs", query, BASE_HEADERS, None, plus=plus)


@pytest.mark.parametrize("host", ["cs.example.com", "cs.example.com:8443", "127.0.0.1:8900", "[::1]:9000"])
def test_hosts_with_ports(host):
    url, ours = assert_same("GET", host, "/v1.0/p/jobs", [], BASE_HEADERS, None)
    assert ours["Host"] == host


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"name":"job"}'),
        ("application/json;charset=utf-8", '{"name":"ジョブ"}'.encode()),
        ("application/bson", b"\x00\x01"),
        (
            "multipart/form-data; boundary=abc",
            b"--abc\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--abc--\r\n",
        ),
        ("text/plain", b"10.0.0.1 host\n"),
        ("application/octet-stream", b""),
        ("application/json", b""),
        (None, b'{"a":1}'),
        (None, None),
    ],
)
def test_bodies(content_type, body):
    headers = {"X-Sdk-Date": DATE}
    if content_type:
        headers["Content-Type"] = content_type
    assert_same("POST", "cs.example.com", "/v1.0/p/sql_job", [], headers, body)


def test_headers_with_underscore_and_spaces_and_existing_host():
    headers = {
        "Content-Type": "application/json",
        "X-Sdk-Date": DATE,
        "X-Project-Id": "  p1  ",
        "X_Custom": "not signed",
        "host": "other.example.com",
        "X-Auth-Token": "tok",
    }
    url, ours = assert_same("POST", "cs.example.com", "/v1.0/p/job/run", [], headers, b"[1,2]")
    assert "x_custom" not in ours["Authorization"]
    assert "Host" not in ours  # the caller's host header is kept and signed


def test_adds_date_when_missing():
    headers = {"Content-Type": "application/json"}
    url, ours = mine("GET", "cs.example.com", "/v1.0/p/jobs", [], headers, None)
    assert len(ours["X-Sdk-Date"]) == 16 and ours["X-Sdk-Date"].endswith("Z")
    theirs = sdk_headers(
        "GET", "cs.example.com", "/v1.0/p/jobs", [], {**headers, "X-Sdk-Date": ours["X-Sdk-Date"]}, None
    )
    assert theirs["Authorization"] == ours["Authorization"]


def test_signature_with_pinned_now():
    url = "https://cs.example.com/v1.0/p/jobs"
    ours = sign_request("GET", url, {}, None, AK, SK, now=NOW)
    assert ours["X-Sdk-Date"] == DATE
    theirs = sdk_headers("GET", "cs.example.com", "/v1.0/p/jobs", [], {"X-Sdk-Date": DATE}, None)
    assert theirs["Authorization"] == ours["Authorization"]


def test_rejects_missing_keys():
    with pytest.raises(ValueError):
        sign_request("GET", "https://h/", {}, None, "", SK)
    with pytest.raises(ValueError):
        sign_request("GET", "https://h/", {}, None, AK, "")


# ------------------------------------------------------------------ property-based agreement

# raw segments: what can appear unencoded in a URL path (urlsplit drops tabs and newlines)
_seg = st.text(st.characters(blacklist_characters="/?#%", blacklist_categories=("Cs", "Cc")), max_size=8)
_key = st.text(st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=6)
_val = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
_hname = st.from_regex(r"\AX-[A-Za-z0-9][A-Za-z0-9_-]{0,10}\Z")
_hval = st.from_regex(r"\A[ -~]{0,20}\Z").map(lambda s: s.strip())


@settings(max_examples=250, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]),
    segments=st.lists(_seg, max_size=4),
    trailing=st.booleans(),
    pairs=st.lists(st.tuples(_key, _val), max_size=5),
    flags=st.dictionaries(st.from_regex(r"\Aflag[0-9]{1,3}\Z"), st.booleans(), max_size=2),
    extra=st.dictionaries(_hname, _hval, max_size=4),
    content_type=st.sampled_from(
        [
            None,
            "application/json",
            "application/json;charset=utf-8",
            "multipart/form-data; boundary=b",
            "text/plain",
        ]
    ),
    body=st.one_of(st.none(), st.binary(max_size=64)),
    host=st.sampled_from(["cs.example.com", "cs.example.com:8443", "127.0.0.1:8900"]),
    plus=st.booleans(),
)
def test_agrees_with_sdk(method, segments, trailing, pairs, flags, extra, content_type, body, host, plus):
    path = "/" + "/".join(quote(s) if i % 2 else s for i, s in enumerate(segments))
    if trailing and not path.endswith("/"):
        path += "/"
    seen = {k.lower() for k in extra}
    headers = {"X-Sdk-Date": DATE}
    if content_type and "content-type" not in seen:
        headers["Content-Type"] = content_type
    headers.update(
        {k: v for k, v in extra.items() if k.lower() not in {"x-sdk-date", "x-sdk-content-sha256"}}
    )
    query = [p for p in pairs if not p[0].startswith("flag")] + list(flags.items())
    url, ours = assert_same(method, host, path, query, headers, body, plus=plus)
    # and the verifier accepts exactly what was signed
    sent = {**headers, **ours}
    got = verify_request(method, url, sent, body, {AK: SK}.get, now=NOW)
    assert got == AK


# ------------------------------------------------------------------ verifier


def _signed(method="POST", url="https://cs.example.com:8443/v1.0/p/job/run?b=2&a=x%20y", body=b"[1,2]"):
    headers = {"Content-Type": "application/json", "X-Project-Id": "p"}
    added = sign_request(method, url, headers, body, AK, SK, now=NOW)
    return method, url, {**headers, **added}, body


def _verify(method, url, headers, body, **kw):
    kw.setdefault("now", NOW)
    return verify_request(method, url, headers, body, {AK: SK}.get, **kw)


def test_verifier_accepts_signed_request():
    assert _verify(*_signed()) == AK


def test_verifier_accepts_case_insensitive_header_names_and_lists():
    method, url, headers, body = _signed()
    lowered = [(k.lower(), v) for k, v in headers.items()]
    assert _verify(method, url, lowered, body) == AK


@pytest.mark.parametrize(
    "tamper",
    [
        lambda m, u, h, b: ("GET", u, h, b),
        lambda m, u, h, b: (m, u.replace("/run", "/stop"), h, b),
        lambda m, u, h, b: (m, u.replace("b=2", "b=3"), h, b),
        lambda m, u, h, b: (m, u + "&c=1", h, b),
        lambda m, u, h, b: (m, u, h, b"[1,2,3]"),
        lambda m, u, h, b: (m, u, h, None),
        lambda m, u, h, b: (m, u, {**h, "X-Project-Id": "other"}, b),
        lambda m, u, h, b: (m, u, {**h, "Host": "evil.example.com"}, b),
        lambda m, u, h, b: (m, u, {**h, "Authorization": h["Authorization"].replace(AK, "AKOTHER")}, b),
        lambda m, u, h, b: (m, u, {**h, "Authorization": h["Authorization"][:-1] + "0"}, b),
        lambda m, u, h, b: (
            m,
            u,
            {**h, "Authorization": h["Authorization"].replace("SDK-HMAC-SHA256", "OTHER")},
            b,
        ),
        lambda m, u, h, b: (m, u, {k: v for k, v in h.items() if k != "X-Project-Id"}, b),
        lambda m, u, h, b: (m, u, {**h, "X-Sdk-Date": "20240305T101113Z"}, b),
        lambda m, u, h, b: (m, u, {**h, "X-Sdk-Content-Sha256": "0" * 64}, b),
    ],
)
def test_verifier_rejects_tampering(tamper):
    assert _verify(*tamper(*_signed())) is None


def test_verifier_rejects_wrong_sk_and_unknown_ak():
    method, url, headers, body = _signed()
    assert verify_request(method, url, headers, body, lambda ak: "wrong", now=NOW) is None
    assert verify_request(method, url, headers, body, lambda ak: None, now=NOW) is None

    def broken(ak):
        raise RuntimeError("key store down")

    assert verify_request(method, url, headers, body, broken, now=NOW) is None


def test_verifier_rejects_stale_and_future_dates():
    signed = _signed()
    assert _verify(*signed, now=NOW + timedelta(minutes=14)) == AK
    assert _verify(*signed, now=NOW + timedelta(minutes=16)) is None
    assert _verify(*signed, now=NOW - timedelta(minutes=16)) is None
    assert _verify(*signed, now=NOW + timedelta(seconds=61), max_skew_seconds=60) is None


def test_verifier_requires_host_and_date_signed():
    url = "https://cs.example.com/v1.0/p/jobs"
    # a signature over no host header at all
    headers = {"X-Sdk-Date": DATE, "Host": "cs.example.com"}
    from csapi.auth import _signature, _string_to_sign, canonical_request

    creq = canonical_request(
        "GET",
        "/v1.0/p/jobs",
        "",
        headers,
        ["x-sdk-date"],
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    )
    sig = _signature(SK, _string_to_sign(DATE, creq))
    headers["Authorization"] = f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=x-sdk-date, Signature={sig}"
    assert _verify("GET", url, headers, None) is None


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "garbage"},
        {"Authorization": "SDK-HMAC-SHA256 Access=, SignedHeaders=, Signature="},
        {
            "Authorization": f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=host;x-sdk-date, Signature={'a' * 64}"
        },
        {
            "Authorization": f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=host;x-sdk-date, Signature={'a' * 64}",
            "Host": "h",
            "X-Sdk-Date": "yesterday",
        },
        {"Authorization": "\x00\xff" * 20, "Host": None},
    ],
)
def test_verifier_never_raises_on_garbage(headers):
    assert verify_request("GET", "https://h/x", headers, b"\xff", {AK: SK}.get, now=NOW) is None
    assert verify_request("GET", "::not a url::", headers, None, {AK: SK}.get) is None


def test_unsigned_payload_for_non_json_bodies():
    url = "https://cs.example.com/v1.0/p/reserved_cluster/1/hosts_file"
    headers = {"Content-Type": "multipart/form-data; boundary=x"}
    added = sign_request("POST", url, headers, b"--x--", AK, SK, now=NOW)
    assert added["X-Sdk-Content-Sha256"] == "UNSIGNED-PAYLOAD"
    assert "x-sdk-content-sha256" in added["Authorization"]
    # as with the SDK, the payload of a non-JSON body is not covered by the signature
    assert _verify("POST", url, {**headers, **added}, b"--y--") == AK


def test_canonical_query_sorts_on_raw_values():
    assert canonical_query_string("b=2&a=2&a=1&c") == "a=1&a=2&b=2&c="
    assert canonical_query_string([("k", True), ("j", None)]) == "k=true"
    assert canonical_query_string({"k": ["b", "a"]}) == "k=a&k=b"


# ------------------------------------------------------------------ AKSKAuth over real HTTP


def _verifying_handler(server):
    def handler(request):
        raw = request.environ.get("REQUEST_URI") or request.full_path
        url = f"http://{request.host}{raw}"
        ak = verify_request(request.method, url, request.headers, request.get_data(), {AK: SK}.get)
        return json_response({"ak": ak}, status=200 if ak else 401)

    return handler


@pytest.mark.parametrize(
    ("method", "path", "params", "kwargs"),
    [
        ("GET", "/v1.0/p/jobs", {"name": "my job", "show_detail": "true", "cursor": 5}, {}),
        ("GET", "/v1.0/p/jobs", {"name": "ジョブ+x/y", "order": "desc"}, {}),
        ("POST", "/v1.0/p/sql_job", None, {"json": {"name": "job", "desc": "説明"}}),
        ("DELETE", "/v1.0/p/job", None, {"json": [1, 2, 3]}),
        (
            "PATCH",
            "/v1.0/p/reserved_cluster/1",
            None,
            {"data": "a=1&b=2", "headers": {"Content-Type": "text/plain"}},
        ),
        ("PUT", "/v2.0/vpc/peerings/a%20b/accept", None, {}),
        ("POST", "/v1.0/p/job/1/run", {"resumeSavePoint": "true"}, {}),
    ],
)
def test_aksk_auth_signs_real_requests(server, method, path, params, kwargs):
    server.handler = _verifying_handler(server)
    response = requests.request(
        method, server.url + path, params=params, auth=AKSKAuth(AK, SK), timeout=5, **kwargs
    )
    assert response.status_code == 200, response.text
    assert response.json()["ak"] == AK


def test_aksk_auth_streams_multipart(server, tmp_path):
    server.handler = _verifying_handler(server)
    jar = tmp_path / "job.jar"
    jar.write_bytes(b"PK\x03\x04" + b"x" * 200_000)
    body = MultipartBody(
        [("name", "job"), ("cluster_id", 1)], [("jar", jar, None, "application/java-archive")]
    )
    response = requests.post(
        server.url + "/v1.0/p/jar_job",
        data=body,
        headers={"Content-Type": body.content_type},
        auth=AKSKAuth(AK, SK),
        timeout=5,
    )
    assert response.status_code == 200, response.text
    seen = server.seen[-1]
    assert seen.headers["X-Sdk-Content-Sha256"] == "UNSIGNED-PAYLOAD"
    assert len(seen.body) == len(body) and b"x" * 1000 in seen.body


def test_aksk_repr_hides_secret():
    auth = AKSKAuth(AK, SK)
    assert SK not in repr(auth) and AK in repr(auth)
