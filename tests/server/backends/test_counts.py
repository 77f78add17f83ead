"""total_count comes from counters kept by triggers (storage/listing.py): it must equal what
paging through the list finds, on both metadata engines, through every kind of state change:
creates, completes, deletes, TTLs not yet reaped, reaping, stale-upload collection, and
concurrent writers (which must not deadlock on the counter rows)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from runloop_tui.server.records import (
    DELETED,
    ERROR,
    READ_ONLY,
    UPLOADING,
    CreateRequest,
    ListQuery,
    NewObject,
    page_json,
)
from runloop_tui.server.storage.base import MetadataStore
from runloop_tui.server.storage.postgres import PostgresMetadata
from runloop_tui.server.storage.sqlite import SqliteMetadata
from tests.server.engines import PostgresCluster

ACCOUNTS = ("acct_a", "acct_b")
STATES = (None, UPLOADING, READ_ONLY, DELETED, ERROR)


@pytest.fixture(params=["sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MetadataStore]:
    opened: MetadataStore
    if request.param == "postgres":
        cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
        opened = PostgresMetadata(cluster.new_database(), pool_max=8)
    else:
        opened = SqliteMetadata(tmp_path, queue_purges=True)
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()


async def _insert(store: MetadataStore, objects: list[NewObject]) -> None:
    if isinstance(store, SqliteMetadata):
        store.store.insert_objects(objects)
    else:
        assert isinstance(store, PostgresMetadata)
        await store.insert_objects(objects)


def _seed(now: int) -> list[NewObject]:
    """Every state, both visibilities, some TTLs already past (not yet reaped)."""
    objects = []
    for i in range(240):
        objects.append(
            NewObject(
                account=ACCOUNTS[i % 2],
                name=f"seed-{i:03}",
                content_type="text",
                create_time_ms=now - 100_000 + i,
                state=(READ_ONLY, UPLOADING, DELETED, ERROR)[i % 4],
                size_bytes=1,
                delete_after_time_ms=now - 5 if i % 7 == 0 else (now + 60_000 if i % 5 else None),
                is_public=i % 3 == 0,
            )
        )
    return objects


async def _paged(store: MetadataStore, account: str | None, state: str | None, now: int) -> int:
    """The objects found by paging with include_total_count=false, as a client does."""
    found, after = 0, None
    while True:
        query = ListQuery(limit=17, starting_after=after, state=state, include_total_count=False)
        page = await store.list_objects(account, query, now)
        assert page.total_count is None
        found += len(page.records)
        if not page.has_more:
            return found
        after = page.records[-1].id


async def _check_totals(store: MetadataStore, now: int) -> None:
    for account in (*ACCOUNTS, None):
        for state in STATES:
            for limit in (0, 5, 1000):
                query = ListQuery(limit=limit, state=state)
                page = await store.list_objects(account, query, now)
                expected = await _paged(store, account, state, now)
                assert page.total_count == expected, (account, state, limit)
                # The response body the API sends is the same page, however it is built.
                body = json.loads(await store.list_page(account, query, now))
                assert body == json.loads(
                    page_json(page.records, page.has_more, page.total_count, now)
                )


async def test_totals_match_the_pages_through_every_change(store: MetadataStore) -> None:
    now = int(time.time() * 1000)
    await _insert(store, _seed(now))
    await _check_totals(store, now)
    made = [
        await store.create(
            CreateRequest(
                account=ACCOUNTS[i % 2],
                name=f"new-{i}",
                content_type="text",
                metadata=None,
                ttl_ms=None,
                is_public=i % 2 == 0,
                now_ms=now,
            )
        )
        for i in range(6)
    ]
    await store.complete(ACCOUNTS[0], made[0].id, now, None, lambda: 3)
    await store.delete(ACCOUNTS[1], made[1].id, now, None)
    await store.delete(ACCOUNTS[1], made[1].id, now, None)  # deleting again changes nothing
    await _check_totals(store, now)
    # An hour on: every TTL has passed; counted as DELETED before and after the reaper runs.
    later = now + 3_600_000
    await _check_totals(store, later)
    assert await store.reap(later, 1000) > 0
    assert await store.collect_stale_uploads(later, later, 1000) > 0
    await _check_totals(store, later)


async def test_a_filtered_total_counts_the_matching_rows(store: MetadataStore) -> None:
    now = int(time.time() * 1000)
    await _insert(store, _seed(now))
    page = await store.list_objects(ACCOUNTS[0], ListQuery(limit=1, name="SEED-00"), now)
    names = [f"seed-{i:03}" for i in range(0, 10, 2)]  # acct_a's of seed-000..009
    live = [o for o in _seed(now) if o.name in names and o.state != DELETED]
    assert page.total_count == sum(
        1 for o in live if o.delete_after_time_ms is None or o.delete_after_time_ms > now
    )


async def test_concurrent_writers_keep_the_totals_exact(store: MetadataStore) -> None:
    now = int(time.time() * 1000)
    await _insert(store, _seed(now))

    async def churn(n: int) -> None:
        for i in range(15):
            made = await store.create(
                CreateRequest(
                    account=ACCOUNTS[0],
                    name=f"c-{n}-{i}",
                    content_type="text",
                    metadata=None,
                    ttl_ms=1 if i % 3 == 0 else None,
                    is_public=False,
                    now_ms=now,
                )
            )
            if i % 2 and i % 3:  # the sweeps may already have reaped the TTL'd ones
                await store.complete(ACCOUNTS[0], made.id, now, None, lambda: 1)
            if i % 4 == 1 or i % 4 == 0:
                await store.delete(ACCOUNTS[0], made.id, now, None)

    async def sweep() -> None:
        for _ in range(10):
            await store.reap(now + 10, 7)
            await asyncio.sleep(0)

    await asyncio.gather(*(churn(n) for n in range(6)), sweep(), sweep())
    await _check_totals(store, now + 10)
