"""Fixtures: one in-process emulator per session, reset before each test that uses ``emu``."""

from __future__ import annotations

import pytest

from csapi.emulator.clock import Clock
from csapi.emulator.testing import EmulatorServer

from .helpers import Api


@pytest.fixture(scope="session")
def emulator_session():
    with EmulatorServer(seed="empty", clock=Clock(speed=0.0)) as server:
        yield server


@pytest.fixture
def emu(emulator_session: EmulatorServer) -> EmulatorServer:
    """An empty emulator (one tenant, its users, no resources) with a frozen clock."""
    emulator_session.reset("empty")
    emulator_session.clock.set_speed(0.0)
    return emulator_session


@pytest.fixture
def demo(emulator_session: EmulatorServer) -> EmulatorServer:
    """The demo seed (two tenants), clock frozen."""
    emulator_session.reset("demo")
    emulator_session.clock.set_speed(0.0)
    return emulator_session


@pytest.fixture(params=["token", "aksk"])
def auth_kind(request) -> str:
    return request.param


@pytest.fixture
def api(emu: EmulatorServer) -> Api:
    return Api(emu.url, emu.account, "token")


@pytest.fixture
def cluster(api: Api, emu: EmulatorServer) -> int:
    """An exclusive cluster, running (the clock moved past its start-up)."""
    cluster_id = api.create_cluster("excl_cluster", quota=100)
    emu.advance(60)
    return cluster_id
