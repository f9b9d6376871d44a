"""Real peers for the channels: an HTTP receiver (webhooks and robots) and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """A local HTTP server that records every request; its answer (status, delay) can change."""

    status: int = 200
    delay: float = 0.0
    answer: bytes = b'{"errcode": 0, "errmsg": "ok", "code": 0, "StatusCode": 0}'
    requests: list[Received] = field(default_factory=list)
    #: When each request arrived (``time.time()``), for latency figures.
    arrivals: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.arrivals.append(time.time())
                receiver.requests.append(
                    Received("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"http://{self.netloc}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SmtpReceiver:
    """aiosmtpd's SMTP server in a thread: every message it accepts is kept (parsed)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                from email import message_from_bytes, policy

                receiver.messages.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        import socket

        with socket.socket() as sock:  # aiosmtpd checks readiness by connecting: it needs a real port
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()
