"""The filter's compiled terms over an ObjectIndex of loaded objects (pure, Textual-free).

Matching uses precomputed per-column lists so one keystroke filters 100k objects fast; each
term also tests a single object (for objects arriving page by page).
"""

from __future__ import annotations

import operator
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable
from itertools import accumulate
from typing import Any

from runloop_tui.api.models import ContentType, ObjectState, ObjectView

__all__ = [
    "OPS",
    "CompareTerm",
    "MetaTerm",
    "NameBuffer",
    "ObjectIndex",
    "SetTerm",
    "SubstringTerm",
    "Term",
]

OPS: dict[str, Callable[[int, int], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


# A name search through the buffer pays for each hit in Python (~4 us, a bisect and a
# find), a pass over the rows ~0.15 us a row: past 1/SPARSE_SHARE of the rows the pass is
# cheaper. Bench figure 13d, 1M names: 1,000 hits 62 ms vs 214 ms; 45,739 hits (4.6%)
# 276 ms vs 118 ms.
SPARSE_SHARE = 64


_STATE_TEXT: dict[object, str] = {m: m.value for m in ObjectState}
_TYPE_TEXT: dict[object, str] = {m: m.value for m in ContentType}


class NameBuffer:
    """Lower-cased names as one string, ``\n`` after each, and each name's start in an array.

    ``hits(needle)`` is one ``str.find`` scan in C plus a bisect per hit, instead of a
    Python-level pass over every row. Pages are appended as pieces and joined by the first
    search after them.
    """

    def __init__(self) -> None:
        self._pieces: list[str] = []
        self._text = ""
        self._starts = array("q")  # where each row's name starts in the joined text
        self._end = 0

    def extend(self, names: list[str]) -> None:
        """Append rows; ``names`` must be lower case already."""
        if names:
            starts = list(accumulate(map((1).__add__, map(len, names)), initial=self._end))
            self._end = starts.pop()
            self._starts.extend(starts)
            self._pieces.append("\n".join(names) + "\n")

    def hits(self, needle: str, most: int | None = None) -> list[int] | None:
        """Rows (in order) whose name holds ``needle`` (lower case), or None when more than
        1/SPARSE_SHARE of the rows may match: then a pass over the rows is cheaper.

        ``most``: give up past this many hits instead (a pass over fewer rows than all, the
        previous filter's matches, is the one to beat)."""
        if not needle or "\n" in needle:
            return None  # (a filter term never holds a newline: terms split on whitespace)
        rows = len(self._starts)
        if most is None:
            most = rows // SPARSE_SHARE + 1
        # A first look at 1/SPARSE_SHARE of the text: a needle on most rows goes no further,
        # nor joins the pages (29 MB at a million names) before it is known to be worth it.
        head = self._text or (self._pieces[0] if self._pieces else "")
        part = min(len(head), self._end // SPARSE_SHARE)
        if head.count(needle, 0, part) * self._end > most * max(part, 1):
            return None
        if self._pieces:
            self._text = "".join([self._text, *self._pieces])
            self._pieces = []
        text, starts = self._text, self._starts
        # A hit never spans two names: the needle holds no newline. After a hit, search on
        # from the next name (one row per name, however often it holds the needle).
        hits: list[int] = []
        find, row_of = text.find, bisect_right
        at = find(needle)
        while at != -1:
            row = row_of(starts, at) - 1
            hits.append(row)
            if row + 1 >= rows:
                break
            if len(hits) > most:
                return None  # dense after all (the sample was not typical)
            at = find(needle, starts[row + 1])
        return hits


class ObjectIndex:
    """Loaded objects in load order plus precomputed columns for fast filtering.

    The lower-cased names are also kept in a NameBuffer, so that a name search with few
    hits is one ``str.find`` scan in C instead of a Python-level pass over every row.
    The id and "name\0id" columns are built only once a filter needs them (an ``id:`` or
    ``obj_`` term): most filters never do, and at a million objects they hold ~190 MB.
    """

    def __init__(self, objects: Iterable[ObjectView] = ()) -> None:
        self._reset()
        self.extend(objects)

    def _reset(self) -> None:
        self.objects: list[ObjectView] = []
        # Lower-cased names; a name that already is lower case is shared, not copied.
        self._names: list[str] = []
        self._hay_column: list[str] | None = None  # "name\0id"; \0 keeps a word in one part
        self._ids_column: list[str] | None = None
        self._states: list[str] = []  # plain str: hashing a str is cheaper than an enum member
        self._types: list[str] = []
        self._sizes: list[int | None] = []
        self._created: list[int] = []
        self._expires: list[int | None] = []
        self._buffer = NameBuffer()

    def extend(self, objects: Iterable[ObjectView]) -> None:
        new = list(objects)
        # One comprehension per column: several times faster than appending object by object.
        names = [n if (low := n.lower()) == n else low for n in [o.name for o in new]]
        self.objects.extend(new)
        self._names.extend(names)
        if self._hay_column is not None or self._ids_column is not None:
            self._extend_lazy(new, names)
        # The member's own value string, not str() (a new string every time) nor .value
        # (a Python-level descriptor: a fifth of a page's ingest at 1M objects). A value
        # the table does not know (a new state, a plain string) takes str().
        state, kind = _STATE_TEXT.get, _TYPE_TEXT.get
        self._states.extend([state(o.state) or str(o.state) for o in new])
        self._types.extend([kind(o.content_type) or str(o.content_type) for o in new])
        self._sizes.extend([o.size_bytes for o in new])
        self._created.extend([o.create_time_ms for o in new])
        self._expires.extend([o.delete_after_time_ms for o in new])
        self._buffer.extend(names)

    def _extend_lazy(self, new: list[ObjectView], names: list[str]) -> None:
        ids = [o.id.lower() for o in new]
        if self._ids_column is not None:
            self._ids_column.extend(ids)
        if self._hay_column is not None:
            self._hay_column.extend([f"{n}\0{i}" for n, i in zip(names, ids, strict=True)])

    def replace_all(self, objects: Iterable[ObjectView]) -> None:
        fresh = list(objects)  # materialise first: `objects` may be a view of our own list
        self._reset()
        self.extend(fresh)

    def _column(self, name: str) -> list[Any]:
        if name == "hay":
            if self._hay_column is None:
                self._hay_column = [
                    f"{n}\0{o.id.lower()}" for n, o in zip(self._names, self.objects, strict=True)
                ]
            return self._hay_column
        if name == "id":
            if self._ids_column is None:
                self._ids_column = [o.id.lower() for o in self.objects]
            return self._ids_column
        columns: dict[str, list[Any]] = {
            "name": self._names,
            "state": self._states,
            "type": self._types,
            "size": self._sizes,
            "created": self._created,
            "expires": self._expires,
        }
        return columns[name]

    def name_hits(self, needle: str, most: int | None = None) -> list[int] | None:
        """Positions (load order) of the names holding ``needle`` (lower case), or None when
        that would not be cheap (see NameBuffer.hits)."""
        return self._buffer.hits(needle, most)

    def __len__(self) -> int:
        return len(self.objects)

    def __getitem__(self, i: int) -> ObjectView:
        return self.objects[i]


# --- compiled terms ---------------------------------------------------------------------------
# Each term filters a candidate list of positions (None = every object, which skips the
# indirection through positions) with one inline comprehension per case, the fast path,
# and can test a single object (for `matches`). `cost` orders cheap terms first.
# `implies` lets a caller narrow the previous result instead of scanning everything again
# (typing `rep` -> `repo`): it must only ever answer True when it is certain.


class Term:
    cost = 0
    negated = False
    time_dependent = False  # the result moves with `now_ms` (age>, expires<, expired)

    def filter(self, index: ObjectIndex, cand: list[int] | None, now_ms: int) -> list[int]:
        raise NotImplementedError

    def test(self, obj: ObjectView, now_ms: int) -> bool:
        raise NotImplementedError

    def implies(self, other: Term) -> bool:
        """True if every object this term matches is certainly matched by ``other``."""
        return type(self) is type(other) and vars(self) == vars(other)


class SetTerm(Term):
    cost = 1

    def __init__(self, column: str, values: frozenset[str], negated: bool) -> None:
        self.column, self.values, self.negated = column, values, negated

    def filter(self, index: ObjectIndex, cand: list[int] | None, now_ms: int) -> list[int]:
        col, values = index._column(self.column), self.values
        if cand is None:
            if self.negated:
                return [i for i, v in enumerate(col) if v not in values]
            return [i for i, v in enumerate(col) if v in values]
        if self.negated:
            return [i for i in cand if col[i] not in values]
        return [i for i in cand if col[i] in values]

    def test(self, obj: ObjectView, now_ms: int) -> bool:
        value = str(obj.state if self.column == "state" else obj.content_type)
        return (value in self.values) != self.negated

    def implies(self, other: Term) -> bool:
        if not isinstance(other, SetTerm) or (other.column, other.negated) != (
            self.column,
            self.negated,
        ):
            return False
        # state:error implies state:error,uploading; -state:error,uploading implies -state:error
        if self.negated:
            return self.values >= other.values
        return self.values <= other.values


class SubstringTerm(Term):
    cost = 2

    def __init__(self, column: str, needle: str, negated: bool) -> None:
        self.column, self.needle, self.negated = column, needle.lower(), negated

    def filter(self, index: ObjectIndex, cand: list[int] | None, now_ms: int) -> list[int]:
        col, needle = index._column(self.column), self.needle
        if cand is None:
            if self.negated:
                return [i for i, h in enumerate(col) if needle not in h]
            return [i for i, h in enumerate(col) if needle in h]
        if self.negated:
            return [i for i in cand if needle not in col[i]]
        return [i for i in cand if needle in col[i]]

    def test(self, obj: ObjectView, now_ms: int) -> bool:
        name, oid = obj.name.lower(), obj.id.lower()
        hay = {"hay": f"{name}\0{oid}", "name": name, "id": oid}[self.column]
        return (self.needle in hay) != self.negated

    def implies(self, other: Term) -> bool:
        if not isinstance(other, SubstringTerm) or other.negated != self.negated:
            return False
        # "hay" is name\0id and a needle never holds \0: a needle in the name or the id is in
        # the hay, and one absent from the hay is absent from both.
        if self.negated:
            return self.needle in other.needle and self.column in (other.column, "hay")
        return other.needle in self.needle and other.column in (self.column, "hay")


class CompareTerm(Term):
    """`column OP threshold` where threshold = offset (+ now when relative); null never matches."""

    cost = 3

    def __init__(self, column: str, op: str, offset: int, relative: bool, negated: bool) -> None:
        self.column, self.op, self.offset = column, OPS[op], offset
        self.relative, self.negated = relative, negated
        self.time_dependent = relative

    def _threshold(self, now_ms: int) -> int:
        return self.offset + now_ms if self.relative else self.offset

    def filter(self, index: ObjectIndex, cand: list[int] | None, now_ms: int) -> list[int]:
        col, op, t = index._column(self.column), self.op, self._threshold(now_ms)
        if cand is None:
            if self.negated:
                return [i for i, v in enumerate(col) if v is None or not op(v, t)]
            return [i for i, v in enumerate(col) if v is not None and op(v, t)]
        if self.negated:
            return [i for i in cand if (v := col[i]) is None or not op(v, t)]
        return [i for i in cand if (v := col[i]) is not None and op(v, t)]

    def test(self, obj: ObjectView, now_ms: int) -> bool:
        value = {
            "size": obj.size_bytes,
            "created": obj.create_time_ms,
            "expires": obj.delete_after_time_ms,
        }[self.column]
        hit = value is not None and self.op(value, self._threshold(now_ms))
        return hit != self.negated

    def implies(self, other: Term) -> bool:
        if not isinstance(other, CompareTerm) or self.negated or other.negated:
            return super().implies(other)
        same = (self.column, self.op, self.relative) == (other.column, other.op, other.relative)
        if not same:
            return False
        # size>100MB implies size>10MB; size<1KB implies size<2KB.
        if self.op in (operator.gt, operator.ge):
            return self.offset >= other.offset
        return self.offset <= other.offset


class MetaTerm(Term):
    cost = 4

    def __init__(self, key: str, value: str | None, negated: bool) -> None:
        self.key, self.value, self.negated = key, value, negated

    def _hit(self, metadata: dict[str, str] | None) -> bool:
        if not metadata or self.key not in metadata:
            return False
        return self.value is None or metadata[self.key] == self.value

    def filter(self, index: ObjectIndex, cand: list[int] | None, now_ms: int) -> list[int]:
        objs, hit, neg = index.objects, self._hit, self.negated
        if cand is None:
            return [i for i, obj in enumerate(objs) if hit(obj.metadata) != neg]
        return [i for i in cand if hit(objs[i].metadata) != neg]

    def test(self, obj: ObjectView, now_ms: int) -> bool:
        return self._hit(obj.metadata) != self.negated

    def implies(self, other: Term) -> bool:
        # meta:agent=claude implies meta:agent
        if isinstance(other, MetaTerm) and not self.negated and not other.negated:
            return self.key == other.key and other.value in (None, self.value)
        return super().implies(other)
