"""Fixtures for the DLI tests: one emulator per session (demo seed, frozen clock), clients of both kinds.

Every test talks to the emulator over real HTTP, through Huawei's SDK: ``client(kind)`` is the
dashboard's :class:`~csapi.dli.DLIClient`, ``raw_sdk(kind)`` the SDK's ``DliClient`` as a user of the SDK
builds it. ``kind`` is ``"aksk"`` (the SDK's signer) or ``"token"`` (an IAM token from the emulator's
IAM, sent as ``X-Auth-Token``).
"""

from __future__ import annotations

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkdli.v1 import DliClient

from csapi.auth import AKSKAuth, MemoryCache, TokenAuth
from csapi.dli import DLIClient
from csapi.dli.transport import IAMTokenCredentials
from csapi.emulator.clock import Clock
from csapi.emulator.dli_model import DLIQueue
from csapi.emulator.testing import LOCAL_POLICY, EmulatorServer
from csapi.retry import RetryPolicy

from ..csapi.helpers import Sleeps

AUTH_KINDS = ("aksk", "token")


@pytest.fixture(scope="session")
def dli_session():
    with EmulatorServer(seed="demo", clock=Clock(speed=0.0)) as server:
        yield server


@pytest.fixture
def server(dli_session: EmulatorServer) -> EmulatorServer:
    """The demo seed, no faults, zeroed counters, clock frozen."""
    dli_session.reset("demo")
    dli_session.clock.set_speed(0.0)
    return dli_session


@pytest.fixture(params=AUTH_KINDS)
def auth_kind(request) -> str:
    return request.param


def make_auth(server: EmulatorServer, kind: str, tenant=None):
    t = tenant or server.account
    if kind == "aksk":
        return AKSKAuth(t.ak, t.sk)
    return TokenAuth(
        server.url, t.domain, t.user, t.password, t.project_id, cache=MemoryCache(), outbound=LOCAL_POLICY
    )


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client_factory(server: EmulatorServer, sleeps: Sleeps):
    made: list[DLIClient] = []

    def make(kind: str = "aksk", *, retries: int = 3, tenant=None, **options) -> DLIClient:
        t = tenant or server.account
        options.setdefault("backoff", RetryPolicy(retries=retries, sleep=sleeps))
        options.setdefault("outbound", LOCAL_POLICY)
        client = DLIClient(server.url, t.project_id, make_auth(server, kind, t), **options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(client_factory, auth_kind) -> DLIClient:
    return client_factory(auth_kind)


@pytest.fixture
def raw_sdk(server: EmulatorServer):
    """The SDK's own client: AK/SK through its builder; an IAM token through the SDK's credential hook."""
    made = []

    def make(kind: str) -> DliClient:
        t = server.account
        if kind == "aksk":
            sdk = DliClient.new_builder().with_credentials(BasicCredentials(t.ak, t.sk, t.project_id))
            sdk = sdk.with_endpoint(server.url).build()
        else:
            credentials = IAMTokenCredentials(make_auth(server, "token"), t.project_id)
            sdk = DliClient().with_credentials(credentials).with_config(HttpConfig.get_default_config())
            sdk.with_http_handler(None).with_exception_handler(None)
            sdk.init_http_client()
            sdk.with_endpoints([server.url])
        made.append(sdk)
        return sdk

    yield make
    for sdk in made:
        sdk.close()


def ops_count(server: EmulatorServer) -> int:
    """DLI (and IAM) requests the emulator has seen since its counters were reset."""
    return server.emulator.stats()["total"]


def add_queue(
    server: EmulatorServer, name: str, cu: int, *, queue_type: str = "general", tenant=None
) -> None:
    """Put a queue straight into a project's state (DLI has no queue-creation operation among D1-D23)."""
    project = server.emulator.projects[(tenant or server.account).project_id]
    with project.lock:
        project.dli.queues[name] = DLIQueue(
            queue_id=server.emulator.next_id("dli_queue"),
            queue_name=name,
            owner="test",
            cu_count=cu,
            create_time=server.clock.now(),
            queue_type=queue_type,
        )


PROD = "acme_flink_prod"
DEV = "acme_flink_dev"
SQL_QUEUE = "acme_sql"
SQL = "CREATE TABLE s (a INT) WITH ('connector' = 'datagen');\nINSERT INTO p SELECT a FROM s;"
