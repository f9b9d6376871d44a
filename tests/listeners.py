"""A local TCP listener that counts the connections it accepts: proof that a client connected, or not.

It answers every request with ``answer`` (by default a JSON body full of secrets and without any CS
shape), so a test can also check that nothing of what it said is read back.
"""

from __future__ import annotations

import socket
import threading

SECRET_BODY = b'{"tenants": [{"password": "listener-password-1", "sk": "listener-sk-1"}], "version": "x"}'


def http_answer(status: str = "200 OK", body: bytes = SECRET_BODY, headers: str = "") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"{headers}Connection: close\r\n\r\n"
    ).encode() + body


class Listener:
    def __init__(self, host: str = "127.0.0.1", answer: bytes | None = None, *, silent: bool = False) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(64)
        self.host, self.port = host, self.sock.getsockname()[1]
        self.answer = answer if answer is not None else http_answer()
        self.silent = silent
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def netloc(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted += 1
            if self.silent:  # accept, read nothing, never answer
                self._held.append(conn)
                continue
            try:
                conn.settimeout(2)
                conn.recv(65536)
                conn.sendall(self.answer)
            except OSError:
                pass
            finally:
                conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for conn in self._held:
            conn.close()
        self.sock.close()

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
