"""Authentication for CS: AK/SK request signing (``SDK-HMAC-SHA256``) and IAM tokens.

Signing (reference 3.2, "AK/SK-based Authentication") reproduces Huawei's SDK signer
(``huaweicloudsdkcore.signer.Signer``) byte for byte:

* ``X-Sdk-Date`` is UTC ``%Y%m%dT%H%M%SZ``; a date already on the request is used as is.
* ``Host`` is the URL's authority as written (a non-default port included) unless already set.
* When the request has a ``Content-Type`` that is neither ``application/json`` nor
  ``application/bson``, ``X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`` is added and signed, and the
  payload hash is that literal (the SDK does this whatever the body; an empty body always hashes as
  the SHA-256 of nothing).
* Canonical request: method, canonical URI (path percent-decoded, split on ``/``, each segment
  re-encoded with only ``~`` kept safe, ``/`` appended), canonical query (pairs sorted on their raw
  key and value, both percent-encoded the same way, booleans as ``true``/``false``), canonical
  headers (``name:value-stripped`` for every signed header), the signed header list (every header
  present at signing time whose name has no ``_``, lower-cased, sorted, joined by ``;``) and the
  payload hash.
* String to sign: ``SDK-HMAC-SHA256\\n{X-Sdk-Date}\\n{hex sha256(canonical request)}``;
  signature: hex HMAC-SHA256 keyed with the SK;
  ``Authorization: SDK-HMAC-SHA256 Access={AK}, SignedHeaders={list}, Signature={hex}``.

Tokens (reference 3.1, 3.2): ``POST {iam}/v3/auth/tokens`` with a password identity scoped to the
project; the token comes back in ``X-Subject-Token`` and lives 24 hours. :class:`TokenAuth` caches it
(pluggable cache: ``get``/``set``/``delete``, which Django's cache satisfies), refreshes it ahead of
expiry under a lock and sends it as ``X-Auth-Token``.

Secrets (SK, password, token) never appear in reprs, exceptions or logs.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

import requests
from requests.auth import AuthBase

from .errors import CSAuthError, CSProtocolError, CSTimeout, CSUnavailable, error_from_response
from .limits import TOKEN_LIFETIME
from .netguard import OutboundPolicy, check_endpoint, guard_session

__all__ = [
    "ALGORITHM",
    "AKSKAuth",
    "MemoryCache",
    "TokenAuth",
    "TokenCache",
    "canonical_query_string",
    "canonical_request",
    "canonical_uri",
    "sign_request",
    "verify_request",
]

logger = logging.getLogger("csapi")

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
HEADER_DATE = "X-Sdk-Date"
HEADER_CONTENT_SHA256 = "X-Sdk-Content-Sha256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

_AUTH_RE = re.compile(
    r"^\s*SDK-HMAC-SHA256\s+Access=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]{64})\s*$"
)


# --------------------------------------------------------------------------- canonical forms


def _encode(text: str) -> str:
    return quote(text, safe="~")


def canonical_uri(path: str) -> str:
    """The canonical URI of ``path`` (as ``Signer._process_canonical_uri``)."""
    encoded = "/".join(_encode(seg) for seg in unquote(path or "/").split("/"))
    if not encoded.endswith("/"):
        encoded += "/"
    return encoded


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def query_pairs(query: str | Iterable[tuple[str, Any]] | Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Raw (decoded) query pairs from a query string, a mapping or an iterable of pairs.

    A query string is decoded like a form (``+`` is a space), which is how servers read it.
    Mapping values that are lists give one pair per element.
    """
    if not query:
        return []
    if isinstance(query, str):
        return parse_qsl(query, keep_blank_values=True)
    items = query.items() if isinstance(query, Mapping) else query
    pairs: list[tuple[str, str]] = []
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, list | tuple):
            pairs.extend((str(key), _query_value(v)) for v in value)
        else:
            pairs.append((str(key), _query_value(value)))
    return pairs


def canonical_query_string(query: str | Iterable[tuple[str, Any]] | Mapping[str, Any] | None) -> str:
    """The canonical query string: pairs sorted on raw key then raw value, both encoded."""
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(query_pairs(query)))


def _get_ci(headers: Mapping[str, str], name: str) -> str | None:
    lname = name.lower()
    for key, value in headers.items():
        if key.lower() == lname:
            return value
    return None


def _signed_header_names(headers: Mapping[str, str]) -> list[str]:
    return sorted({k.lower() for k in headers if "_" not in k})


