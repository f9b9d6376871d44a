"""Fixtures for the csapi tests: a tiny real HTTP server whose answers each test scripts."""

from __future__ import annotations

import socket
import threading

import pytest
from werkzeug.serving import make_server

from .helpers import ScriptedServer, Sleeps


@pytest.fixture
def server():
    app = ScriptedServer()
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    app.url = f"http://127.0.0.1:{srv.server_port}"
    try:
        yield app
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()
