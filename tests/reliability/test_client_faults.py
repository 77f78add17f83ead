"""The real client against a real server process that is killed -9 and restarted mid-operation.

The proxy-based cases (5xx, 429, timeouts, dropped and cut connections) are in
tests/api/test_faults.py; here the server itself dies, and the client must retry with
backoff, leave no partial download and no object UPLOADING, and work once it is back.
"""

from __future__ import annotations

import itertools
import os
import threading
from pathlib import Path

import pytest

from runloop_tui.api import (
    ApiError,
    ListFilters,
    NetworkError,
    ObjectState,
    RetryEvent,
    RetryPolicy,
)
from runloop_tui.server.demo import seed_bulk
from tests.conftest import API_KEY, MakeClient
from tests.rawapi import list_objects
from tests.reliability.conftest import PATIENT, Restarter
from tests.reliability.procs import ServerProcess
from tests.support.fault_proxy import FaultProxy

pytestmark = pytest.mark.slow


def _uploading(server: ServerProcess) -> list[str]:
    """Ids of UPLOADING objects, asked over raw HTTP after the dust settles."""
    return [str(o["id"]) for o in list_objects(server.base_url, state="UPLOADING", limit=5000)]


async def test_server_killed_mid_list_recovers_every_page(
    server_process: ServerProcess, restart_when: Restarter, make_client: MakeClient
) -> None:
    server_process.stop()
    ids = seed_bulk(server_process.data_dir, API_KEY, 250)
    server_process.start()
    starts = server_process.starts
    came_back = threading.Event()
    restart_when(came_back)
    events: list[RetryEvent] = []
    api = make_client(server_process.base_url, events=events, on_event=lambda e: came_back.set())
    seen: list[str] = []
    pages = 0
    async for page in api.iter_pages(page_size=50, first_page_size=50):
        pages += 1
        seen += [o.id for o in page.objects]
        if pages == 2:
            server_process.kill()  # between pages: the next page meets a dead server
    assert events, "the client never retried: the kill did not land between pages"
    assert {e.reason for e in events} <= {"connection failed", "timed out"}
    assert sorted(seen) == sorted(ids) and len(seen) == len(ids)
    assert server_process.starts == starts + 1


async def test_server_killed_mid_upload_leaves_nothing_uploading(
    server_process: ServerProcess,
    restart_when: Restarter,
    make_client: MakeClient,
    tmp_path: Path,
) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(16 * 1024 * 1024))
    came_back = threading.Event()
    restart_when(came_back)
    api = make_client(server_process.base_url, on_event=lambda e: came_back.set())
    created: list[str] = []

    def progress(done: int, total: int | None) -> None:
        if done > 0 and server_process.running:
            server_process.kill()

    with pytest.raises(NetworkError) as info:
        await api.upload_path(
            source, progress=progress, on_created=lambda obj: created.append(obj.id)
        )
    assert "Network error" in str(info.value)
    assert len(created) == 1
    # The failed upload's cleanup delete retried until the server was back.
    assert server_process.running
    obj = await api.get_object(created[0])
    assert obj.state is ObjectState.DELETED
    assert _uploading(server_process) == []
    # ...and the same upload now works.
    done = await api.upload_path(source)
    assert done.state is ObjectState.READ_ONLY and done.size_bytes == source.stat().st_size


async def test_server_killed_mid_download_leaves_no_partial_file(
    server_process: ServerProcess, make_client: MakeClient, tmp_path: Path
) -> None:
    data = os.urandom(24 * 1024 * 1024)  # larger than loopback socket buffers
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    api = make_client(server_process.base_url)
    done = await api.upload_path(source)
    out = tmp_path / "downloads"
    out.mkdir()

    def progress(received: int, total: int | None) -> None:
        if received > 0 and server_process.running:
            server_process.kill()

    with pytest.raises(NetworkError):
        await api.download_to(done.id, out / "big.bin", progress=progress)
    assert sorted(p.name for p in out.iterdir()) == []
    server_process.start()
    path = await api.download_to(done.id, out / "big.bin")
    assert path.read_bytes() == data
    assert sorted(p.name for p in out.iterdir()) == ["big.bin"]


async def test_refused_at_start_then_the_server_comes_up(
    server_process: ServerProcess, restart_when: Restarter, make_client: MakeClient
) -> None:
    server_process.kill()
    refused = threading.Event()
    restart_when(refused)
    events: list[RetryEvent] = []
    api = make_client(server_process.base_url, events=events, on_event=lambda e: refused.set())
    page = await api.list_objects()
    assert page.objects == []
    assert events and events[0].reason == "connection failed"
    # Backoff doubles (jitter keeps each delay within 75..100% of base * 2**n), up to the cap.
    delays = [e.delay_seconds for e in events]
    cap = PATIENT.max_backoff_seconds
    assert all(b >= 1.5 * a or b >= 0.75 * cap for a, b in itertools.pairwise(delays))


async def test_server_killed_during_create_storm_nothing_acknowledged_lost(
    server_process: ServerProcess,
    restart_when: Restarter,
    make_client: MakeClient,
    tmp_path: Path,
) -> None:
    """Uploads keep going while the server dies: every upload the client saw complete is
    READ_ONLY with its exact size after the restart; no failed one is left UPLOADING."""
    import asyncio

    came_back = threading.Event()
    restart_when(came_back)
    api = make_client(server_process.base_url, on_event=lambda e: came_back.set())
    sources = []
    for i in range(12):
        path = tmp_path / f"f{i:02d}.bin"
        path.write_bytes(os.urandom(64 * 1024 + i))
        sources.append(path)

    async def one(path: Path, index: int) -> tuple[str, int] | None:
        if index == 6:
            server_process.kill()
        try:
            obj = await api.upload_path(path)
        except ApiError:
            return None
        assert obj.size_bytes is not None
        return obj.id, obj.size_bytes

    results = await asyncio.gather(*(one(p, i) for i, p in enumerate(sources)))
    acknowledged = [r for r in results if r is not None]
    assert server_process.running
    assert acknowledged, "nothing got through"
    for object_id, size in acknowledged:
        obj = await api.get_object(object_id)
        assert obj.state is ObjectState.READ_ONLY and obj.size_bytes == size
        assert len(await api.read_head(object_id, size + 10)) == size
    assert _uploading(server_process) == []
    listed = await api.list_objects(filters=ListFilters(state=ObjectState.READ_ONLY), limit=100)
    assert {o.id for o in listed.objects} == {a for a, _ in acknowledged}


async def test_answer_late_but_within_the_timeout_succeeds_without_retry(
    server_process: ServerProcess, make_client: MakeClient
) -> None:
    events: list[RetryEvent] = []
    with FaultProxy(server_process.base_url) as proxy:
        policy = RetryPolicy(max_retries=2, timeout_seconds=2.0, initial_backoff_seconds=0.01)
        api = make_client(proxy.base_url, retry=policy, events=events)
        proxy.configure(match="/v1/objects", delay_first=1, delay_seconds=0.6)
        page = await api.list_objects()
        assert page.objects == []
        assert events == []
        assert [e["fault"] for e in proxy.log("/v1/objects")] == ["delay"]
