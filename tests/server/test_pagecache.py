"""The list-page cache's parts without a database: the byte-capped LRU, and the generation
reader's promise (a caller is answered by a read that began after it asked)."""

from __future__ import annotations

import asyncio

import pytest

from runloop_tui.server.records import ListQuery
from runloop_tui.server.storage.pagecache import (
    ENTRY_OVERHEAD,
    UNTOUCHED,
    CachedPage,
    GenerationReader,
    PageCache,
)


def _page(size: int, generation: int = 1, until: int | None = None) -> CachedPage:
    return CachedPage(generation, until, b"x" * size)


def test_the_cache_keeps_under_its_byte_cap_dropping_the_least_recently_used() -> None:
    cache = PageCache(max_bytes=3 * (100 + ENTRY_OVERHEAD))
    for key in "abc":
        cache.put(key, _page(100))
    assert cache.get("a") is not None  # now the most recently used
    cache.put("d", _page(100))
    assert cache.get("b") is None and len(cache) == 3
    assert {k for k in "acd" if cache.get(k)} == {"a", "c", "d"}
    assert cache.size_bytes == 3 * (100 + ENTRY_OVERHEAD)
    cache.put("huge", _page(10_000))  # larger than the whole cache: not kept, nothing lost
    assert cache.get("huge") is None and len(cache) == 3
    cache.put("a", _page(10))  # replacing a page accounts for the old one
    assert cache.size_bytes == 2 * (100 + ENTRY_OVERHEAD) + 10 + ENTRY_OVERHEAD
    cache.put("a", _page(10), key_bytes=90)  # a long filter in the key counts too
    assert cache.size_bytes == 3 * (100 + ENTRY_OVERHEAD)
    cache.put("e", _page(1), key_bytes=99)
    assert cache.get("c") is None and len(cache) == 3  # the oldest made room
    cache.clear()
    assert len(cache) == 0 and cache.size_bytes == 0


def test_keys_tell_accounts_and_every_query_parameter_apart() -> None:
    cache = PageCache()
    queries = [
        ListQuery(),
        ListQuery(include_total_count=False),
        ListQuery(limit=21),
        ListQuery(starting_after="obj_0000000000000000000000"),
        ListQuery(name="a"),
        ListQuery(search="a"),
        ListQuery(content_type="text"),
        ListQuery(state="DELETED"),
    ]
    keys = [(account, q) for account in ("acct_a", "acct_b", None) for q in queries]
    for n, key in enumerate(keys):
        cache.put(key, _page(n + 1))
    assert [len(page.body) for key in keys if (page := cache.get(key))] == list(
        range(1, len(keys) + 1)
    )


def test_a_page_is_fresh_only_at_its_generation_and_before_its_next_ttl() -> None:
    page = _page(1, generation=7, until=1_000)
    assert page.fresh(7, 999)
    assert not page.fresh(7, 1_000)  # the object expires at 1000: the page is no longer true
    assert not page.fresh(8, 10)
    assert _page(1, generation=7).fresh(7, 10**15)


async def test_a_caller_who_asks_during_a_read_waits_for_the_next_read() -> None:
    reads: list[list[str]] = []
    release = asyncio.Event()

    async def read(scopes: list[str]) -> dict[str, int]:
        reads.append(sorted(scopes))
        number = len(reads)
        if number == 1:
            await release.wait()
        return {scope: number for scope in scopes if scope != "never-written"}

    reader = GenerationReader(read)
    first = asyncio.create_task(reader.generation("a"))
    also_first = asyncio.create_task(reader.generation("b"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert reads == [["a", "b"]]  # both asked before the read began: one read for both
    late = [asyncio.create_task(reader.generation(s)) for s in ("a", "a", "never-written")]
    await asyncio.sleep(0)
    assert len(reads) == 1  # the late ones do not join the read in flight
    release.set()
    assert await first == 1 and await also_first == 1
    assert [await task for task in late] == [2, 2, UNTOUCHED]
    assert reads == [["a", "b"], ["a", "never-written"]]


async def test_a_failed_read_fails_its_callers_and_the_next_read_is_tried_afresh() -> None:
    calls = 0

    async def read(scopes: list[str]) -> dict[str, int]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("the database went away")
        return dict.fromkeys(scopes, 5)

    reader = GenerationReader(read)
    with pytest.raises(ConnectionError):
        await reader.generation("a")
    assert await reader.generation("a") == 5


async def test_a_caller_that_gives_up_does_not_cancel_the_others() -> None:
    release = asyncio.Event()

    async def read(scopes: list[str]) -> dict[str, int]:
        await release.wait()
        return dict.fromkeys(scopes, 3)

    reader = GenerationReader(read)
    quitter = asyncio.create_task(reader.generation("a"))
    stayer = asyncio.create_task(reader.generation("a"))
    await asyncio.sleep(0)
    quitter.cancel()
    release.set()
    assert await stayer == 3
    with pytest.raises(asyncio.CancelledError):
        await quitter
