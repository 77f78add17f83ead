"""The first list page, fetched by a forked child while the app starts.

CPython runs one thread of Python at a time, and starting the TUI is nearly all Python:
importing Textual (~160 ms), then the HTTP stack (httpx, httpcore, h11, anyio: ~55 ms), then
the first request. A child forked before any of that imports the HTTP stack and asks for the
first page on the machine's other core while the parent imports Textual; the parent then
paints its first rows from that page, and loads the HTTP stack after them.

The child is only a head start, never a second path for errors. It hands over a 200's body
and nothing else; for anything else it hands over nothing, and the parent asks again through
its own client (retries, messages, redaction), as if there had been no child. It writes
nothing to the terminal, and it cannot outlive ``deadline_s``: an alarm ends it.

Only on Linux (fork is cheap and safe before any thread starts; macOS's system libraries are
not fork-safe), and only for a server known at start (not the embedded local one).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import struct
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

# A first page is 100 objects: far below this. Bigger bodies go through the parent's client.
MAX_BODY_BYTES = 8 * 1024 * 1024
# The longest the parent waits for the child. A first page takes milliseconds (a TLS
# handshake over a slow link, a second); a child still busy after this (a name that does not
# resolve, a server that hangs) hands over to the client's own request, whose connect
# timeout and retries then apply as without a child: at most this much later.
MAX_PATIENCE_S = 2.0
_LENGTH = struct.Struct(">Q")  # the body's length, before the body: a cut-off one is refused


class Prefetch:
    """One GET under way in a child process; its body is taken at most once."""

    def __init__(self, pid: int, fd: int, path: str, params: Mapping[str, str], deadline: float):
        self._pid = pid
        self._fd: int | None = fd
        self._path = path
        self._params = dict(params)
        self._deadline = deadline  # time.monotonic() after which the child is given up

    @classmethod
    def start(
        cls,
        client_options: Callable[[], dict[str, Any]],
        path: str,
        params: Mapping[str, str],
        deadline_s: float,
    ) -> Prefetch | None:
        """Fork the child; None where prefetching is not done (not Linux, threads running).

        ``client_options``: the httpx client settings, called in the child only (building
        them loads httpx)."""
        if not sys.platform.startswith("linux") or _threads_running():
            return None
        deadline_s = min(deadline_s, MAX_PATIENCE_S)
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            return None
        if pid == 0:  # the child: never returns
            os.close(read_fd)
            _child(write_fd, client_options, path, params, deadline_s)
        os.close(write_fd)
        os.set_blocking(read_fd, False)
        return cls(pid, read_fd, path, params, time.monotonic() + deadline_s)

    def lists(self, method: str, path: str) -> bool:
        """Is this a request for the list the child asked for (maybe another page of it)?"""
        return method == "GET" and path == self._path

    async def body(self, params: Mapping[str, str] | None) -> bytes | None:
        """The 200 body the child received for exactly these ``params``, or None (other
        params, any failure, or past the deadline). Either way the child is ended after."""
        fd = self._fd
        if fd is None or dict(params or {}) != self._params:
            self.discard()
            return None
        loop = asyncio.get_running_loop()
        finished: asyncio.Future[None] = loop.create_future()
        received = bytearray()

        def readable() -> None:
            try:
                chunk = os.read(fd, 1 << 20)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if chunk and len(received) + len(chunk) <= _LENGTH.size + MAX_BODY_BYTES:
                received.extend(chunk)
                return
            if chunk:  # more than any first page: not ours to take
                received.clear()
            loop.remove_reader(fd)
            if not finished.done():
                finished.set_result(None)

        loop.add_reader(fd, readable)
        try:
            await asyncio.wait_for(finished, max(0.0, self._deadline - time.monotonic()))
        except TimeoutError:
            received.clear()
        finally:
            loop.remove_reader(fd)
            self.discard()
        return _whole_body(bytes(received))

    def discard(self) -> None:
        """Close the pipe and end and reap the child (idempotent)."""
        if self._fd is None:
            return
        os.close(self._fd)
        self._fd = None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)  # it may have exited: then this is a no-op
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._pid, 0)


def _whole_body(received: bytes) -> bytes | None:
    if len(received) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack_from(received)
    body = received[_LENGTH.size :]
    return body if length == len(body) and length > 0 else None


def _threads_running() -> bool:
    import threading

    return threading.active_count() > 1


def _child(
    write_fd: int,
    client_options: Callable[[], dict[str, Any]],
    path: str,
    params: Mapping[str, str],
    deadline_s: float,
) -> None:
    """The child's whole life: one GET, its body into the pipe if it is a 200, then exit."""
    try:
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(max(1, int(deadline_s) + 1))  # the default action ends the process
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # the terminal belongs to the parent
            os.dup2(devnull, fd)
        import httpx

        with httpx.Client(**client_options()) as http:
            response = http.get(path, params=params, headers={"x-request-id": str(uuid.uuid4())})
            body = response.content
        if response.status_code == 200 and 0 < len(body) <= MAX_BODY_BYTES:
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(_LENGTH.pack(len(body)) + body)
    except BaseException:  # nothing to report: the parent asks again
        pass
    finally:
        os._exit(0)
