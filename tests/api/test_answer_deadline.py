"""An API answer that trickles for ever is cut off by the answer deadline (RetryPolicy).

The read timeout restarts with every byte, so a server that sends one byte at a time, just
under it, would hold a call (and `runloop-tui ls` in a cron job) for ever. A real socket
server here sends a list response's headers at once and then its body a byte at a time.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from runloop_tui.api import ApiTimeoutError, ObjectsClient, RetryPolicy

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def dripping_server() -> Iterator[str]:
    """Answers every request with a 200 whose JSON body arrives a byte per 50 ms."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            body = b'{"objects": [], "has_more": false, "total_count": 0}' + b" " * 10_000
            head = (
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n" % len(body)
            )
            conn.sendall(head)
            for i in range(len(body)):
                if stop.is_set():
                    return
                try:
                    conn.sendall(body[i : i + 1])
                except OSError:
                    return
                time.sleep(0.05)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()


def test_the_deadline_never_cuts_a_raised_timeout_short() -> None:
    assert RetryPolicy().answer_deadline() == 120.0
    assert RetryPolicy(timeout_seconds=3600).answer_deadline() == 4 * 3600
    assert RetryPolicy(answer_deadline_seconds=1.5).answer_deadline() == 1.5


async def test_a_trickling_answer_ends_at_the_deadline(dripping_server: str) -> None:
    # Each byte comes well within the 1 s read timeout; the whole answer would take 500 s.
    policy = RetryPolicy(max_retries=0, timeout_seconds=1.0, answer_deadline_seconds=1.0)
    async with ObjectsClient(dripping_server, "rk_test", retry=policy) as client:
        with pytest.raises(ApiTimeoutError, match="did not end in time"):
            await client.list_objects(limit=1)  # on the old code: the test's timeout
