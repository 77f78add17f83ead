"""PostgreSQL metadata on a real throwaway cluster: schema, migrations, concurrency."""

from __future__ import annotations

import asyncio
import time

import pytest

from runloop_tui.server.errors import Conflict
from runloop_tui.server.records import CreateRequest, ListQuery, NewObject
from runloop_tui.server.storage.postgres import MIGRATIONS, PostgresMetadata
from runloop_tui.server.storage.sqlite import PURGE_LEASE_MS
from tests.server.engines import PostgresCluster

ACCOUNT = "acct_a"


@pytest.fixture
def pg_url(pg_cluster: PostgresCluster) -> str:
    return pg_cluster.new_database()


async def _opened(url: str, count: int = 1) -> list[PostgresMetadata]:
    stores = [PostgresMetadata(url, pool_max=4) for _ in range(count)]
    await asyncio.gather(*(store.open() for store in stores))
    return stores


async def _close(stores: list[PostgresMetadata]) -> None:
    await asyncio.gather(*(store.close() for store in stores))


def _expired(count: int, now: int) -> list[NewObject]:
    return [
        NewObject(
            account=ACCOUNT,
            name=f"old-{i}",
            content_type="text",
            create_time_ms=now - 10_000,
            size_bytes=1,
            delete_after_time_ms=now - 1_000,
        )
        for i in range(count)
    ]


async def test_replicas_starting_together_migrate_once(
    pg_cluster: PostgresCluster, pg_url: str
) -> None:
    stores = await _opened(pg_url, 4)
    await _close(stores)
    database = pg_url.rsplit("/", 1)[1]
    versions = pg_cluster.sql("SELECT version FROM schema_migrations", database)
    assert versions == [(version,) for version, _ in MIGRATIONS]
    await _close(await _opened(pg_url))  # a restart applies nothing again
    assert pg_cluster.sql("SELECT count(*) FROM schema_migrations", database) == [
        (len(MIGRATIONS),)
    ]
    column = pg_cluster.sql(
        "SELECT data_type FROM information_schema.columns"
        " WHERE table_name = 'objects' AND column_name = 'metadata'",
        database,
    )
    assert column == [("jsonb",)]
    indexes = {
        str(name): str(definition)
        for name, definition in pg_cluster.sql(
            "SELECT indexname, indexdef FROM pg_indexes", database
        )
    }
    assert "USING gin (metadata)" in str(indexes["ix_objects_metadata"])
    assert "WHERE is_public" in str(indexes["ix_objects_public_list"])
    assert "(account, op, request_id)" in str(indexes["requests_pkey"])
    assert "gin_trgm_ops" in indexes["ix_objects_name_trgm"]


async def test_concurrent_creates_with_one_request_id_make_one_object(pg_url: str) -> None:
    stores = await _opened(pg_url, 2)
    try:
        now = int(time.time() * 1000)

        async def create(i: int) -> str:
            record = await stores[i % 2].create(
                CreateRequest(
                    account=ACCOUNT,
                    name="once",
                    content_type="text",
                    metadata={"k": "v"},
                    ttl_ms=None,
                    is_public=False,
                    now_ms=now,
                    request_id="same-request",
                )
            )
            return record.id

        ids = await asyncio.gather(*(create(i) for i in range(16)))
        assert len(set(ids)) == 1
        other = await stores[0].create(
            CreateRequest(
                account="acct_b",
                name="once",
                content_type="text",
                metadata=None,
                ttl_ms=None,
                is_public=False,
                now_ms=now,
                request_id="same-request",
            )
        )
        assert other.id != ids[0]
    finally:
        await _close(stores)


async def test_ttl_reaping_on_two_replicas_does_no_double_work(pg_url: str) -> None:
    stores = await _opened(pg_url, 2)
    try:
        now = int(time.time() * 1000)
        seeded = await stores[0].insert_objects(_expired(300, now))

        async def reap_all(store: PostgresMetadata) -> int:
            total = 0
            while count := await store.reap(now, 20):
                total += count
            return total

        counts = await asyncio.gather(reap_all(stores[0]), reap_all(stores[1]))
        assert sum(counts) == len(seeded)
        states = {(await stores[1].get(None, object_id)).state for object_id in seeded}
        assert states == {"DELETED"}
        claimed = await stores[1].claim_purges(now, 1000)
        assert sorted(claimed) == sorted(seeded)
    finally:
        await _close(stores)


async def test_purge_claims_are_leased_and_retried(pg_url: str) -> None:
    (store,) = await _opened(pg_url)
    try:
        now = int(time.time() * 1000)
        (object_id,) = await store.insert_objects(_expired(1, now))
        assert await store.reap(now, 10) == 1
        assert await store.claim_purges(now, 10) == [object_id]
        # Claimed: nobody else takes it while the lease runs...
        assert await store.claim_purges(now + 1, 10) == []
        # ...and if the claimant never confirms (it died, S3 failed), it comes back.
        assert await store.claim_purges(now + PURGE_LEASE_MS, 10) == [object_id]
        await store.purged([object_id])
        assert await store.claim_purges(now + 10 * PURGE_LEASE_MS, 10) == []
    finally:
        await store.close()


async def test_stale_uploads_are_collected_and_queued(pg_url: str) -> None:
    (store,) = await _opened(pg_url)
    try:
        now = int(time.time() * 1000)
        old, fresh = await store.insert_objects(
            [
                NewObject(ACCOUNT, "old", "text", now - 7_200_000, state="UPLOADING"),
                NewObject(ACCOUNT, "fresh", "text", now - 1_000, state="UPLOADING"),
            ]
        )
        assert await store.collect_stale_uploads(now - 3_600_000, now, 10) == 1
        assert (await store.get(None, old)).state == "DELETED"
        assert (await store.get(None, fresh)).state == "UPLOADING"
        assert await store.claim_purges(now, 10) == [old]
    finally:
        await store.close()


async def test_complete_and_delete_are_conditional_on_state(pg_url: str) -> None:
    (store,) = await _opened(pg_url)
    try:
        now = int(time.time() * 1000)
        record = await store.create(
            CreateRequest(
                account=ACCOUNT,
                name="x",
                content_type="text",
                metadata=None,
                ttl_ms=None,
                is_public=False,
                now_ms=now,
            )
        )
        await store.delete(ACCOUNT, record.id, now, None)
        with pytest.raises(Conflict, match="DELETED"):
            await store.complete(ACCOUNT, record.id, now, None, lambda: 5)
        with pytest.raises(Conflict, match="DELETED"):
            await store.while_uploading(record.id, lambda: None)
    finally:
        await store.close()


async def test_name_filters_match_wildcard_characters_literally(pg_url: str) -> None:
    (store,) = await _opened(pg_url)
    try:
        now = int(time.time() * 1000)
        names = ["a%b", "a_b", "axb", "A\\B", "Ünïcode"]
        await store.insert_objects(
            [NewObject(ACCOUNT, n, "text", now - i) for i, n in enumerate(names)]
        )

        async def matching(*, name: str | None = None, search: str | None = None) -> list[str]:
            query = ListQuery(limit=50, name=name, search=search)
            result = await store.list_objects(ACCOUNT, query, now)
            assert result.total_count == len(result.records)
            return sorted(record.name for record in result.records)

        assert await matching(name="a%b") == ["a%b"]
        assert await matching(name="_") == ["a_b"]
        assert await matching(name="a\\b") == ["A\\B"]
        assert await matching(search="ÜNÏ") == ["Ünïcode"]
        assert await matching(name="b") == sorted(["a%b", "a_b", "axb", "A\\B"])
    finally:
        await store.close()