def _canonical_headers(headers: Mapping[str, str], signed: list[str]) -> str:
    lowered: dict[str, str] = {}
    for key, value in headers.items():
        lowered[key.lower()] = str(value).strip()
    return "".join(f"{name}:{lowered[name]}\n" for name in signed)


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_request(
    method: str,
    path: str,
    query: str | Iterable[tuple[str, Any]] | Mapping[str, Any] | None,
    headers: Mapping[str, str],
    signed: list[str],
    payload_hash: str,
) -> str:
    """Join the six parts of the canonical request."""
    return "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query_string(query),
            _canonical_headers(headers, signed),
            ";".join(signed),
            payload_hash,
        ]
    )


def _string_to_sign(date: str, creq: str) -> str:
    return f"{ALGORITHM}\n{date}\n{_sha256_hex(creq.encode('utf-8'))}"


def _signature(sk: str, string_to_sign: str) -> str:
    return hmac.new(sk.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def _as_bytes(body: bytes | bytearray | str | None) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    return bytes(body)


def _is_json_content(content_type: str | None) -> bool:
    return bool(content_type) and (
        content_type.startswith("application/json") or content_type.startswith("application/bson")
    )


def sign_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | str | None,
    ak: str,
    sk: str,
    *,
    unsigned_payload: bool = False,
    now: datetime | None = None,
) -> dict[str, str]:
    """Sign a request; return the headers to add to it.

    The result always holds ``Authorization``; also ``X-Sdk-Date`` and ``Host`` when ``headers`` has
    none, and ``X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`` when the content type is not JSON (or
    ``unsigned_payload`` is set, for a body that is streamed and cannot be hashed up front). Every
    header in ``headers`` whose name has no ``_`` is signed, as the SDK does: pass only the headers
    that will reach CS unchanged. Send the query exactly as :func:`canonical_query_string` gives it
    (:class:`AKSKAuth` rewrites the URL so).
    """
    if not ak or not sk:
        raise ValueError("AK and SK are required to sign a request")
    parts = urlsplit(url)
    hdrs: dict[str, str] = dict(headers)
    added: dict[str, str] = {}

    if unsigned_payload or (
        _get_ci(hdrs, "Content-Type") is not None and not _is_json_content(_get_ci(hdrs, "Content-Type"))
    ):
        if _get_ci(hdrs, HEADER_CONTENT_SHA256) != UNSIGNED_PAYLOAD:
            for key in [k for k in hdrs if k.lower() == HEADER_CONTENT_SHA256.lower()]:
                del hdrs[key]
            hdrs[HEADER_CONTENT_SHA256] = added[HEADER_CONTENT_SHA256] = UNSIGNED_PAYLOAD

    date = _get_ci(hdrs, HEADER_DATE)
    if date is None:
        moment = now or datetime.now(UTC)
        date = moment.astimezone(UTC).strftime(DATE_FORMAT) if moment.tzinfo else moment.strftime(DATE_FORMAT)
        hdrs[HEADER_DATE] = added[HEADER_DATE] = date
    else:
        datetime.strptime(date, DATE_FORMAT)  # the SDK rejects a malformed date too

    if _get_ci(hdrs, "Host") is None:
        hdrs["Host"] = added["Host"] = parts.netloc.rsplit("@", 1)[-1]

    data = _as_bytes(body)
    if not data and not unsigned_payload:
        payload_hash = EMPTY_SHA256
    else:
        payload_hash = _get_ci(hdrs, HEADER_CONTENT_SHA256) or _sha256_hex(data)

    signed = _signed_header_names(hdrs)
    creq = canonical_request(method, parts.path, parts.query, hdrs, signed, payload_hash)
    signature = _signature(sk, _string_to_sign(date, creq))
    added["Authorization"] = (
        f"{ALGORITHM} Access={ak}, SignedHeaders={';'.join(signed)}, Signature={signature}"
    )
    return added


