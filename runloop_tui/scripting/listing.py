"""Every object a filter matches: its server-side parts go into the list request (as the app
pushes them down), the rest is applied here with the same compiled filter.

A listing keeps the app's rules whatever the server does: it reads at most ``max_objects``
objects (readable or not), so a server that pages forever costs bounded time and memory; it
notices a server that says ``has_more`` but gives no next page; it counts the objects it
could not read; and when the server sends an id twice, the later copy (the fresher one) wins.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from runloop_tui.api.client import ObjectsClient
from runloop_tui.api.models import ObjectView
from runloop_tui.api.wire import ListFilters
from runloop_tui.config import DEFAULT_MAX_OBJECTS
from runloop_tui.query.filter import CompiledFilter
from runloop_tui.scripting.common import EXIT_INCOMPLETE, EXIT_OK
from runloop_tui.session import PROG

PAGE_SIZE = 1000


@dataclass
class Listing:
    """The matches, in the server's order, and how much of the account they stand for."""

    objects: list[ObjectView] = field(default_factory=list)
    max_objects: int = DEFAULT_MAX_OBJECTS
    read: int = 0  # objects the server sent, readable or not (what the cap counts)
    unreadable: int = 0  # objects that could not be read (see ObjectListView.skipped)
    capped: bool = False  # paging stopped at max_objects with more to come
    cut_short: bool = False  # the server said has_more but gave no next page

    @property
    def incomplete(self) -> bool:
        """Objects the server has may be missing: the filter may match more than these."""
        return self.capped or self.cut_short

    def notes(self) -> list[str]:
        """One line per way the listing falls short, for stderr; [] when it is whole."""
        lines = []
        if self.capped:
            lines.append(
                f"listing cut short: stopped at --max-objects {self.max_objects:,} objects "
                "read, and the server has more; narrow the filter or raise --max-objects"
            )
        if self.cut_short:
            lines.append(
                "listing cut short: the server stopped paging early (has_more, but no next "
                f"page) after {self.read:,} objects"
            )
        if self.unreadable:
            noun = "object" if self.unreadable == 1 else "objects"
            lines.append(f"{self.unreadable:,} unreadable {noun} skipped")
        return lines


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
    max_objects: int = DEFAULT_MAX_OBJECTS,
) -> Listing:
    """The matches in the server's order (newest first); at most `limit` of them, among at
    most `max_objects` objects read."""
    listing = Listing(max_objects=max_objects)
    if limit is not None and limit <= 0:
        return listing
    # By id, in the order first seen: a later copy of an id replaces the earlier one (or,
    # no longer matching, drops it). Only matches are held, so memory follows the matches.
    found: dict[str, ObjectView] = {}
    pages = client.iter_pages(
        page_size=min(PAGE_SIZE, max_objects), filters=pushdown_filters(compiled), public=public
    )
    more = False
    # Closing the generator at once stops its prefetch of the next page.
    async with contextlib.aclosing(pages):
        async for page in pages:
            more = page.has_more
            room = max_objects - listing.read
            objects = page.objects
            sent = len(objects) + page.skipped
            if sent >= room and (sent > room or more):
                # Unreadable objects are not kept, so the readable ones fill the room first.
                objects = objects[:room]
                listing.unreadable += min(page.skipped, room - len(objects))
                listing.read = max_objects
                listing.capped = True
            else:
                listing.unreadable += page.skipped
                listing.read += sent
            for obj in objects:
                if compiled.matches(obj, now_ms):
                    found[obj.id] = obj
                    if limit is not None and len(found) >= limit:
                        listing.objects = list(found.values())
                        listing.capped = False  # the answer is whole: the first `limit`
                        return listing
                else:
                    found.pop(obj.id, None)
            if listing.capped:
                break
    listing.cut_short = more and not listing.capped
    listing.objects = list(found.values())
    return listing


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


def tell_listing(err: TextIO, command: str, listing: Listing) -> int:
    """Say on `err` how the listing falls short (one line each); EXIT_INCOMPLETE if it
    does, else EXIT_OK."""
    notes = listing.notes()
    for note in notes:
        print(f"{PROG} {command}: {note}", file=err, flush=True)
    return EXIT_INCOMPLETE if notes else EXIT_OK
