"""Every object a filter matches: its server-side parts go into the list request (as the app
pushes them down), the rest is applied here with the same compiled filter."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from runloop_tui.api.client import ObjectsClient
from runloop_tui.api.models import ObjectView
from runloop_tui.api.wire import ListFilters
from runloop_tui.query.filter import CompiledFilter

PAGE_SIZE = 1000


def pushdown_filters(compiled: CompiledFilter) -> ListFilters:
    push = compiled.pushdown
    return ListFilters(search=push.search, state=push.state, content_type=push.content_type)


async def matching_objects(
    client: ObjectsClient,
    compiled: CompiledFilter,
    now_ms: int,
    *,
    public: bool = False,
    limit: int | None = None,
) -> list[ObjectView]:
    """The matches in the server's order (newest first); at most `limit` of them.

    An id the server repeats counts once (a server that is not ours may repeat one).
    """
    found: list[ObjectView] = []
    seen: set[str] = set()
    if limit is not None and limit <= 0:
        return found
    pages = client.iter_pages(
        page_size=PAGE_SIZE, filters=pushdown_filters(compiled), public=public
    )
    # Closing the generator at once stops its prefetch of the next page.
    async with contextlib.aclosing(pages):
        async for page in pages:
            for obj in page.objects:
                if obj.id in seen or not compiled.matches(obj, now_ms):
                    continue
                seen.add(obj.id)
                found.append(obj)
                if limit is not None and len(found) >= limit:
                    return found
    return found


def _size(obj: ObjectView) -> int | None:
    return obj.size_bytes


SORT_KEYS: dict[str, Callable[[ObjectView], Any]] = {
    "name": lambda o: o.name,
    "size": _size,
    "created": lambda o: o.create_time_ms,
    "expires": lambda o: o.delete_after_time_ms,
    "state": lambda o: str(o.state),
    "type": lambda o: str(o.content_type),
}
SORT_CHOICES = tuple(SORT_KEYS) + tuple(f"-{key}" for key in SORT_KEYS)


def sort_objects(objects: list[ObjectView], spec: str) -> list[ObjectView]:
    """Sort by `name`, `-size`, ...; objects without the value (no size, no expiry) go
    last either way. Ties keep the server's order."""
    descending = spec.startswith("-")
    key = SORT_KEYS[spec.removeprefix("-")]
    known = [o for o in objects if key(o) is not None]
    unknown = [o for o in objects if key(o) is None]
    known.sort(key=key, reverse=descending)
    return known + unknown
