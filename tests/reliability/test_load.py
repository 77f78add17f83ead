"""Load, bounded and on loopback: 50 concurrent uploads while lists run and other objects
are deleted, against a real server process. No errors, nothing lost.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from runloop_tui.api import (
    ObjectsClient,
    ObjectState,
    ObjectView,
    RetryEvent,
    RetryPolicy,
)
from tests.conftest import API_KEY
from tests.reliability.procs import ServerProcess

pytestmark = pytest.mark.slow

UPLOADS = 50
DELETES = 30
MAX_LIST_ROUNDS = 500  # the lister stops when the uploads are done, or after this many
POLICY = RetryPolicy(max_retries=2, timeout_seconds=30, initial_backoff_seconds=0.05)


async def test_concurrent_uploads_lists_and_deletes_lose_nothing(
    server_process: ServerProcess, tmp_path: Path
) -> None:
    retries: list[RetryEvent] = []
    files = []
    for i in range(UPLOADS):
        path = tmp_path / f"up-{i:03d}.bin"
        path.write_bytes(os.urandom(1024 + 37 * i))
        files.append(path)
    victims_src = tmp_path / "victim.txt"
    victims_src.write_text("to be deleted")
    async with ObjectsClient(
        server_process.base_url, API_KEY, retry=POLICY, on_retry=retries.append
    ) as api:
        victims = await asyncio.gather(
            *(api.upload_path(victims_src, name=f"victim-{i:03d}.txt") for i in range(DELETES))
        )
        uploads_done = asyncio.Event()
        list_rounds = 0
        listed_sizes: list[int] = []

        async def lister() -> None:
            nonlocal list_rounds
            while not uploads_done.is_set() and list_rounds < MAX_LIST_ROUNDS:
                total = 0
                async for page in api.iter_pages(page_size=40, first_page_size=10):
                    total += len(page.objects)
                listed_sizes.append(total)
                list_rounds += 1

        async def deleter() -> list[ObjectView]:
            deleted = []
            for victim in victims:
                deleted.append(await api.delete_object(victim.id))
                await asyncio.sleep(0)
            return deleted

        async def uploads() -> list[ObjectView]:
            try:
                return list(await asyncio.gather(*(api.upload_path(p) for p in files)))
            finally:
                uploads_done.set()

        started = time.monotonic()
        uploaded, deleted, _ = await asyncio.gather(uploads(), deleter(), lister())
        elapsed = time.monotonic() - started
        print(
            f"\nload: {UPLOADS} uploads + {DELETES} deletes + {list_rounds} full lists "
            f"in {elapsed:.2f}s, {len(retries)} retries"
        )

        assert retries == [], [str(r) for r in retries]
        assert list_rounds >= 1
        assert all(o.state is ObjectState.DELETED for o in deleted)
        by_name = {p.name: p.stat().st_size for p in files}
        assert sorted(o.name for o in uploaded) == sorted(by_name)
        for obj in uploaded:
            assert obj.state is ObjectState.READ_ONLY and obj.size_bytes == by_name[obj.name]

        # Nothing lost: the final list has every upload READ_ONLY with the right size, and
        # none of the deleted; each deleted one reads back DELETED.
        final = {o.id: o async for page in api.iter_pages(page_size=100) for o in page.objects}
        for obj in uploaded:
            assert final[obj.id].state is ObjectState.READ_ONLY
            assert final[obj.id].size_bytes == by_name[obj.name]
        assert not {v.id for v in victims} & set(final)
        for victim in victims:
            assert (await api.get_object(victim.id)).state is ObjectState.DELETED
        assert len(final) == UPLOADS
        # and the content is right, not just the size
        sample = uploaded[:: max(1, UPLOADS // 10)]
        for obj in sample:
            data = await api.read_head(obj.id, 1 << 20)
            assert data == (tmp_path / obj.name).read_bytes()
    server_output = server_process.stderr_text() + server_process.stdout_text()
    assert "Traceback" not in server_output
    assert API_KEY not in server_output  # the server's own logs never echo a key
