"""Bulk delete of 1,000 objects: concurrency 8 against sequential, direct and with latency.

    .venv/bin/python -m tests.tui.bench_bulk_delete

Latency comes from the fault proxy (a real process) holding each delete for 20 ms, which is
closer to a remote API than loopback. Not collected by pytest (bench_ prefix).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from runloop_tui.api.bulk import delete_many
from runloop_tui.api.client import ObjectsClient
from runloop_tui.api.models import ObjectView
from runloop_tui.server.demo import seed_bulk
from runloop_tui.server.embedded import EmbeddedServer
from tests.conftest import API_KEY
from tests.support.fault_proxy import FaultProxy
from tests.tui.conftest import NOW_MS, quick_retry

COUNT = 1000


async def run(base_url: str, concurrency: int) -> float:
    async with ObjectsClient(base_url, API_KEY, retry=quick_retry()) as api:
        objects: list[ObjectView] = []
        async for page in api.iter_pages():
            objects.extend(o for o in page.objects if str(o.state) != "DELETED")
        chosen = objects[:COUNT]
        started = time.perf_counter()
        outcome = await delete_many(api.delete_object, chosen, concurrency=concurrency)
        elapsed = time.perf_counter() - started
        assert len(outcome.deleted) == COUNT and not outcome.failed
        return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "store"
        data.mkdir()
        seed_bulk(data, API_KEY, COUNT * 4, now_ms=NOW_MS)
        with EmbeddedServer(data, api_keys=[API_KEY]) as server:
            for concurrency in (8, 1):
                took = asyncio.run(run(server.base_url, concurrency))
                print(f"loopback      concurrency {concurrency}: {took:6.2f} s")
            with FaultProxy(server.base_url) as proxy:
                proxy.configure(match="/delete", delay_first=10**9, delay_seconds=0.02)
                for concurrency in (8, 1):
                    took = asyncio.run(run(proxy.base_url, concurrency))
                    print(f"+20 ms/delete concurrency {concurrency}: {took:6.2f} s")


if __name__ == "__main__":
    main()
