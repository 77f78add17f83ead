"""Where the space went: objects grouped by name prefix, cut at `/`, like ncdu for a bucket.

Pure and Textual-free; shared by `runloop-tui du` and the TUI's usage view.

A level is grouped on demand, in one pass over the objects under its prefix (the pass a
plain dict-count loop makes), and remembered: each group keeps its members, so drilling
in only walks the objects below, and going back up is free. A group's size is one C-level
sum over its members; its creation range and states wait until they are shown or sorted on.
"""

from __future__ import annotations

import collections
import gc
import itertools
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from operator import attrgetter
from typing import Literal, cast

from runloop_tui.api.models import ObjectView

SortKey = Literal["size", "count", "age", "name"]
SORT_KEYS: tuple[SortKey, ...] = ("size", "count", "age", "name")
SEP = "/"


@contextmanager
def _no_gc() -> Iterator[None]:
    """No cyclic GC while a level is built: it allocates thousands of small containers, and
    with 100k objects alive each triggered full collection walks them all (tens of ms,
    measured), though none of them can form a cycle."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class UsageEntry:
    """One row of the usage view: a prefix (ending in `/`) or an object listed as itself.

    Count and size are known at once (every level is sorted by size); the creation range
    and the states are worked out on first use: most entries of a big level are never on
    screen, and each costs a pass over its members.
    """

    __slots__ = ("_details", "_index", "count", "is_object", "members", "prefix", "size_bytes")

    def __init__(
        self, index: UsageIndex, prefix: str, is_object: bool, members: Sequence[int], size: int
    ) -> None:
        self._index = index
        self.prefix = prefix
        self.is_object = is_object
        # Positions in the UsageIndex's object list.
        self.members = members
        self.count = len(members)
        self.size_bytes = size
        self._details: tuple[int, int, dict[str, int]] | None = None

    def _detail(self) -> tuple[int, int, dict[str, int]]:
        if self._details is None:
            self._details = self._index.details(self.members)
        return self._details

    @property
    def oldest_create_time_ms(self) -> int:
        return self._detail()[0]

    @property
    def newest_create_time_ms(self) -> int:
        return self._detail()[1]

    @property
    def states(self) -> dict[str, int]:
        return self._detail()[2]

    def positions(self) -> Sequence[int]:
        return self.members

    def to_json(self) -> dict[str, object]:
        """The fields of `runloop-tui du --format json`."""
        return {
            "prefix": self.prefix,
            "count": self.count,
            "size_bytes": self.size_bytes,
            "oldest_create_time_ms": self.oldest_create_time_ms,
            "newest_create_time_ms": self.newest_create_time_ms,
            "states": dict(self.states),
        }

    def __repr__(self) -> str:
        kind = "object" if self.is_object else "prefix"
        return f"UsageEntry({kind} {self.prefix!r}, count={self.count}, bytes={self.size_bytes})"


class UsageIndex:
    """The objects a filter shows, ready to be grouped at any prefix."""

    def __init__(self, objects: Sequence[ObjectView]) -> None:
        with _no_gc():
            self._load(objects)
        self._under: dict[str, Sequence[int]] = {"": range(len(self.names))}
        self._levels: dict[tuple[str, int, bool], list[UsageEntry]] = {}
        self._ids: list[str] | None = None

    def _load(self, objects: Sequence[ObjectView]) -> None:
        self.objects: Sequence[ObjectView] = objects
        # Names and sizes are needed for every entry at once (a level is sorted by size);
        # each is a C-level pass. Creation times and states wait for `details`.
        self.names: list[str] = list(map(attrgetter("name"), objects))
        raw: list[int | None] = list(map(attrgetter("size_bytes"), objects))
        # None (still uploading) becomes 0 through dict.get's default, and a nonsense
        # negative size adds nothing either.
        no_size: dict[int | None, int] = {None: 0}
        sizes = cast(list[int], list(map(no_size.get, raw, raw)))
        if sizes and min(sizes) < 0:
            sizes = list(map(max, sizes, itertools.repeat(0)))
        self._sizes: list[int] = sizes

    def __len__(self) -> int:
        return len(self.names)

    @property
    def total_bytes(self) -> int:
        return sum(self._sizes)

    def members_under(self, prefix: str) -> Sequence[int]:
        """Positions of every object whose name starts with `prefix`."""
        found = self._under.get(prefix)
        if found is None:
            names = self.names
            found = self._under[prefix] = [
                i for i in self.members_under(parent_of(prefix)) if names[i].startswith(prefix)
            ]
        return found

    def marked_count(self, entry: UsageEntry, marks: Collection[str]) -> int:
        """How many objects under `entry` have their id in `marks` (C-level passes)."""
        if self._ids is None:
            self._ids = list(map(attrgetter("id"), self.objects))
        return sum(map(marks.__contains__, map(self._ids.__getitem__, entry.members)))

    def objects_under(self, entry: UsageEntry) -> list[ObjectView]:
        return [self.objects[i] for i in entry.members]

    def summary(self, prefix: str) -> UsageEntry:
        """Everything under `prefix`, as one entry."""
        return self._entry(prefix, False, self.members_under(prefix))

    def level(
        self, base: str = "", depth: int = 1, objects_as_entries: bool = True
    ) -> list[UsageEntry]:
        """The entries directly under `base` (which ends in `/`, or is "" for the top).

        Names under `base` with at least `depth` more `/` are grouped by their prefix cut at
        the depth-th one. Names with fewer: listed as themselves when `objects_as_entries`
        (the TUI), else grouped under the deepest prefix they have (du: `""` at the top).
        Each object is counted once.
        """
        if depth < 1:
            raise ValueError("depth must be at least 1")
        key = (base, depth, objects_as_entries)
        cached = self._levels.get(key)
        if cached is not None:
            return cached
        with _no_gc():
            entries = self._group(base, depth, objects_as_entries)
        self._levels[key] = entries
        return entries

    def _group(self, base: str, depth: int, objects_as_entries: bool) -> list[UsageEntry]:
        if depth == 1:
            return self._group_one(base, objects_as_entries)
        names = self.names
        skip = len(base)
        groups: dict[str, list[int]] = {}
        loose: list[int] = []
        for i in self.members_under(base):
            name = names[i]
            cut = name.find(SEP, skip)
            found = 1
            while found < depth and cut >= 0:
                deeper = name.find(SEP, cut + 1)
                if deeper < 0:
                    break
                cut = deeper
                found += 1
            if cut < 0:
                loose.append(i)
                continue
            prefix = name[: cut + 1] if found == depth else name[: cut + 1] + "\0"
            group = groups.get(prefix)
            if group is None:
                groups[prefix] = [i]
            else:
                group.append(i)
        entries: list[UsageEntry] = []
        for prefix, members in groups.items():
            if prefix.endswith("\0"):  # fewer than depth "/": grouped, but not a full prefix
                entries.append(self._entry(prefix[:-1], False, members))
                continue
            self._under.setdefault(prefix, members)
            entries.append(self._entry(prefix, False, members))
        if objects_as_entries:
            entries.extend(self._entry(names[i], True, (i,)) for i in loose)
        elif loose:
            entries.append(self._entry(base, False, loose))
        return entries

    def _group_one(self, base: str, objects_as_entries: bool) -> list[UsageEntry]:
        """Depth 1, the usage view's every step: no Python-level loop per object. Each
        object's key is its name up to the next "/" ("" when there is none), and
        `setdefault(key, fresh list).append(position)` runs through map()."""
        names, skip = self.names, len(base)
        members = self.members_under(base)
        keys = [name[: name.find(SEP, skip) + 1] for name in map(names.__getitem__, members)]
        groups: dict[str, list[int]] = {}
        fresh: Iterator[list[int]] = map(list, itertools.repeat((), len(keys)))
        collections.deque(map(list.append, map(groups.setdefault, keys, fresh), members), 0)
        loose = groups.pop("", [])
        entries = [self._entry(prefix, False, group) for prefix, group in groups.items()]
        self._under.update((prefix, group) for prefix, group in groups.items())
        if objects_as_entries:
            entries.extend(self._entry(names[i], True, (i,)) for i in loose)
        elif loose:
            entries.append(self._entry(base, False, loose))
        return entries

    def _entry(self, prefix: str, is_object: bool, members: Sequence[int]) -> UsageEntry:
        if len(members) == 1:
            return UsageEntry(self, prefix, is_object, members, self._sizes[members[0]])
        return UsageEntry(
            self, prefix, is_object, members, sum(map(self._sizes.__getitem__, members))
        )

    def details(self, members: Sequence[int]) -> tuple[int, int, dict[str, int]]:
        """(oldest create time, newest create time, count per state) of some objects.

        States are counted as plain strings: hashing an Enum member runs Python code."""
        if not members:
            return 0, 0, {}
        if len(members) == 1:  # most entries of a level with many loose objects
            obj = self.objects[members[0]]
            return obj.create_time_ms, obj.create_time_ms, {str.__str__(obj.state): 1}
        chosen = list(map(self.objects.__getitem__, members))
        times = list(map(attrgetter("create_time_ms"), chosen))
        states = Counter(map(str.__str__, map(attrgetter("state"), chosen)))
        return min(times), max(times), dict(states)


def sort_entries(entries: Sequence[UsageEntry], key: SortKey) -> list[UsageEntry]:
    """Biggest first for size and count, oldest first for age, A-Z for name; ties by name."""
    by_name = sorted(entries, key=attrgetter("prefix"))
    if key == "size":
        by_name.sort(key=attrgetter("size_bytes"), reverse=True)
    elif key == "count":
        by_name.sort(key=attrgetter("count"), reverse=True)
    elif key == "age":
        by_name.sort(key=attrgetter("oldest_create_time_ms"))
    return by_name


def states_text(states: dict[str, int], separator: str = " · ") -> str:
    """`7 UPLOADING · 1 ERROR · 145 READ_ONLY`: the states that need a look come first, so a
    narrow column cuts off the ordinary READ_ONLY count, not the stuck uploads."""
    ordered = sorted(states.items(), key=lambda kv: (kv[0] == "READ_ONLY", -kv[1], kv[0]))
    return separator.join(f"{n:,} {state}" for state, n in ordered)


def parent_of(prefix: str) -> str:
    """`a/b/` -> `a/`, `a/` -> ``."""
    trimmed = prefix[:-1] if prefix.endswith(SEP) else prefix
    cut = trimmed.rfind(SEP)
    return trimmed[: cut + 1] if cut >= 0 else ""