def _wire_value(value: str) -> str:
    """Header values reach WSGI as latin-1 text; undo that for UTF-8 values the signer saw as text."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def verify_request(
    method: str,
    url: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    body: bytes | str | None,
    lookup_sk: Callable[[str], str | None],
    *,
    max_skew_seconds: float = 900,
    now: datetime | None = None,
) -> str | None:
    """Check an ``SDK-HMAC-SHA256`` signature; return the AK when it holds, ``None`` otherwise.

    ``url`` should carry the raw (still percent-encoded) path and query as received (WSGI:
    ``REQUEST_URI``/``RAW_URI``). ``Host`` and ``X-Sdk-Date`` must be signed, the date must be within
    ``max_skew_seconds`` of ``now``, every signed header must be present, and a declared
    ``X-Sdk-Content-Sha256`` must be ``UNSIGNED-PAYLOAD`` or the body's hash. Never raises on
    malformed input.
    """
    try:
        items = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
        lowered: dict[str, str] = {}
        for key, value in items:
            lowered[str(key).lower()] = _wire_value(str(value))
        match = _AUTH_RE.match(lowered.get("authorization", ""))
        if not match:
            return None
        ak, signed_text, signature = match.group(1), match.group(2), match.group(3).lower()
        signed = signed_text.split(";")
        if signed != sorted(set(signed)) or "host" not in signed or "x-sdk-date" not in signed:
            return None
        if any(name not in lowered or "_" in name or not name for name in signed):
            return None
        date = lowered["x-sdk-date"]
        when = datetime.strptime(date, DATE_FORMAT).replace(tzinfo=UTC)
        current = now or datetime.now(UTC)
        if current.tzinfo is None:
            current = current.replace(tzinfo=UTC)
        if abs((current - when).total_seconds()) > max_skew_seconds:
            return None
        try:
            sk = lookup_sk(ak)
        except Exception:  # noqa: BLE001 - an unknown or broken key store means "not authenticated"
            return None
        if not sk:
            return None
        data = _as_bytes(body)
        declared = lowered.get("x-sdk-content-sha256")
        if not data:
            payload_hash = EMPTY_SHA256
        elif declared:
            if declared != UNSIGNED_PAYLOAD and declared.lower() != _sha256_hex(data):
                return None
            payload_hash = declared
        else:
            payload_hash = _sha256_hex(data)
        parts = urlsplit(url)
        creq = canonical_request(method, parts.path, parts.query, lowered, signed, payload_hash)
        expected = _signature(sk, _string_to_sign(date, creq))
        if hmac.compare_digest(expected, signature):
            return ak
        return None
    except Exception:  # noqa: BLE001 - garbage in, "not authenticated" out
        return None


# --------------------------------------------------------------------------- AK/SK auth for requests

#: Headers that proxies, connection pools or the HTTP stack may change or drop: not signed.
_UNSIGNED_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "accept",
        "accept-encoding",
        "user-agent",
        "content-length",
        "transfer-encoding",
        "authorization",
        "proxy-authorization",
        "te",
        "expect",
    }
)


class AKSKAuth(AuthBase):
    """Signs each prepared request with an AK/SK pair (``SDK-HMAC-SHA256``)."""

    def __init__(self, ak: str, sk: str) -> None:
        if not ak or not sk:
            raise ValueError("AK and SK are required")
        self.ak = ak
        self._sk = sk

    def __repr__(self) -> str:
        return f"AKSKAuth(ak={self.ak!r}, sk=<hidden>)"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, AKSKAuth) and other.ak == self.ak and hmac.compare_digest(other._sk, self._sk)
        )

    def __hash__(self) -> int:
        return hash(("AKSKAuth", self.ak))

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        body = r.body
        unsigned = False
        if isinstance(body, str):
            body = body.encode("utf-8")
            r.body = body
            r.prepare_content_length(body)
        elif body is not None and not isinstance(body, bytes | bytearray):
            unsigned = True  # a streamed body (multipart upload): sign UNSIGNED-PAYLOAD as the SDK would
            body = None
        parts = urlsplit(r.url or "")
        query = canonical_query_string(parts.query)
        r.url = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
        for name in [k for k in r.headers if k.lower() in ("authorization", HEADER_DATE.lower())]:
            del r.headers[name]
        to_sign = {k: v for k, v in r.headers.items() if k.lower() not in _UNSIGNED_HEADERS}
        added = sign_request(
            r.method or "GET", r.url, to_sign, body, self.ak, self._sk, unsigned_payload=unsigned
        )
        r.headers.update(added)
        return r


# --------------------------------------------------------------------------- token auth


class TokenCache(Protocol):
    """The cache protocol :class:`TokenAuth` uses (Django's cache API fits it)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, timeout: float | None = None) -> Any: ...

    def delete(self, key: str) -> Any: ...


class MemoryCache:
    """A thread-safe in-process cache with per-entry expiry (the default token cache)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._data: dict[str, tuple[Any, float | None]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                return default
            value, expires = entry
            if expires is not None and self._clock() >= expires:
                del self._data[key]
                return default
            return value

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        with self._lock:
            expires = None if timeout is None else self._clock() + max(0.0, float(timeout))
            self._data[key] = (value, expires)

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_SHARED_CACHE = MemoryCache()
_FETCH_LOCKS: dict[str, threading.Lock] = {}
_FETCH_LOCKS_GUARD = threading.Lock()


def _fetch_lock(key: str) -> threading.Lock:
    with _FETCH_LOCKS_GUARD:
        lock = _FETCH_LOCKS.get(key)
        if lock is None:
            lock = _FETCH_LOCKS[key] = threading.Lock()
        return lock


def _parse_expiry(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _iam_base(iam_endpoint: str) -> str:
    base = iam_endpoint.strip().rstrip("/")
    return base if "://" in base else "https://" + base


def _iam_token_url(iam_endpoint: str) -> str:
    base = _iam_base(iam_endpoint)
    if base.endswith("/v3"):
        base = base[: -len("/v3")]
    return base + "/v3/auth/tokens"


class TokenAuth(AuthBase):
    """IAM token authentication (``X-Auth-Token``) with a shared, self-refreshing token cache.

    The token is fetched with a password identity scoped to ``project_id`` (reference 3.1), cached
    under a key derived from (IAM endpoint, domain, user, project) -- never the password -- until
    ``min_remaining`` before it expires, and fetched by one caller at a time per key in a process.
    A 401 from IAM raises :class:`~csapi.errors.CSAuthError`.
    """

    def __init__(
        self,
        iam_endpoint: str,
        domain: str,
        user: str,
        password: str,
        project_id: str,
        *,
        cache: TokenCache | None = None,
        session: requests.Session | None = None,
        timeout: float | tuple[float, float] = (5, 30),
        min_remaining: timedelta = timedelta(minutes=15),
        clock: Callable[[], datetime] | None = None,
        lock_wait: float = 5.0,
        outbound: OutboundPolicy | None = None,
    ) -> None:
        if not (iam_endpoint and domain and user and password and project_id):
            raise ValueError("iam_endpoint, domain, user, password and project_id are required")
        self.outbound = outbound if outbound is not None else OutboundPolicy()
        check_endpoint(_iam_base(iam_endpoint), self.outbound, what="IAM endpoint", paths=("", "/v3"))
        self.iam_endpoint = iam_endpoint
        self.domain = domain
        self.user = user
        self._password = password
        self.project_id = project_id
        self._cache: TokenCache = cache if cache is not None else _SHARED_CACHE
        self._session = session
        self.timeout = timeout
        self.min_remaining = min_remaining
        self.lock_wait = lock_wait
        self._clock = clock or (lambda: datetime.now(UTC))
        digest = hashlib.sha256(
            "\x1f".join([_iam_token_url(iam_endpoint), domain, user, project_id]).encode("utf-8")
        ).hexdigest()
        self.cache_key = f"csapi:iam-token:{digest}"
        self._local: tuple[str, datetime] | None = None
        self.fetch_count = 0

    def __repr__(self) -> str:
        return (
            f"TokenAuth(iam_endpoint={self.iam_endpoint!r}, domain={self.domain!r}, user={self.user!r}, "
            f"project_id={self.project_id!r}, password=<hidden>)"
        )

    # -- token management

    def _fresh(self, expires_at: datetime) -> bool:
        return expires_at - self._clock() > self.min_remaining

    def _from_cache(self) -> tuple[str, datetime] | None:
        try:
            value = self._cache.get(self.cache_key)
        except Exception:  # noqa: BLE001 - a cache outage must not stop authentication
            logger.warning("token cache read failed; fetching a new token")
            return None
        if not isinstance(value, Mapping):
            return None
        token, expires = value.get("token"), _parse_expiry(value.get("expires_at"))
        if not token or expires is None:
            return None
        return str(token), expires

    def get_token(self) -> str:
        """A valid token: from memory, from the cache, or fetched from IAM (one fetch at a time)."""
        local = self._local
        if local is not None and self._fresh(local[1]):
            return local[0]
        cached = self._from_cache()
        if cached is not None and self._fresh(cached[1]):
            self._local = cached
            return cached[0]
        with _fetch_lock(self.cache_key):
            cached = self._from_cache()  # another caller may have fetched it meanwhile
            if cached is not None and self._fresh(cached[1]):
                self._local = cached
                return cached[0]
            shared_lock = self._acquire_shared_lock()
            try:
                if not shared_lock:
                    # another process holds the fetch lock: give it a moment to publish its token
                    deadline = time.monotonic() + self.lock_wait
                    while time.monotonic() < deadline:
                        time.sleep(0.05)
                        cached = self._from_cache()
                        if cached is not None and self._fresh(cached[1]):
                            self._local = cached
                            return cached[0]
                token, expires = self._fetch_and_store()
            finally:
                if shared_lock:
                    self._release_shared_lock()
            return token

    def _acquire_shared_lock(self) -> bool:
        """Take the cross-process fetch lock when the cache offers ``add`` (Django's does)."""
        add = getattr(self._cache, "add", None)
        if add is None:
            return True  # no cross-process lock: the in-process lock still applies
        try:
            return bool(add(self.cache_key + ":lock", "1", int(self.lock_wait) + 25))
        except Exception:  # noqa: BLE001
            return True

    def _release_shared_lock(self) -> None:
        try:
            self._cache.delete(self.cache_key + ":lock")
        except Exception:  # noqa: BLE001
            logger.warning("token cache lock release failed")

    def _fetch_and_store(self) -> tuple[str, datetime]:
        token, expires = self.fetch_token()
        self._local = (token, expires)
        ttl = (expires - self._clock() - self.min_remaining).total_seconds()
        if ttl > 0:
            try:
                self._cache.set(
                    self.cache_key, {"token": token, "expires_at": expires.isoformat()}, timeout=int(ttl)
                )
            except Exception:  # noqa: BLE001
                logger.warning("token cache write failed")
        return token, expires

    def invalidate(self) -> None:
        """Forget the token (CS said it expired or is invalid); the next call fetches a new one."""
        self._local = None
        try:
            self._cache.delete(self.cache_key)
        except Exception:  # noqa: BLE001
            logger.warning("token cache delete failed")

    def token_request_body(self) -> dict[str, Any]:
        """The ``POST /v3/auth/tokens`` body: password identity, project scope (reference 3.1)."""
        return {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": self.user,
                            "password": self._password,
                            "domain": {"name": self.domain},
                        }
                    },
                },
                "scope": {"project": {"id": self.project_id}},
            }
        }

    def fetch_token(self) -> tuple[str, datetime]:
        """Ask IAM for a new token; return (token, expires_at)."""
        url = _iam_token_url(self.iam_endpoint)
        session = guard_session(self._session or requests.Session(), self.outbound)
        started = time.monotonic()
        try:
            response = session.post(
                url,
                json=self.token_request_body(),
                headers={"Content-Type": "application/json;charset=utf8"},
                timeout=self.timeout,
                allow_redirects=False,  # never re-send the password elsewhere
            )
        except requests.Timeout as exc:
            raise CSTimeout("IAM token request timed out", method="POST", url=url) from exc
        except requests.RequestException as exc:
            raise CSUnavailable(f"IAM is unreachable ({type(exc).__name__})", method="POST", url=url) from exc
        finally:
            if self._session is None:
                session.close()
        self.fetch_count += 1
        logger.info(
            "POST %s -> %s in %.0f ms",
            urlsplit(url).path,
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        if 300 <= response.status_code < 400:
            raise CSProtocolError(
                f"IAM answered with a redirect (HTTP {response.status_code}); the dashboard does not follow it",
                http_status=response.status_code,
                method="POST",
                url=url,
            )
        if response.status_code >= 400:
            err = error_from_response(response, "POST", url)
            if response.status_code in (400, 401, 403) and not isinstance(err, CSAuthError):
                err = CSAuthError(
                    "IAM rejected the credentials",
                    http_status=response.status_code,
                    code=err.code,
                    cause=err.cause,
                    method="POST",
                    url=url,
                    request_id=err.request_id,
                )
            raise err
        token = response.headers.get("X-Subject-Token")
        if not token:
            raise CSProtocolError(
                "IAM answered without an X-Subject-Token header",
                http_status=response.status_code,
                method="POST",
                url=url,
            )
        expires: datetime | None = None
        try:
            expires = _parse_expiry((response.json().get("token") or {}).get("expires_at"))
        except (ValueError, AttributeError):
            expires = None
        if expires is None:
            expires = self._clock() + TOKEN_LIFETIME
        return token, expires

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["X-Auth-Token"] = self.get_token()
        return r
