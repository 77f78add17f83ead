"""Two server processes sharing PostgreSQL and S3, as a team would run them."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from runloop_tui.server.ids import account_of
from runloop_tui.server.records import NewObject
from runloop_tui.server.storage.postgres import PostgresMetadata
from tests.server.engines import PostgresCluster, S3Server, s3_keys, wait_for

KEY = "rk_test_replicas_0123456789"
HEADERS = {"Authorization": f"Bearer {KEY}"}


@dataclass
class Replica:
    proc: subprocess.Popen[str]
    url: str

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=HEADERS, timeout=30)


@dataclass
class Team:
    replicas: list[Replica]
    metadata_url: str
    content_url: str
    s3: S3Server


def _start(tmp: Path, metadata_url: str, content_url: str, s3: S3Server) -> Replica:
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "runloop_tui.server", "--port", "0", "--data-dir", str(tmp)),
            *("--api-key", KEY, "--log-level", "warning", "--sweep-seconds", "0.2"),
            *("--metadata-url", metadata_url, "--content-url", content_url),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **s3.env()},
    )
    assert proc.stdout is not None
    match = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline())
    assert match
    url = match.group(0)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/v1/objects", headers=HEADERS, timeout=2).status_code == 200:
                return Replica(proc, url)
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("replica did not come up")


@pytest.fixture
def team(pg_cluster: PostgresCluster, s3: S3Server, tmp_path: Path) -> Iterator[Team]:
    metadata_url, content_url = pg_cluster.new_database(), s3.new_prefix()
    replicas: list[Replica] = []
    try:
        for i in range(2):
            replicas.append(_start(tmp_path / f"r{i}", metadata_url, content_url, s3))
        yield Team(replicas, metadata_url, content_url, s3)
    finally:
        for replica in replicas:
            if replica.proc.poll() is None:
                replica.proc.send_signal(signal.SIGINT)
        for replica in replicas:
            try:
                replica.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                replica.proc.kill()
                replica.proc.wait()


def test_create_on_one_complete_on_the_other_list_on_both(team: Team) -> None:
    a, b = team.replicas
    with a.api() as on_a, b.api() as on_b:
        view = on_a.post("/v1/objects", json={"name": "shared.txt", "content_type": "text"}).json()
        assert httpx.put(view["upload_url"], content=b"shared bytes").status_code == 200
        done = on_b.post(f"/v1/objects/{view['id']}/complete").json()
        assert done["state"] == "READ_ONLY" and done["size_bytes"] == 12
        for api in (on_a, on_b):
            listed = api.get("/v1/objects").json()
            assert [o["id"] for o in listed["objects"]] == [view["id"]]
        url = on_a.get(f"/v1/objects/{view['id']}/download").json()["download_url"]
        assert httpx.get(url).content == b"shared bytes"


def test_concurrent_idempotent_creates_on_both_make_one_object(team: Team) -> None:
    body = {"name": "once", "content_type": "text"}
    ids: list[str] = []
    lock = threading.Lock()

    def send(replica: Replica) -> None:
        with replica.api() as api:
            answer = api.post("/v1/objects", json=body, headers={"x-request-id": "retry-me"})
            answer.raise_for_status()
            with lock:
                ids.append(answer.json()["id"])

    threads = [threading.Thread(target=send, args=(team.replicas[i % 2],)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 12 and len(set(ids)) == 1
    with team.replicas[1].api() as api:
        assert api.get("/v1/objects").json()["total_count"] == 1


def test_kill_9_one_replica_mid_upload_and_the_other_carries_on(team: Team) -> None:
    a, b = team.replicas
    with a.api() as on_a:
        view = on_a.post("/v1/objects", json={"name": "big", "content_type": "binary"}).json()
    started = threading.Event()

    def body() -> Iterator[bytes]:
        for i in range(40):
            if i == 2:
                started.set()
            yield bytes([i]) * 65536
            time.sleep(0.01)

    result: list[int] = []
    uploader = threading.Thread(
        target=lambda: result.append(httpx.put(view["upload_url"], content=body()).status_code)
    )
    uploader.start()
    assert started.wait(10)
    a.proc.send_signal(signal.SIGKILL)  # mid-upload: the bytes go to S3, not to a replica
    a.proc.wait(10)
    uploader.join(30)
    assert result == [200]
    with b.api() as on_b:
        done = on_b.post(f"/v1/objects/{view['id']}/complete").json()
        assert done["state"] == "READ_ONLY" and done["size_bytes"] == 40 * 65536
        second = on_b.post("/v1/objects", json={"name": "after", "content_type": "text"})
        assert second.status_code == 200


def test_ttl_reaping_runs_on_both_replicas(team: Team) -> None:
    now = int(time.time() * 1000)

    async def seed() -> list[str]:
        store = PostgresMetadata(team.metadata_url, pool_max=2)
        await store.open()
        try:
            return await store.insert_objects(
                [
                    NewObject(account_of(KEY), f"old-{i}", "text", now - 5000, size_bytes=0)
                    for i in range(200)
                ]
            )
        finally:
            await store.close()

    ids = asyncio.run(seed())
    # Expire them all at once, while both replicas sweep every 0.2 s.
    import psycopg

    with psycopg.connect(team.metadata_url, autocommit=True) as conn:
        conn.execute("UPDATE objects SET delete_after_time_ms = %s", (now,))
        wait_for(
            lambda: (
                conn.execute("SELECT count(*) FROM objects WHERE state = 'DELETED'").fetchall()[0][
                    0
                ]
                == len(ids)
            )
        )
        wait_for(lambda: conn.execute("SELECT count(*) FROM purges").fetchall()[0][0] == 0)
    assert s3_keys(team.s3, team.content_url) == []


async def test_load_spread_over_both_replicas_has_no_errors(team: Team) -> None:
    statuses: list[int] = []
    async with httpx.AsyncClient(headers=HEADERS, timeout=30) as http:

        async def worker(n: int) -> None:
            for i in range(25):
                replica = team.replicas[(n + i) % 2]
                if i % 5 == 0:
                    answer = await http.post(
                        f"{replica.url}/v1/objects",
                        json={"name": f"w{n}-{i}", "content_type": "text"},
                    )
                else:
                    answer = await http.get(f"{replica.url}/v1/objects", params={"limit": 50})
                statuses.append(answer.status_code)

        await asyncio.gather(*(worker(n) for n in range(16)))
    assert len(statuses) == 400 and set(statuses) == {200}
