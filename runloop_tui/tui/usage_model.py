"""The usage view's state, free of widgets: where you are, the sort, and the entries shown.

The grouping itself is query/usage.py (shared with `runloop-tui du`); this adds the
navigation (drill in, go up, remember the cursor per level) and the marks per entry.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from runloop_tui.api.models import ObjectView
from runloop_tui.query.usage import (
    SORT_KEYS,
    SortKey,
    UsageEntry,
    UsageIndex,
    parent_of,
    sort_entries,
)


class UsageModel:
    def __init__(self, objects: Sequence[ObjectView], sort: SortKey = "size") -> None:
        self.index = UsageIndex(objects)
        self.path = ""
        self.sort: SortKey = sort
        self.entries: list[UsageEntry] = []
        self.total = self.index.summary("")
        self._refresh()

    def rebuild(self, objects: Sequence[ObjectView]) -> None:
        """New data (live refresh, a delete): stay at the same path, or the nearest one up
        that still has objects."""
        self.index = UsageIndex(objects)
        while self.path and self.index.summary(self.path).count == 0:
            self.path = parent_of(self.path)
        self._refresh()

    def _refresh(self) -> None:
        self.total = self.index.summary(self.path)
        self.entries = sort_entries(self.index.level(self.path), self.sort)

    def enter(self, entry: UsageEntry) -> bool:
        """Drill into a prefix; objects have nothing below them."""
        if entry.is_object:
            return False
        self.path = entry.prefix
        self._refresh()
        return True

    def up(self) -> str | None:
        """Go to the parent; returns the prefix just left (for the cursor), None at the top."""
        if not self.path:
            return None
        left = self.path
        self.path = parent_of(left)
        self._refresh()
        return left

    def set_sort(self, sort: SortKey) -> None:
        self.sort = sort
        self.entries = sort_entries(self.entries, sort)

    def next_sort(self) -> SortKey:
        return SORT_KEYS[(SORT_KEYS.index(self.sort) + 1) % len(SORT_KEYS)]

    def row_of(self, prefix: str) -> int | None:
        for row, entry in enumerate(self.entries):
            if entry.prefix == prefix:
                return row
        return None

    def objects_under(self, entry: UsageEntry) -> list[ObjectView]:
        return self.index.objects_under(entry)

    def marked_counts(self, marks: Collection[str]) -> list[int]:
        """How many objects under each entry are marked (one pass over the level)."""
        if not marks:
            return [0] * len(self.entries)
        return [self.index.marked_count(entry, marks) for entry in self.entries]

    @property
    def object_count(self) -> int:
        return len(self.index)
