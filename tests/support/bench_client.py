"""Benchmarks for the API client against a real local server in a separate process.

    python -m tests.support.bench_client list   [--objects 100000] [--page 5000]
    python -m tests.support.bench_client transfer [--mib 1024]

``list`` compares the client's full paginated load with a bare httpx loop that only parses
JSON; ``transfer`` compares upload/download throughput with curl. Not run by pytest: these
are measurements, and tests carry no timing assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from runloop_tui.api import ObjectsClient

KEY = "rk_bench_0123456789abcdef"
_SERVE = """
import sys, time
from pathlib import Path
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.server.store import NewObject, Store
from runloop_tui.server.ids import account_of
data, key, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
if count:
    store = Store(data)
    now = int(time.time() * 1000)
    store.insert_objects([
        NewObject(account=account_of(key), name=f"object-{i:06d}.txt", content_type="text",
                  create_time_ms=now - i, size_bytes=i, metadata={"i": str(i % 7)})
        for i in range(count)
    ])
    store.close()
with EmbeddedServer(data, api_keys=[key]) as server:
    print(server.base_url, flush=True)  # the parent waits for this line
    sys.stdin.read()
"""


class _Server:
    def __init__(self, data: Path, objects: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVE, str(data), KEY, str(objects)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.base_url = ""
        for _ in range(50):  # skip anything else the server prints first
            line = self.process.stdout.readline()
            if not line or line.startswith("http"):
                self.base_url = line.strip()
                break
        if not self.base_url:
            raise RuntimeError("the benchmark server did not start")

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


async def _bare_load(base_url: str, page: int) -> int:
    headers = {"Authorization": f"Bearer {KEY}"}
    count, cursor = 0, None
    # The same request sequence as the client (a small first page with the total), so the
    # difference is the client's own overhead: models, retries bookkeeping, request ids.
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60) as http:
        for _ in range(10_000):
            params: dict[str, str] = {
                "limit": str(page if cursor else 100),
                "include_total_count": "false" if cursor else "true",
            }
            if cursor:
                params["starting_after"] = cursor
            data = json.loads((await http.get("/v1/objects", params=params)).content)
            count += len(data["objects"])
            if not data["has_more"] or not data["objects"]:
                break
            cursor = data["objects"][-1]["id"]
    return count


async def _client_load(base_url: str, page: int) -> int:
    count = 0
    async with ObjectsClient(base_url, KEY) as api:
        async for listed in api.iter_pages(page_size=page, first_page_size=100):
            count += len(listed.objects)
    return count


async def bench_list(objects: int, page: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = _Server(Path(tmp), objects)
        try:
            loads = {"bare httpx+json": _bare_load, "ObjectsClient": _client_load}
            best = dict.fromkeys(loads, float("inf"))
            cpu = dict.fromkeys(loads, float("inf"))
            for _ in range(rounds):  # interleaved, best of N: fair on a busy machine
                for name, load in loads.items():
                    start, start_cpu = time.perf_counter(), time.process_time()
                    got = await load(server.base_url, page)
                    best[name] = min(best[name], time.perf_counter() - start)
                    cpu[name] = min(cpu[name], time.process_time() - start_cpu)
                    assert got == objects, got
            for name, seconds in best.items():
                print(
                    f"{name:>16}: {objects} objects in {seconds:.2f}s wall, "
                    f"{cpu[name]:.2f}s client CPU (best of {rounds})"
                )
            ratio = best["ObjectsClient"] / best["bare httpx+json"]
            cpu_ratio = cpu["ObjectsClient"] / cpu["bare httpx+json"]
            print(f"{'ratio':>16}: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU (target <= 1.5x)")
        finally:
            server.close()


async def _curl(*args: str) -> None:
    process = await asyncio.create_subprocess_exec("curl", "-sf", *args)
    if await process.wait() != 0:
        raise RuntimeError(f"curl failed: {args[0]}")


async def bench_transfer(mib: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = root / "big.bin"
        with source.open("wb") as handle:
            for _ in range(mib):
                handle.write(os.urandom(1 << 20))
        server = _Server(root / "store", 0)
        try:
            async with ObjectsClient(server.base_url, KEY) as api:
                start = time.perf_counter()
                done = await api.upload_path(source)
                up = time.perf_counter() - start
                start = time.perf_counter()
                await api.download_to(done.id, root / "client.bin")
                down = time.perf_counter() - start
                (root / "client.bin").unlink()
                created = await api.create_object("curl.bin")
                assert created.upload_url
                start = time.perf_counter()
                await _curl("-T", str(source), created.upload_url, "-o", "/dev/null")
                curl_up = time.perf_counter() - start
                await api.complete_object(created.id)
                url = await api.download_url(done.id)
                start = time.perf_counter()
                await _curl(url, "-o", str(root / "curl.bin"))
                curl_down = time.perf_counter() - start
        finally:
            server.close()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for what, ours, theirs in (("upload", up, curl_up), ("download", down, curl_down)):
            print(
                f"{what:>8}: client {mib / ours:7.0f} MiB/s, curl {mib / theirs:7.0f} MiB/s"
                f" -> {theirs / ours:.2f}x curl"
            )
        print(f"peak RSS of the client process: {rss:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["list", "transfer"])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--page", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mib", type=int, default=1024)
    args = parser.parse_args()
    if args.what == "list":
        asyncio.run(bench_list(args.objects, args.page, args.rounds))
    else:
        if shutil.which("curl") is None:
            sys.exit("curl is needed for the transfer comparison")
        asyncio.run(bench_transfer(args.mib))


if __name__ == "__main__":
    main()
