"""Each replica's list-page cache on PostgreSQL (storage/pagecache.py), on a real cluster:
never stale after a write's response on another replica, gone when a TTL passes, separate
per account and per query, and still right after PostgreSQL restarts."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.server.storage.pagecache import PageCache
from runloop_tui.server.storage.postgres import PostgresMetadata
from runloop_tui.server.storage.select import StorageConfig
from tests.conftest import API_KEY, OTHER_API_KEY
from tests.server.conftest import client_for, create, expect_error
from tests.server.engines import PostgresCluster, postgres_cluster, wait_for

LIST = {"limit": "5"}


def _storage(tmp_path: Path, metadata_url: str, *, cache: bool = True) -> StorageConfig:
    key_file = tmp_path / "signing.key"
    if not key_file.exists():
        key_file.write_text("0123456789abcdef" * 4)
    return StorageConfig(
        metadata_url=metadata_url,
        content_url=str(tmp_path / "content"),
        signing_key_file=key_file,
        list_cache_bytes=PageCache().max_bytes if cache else 0,
    )


def _cache(server: EmbeddedServer) -> PageCache:
    store = server.metadata
    assert isinstance(store, PostgresMetadata) and store.list_cache is not None
    return store.list_cache.pages


@contextlib.contextmanager
def _replicas(
    tmp_path: Path, metadata_url: str, names: str, *, sweep_s: float = 3600.0
) -> Iterator[list[EmbeddedServer]]:
    """Replicas on one database (the last without a cache when named "plain"). The sweeps
    are off unless asked for: a TTL must leave lists without the reaper's write."""
    with ExitStack() as stack:
        yield [
            stack.enter_context(
                EmbeddedServer(
                    tmp_path / name,
                    [API_KEY, OTHER_API_KEY],
                    storage=_storage(tmp_path, metadata_url, cache=name != "plain"),
                    reaper_interval_s=sweep_s,
                )
            )
            for name in names.split(",")
        ]


@pytest.fixture
def two(pg_cluster: PostgresCluster, tmp_path: Path) -> Iterator[list[EmbeddedServer]]:
    with _replicas(tmp_path, pg_cluster.new_database(), "a,b,plain") as replicas:
        yield replicas


def _ids(page: dict[str, Any]) -> list[str]:
    return [o["id"] for o in page["objects"]]


def test_a_write_answered_on_one_replica_is_listed_by_the_other_at_once(
    two: list[EmbeddedServer],
) -> None:
    a, b, _ = two
    stop = threading.Event()
    failures: list[str] = []

    def keep_listing() -> None:  # B's cache stays warm and its generation reads busy
        with client_for(b, API_KEY) as api:
            while not stop.is_set():
                if (status := api.get("/v1/objects", params=LIST).status_code) != 200:
                    failures.append(str(status))

    background = [threading.Thread(target=keep_listing) for _ in range(3)]
    for thread in background:
        thread.start()
    try:
        with client_for(a, API_KEY) as on_a, client_for(b, API_KEY) as on_b:
            total = 0
            for i in range(40):
                for _ in range(2):  # B's page quiet again: the next list goes through a check
                    on_b.get("/v1/objects", params=LIST)
                view = create(on_a, f"n{i}.txt")
                total += 1
                page = on_b.get("/v1/objects", params=LIST).json()
                assert _ids(page)[0] == view["id"] and page["total_count"] == total, i
                done = on_a.post(f"/v1/objects/{view['id']}/delete")
                assert done.status_code == 200
                total -= 1
                page = on_b.get("/v1/objects", params=LIST).json()
                assert view["id"] not in _ids(page) and page["total_count"] == total, i
                if i % 2:
                    keep = create(on_a, f"kept{i}.txt")
                    total += 1
                    assert _ids(on_b.get("/v1/objects", params=LIST).json())[0] == keep["id"]
    finally:
        stop.set()
        for thread in background:
            thread.join()
    assert failures == []
    assert _cache(b).hits > 0  # the cache was in use, not bypassed
    # Writes over, B reads each page once more to see its account quiet, then serves hits.
    hits = _cache(b).hits
    with client_for(b, API_KEY) as on_b:
        pages = [on_b.get("/v1/objects", params=LIST).content for _ in range(3)]
    assert pages[0] == pages[1] == pages[2] and _cache(b).hits > hits


def test_a_cached_page_says_what_an_uncached_replica_says_for_every_query(
    two: list[EmbeddedServer],
) -> None:
    a, b, plain = two
    with client_for(a, API_KEY) as on_a:
        views = [
            create(on_a, f"{kind}-{i}.txt", content_type=kind)
            for i in range(4)
            for kind in ("text", "binary")
        ]
        on_a.post(f"/v1/objects/{views[0]['id']}/delete")
        create(on_a, "shared.txt", is_public=True)
    queries: list[dict[str, str]] = [
        {},
        {"include_total_count": "false"},
        {"limit": "3"},
        {"limit": "3", "starting_after": views[5]["id"]},
        {"limit": "0"},
        {"name": "text-"},
        {"search": "binary"},
        {"content_type": "binary"},
        {"state": "DELETED"},
        {"state": "UPLOADING", "limit": "2"},
    ]
    with (
        client_for(b, API_KEY) as on_b,
        client_for(plain, API_KEY) as on_plain,
        client_for(b, OTHER_API_KEY) as other_on_b,
    ):
        for _ in range(3):  # the second and third rounds come from the cache
            for params in queries:
                got = on_b.get("/v1/objects", params=params)
                assert got.content == on_plain.get("/v1/objects", params=params).content, params
                # The other account, same query: its own (empty) list, never this one's.
                theirs = other_on_b.get("/v1/objects", params=params)
                if "starting_after" in params:  # not its object: an error, not our page
                    expect_error(theirs, 400, "starting_after")
                else:
                    assert _ids(theirs.json()) == []
            public = other_on_b.get("/v1/objects/list_public").json()
            assert [o["name"] for o in public["objects"]] == ["shared.txt"]
        # A cursor that names nothing is an error every time, never a cached page.
        missing = {"starting_after": "obj_0000000000000000000000"}
        for _ in range(2):
            expect_error(on_b.get("/v1/objects", params=missing), 400, "starting_after")
    assert _cache(b).hits >= 2 * len(queries)


