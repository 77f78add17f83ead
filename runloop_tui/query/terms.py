"""The filter's compiled terms over an ObjectIndex of loaded objects (pure, Textual-free).

Matching uses precomputed per-column lists so one keystroke filters 100k objects fast; each
term also tests a single object (for objects arriving page by page).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from typing import Any

from runloop_tui.api.models import ObjectView

__all__ = ["OPS", "CompareTerm", "MetaTerm", "ObjectIndex", "SetTerm", "SubstringTerm", "Term"]

OPS: dict[str, Callable[[int, int], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


class ObjectIndex:
    """Loaded objects in load order plus precomputed columns for fast filtering."""

    def __init__(self, objects: Iterable[ObjectView] = ()) -> None:
        self.objects: list[ObjectView] = []
        self._hay: list[str] = []  # "name\0id" lowercased; \0 keeps a word from spanning both
        self._names: list[str] = []
        self._ids: list[str] = []
        self._states: list[str] = []  # plain str: hashing a str is cheaper than an enum member
        self._types: list[str] = []
        self._sizes: list[int | None] = []
        self._created: list[int] = []
        self._expires: list[int | None] = []
        self.extend(objects)

    def extend(self, objects: Iterable[ObjectView]) -> None:
        new = list(objects)
        # One comprehension per column: several times faster than appending object by object.
        names = [o.name.lower() for o in new]
        ids = [o.id.lower() for o in new]
        self.objects.extend(new)
        self._hay.extend([f"{n}\0{i}" for n, i in zip(names, ids, strict=True)])
        self._names.extend(names)
        self._ids.extend(ids)
        self._states.extend([str(o.state) for o in new])
        self._types.extend([str(o.content_type) for o in new])
        self._sizes.extend([o.size_bytes for o in new])
        self._created.extend([o.create_time_ms for o in new])
        self._expires.extend([o.delete_after_time_ms for o in new])

    def replace_all(self, objects: Iterable[ObjectView]) -> None:
        fresh = list(objects)  # materialise first: `objects` may be a view of our own list
        for column in self._columns():
            column.clear()
        self.objects.clear()
        self.extend(fresh)

    def _columns(self) -> list[list[Any]]:
        return [
            self._hay,
            self._names,
            self._ids,
            self._states,
            self._types,
            self._sizes,
            self._created,
            self._expires,
        ]

    def _column(self, name: str) -> list[Any]:
        columns: dict[str, list[Any]] = {
            "hay": self._hay,
            "name": self._names,
            "id": self._ids,
            "state": self._states,
            "type": self._types,
            "size": self._sizes,
            "created": self._created,
            "expires": self._expires,
        }
        return columns[name]

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
