"""A per-replica cache of list pages (PostgreSQL), never stale after a write's response.

Every change to ``objects`` bumps its scope's generation (the account's, and the public
scope's for a public object) in ``list_generations``, in the same transaction, through the
statement-level triggers that keep the counters. A cached page remembers the generation it
was read with (read in the page's own statement, so from the same snapshot) and the earliest
TTL in its scope still to come. A hit is served only if

* its scope's generation, read by a statement *sent after the request arrived*, is unchanged:
  a write whose response was sent before the request arrived committed before that statement
  began, on whichever replica it ran, so its bump is seen; and
* no object of its scope has passed its TTL since (TTLs change lists without any write).

The generation reads are batched: every request that arrives while one read is in flight
waits for the next, which serves them all in one round trip. Under load a page costs
PostgreSQL a fraction of a primary-key lookup instead of a list query. While an account is
being written to, its pages are read without the check (``churning``), so a list then
costs what it costs without a cache.

Generations are taken from PostgreSQL's clock (and always grow), so a database restored from
a backup cannot hand a cached page's generation out again for different contents.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

from runloop_tui.server.records import ListQuery

# Bytes a cached page costs beside its body (key, entry, dict slot), roughly.
ENTRY_OVERHEAD = 400
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024
# The generation of a scope no write has touched since list_generations was created.
UNTOUCHED = 0
PUBLIC_SCOPE = ""  # accounts are sha256 hex digests, never empty

ReadGenerations = Callable[[list[str]], Awaitable[dict[str, int]]]
# A page read from the database: its body, and the generation and next TTL read with it
# (None: not to be kept, e.g. an empty page, which carries neither).
ReadPage = Callable[[], Awaitable[tuple[bytes, tuple[int, int | None] | None]]]


def scope_of(account: str | None) -> str:
    return PUBLIC_SCOPE if account is None else account


@dataclass(frozen=True, slots=True)
class CachedPage:
    generation: int
    valid_until_ms: int | None  # the scope's next TTL (exclusive); None: no TTL pending
    body: bytes
    # The check before this page was read found a write: its scope is being written to.
    churning: bool = False

    def fresh(self, generation: int, now_ms: int) -> bool:
        if generation != self.generation:
            return False
        return self.valid_until_ms is None or now_ms < self.valid_until_ms


class PageCache:
    """Least recently used pages under a byte cap. Keys carry the scope and the whole query."""

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._pages: OrderedDict[Hashable, tuple[CachedPage, int]] = OrderedDict()  # and cost
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: Hashable) -> CachedPage | None:
        kept = self._pages.get(key)
        if kept is None:
            return None
        self._pages.move_to_end(key)
        return kept[0]

    def put(self, key: Hashable, page: CachedPage, key_bytes: int = 0) -> None:
        """Keep ``page``; ``key_bytes``: what the key holds beyond its fixed size (its text)."""
        cost = len(page.body) + key_bytes + ENTRY_OVERHEAD
        self.discard(key)
        if cost > self.max_bytes:
            return
        self._pages[key] = (page, cost)
        self._bytes += cost
        while self._bytes > self.max_bytes:
            _, (_, old_cost) = self._pages.popitem(last=False)
            self._bytes -= old_cost

    def discard(self, key: Hashable) -> None:
        old = self._pages.pop(key, None)
        if old is not None:
            self._bytes -= old[1]

    def clear(self) -> None:
        self._pages.clear()
        self._bytes = 0


def _retrieved(future: asyncio.Future[int]) -> None:
    if not future.cancelled():
        future.exception()


class GenerationReader:
    """Scope generations, each read by a statement sent after its caller asked.

    Callers that ask while a read is in flight join the next one; one read answers every
    scope asked for by then. A failed read fails its callers (and the next read retries).
    """

    def __init__(self, read: ReadGenerations) -> None:
        self._read = read
        self._waiting: dict[str, asyncio.Future[int]] = {}
        self._running: asyncio.Task[None] | None = None
        self.reads = 0

    async def generation(self, scope: str) -> int:
        future = self._waiting.get(scope)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            future.add_done_callback(_retrieved)  # callers may all have gone
            self._waiting[scope] = future
        if self._running is None:
            self._running = asyncio.create_task(self._run(), name="list generations")
        return await asyncio.shield(future)

    async def _run(self) -> None:
        try:
            while self._waiting:
                # Taken just before the statement is sent: whoever asks from now on waits for
                # the next read, whose snapshot is then sure to be later than their arrival.
                batch, self._waiting = self._waiting, {}
                self.reads += 1
                try:
                    found = await self._read(list(batch))
                except BaseException as exc:
                    for future in batch.values():
                        if not future.done():
                            future.set_exception(exc)
                    if not isinstance(exc, Exception):
                        raise
                    continue
                for scope, future in batch.items():
                    if not future.done():
                        future.set_result(found.get(scope, UNTOUCHED))
        finally:
            self._running = None


class ListCache:
    """List pages per (account or public scope, whole query), each served only after its
    scope's generation was read unchanged by a read that began after the request arrived."""

    def __init__(
        self,
        max_bytes: int,
        read_generations: ReadGenerations,
        *,
        unavailable: type[BaseException] | tuple[type[BaseException], ...],
    ) -> None:
        self.pages = PageCache(max_bytes)
        self._read_generations = read_generations
        self.generations = GenerationReader(read_generations)
        self._unavailable = unavailable  # the errors of a database that went away

    def reset(self) -> None:
        """Forget every page and any read in flight (the store closed; its loop may end)."""
        self.pages.clear()
        self.generations = GenerationReader(self._read_generations)

    async def page(
        self, account: str | None, query: ListQuery, now_ms: int, read: ReadPage
    ) -> bytes:
        pages, key = self.pages, (account, query)
        cached = pages.get(key)
        churning = False
        # A page whose last check found a write is read again at once, without a check (one
        # round trip, not two, while its account is being written to), until a read finds
        # its account unchanged.
        if cached is not None and not cached.churning:
            try:
                generation = await self.generations.generation(scope_of(account))
            except self._unavailable:
                pages.clear()  # trust nothing read before
            else:
                if cached.fresh(generation, now_ms):
                    pages.hits += 1
                    return cached.body
                churning = generation != cached.generation
        pages.misses += 1
        body, tag = await read()
        if tag is None:
            pages.discard(key)
            return body
        generation, valid_until = tag
        if cached is not None and cached.churning:
            churning = generation != cached.generation
        text = (query.starting_after, query.name, query.content_type, query.search)
        key_bytes = sum(len(part) for part in text if part)
        pages.put(key, CachedPage(generation, valid_until, body, churning), key_bytes)
        return body
