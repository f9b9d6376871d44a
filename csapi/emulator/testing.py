"""Run the emulator in-process for tests: :class:`EmulatorServer` and pytest fixtures.

    with EmulatorServer(seed="demo") as server:
        tenant = server.account              # domain, user, password, project_id, ak, sk
        requests.get(f"{server.url}/versions")
        server.clock.advance(60)             # move emulated time
        server.emulator.faults.configure({"path": "/jobs$", "error_rate": 1.0})

Fixtures for a ``conftest.py``::

    from csapi.emulator.testing import emulator, emulator_server  # noqa: F401

``emulator_server`` is one server per test session (demo seed); ``emulator`` is the same server
reset before each test (seed, faults, statistics, clock speed). :func:`emulator_server_fixture`
builds fixtures with other options.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from csapi.netguard import OutboundPolicy

from .app import Emulator
from .clock import Clock
from .faults import Faults
from .seed import Tenant

__all__ = ["EmulatorServer", "emulator", "emulator_server", "emulator_server_fixture"]


#: Where a test's clients may connect: the emulator listens on loopback over plain http, which the
#: clients' default policy refuses (csapi.netguard).
LOCAL_POLICY = OutboundPolicy.allowing(["127.0.0.1", "localhost", "[::1]"])


class _QuietHandler(WSGIRequestHandler):
    """A request handler that does not log every request (test output stays readable)."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class EmulatorServer:
    """The emulator served over HTTP on a free local port, from a background thread."""

    def __init__(
        self,
        *,
        seed: str = "demo",
        host: str = "127.0.0.1",
        port: int = 0,
        speed: float = 1.0,
        clock: Clock | None = None,
        failure_rate: float = 0.0,
        random_seed: int = 0,
        account: dict[str, str] | None = None,
        faults: Faults | None = None,
        state_file: str | None = None,
        quiet: bool = True,
        services: tuple[str, ...] = ("cs", "dli"),
    ) -> None:
        self.emulator = Emulator(
            seed=seed,
            clock=clock or Clock(speed=speed),
            faults=faults,
            account=account,
            failure_rate=failure_rate,
            random_seed=random_seed,
            state_file=state_file,
            control=True,
            services=services,
        )
        self._initial_seed = seed
        self._initial_failure_rate = failure_rate
        handler = _QuietHandler if quiet else WSGIRequestHandler
        self._server = make_server(host, port, self.emulator, threaded=True, request_handler=handler)
        self.host = host
        self.port = self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ life cycle
    def start(self) -> EmulatorServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="cs-emulator", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ------------------------------------------------------------------ conveniences
    @property
    def clock(self) -> Clock:
        return self.emulator.clock

    @clock.setter
    def clock(self, value: Clock) -> None:
        self.emulator.clock = value

    @property
    def tenants(self) -> list[Tenant]:
        return list(self.emulator.tenants)

    @property
    def account(self) -> Tenant:
        """The first tenant's login."""
        return self.emulator.tenants[0]

    @property
    def faults(self) -> Faults:
        return self.emulator.faults

    def advance(self, seconds: float) -> None:
        self.emulator.clock.advance(seconds)

    def reset(self, seed: str | None = None, *, failure_rate: float | None = None) -> None:
        """Back to a fresh seed, no faults, zeroed statistics, the clock at real speed."""
        self.emulator.faults.clear()
        self.emulator.reset_stats()
        self.emulator.failure_rate = self._initial_failure_rate if failure_rate is None else failure_rate
        self.emulator.reset(seed or self._initial_seed)

    def project_url(self, tenant: Tenant | None = None) -> str:
        """``{url}/v1.0/{project_id}`` of a tenant (the first by default)."""
        return f"{self.url}/v1.0/{(tenant or self.account).project_id}"


def emulator_server_fixture(*, scope: str = "session", name: str | None = None, **options: Any) -> Any:
    """A pytest fixture yielding an :class:`EmulatorServer` built with ``options``."""
    import pytest

    @pytest.fixture(scope=scope, name=name)
    def _fixture() -> Iterator[EmulatorServer]:
        with EmulatorServer(**options) as server:
            yield server

    return _fixture


try:  # the ready-made fixtures need pytest; the server itself does not
    import pytest as _pytest
except ImportError:  # pragma: no cover
    _pytest = None

if _pytest is not None:
    emulator_server = emulator_server_fixture(scope="session", name="emulator_server")

    @_pytest.fixture
    def emulator(emulator_server: EmulatorServer) -> Iterator[EmulatorServer]:
        """The session's emulator server, reset (demo seed, no faults) before the test."""
        emulator_server.reset()
        emulator_server.clock.set_speed(1.0)
        yield emulator_server
