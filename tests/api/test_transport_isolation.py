"""The client's HTTP layer: no side effects on import, one retry loop, and httpx's
``transport=`` for fast tests (real-server tests stay beside these)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from runloop_tui.api import NetworkError, ObjectsClient, RetryEvent, RetryPolicy
from runloop_tui.api.errors import ApiTimeoutError, ServerError
from runloop_tui.api.transport import install, uninstall

ROOT = Path(__file__).resolve().parents[2]
QUICK = RetryPolicy(max_retries=3, initial_backoff_seconds=0.001, unreachable_seconds=None)

_PROBE = """
import json, sys
import h11._receivebuffer as rb, httpcore
def state():
    return {
        "read": httpcore.AsyncHTTP11Connection.READ_NUM_BYTES,
        "iadd": rb.ReceiveBuffer.__iadd__.__module__,
        "extract": rb.ReceiveBuffer._extract.__module__,
        "at_most": rb.ReceiveBuffer.maybe_extract_at_most.__module__,
    }
stock = state()
import runloop_tui.api, runloop_tui.api.client, runloop_tui.api.transport
after_import = state()
runloop_tui.api.transport.install()
stub = "httpx._main" in sys.modules and sys.modules["httpx._main"] is None
print(json.dumps([stock, after_import, state(), stub]))
"""


def test_a_bare_import_leaves_httpcore_and_h11_untouched() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, cwd=ROOT, check=True
    )
    stock, after_import, installed, stubbed_httpx_cli = json.loads(result.stdout)
    assert after_import == stock
    assert not stubbed_httpx_cli  # nor does it hide httpx's own CLI from the host program
    assert installed["read"] > stock["read"]
    assert installed["iadd"] == "runloop_tui.api.http_speedups"


def test_the_client_and_the_entry_point_import_no_http_stack() -> None:
    """httpx and its stack load with the first client (api/transport.py), so that a
    prefetched first page (api/prefetch.py) is painted before ~55 ms of imports."""
    probe = (
        "import sys, runloop_tui.api, runloop_tui.api.client, runloop_tui.cli, "
        "runloop_tui.tui.browser_deps; "
        "print(sorted(m for m in ('httpx', 'httpcore', 'h11', 'anyio') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "[]"


def test_install_is_undone_by_uninstall(speedups: None) -> None:
    import httpcore
    from h11._receivebuffer import ReceiveBuffer

    assert ReceiveBuffer.__iadd__.__module__ == "runloop_tui.api.http_speedups"
    uninstall()
    assert ReceiveBuffer.__iadd__.__module__ == "h11._receivebuffer"
    assert httpcore.AsyncHTTP11Connection.READ_NUM_BYTES == 64 * 1024
    install()  # the fixture's uninstall runs on an installed state


def _page(*ids: str) -> dict[str, object]:
    objects = [
        {"id": i, "name": i, "state": "READ_ONLY", "content_type": "text", "create_time_ms": 1}
        for i in ids
    ]
    return {"objects": objects, "has_more": False, "total_count": len(ids)}


def mocked(
    handler: Callable[[httpx.Request], httpx.Response],
    *,
    retry: RetryPolicy = QUICK,
    on_retry: Callable[[RetryEvent], None] | None = None,
) -> ObjectsClient:
    """The client on httpx's MockTransport: ``handler`` answers every request."""
    return ObjectsClient(
        "http://api.test",
        "rk_test_k",
        retry=retry,
        on_retry=on_retry,
        transport=httpx.MockTransport(handler),
    )


async def test_mock_transport_retries_a_503_then_succeeds() -> None:
    answers = iter([httpx.Response(503, json={"error": {"message": "busy"}})] * 2)
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["x-request-id"])
        return next(answers, httpx.Response(200, json=_page("obj_a")))

    async with mocked(handler) as api:
        page = await api.list_objects()
    assert [o.id for o in page.objects] == ["obj_a"]
    assert len(seen) == 3 and len(set(seen)) == 1  # one request id across the retries


async def test_a_per_call_hook_hears_only_its_own_retries() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"error": {"message": "busy"}})

    client_wide: list[RetryEvent] = []
    per_call: list[RetryEvent] = []
    async with mocked(handler, on_retry=client_wide.append) as api:
        with pytest.raises(ServerError):
            await api.download_url("obj_a", on_retry=per_call.append)
        with pytest.raises(ServerError):
            await api.get_object("obj_a")
    assert [e.attempt for e in per_call] == [1, 2, 3]
    assert len(client_wide) == 6


async def test_upload_put_retries_a_refused_connection_but_never_a_stall(tmp_path: Path) -> None:
    """The PUT shares the one retry loop: retried when nothing was sent, not after."""
    source = tmp_path / "a.txt"
    source.write_bytes(b"hello")
    puts: list[str] = []
    deleted: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path == "/v1/objects":
            body = {
                "id": "obj_up",
                "name": "a.txt",
                "state": "UPLOADING",
                "content_type": "text",
                "create_time_ms": 1,
                "upload_url": "http://store.test/put/obj_up?sig=x",
            }
            return httpx.Response(200, json=body)
        if request.method == "PUT":
            puts.append(request.content.decode())
            if len(puts) == 1:
                raise httpx.ConnectError("refused", request=request)
            if mode == "stall":
                raise httpx.WriteTimeout("stalled", request=request)
            return httpx.Response(200)
        if path.endswith("/complete"):
            return httpx.Response(200, json={**_page("obj_up")["objects"][0], "size_bytes": 5})  # type: ignore[index]
        if path.endswith("/delete"):
            deleted.append(path)
            return httpx.Response(200, json=_page("obj_up")["objects"][0])  # type: ignore[index]
        return httpx.Response(404)

    events: list[RetryEvent] = []
    mode = "ok"
    async with mocked(handler, on_retry=events.append) as api:
        obj = await api.upload_path(source)
        assert obj.size_bytes == 5
        assert puts == ["hello", "hello"]  # the retry sent the whole body again
        assert [e.method for e in events] == ["PUT"]
        puts.clear()
        events.clear()
        mode = "stall"
        with pytest.raises(ApiTimeoutError):
            await api.upload_path(source)
    assert len(puts) == 2 and [e.method for e in events] == ["PUT"]  # the stall: not retried
    assert deleted  # the half-made object was cleaned up


async def test_an_unreachable_server_through_a_transport_uses_the_budget() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    events: list[RetryEvent] = []
    # Backoff 0.05, 0.1, 0.2 s...: the 0.12 s budget allows the first retry only.
    policy = RetryPolicy(max_retries=5, initial_backoff_seconds=0.05, unreachable_seconds=0.12)
    async with mocked(handler, retry=policy, on_retry=events.append) as api:
        with pytest.raises(NetworkError) as caught:
            await api.get_object("x")
    assert caught.value.method == "GET" and caught.value.path == "/v1/objects/x"
    assert caught.value.request_id is not None
    assert 1 <= len(events) < policy.max_retries
