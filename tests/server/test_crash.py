"""kill -9 the real server process mid-traffic; the restarted store must be consistent."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import spawn_server

KEY = "rk_test_crash_0123456789"
ROUNDS = 3
WORKERS = 6


@dataclass
class Ledger:
    """What the server acknowledged before it died."""

    completed: dict[str, bytes] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


def start_server(data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    args = ["--data-dir", str(data_dir), "--api-key", KEY]
    proc, base_url, _ = spawn_server(args, stderr=subprocess.DEVNULL)
    return proc, base_url


def traffic(base_url: str, ledger: Ledger, stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=10) as http:
        for _ in range(500):  # bounded even if the kill never comes
            if stop.is_set():
                return
            try:
                view = http.post("/v1/objects", json={"name": "c", "content_type": "binary"})
                view.raise_for_status()
                oid = view.json()["id"]
                content = rng.randbytes(rng.choice((0, 10, 5000, 300_000)))
                httpx.put(view.json()["upload_url"], content=content, timeout=10)
                done = http.post(f"/v1/objects/{oid}/complete")
                if done.status_code == 200:
                    with ledger.lock:
                        ledger.completed[oid] = content
                if rng.random() < 0.3:
                    gone = http.post(f"/v1/objects/{oid}/delete")
                    if gone.status_code == 200:
                        with ledger.lock:
                            ledger.deleted.add(oid)
            except httpx.TransportError:
                return  # the server was killed


def slow_uploads(base_url: str, stop: threading.Event) -> None:
    """Keeps an upload in flight, so a kill always leaves a temp file behind."""
    headers = {"Authorization": f"Bearer {KEY}"}

    def body() -> Iterator[bytes]:
        for _ in range(200):
            if stop.is_set():
                return
            yield b"s" * 65536
            time.sleep(0.01)

    with httpx.Client(base_url=base_url, headers=headers, timeout=10) as http:
        for _ in range(20):
            if stop.is_set():
                return
            try:
                view = http.post("/v1/objects", json={"name": "slow", "content_type": "binary"})
                httpx.put(view.json()["upload_url"], content=body(), timeout=10)
            except httpx.TransportError:
                return


def check_store(data_dir: Path, base_url: str, ledger: Ledger) -> None:
    assert list((data_dir / "tmp").iterdir()) == []
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as http:
        for oid, content in ledger.completed.items():
            view = http.get(f"/v1/objects/{oid}").json()
            if oid in ledger.deleted:
                assert view["state"] == "DELETED", view
                continue
            # Only a later (unacknowledged) delete may have changed it.
            assert view["state"] in ("READ_ONLY", "DELETED"), view
            assert view["size_bytes"] == len(content)
        for oid in ledger.deleted:
            assert http.get(f"/v1/objects/{oid}").json()["state"] == "DELETED"
        read_only = []
        cursor = None
        for _ in range(100):
            params: dict[str, str | int] = {"state": "READ_ONLY", "limit": 500}
            if cursor:
                params["starting_after"] = cursor
            page = http.get("/v1/objects", params=params).json()
            read_only += page["objects"]
            if not page["has_more"]:
                break
            cursor = page["objects"][-1]["id"]
        for view in read_only:
            blob = data_dir / "blobs" / view["id"]
            size = blob.stat().st_size if blob.exists() else 0
            assert size == view["size_bytes"], view
            url = http.get(f"/v1/objects/{view['id']}/download").json()["download_url"]
            body = httpx.get(url).content
            assert len(body) == view["size_bytes"]
            if view["id"] in ledger.completed:
                assert (
                    hashlib.sha256(body).digest()
                    == hashlib.sha256(ledger.completed[view["id"]]).digest()
                )
        live = {v["id"] for v in read_only}
        uploading = http.get("/v1/objects", params={"state": "UPLOADING", "limit": 5000}).json()
        live |= {v["id"] for v in uploading["objects"]}
        assert {p.name for p in (data_dir / "blobs").iterdir()} <= live


@pytest.mark.slow
def test_kill_9_at_random_moments_leaves_a_consistent_store(tmp_path: Path) -> None:
    data_dir = tmp_path / "store"
    ledger = Ledger()
    rng = random.Random(os.getpid())
    leftovers = 0
    for round_number in range(ROUNDS):
        proc, base_url = start_server(data_dir)
        try:
            if round_number:
                check_store(data_dir, base_url, ledger)
            stop = threading.Event()
            threads = [
                threading.Thread(target=traffic, args=(base_url, ledger, stop, rng.random()))
                for _ in range(WORKERS)
            ]
            threads.append(threading.Thread(target=slow_uploads, args=(base_url, stop)))
            for thread in threads:
                thread.start()
            # Let traffic get going (bounded), then kill at a random moment.
            before = len(ledger.completed)
            deadline = time.monotonic() + 30
            while len(ledger.completed) < before + 3 and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.6))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
            stop.set()
            leftovers += len(list((data_dir / "tmp").iterdir()))
            for thread in threads:
                thread.join(30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    proc, base_url = start_server(data_dir)
    try:
        check_store(data_dir, base_url, ledger)
        assert ledger.completed, "no traffic was acknowledged at all"
        assert leftovers, "no kill interrupted an upload: the test exercised nothing"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == 0
