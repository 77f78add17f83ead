"""The list-page cache's parts without a database: the byte-capped LRU, the generation
reader's promise (a caller is answered by a read that began after it asked), and when a page
is served, checked or read again."""

from __future__ import annotations

import asyncio

import pytest

from runloop_tui.server.records import ListQuery
from runloop_tui.server.storage.pagecache import (
    ENTRY_OVERHEAD,
    UNTOUCHED,
    CachedPage,
    GenerationReader,
    ListCache,
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


class _Database:
    """A stand-in for PostgreSQL's side of one scope: its generation and a page per read."""

    def __init__(self) -> None:
        self.generation = 1
        self.valid_until: int | None = None
        self.page_reads = 0
        self.generation_reads = 0
        self.down = False

    async def read_generations(self, scopes: list[str]) -> dict[str, int]:
        self.generation_reads += 1
        if self.down:
            raise ConnectionError("the database went away")
        return dict.fromkeys(scopes, self.generation)

    async def read_page(self) -> tuple[bytes, tuple[int, int | None] | None]:
        self.page_reads += 1
        return f"page@{self.generation}".encode(), (self.generation, self.valid_until)


def _list_cache(db: _Database) -> ListCache:
    return ListCache(1 << 20, db.read_generations, unavailable=ConnectionError)


async def test_a_hit_needs_an_unchanged_generation_and_a_write_is_read_at_once() -> None:
    db, query = _Database(), ListQuery()
    cache = _list_cache(db)
    assert await cache.page("acct", query, 0, db.read_page) == b"page@1"
    assert await cache.page("acct", query, 0, db.read_page) == b"page@1"
    assert (db.page_reads, db.generation_reads, cache.pages.hits) == (1, 1, 1)
    db.generation = 2  # another replica wrote
    assert await cache.page("acct", query, 0, db.read_page) == b"page@2"
    # The check found a write: the next list reads at once (no check) ...
    db.generation = 3
    assert await cache.page("acct", query, 0, db.read_page) == b"page@3"
    assert (db.page_reads, db.generation_reads) == (3, 2)
    # ... and once a read finds the account quiet, lists are checked and served again.
    assert await cache.page("acct", query, 0, db.read_page) == b"page@3"
    assert await cache.page("acct", query, 0, db.read_page) == b"page@3"
    assert (db.page_reads, db.generation_reads, cache.pages.hits) == (4, 3, 2)


async def test_a_page_is_read_again_once_a_ttl_in_its_scope_passes() -> None:
    db, query = _Database(), ListQuery()
    db.valid_until = 1_000
    cache = _list_cache(db)
    await cache.page("acct", query, 500, db.read_page)
    await cache.page("acct", query, 999, db.read_page)
    assert db.page_reads == 1
    db.valid_until = None
    await cache.page("acct", query, 1_000, db.read_page)
    assert db.page_reads == 2


async def test_pages_without_a_tag_are_not_kept_and_an_unreachable_database_empties_it() -> None:
    db, query = _Database(), ListQuery()
    cache = _list_cache(db)

    async def untagged() -> tuple[bytes, tuple[int, int | None] | None]:
        return b"empty", None

    await cache.page("acct", query, 0, untagged)
    assert len(cache.pages) == 0
    await cache.page("acct", query, 0, db.read_page)
    await cache.page("other", query, 0, db.read_page)
    db.down = True
    # The check fails: nothing cached is trusted any more, and the page is read (here the
    # stand-in still answers pages; a real outage fails that read too).
    assert await cache.page("acct", query, 0, db.read_page) == b"page@1"
    assert cache.pages.get(("other", query)) is None


async def test_a_reset_forgets_every_page() -> None:
    db, query = _Database(), ListQuery()
    cache = _list_cache(db)
    await cache.page("acct", query, 0, db.read_page)
    cache.reset()  # the store was closed
    assert len(cache.pages) == 0
    assert await cache.page("acct", query, 0, db.read_page) == b"page@1"
    assert db.page_reads == 2
