"""Demo and bulk seeding: realistic, consistent, deterministic, served by the real server."""

from __future__ import annotations

import io
import sqlite3
import tarfile
import time
import zlib
from pathlib import Path

import httpx

from runloop_tui.server.demo import seed_bulk, seed_demo
from runloop_tui.server.embedded import EmbeddedServer
from tests.conftest import API_KEY
from tests.server.conftest import client_for, download_url, validate

NOW = 1_795_000_000_000


def _rows(data_dir: Path) -> list[tuple[str, str, str, str, int | None, int, int | None, int]]:
    with sqlite3.connect(data_dir / "objects.db") as db:
        return db.execute(
            "SELECT id, name, state, content_type, size_bytes, create_time_ms,"
            " delete_after_time_ms, is_public FROM objects"
        ).fetchall()


def test_seed_demo_is_realistic_and_consistent(data_dir: Path) -> None:
    seed_demo(data_dir, API_KEY, now_ms=NOW)
    rows = _rows(data_dir)
    assert len(rows) == 240
    states = [r[2] for r in rows]
    assert states.count("READ_ONLY") > 180
    for state in ("UPLOADING", "ERROR", "DELETED"):
        assert 2 <= states.count(state) <= 20, state
    assert {r[3] for r in rows} == {"unspecified", "text", "binary", "gzip", "tar", "tgz"}
    assert sum(1 for r in rows if r[6] is not None and r[6] <= NOW) >= 2  # expired
    assert sum(1 for r in rows if r[6] is not None and NOW < r[6] <= NOW + 3_600_000) >= 1
    assert sum(r[7] for r in rows) >= 2  # public
    assert max(r[4] or 0 for r in rows) > 2 * 1024**3
    span_days = (NOW - min(r[5] for r in rows)) / 86_400_000
    assert 45 <= span_days <= 61
    stale = [r for r in rows if r[2] == "UPLOADING"]
    assert all(NOW - r[5] >= 3_600_000 for r in stale)
    blobs = data_dir / "blobs"
    on_disk = 0
    for oid, name, state, ctype, size, *_ in rows:
        path = blobs / oid
        if state != "READ_ONLY":
            assert not path.exists(), name
            continue
        assert (path.stat().st_size if path.exists() else 0) == size, name
        if path.exists():
            on_disk += path.stat().st_blocks * 512
            head = path.open("rb").read(1 << 20)
            if ctype in ("gzip", "tgz"):
                # A real gzip stream, then (for big sizes) sparse zero padding, which
                # gzip tools skip; decode just the stream at the head.
                inner = zlib.decompressobj(wbits=31).decompress(head)
                assert inner
                if ctype == "tgz":
                    with tarfile.open(fileobj=io.BytesIO(inner)) as tar:
                        assert tar.getnames()
            elif ctype == "tar":
                with tarfile.open(path) as tar:
                    assert tar.getnames()
            elif ctype == "text":
                head.decode("utf-8")
    assert on_disk < 50 * 1024**2  # multi-GB objects are sparse


def test_seed_demo_is_deterministic_and_rerunnable(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    seed_demo(first, API_KEY, now_ms=NOW, count=60)
    seed_demo(second, API_KEY, now_ms=NOW, count=60)
    assert sorted(_rows(first)) == sorted(_rows(second))
    seed_demo(first, API_KEY, now_ms=NOW, count=60)
    assert len(_rows(first)) == 60


def test_demo_store_is_served(data_dir: Path) -> None:
    seed_demo(data_dir, API_KEY, count=120)
    with EmbeddedServer(data_dir, [API_KEY]) as server, client_for(server, API_KEY) as api:
        body = api.get("/v1/objects", params={"limit": 5000}).json()
        validate("ObjectListView", body)
        assert body["objects"] and "DELETED" not in {o["state"] for o in body["objects"]}
        times = [o["create_time_ms"] for o in body["objects"]]
        assert times == sorted(times, reverse=True)
        assert api.get("/v1/objects/list_public").json()["objects"]
        keys = api.get("/v1/objects/metadata/keys").json()["keys"]
        assert "env" in keys
        text = next(
            o for o in body["objects"] if o["content_type"] == "text" and o["state"] == "READ_ONLY"
        )
        content = httpx.get(download_url(api, text["id"])).content
        assert len(content) == text["size_bytes"]


def test_seed_demo_while_the_server_runs(server: EmbeddedServer) -> None:
    seed_demo(server.data_dir, API_KEY, count=30)
    headers = {"Authorization": f"Bearer {API_KEY}"}
    body = httpx.get(f"{server.base_url}/v1/objects?state=READ_ONLY", headers=headers).json()
    assert body["total_count"] > 10


def test_seed_bulk_fast_path(data_dir: Path) -> None:
    now = int(time.time() * 1000)
    ids = seed_bulk(data_dir, API_KEY, 2_000, now_ms=now)
    assert len(ids) == len(set(ids)) == 2_000
    with EmbeddedServer(data_dir, [API_KEY]) as server, client_for(server, API_KEY) as api:
        first = api.get("/v1/objects", params={"limit": 100}).json()
        assert [o["id"] for o in first["objects"]] == ids[:100]
        assert first["total_count"] == 2_000 and first["has_more"]
        named = api.get("/v1/objects", params={"name": "object-0001999"}).json()
        assert [o["id"] for o in named["objects"]] == [ids[1999]]
        assert httpx.get(download_url(api, ids[0])).content == b""