def test_public_lists_see_a_public_object_made_on_the_other_replica(
    two: list[EmbeddedServer],
) -> None:
    a, b, _ = two
    with client_for(a, API_KEY) as on_a, client_for(b, OTHER_API_KEY) as on_b:
        for i in range(5):
            assert on_b.get("/v1/objects/list_public").status_code == 200
            view = create(on_a, f"pub{i}", is_public=True)
            assert _ids(on_b.get("/v1/objects/list_public").json())[0] == view["id"]
            on_a.post(f"/v1/objects/{view['id']}/delete")
            assert view["id"] not in _ids(on_b.get("/v1/objects/list_public").json())


def test_an_object_leaves_cached_lists_when_its_ttl_passes_with_no_write(
    two: list[EmbeddedServer],
) -> None:
    a, b, _ = two
    with client_for(a, API_KEY) as on_a, client_for(b, API_KEY) as on_b:
        short = create(on_a, "short-lived.txt", ttl_ms=6000)  # room for a loaded machine
        later = [create(on_a, f"later{i}.txt")["id"] for i in range(2)]
        expires = short["delete_after_time_ms"]
        one = {"limit": "1"}  # the expiring object is not on this page, but in its total
        hits = _cache(b).hits
        while time.time() * 1000 < expires - 300:
            assert on_b.get("/v1/objects", params=one).json()["total_count"] == 3
            assert _ids(on_b.get("/v1/objects").json()) == [*reversed(later), short["id"]]
        assert _cache(b).hits > hits  # served from the cache before the TTL
        while time.time() * 1000 <= expires:
            time.sleep(0.05)
        assert on_b.get("/v1/objects", params=one).json()["total_count"] == 2
        assert _ids(on_b.get("/v1/objects").json()) == list(reversed(later))
        gone = on_b.get("/v1/objects", params={"state": "DELETED"}).json()
        assert _ids(gone) == [short["id"]] and gone["objects"][0]["state"] == "DELETED"


def test_lists_stay_right_across_a_postgresql_restart(tmp_path: Path) -> None:
    with postgres_cluster() as cluster:
        url = cluster.new_database()
        with (
            _replicas(tmp_path, url, "a,b") as (a, b),
            client_for(a, API_KEY) as on_a,
            client_for(b, API_KEY) as on_b,
        ):
            first = create(on_a, "before.txt")
            for _ in range(2):
                assert _ids(on_b.get("/v1/objects").json()) == [first["id"]]
            assert _cache(b).hits >= 1
            cluster.restart()
            made: list[str] = []

            def write() -> bool:
                try:
                    answer = on_a.post(
                        "/v1/objects", json={"name": "after", "content_type": "text"}
                    )
                except httpx.TransportError:
                    return False
                if answer.status_code == 200:
                    made.append(answer.json()["id"])
                return bool(made)

            wait_for(write, timeout=30)
            seen: list[list[str]] = []

            def listed() -> bool:
                answer = on_b.get("/v1/objects")
                if answer.status_code == 200:
                    seen.append(_ids(answer.json()))
                return bool(seen)

            wait_for(listed, timeout=30)  # a connection cut by the restart may fail once
            assert seen[0] == [made[0], first["id"]]


def test_generations_only_grow_even_when_a_backup_brings_an_old_one_back(
    pg_cluster: PostgresCluster,
) -> None:
    url = pg_cluster.new_database()
    with _replicas(Path(pg_cluster.root), url, "migrate"):
        pass  # the schema, from a replica's start-up
    insert = (
        "INSERT INTO objects (id, account, name, name_fold, state, content_type,"
        " create_time_ms) VALUES (%s, 'acct', 'n', 'n', 'UPLOADING', 'text', 1)"
    )
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(insert, ("obj_1",))
        (before,) = db.execute("SELECT gen FROM list_generations WHERE scope = 'acct'").fetchall()
        db.execute("UPDATE list_generations SET gen = 1")  # as if restored from an old dump
        db.execute(insert, ("obj_2",))
        (after,) = db.execute("SELECT gen FROM list_generations WHERE scope = 'acct'").fetchall()
        db.execute("UPDATE objects SET state = 'DELETED' WHERE id = 'obj_2'")
        (third,) = db.execute("SELECT gen FROM list_generations WHERE scope = 'acct'").fetchall()
    assert before[0] < after[0] < third[0]
