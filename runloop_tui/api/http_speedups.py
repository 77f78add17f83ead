"""The process-wide speed-ups for large downloads, in httpcore and h11 (opt-in: ``install``).

Importing this module changes nothing: other httpx users in the same process (the official
SDK in our own tests, a host application) keep stock httpcore and h11 unless the program opts
in. It imports the HTTP stack, so the app loads it with its first HTTP client
(``transport.load_http_stack``), not at start.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import httpcore
import httpx
from h11._receivebuffer import ReceiveBuffer

# httpcore reads a response body 64 KiB at a time and every read costs about 0.2 ms of Python
# (httpcore, h11, anyio): downloads were CPU-bound at ~250 MB/s on a fast link. Bigger reads
# cut the CPU per byte (64 -> 256 KiB: 206 -> 329 MB/s on loopback). It is a class constant,
# so it applies to every httpcore connection in the process: install() sets it, never an
# import. It is only an upper bound: a read returns what the connection has (at most 256 KiB,
# asyncio's own read size, unless widen_reads raised that for a download).
BODY_READ_BYTES = 1024 * 1024


def widen_reads(response: httpx.Response) -> None:
    """Let a large download's plain-TCP connection read up to BODY_READ_BYTES per recv.

    asyncio's socket transport reads at most 256 KiB at a time (its ``max_size``), so each
    MiB costs four trips through asyncio, anyio, httpcore and h11; reading what the socket
    holds in one go saves ~0.3 s of CPU per GiB. Reached through private attributes of
    httpcore's anyio stream, so every step is looked up and anything unexpected (another
    backend, TLS, whose transport has no such limit to raise) leaves the connection as is.
    """
    stream = response.extensions.get("network_stream")
    transport = getattr(getattr(stream, "_stream", None), "_transport", None)
    if isinstance(transport, asyncio.Transport) and isinstance(
        getattr(transport, "max_size", None), int
    ):
        transport.max_size = max(transport.max_size, BODY_READ_BYTES)  # type: ignore[attr-defined]


def _adopt_when_empty(self: ReceiveBuffer, data: bytes | bytearray) -> ReceiveBuffer:
    """h11's ReceiveBuffer.__iadd__, keeping a received ``bytes`` as is when nothing waits."""
    held: bytes | bytearray = self._data
    if not held and type(data) is bytes:
        self._data = data  # type: ignore[assignment]  # bytes until a part must be cut off
    elif type(held) is bytes:
        self._data = bytearray(held) + data
    else:
        held += data
    return self


def _extract_part(self: ReceiveBuffer, count: int) -> bytearray:
    """h11's ReceiveBuffer._extract (which deletes in place and returns bytearrays)."""
    held: bytes | bytearray = self._data
    if type(held) is bytes:
        self._data = bytearray(held)
    return _h11_extract(self, count)


def _extract_whole_buffer(self: ReceiveBuffer, count: int) -> bytes | bytearray | None:
    """h11's ReceiveBuffer.maybe_extract_at_most, handing over the whole buffer uncopied.

    h11 (0.14-0.16) copies every body read three times: into its bytearray buffer, into a
    slice to test for emptiness, into the slice it returns; httpcore then copies it once more
    (``bytes(event.data)``). A large body arrives one socket read at a time, each consumed
    whole, so the buffer keeps the received ``bytes`` object and hands it on untouched (and
    ``bytes()`` of a bytes is the same object): no copy at all, ~0.5 s of CPU per GiB
    downloaded. Partial extractions (headers, chunk framing) take h11's own path.
    """
    data: bytes | bytearray = self._data
    if count <= 0 or count < len(data):
        return _h11_extract_at_most(self, count)
    if not data:
        return None
    self._data = bytearray()
    self._next_line_search = 0
    self._multiple_lines_search = 0
    return data


_h11_extract = ReceiveBuffer._extract
_h11_extract_at_most = ReceiveBuffer.maybe_extract_at_most
_ORIGINALS: dict[str, Any] = {}


def install() -> None:
    """Apply the speed-ups now (the app asks for them with ``transport.install``).

    Only on the h11 code this was written against (its private
    attributes): elsewhere h11 runs unchanged, merely slower. Everything else in
    ReceiveBuffer (find, regex search, slices, len) works the same on bytes and bytearray.
    """
    if _ORIGINALS:
        return
    if hasattr(httpcore.AsyncHTTP11Connection, "READ_NUM_BYTES"):
        _ORIGINALS["read_num_bytes"] = httpcore.AsyncHTTP11Connection.READ_NUM_BYTES
        httpcore.AsyncHTTP11Connection.READ_NUM_BYTES = BODY_READ_BYTES
    if str(getattr(h11, "__version__", "")).startswith(("0.14.", "0.15.", "0.16.")):
        _ORIGINALS["__iadd__"] = ReceiveBuffer.__iadd__
        _ORIGINALS["_extract"] = ReceiveBuffer._extract
        _ORIGINALS["maybe_extract_at_most"] = ReceiveBuffer.maybe_extract_at_most
        ReceiveBuffer.__iadd__ = _adopt_when_empty  # type: ignore[method-assign]
        ReceiveBuffer._extract = _extract_part  # type: ignore[method-assign]
        ReceiveBuffer.maybe_extract_at_most = _extract_whole_buffer  # type: ignore[method-assign,assignment]
    _ORIGINALS.setdefault("installed", True)


def uninstall() -> None:
    """Undo install() (for tests that need stock httpcore and h11 again)."""
    if "read_num_bytes" in _ORIGINALS:
        httpcore.AsyncHTTP11Connection.READ_NUM_BYTES = _ORIGINALS["read_num_bytes"]
    for name in ("__iadd__", "_extract", "maybe_extract_at_most"):
        if name in _ORIGINALS:
            setattr(ReceiveBuffer, name, _ORIGINALS[name])
    _ORIGINALS.clear()
