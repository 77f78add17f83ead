"""Where the space went: objects grouped by name prefix, cut at `/`, like ncdu for a bucket.

Pure and Textual-free; shared by `runloop-tui du` and the TUI's usage view.

The objects are sorted by name once. Every object under a prefix then sits in one contiguous
range, found by bisection, so a group's count and bytes are O(1) (prefix sums) and its
oldest/newest/states are one C-level pass over a slice. Drilling into a prefix costs the
number of entries it shows, not the number of objects loaded.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from operator import attrgetter
from typing import Literal

from runloop_tui.api.models import ObjectView

SortKey = Literal["size", "count", "age", "name"]
SORT_KEYS: tuple[SortKey, ...] = ("size", "count", "age", "name")
SEP = "/"
_AFTER_SEP = chr(ord(SEP) + 1)  # "0": the first character after "/" in code-point order


class UsageEntry:
    """One row of the usage view: a prefix (ending in `/`) or an object listed as itself."""

    __slots__ = (
        "_members",
        "count",
        "end",
        "is_object",
        "newest_create_time_ms",
        "oldest_create_time_ms",
        "prefix",
        "size_bytes",
        "start",
        "states",
    )

    def __init__(
        self,
        prefix: str,
        is_object: bool,
        count: int,
        size_bytes: int,
        oldest: int,
        newest: int,
        states: dict[str, int],
        start: int,
        end: int,
        members: tuple[int, ...] | None = None,
    ) -> None:
        self.prefix = prefix
        self.is_object = is_object
        self.count = count
        self.size_bytes = size_bytes
        self.oldest_create_time_ms = oldest
        self.newest_create_time_ms = newest
        self.states = states
        # Positions in the UsageIndex's name order: a range, or explicit members for the
        # objects directly at a level that du groups under their deepest prefix.
        self.start = start
        self.end = end
        self._members = members

    def positions(self) -> Iterable[int]:
        return self._members if self._members is not None else range(self.start, self.end)

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
    """The objects a filter shows, sorted by name, ready to be grouped at any prefix."""

    def __init__(self, objects: Sequence[ObjectView]) -> None:
        # Every per-object step is a C-level map or accumulate: building for 100k objects
        # costs about what one plain Python loop over them does (bench figure 8).
        ordered = sorted(objects, key=attrgetter("name"))
        self.objects: list[ObjectView] = ordered
        self.names: list[str] = list(map(attrgetter("name"), ordered))
        self._created: list[int] = list(map(attrgetter("create_time_ms"), ordered))
        sizes = [
            s if s is not None and s > 0 else 0 for s in map(attrgetter("size_bytes"), ordered)
        ]
        # Unknown (still uploading) and nonsense negative sizes add nothing to a total.
        self._cumulative: list[int] = [0, *itertools.accumulate(sizes)]
        # Per state, how many of the first k objects are in it: a range's breakdown is then
        # a subtraction per state. Members are compared by identity (Enum hashing is Python
        # code); a server's unknown state may come as several equal pseudo-members.
        states = list(map(attrgetter("state"), ordered))
        by_identity = dict(zip(map(id, states), states, strict=True))
        idents_of: dict[str, set[int]] = {}
        for ident, state in by_identity.items():
            idents_of.setdefault(str(state), set()).add(ident)
        self._state_counts: list[tuple[str, list[int]]] = []
        state_ids = list(map(id, states))
        for value, idents in sorted(idents_of.items()):
            hits = map(idents.__contains__, state_ids)
            self._state_counts.append((value, [0, *itertools.accumulate(hits)]))

    def __len__(self) -> int:
        return len(self.names)

    @property
    def total_bytes(self) -> int:
        return self._cumulative[-1]

    def span(self, prefix: str) -> tuple[int, int]:
        """The positions of every object whose name starts with `prefix`."""
        if not prefix:
            return 0, len(self.names)
        start = bisect.bisect_left(self.names, prefix)
        end = bisect.bisect_left(self.names, _successor(prefix), start)
        return start, end

    def objects_under(self, entry: UsageEntry) -> list[ObjectView]:
        return [self.objects[i] for i in entry.positions()]

    def summary(self, prefix: str) -> UsageEntry:
        """Everything under `prefix`, as one entry."""
        start, end = self.span(prefix)
        return self._range(prefix, start, end)

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
        names = self.names
        lo, hi = self.span(base)
        skip = len(base)
        entries: list[UsageEntry] = []
        loose: dict[str, list[int]] = {}
        i = lo
        while i < hi:
            name = names[i]
            cut = skip - 1
            found = 0
            while found < depth:
                slash = name.find(SEP, cut + 1)
                if slash < 0:
                    break
                cut = slash
                found += 1
            if found == depth:
                key = name[: cut + 1]
                end = bisect.bisect_left(names, key[:-1] + _AFTER_SEP, i + 1, hi)
                entries.append(self._range(key, i, end))
                i = end
                continue
            if found == 0 and objects_as_entries:
                entries.append(self._object(i))
            else:
                loose.setdefault(name[: cut + 1] if found else base, []).append(i)
            i += 1
        entries.extend(self._members(key, members) for key, members in loose.items())
        return entries

    def _range(self, prefix: str, start: int, end: int) -> UsageEntry:
        if start >= end:
            return UsageEntry(prefix, False, 0, 0, 0, 0, {}, start, end)
        created = self._created[start:end]
        return UsageEntry(
            prefix,
            False,
            end - start,
            self._cumulative[end] - self._cumulative[start],
            min(created),
            max(created),
            self._states_in(start, end),
            start,
            end,
        )

    def _states_in(self, start: int, end: int) -> dict[str, int]:
        counts = {}
        for value, cumulative in self._state_counts:
            n = cumulative[end] - cumulative[start]
            if n:
                counts[value] = n
        return counts

    def _object(self, i: int) -> UsageEntry:
        created = self._created[i]
        size = self._cumulative[i + 1] - self._cumulative[i]
        return UsageEntry(
            self.names[i], True, 1, size, created, created, self._states_in(i, i + 1), i, i + 1
        )

    def _members(self, prefix: str, members: list[int]) -> UsageEntry:
        created = [self._created[i] for i in members]
        cumulative = self._cumulative
        return UsageEntry(
            prefix,
            False,
            len(members),
            sum(cumulative[i + 1] - cumulative[i] for i in members),
            min(created),
            max(created),
            dict(sum((Counter(self._states_in(i, i + 1)) for i in members), Counter())),
            members[0],
            members[-1] + 1,
            tuple(members),
        )


def _successor(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


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
