"""A throw-away deployment for benchmarks: its own database, CS emulator, web server and poller."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def _postgres_url(name: str) -> str | None:
    """A fresh PostgreSQL database when the local server answers, else None (SQLite is used)."""
    try:
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=3
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgres://postgres@127.0.0.1:5432/{name}"
    except Exception:
        return None


#: The Redis database a stack uses for its cache and sessions (emptied when a stack starts).
REDIS_DB = 12


def _redis_url() -> str | None:
    """An emptied Redis database when the local server answers, else None (the database cache)."""
    try:
        import redis

        url = f"redis://127.0.0.1:6379/{REDIS_DB}"
        redis.Redis.from_url(url, socket_connect_timeout=3).flushdb()
        return url
    except Exception:
        return None


class Stack:
    def __init__(self, name: str, seed: str | None) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=f"{name}-"))
        self.procs: list[subprocess.Popen] = []
        db = _postgres_url(f"csdash_{name}") or f"sqlite:///{self.dir / 'db.sqlite3'}"
        self.env = {
            **os.environ,
            "DATABASE_URL": db,
            "VAR_DIR": str(self.dir / "var"),
            "DJANGO_SETTINGS_MODULE": "dashboard.settings",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "CONN_MAX_AGE": "60",  # as in production: web workers keep their database connections
            "PYTHONPATH": str(ROOT),
        }
        # as deployed: the cache (sessions, rendered pages) in Redis, shared by the web workers
        redis_url = _redis_url()
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.emulator_port = free_port()
        self.emulator_url = f"http://127.0.0.1:{self.emulator_port}"
        # the one plain-http endpoint the stack's processes may call (csapi.netguard): this emulator
        self.env["OUTBOUND_ALLOWED_HOSTS"] = f"127.0.0.1:{self.emulator_port}"
        if seed is not None:
            self.start(
                [
                    PY,
                    "-m",
                    "csapi.emulator",
                    "--port",
                    str(self.emulator_port),
                    "--seed",
                    seed,
                    "--quiet",
                    "--control",
                ]
            )
            wait_http(f"{self.emulator_url}/versions")
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("createcachetable")

    def settle(self) -> None:
        """Statistics and visibility of freshly loaded tables (``VACUUM ANALYZE``), as PostgreSQL's
        autovacuum makes them within a minute of a bulk load in production; this machine's server runs
        with autovacuum off, which would leave the planner guessing at one row per table."""
        if self.env["DATABASE_URL"].startswith("postgres"):
            import psycopg

            with psycopg.connect(
                self.env["DATABASE_URL"].replace("postgres://", "postgresql://"), autocommit=True
            ) as conn:
                conn.execute("VACUUM ANALYZE")

    def start(self, argv: list[str], **kwargs) -> subprocess.Popen:
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            **kwargs,
        )
        self.procs.append(proc)
        return proc

    def manage(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(
            [PY, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=1800
        )
        if check and result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed: {result.stderr[-2000:]}")
        return result.stdout

    def python(self, code: str) -> str:
        return self.manage("shell", "-c", code)

    def web(self, workers: int = 3) -> str:
        port = free_port()
        self.start(
            [
                PY,
                "-m",
                "gunicorn",
                "dashboard.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                "4",
                "--timeout",
                "120",
            ]
        )
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/healthz")
        return url

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
