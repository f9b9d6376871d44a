"""A streamed ``multipart/form-data`` body with a known length.

Used for the form-data operations (5.1.7, 5.1.8 JAR jobs; 5.3.13 hosts file): files are read in
chunks while the request is sent, never loaded whole, and the total length is known up front so the
request carries a ``Content-Length`` (no chunked transfer encoding).
"""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Union

__all__ = ["FileSource", "MultipartBody", "field_value"]

FileSource = Union[str, os.PathLike, bytes, bytearray, IO[bytes]]  # noqa: UP007 - used at runtime

_CHUNK = 64 * 1024


def field_value(value: Any) -> str:
    """The text of a form field: booleans as ``true``/``false``, lists comma-joined."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", " ").replace("\n", " ")


class _FilePart:
    def __init__(self, source: FileSource) -> None:
        self._path: Path | None = None
        self._bytes: bytes | None = None
        self._obj: IO[bytes] | None = None
        self._start = 0
        if isinstance(source, bytes | bytearray):
            self._bytes = bytes(source)
            self.length = len(self._bytes)
        elif isinstance(source, str | os.PathLike):
            self._path = Path(source)
            self.length = self._path.stat().st_size
        elif hasattr(source, "read"):
            obj = source
            try:
                self._start = obj.tell()
                obj.seek(0, io.SEEK_END)
                self.length = obj.tell() - self._start
                obj.seek(self._start)
                self._obj = obj
            except (AttributeError, OSError, ValueError):
                data = obj.read()  # not seekable: buffer it so the length is known
                self._bytes = data if isinstance(data, bytes) else str(data).encode("utf-8")
                self.length = len(self._bytes)
        else:
            raise TypeError("a file must be a path, bytes or a binary file object")

    def open(self) -> IO[bytes]:
        if self._bytes is not None:
            return io.BytesIO(self._bytes)
        if self._path is not None:
            return self._path.open("rb")
        assert self._obj is not None
        self._obj.seek(self._start)
        return _NonClosing(self._obj)

    @property
    def default_name(self) -> str | None:
        if self._path is not None:
            return self._path.name
        name = getattr(self._obj, "name", None)
        return os.path.basename(name) if isinstance(name, str) else None


class _NonClosing(io.RawIOBase):
    """Reads from a caller's file object without closing it."""

    def __init__(self, obj: IO[bytes]) -> None:
        self._obj = obj

    def read(self, size: int = -1) -> bytes:
        return self._obj.read(size)

    def readable(self) -> bool:
        return True

    def close(self) -> None:  # the caller owns the file
        pass


class MultipartBody:
    """``multipart/form-data`` built from text fields and files, read lazily.

    ``fields``: (name, value) pairs; ``files``: (name, source, filename, content type) tuples, the
    source being a path, bytes or a binary file object (read from its current position).
    Iterating or calling ``read`` streams the body; :meth:`fresh` gives a new body over the same
    sources for a retry.
    """

    def __init__(
        self,
        fields: list[tuple[str, Any]],
        files: list[tuple[str, FileSource, str | None, str | None]],
        *,
        boundary: str | None = None,
    ) -> None:
        self.boundary = boundary or f"csapi{secrets.token_hex(16)}"
        self._fields = [(name, field_value(value)) for name, value in fields if value is not None]
        self._files = []
        for name, source, filename, ctype in files:
            part = source if isinstance(source, _FilePart) else _FilePart(source)
            self._files.append((name, part, filename or part.default_name or name, ctype))
        self._segments = self._build()
        self._length = sum(self._segments_lengths())
        self._iter: Iterator[bytes] | None = None
        self._buffer = b""

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def _build(self) -> list[bytes | _FilePart]:
        b = self.boundary.encode("ascii")
        segments: list[bytes | _FilePart] = []
        for name, value in self._fields:
            head = f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_escape(name)}"\r\n\r\n'
            segments.append(head.encode("utf-8") + value.encode("utf-8") + b"\r\n")
        for name, part, filename, ctype in self._files:
            head = (
                f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_escape(name)}"; '
                f'filename="{_escape(filename)}"\r\nContent-Type: {ctype or "application/octet-stream"}\r\n\r\n'
            )
            segments.append(head.encode("utf-8"))
            segments.append(part)
            segments.append(b"\r\n")
        segments.append(b"--" + b + b"--\r\n")
        return segments

    def _segments_lengths(self) -> Iterator[int]:
        for seg in self._segments:
            yield seg.length if isinstance(seg, _FilePart) else len(seg)

    def __len__(self) -> int:
        return self._length

    def fresh(self) -> MultipartBody:
        """A new body over the same fields and files (file objects are rewound to where they began)."""
        return MultipartBody(
            list(self._fields),
            [(name, part, filename, ctype) for name, part, filename, ctype in self._files],
            boundary=self.boundary,
        )

    def _generate(self) -> Iterator[bytes]:
        for seg in self._segments:
            if isinstance(seg, _FilePart):
                with seg.open() as fh:
                    remaining = seg.length
                    while remaining > 0:
                        chunk = fh.read(min(_CHUNK, remaining))
                        if not chunk:
                            raise OSError("file shrank while it was being uploaded")
                        remaining -= len(chunk)
                        yield chunk
            else:
                yield seg

    def __iter__(self) -> Iterator[bytes]:
        return self._generate()

    def read(self, size: int = -1) -> bytes:
        if self._iter is None:
            self._iter = self._generate()
        if size is None or size < 0:
            data = self._buffer + b"".join(self._iter)
            self._buffer = b""
            return data
        while len(self._buffer) < size:
            try:
                self._buffer += next(self._iter)
            except StopIteration:
                break
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def to_bytes(self) -> bytes:
        """The whole body in memory (tests and small bodies)."""
        return b"".join(self._generate())
