"""The filter-bar language: `report state:error -tmp age>7d meta:agent=claude`.

Pure and Textual-free. `compile_filter` never raises: invalid terms become `FilterError`s
(with character offsets for highlighting) and are ignored for matching. Matching over an
`ObjectIndex` uses precomputed per-column lists so one keystroke filters 100k objects fast.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from runloop_tui.api.models import ContentType, ObjectState, ObjectView
from runloop_tui.query.units import UnitError, parse_duration, parse_size

__all__ = [
    "FILTER_HELP",
    "CompiledFilter",
    "FilterError",
    "ObjectIndex",
    "ServerPushdown",
    "compile_filter",
]

FILTER_HELP: list[tuple[str, str]] = [
    ("word", "name or id contains word (case-insensitive)"),
    ('"my file"', "double quotes group a phrase (also turns off field syntax)"),
    ("-term", "negates any term, e.g. -tmp, -state:error, -expired"),
    ("state:error", "state is one of uploading, read_only (readonly, read-only), deleted, error"),
    ("state:error,uploading", "a comma list matches any of the values (also for type:)"),
    ("type:tgz", "content type: unspecified, text, binary, gzip, tar, tgz"),
    ("meta:KEY", "metadata has KEY (key is case-sensitive)"),
    ("meta:KEY=VALUE", "metadata KEY equals VALUE exactly (meta:KEY= matches an empty value)"),
    ("age>7d  age<2h", "time since creation; also >= and <=; units s m h d w"),
    ("size>100MB  size<1KB", "size; units B KB MB GB KiB MiB GiB; unknown sizes never match"),
    ("expires<1d", "has an expiry within 1 day from now, including already expired ones"),
    ("expires>30d", "has an expiry more than 30 days away (no expiry never matches)"),
    ("expired", "the expiry time has passed; -expired hides those"),
    ("name:foo  id:obj_", "substring of the name only / of the id only"),
]

_STATE_ALIASES: dict[str, ObjectState] = {
    "uploading": ObjectState.UPLOADING,
    "read_only": ObjectState.READ_ONLY,
    "readonly": ObjectState.READ_ONLY,
    "deleted": ObjectState.DELETED,
    "error": ObjectState.ERROR,
}
_STATES_ALLOWED = "uploading, read_only, deleted or error"
_TYPES: dict[str, ContentType] = {str(t): t for t in ContentType}
_TYPES_ALLOWED = "unspecified, text, binary, gzip, tar or tgz"
_FIELDS_ALLOWED = "state:, type:, meta:, name:, id:, age>, size>, expires< or expired"
_COMPARE_FIELDS = ("age", "size", "expires")
_FIELD_RE = re.compile(r"([A-Za-z_]+)(>=|<=|>|<|:|=)(.*)", re.DOTALL)
_OPS: dict[str, Callable[[int, int], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
# age>D  <=>  create_time < now - D, so the comparison on create_time flips direction.
_FLIPPED = {">": "<", ">=": "<=", "<": ">", "<=": ">="}


@dataclass(frozen=True)
class FilterError:
    start: int
    end: int
    term: str
    message: str


@dataclass(frozen=True)
class ServerPushdown:
    """The parts of a filter the server can apply exactly (list-query parameters)."""

    search: str | None
    state: ObjectState | None
    content_type: ContentType | None


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


class _Term:
    cost = 0
    negated = False

    def filter(self, index: ObjectIndex, cand: list[int] | None, now_ms: int) -> list[int]:
        raise NotImplementedError

    def test(self, obj: ObjectView, now_ms: int) -> bool:
        raise NotImplementedError


class _SetTerm(_Term):
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


class _SubstringTerm(_Term):
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


class _CompareTerm(_Term):
    """`column OP threshold` where threshold = offset (+ now when relative); null never matches."""

    cost = 3

    def __init__(self, column: str, op: str, offset: int, relative: bool, negated: bool) -> None:
        self.column, self.op, self.offset = column, _OPS[op], offset
        self.relative, self.negated = relative, negated

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


class _MetaTerm(_Term):
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


# --- tokenizing and parsing -------------------------------------------------------------------


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, raw) for each whitespace-separated term; quotes group (unclosed: to the end)."""
    out: list[tuple[int, int, str]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start, quoted = i, False
        while i < n and (quoted or not text[i].isspace()):
            if text[i] == '"':
                quoted = not quoted
            i += 1
        out.append((start, i, text[start:i]))
    return out


def _unquote(raw: str) -> str:
    return raw.replace('"', "")


def _split_unquoted(raw: str, sep: str) -> tuple[str, str | None]:
    """Split at the first `sep` outside double quotes."""
    quoted = False
    for pos, ch in enumerate(raw):
        if ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            return raw[:pos], raw[pos + 1 :]
    return raw, None


class _ParseError(Exception):
    pass


def _parse_term(raw: str, negated: bool) -> tuple[_Term | None, str | None]:
    """The compiled term (None for an empty phrase) and the bare search word if it is one."""
    match = None if raw.startswith('"') else _FIELD_RE.fullmatch(raw)
    if match is None:
        if raw.lower() == "expired":
            return _CompareTerm("expires", "<=", 0, True, negated), None
        word = _unquote(raw)
        return (_SubstringTerm("hay", word, negated), word) if word else (None, None)
    field, op, value_raw = match.group(1).lower(), match.group(2), match.group(3)
    if field in ("state", "type"):
        return _parse_set(field, op, value_raw, negated), None
    if field in ("name", "id"):
        if op != ":":
            raise _ParseError(f"{field} uses ':', e.g. {field}:foo")
        value = _unquote(value_raw)
        if not value:
            raise _ParseError(f"{field}: needs a value, e.g. {field}:foo")
        return _SubstringTerm(field, value, negated), None
    if field == "meta":
        if op != ":":
            raise _ParseError("meta uses ':', e.g. meta:agent or meta:agent=claude")
        key_raw, meta_value = _split_unquoted(value_raw, "=")
        key = _unquote(key_raw)
        if not key:
            raise _ParseError("meta: needs a key, e.g. meta:agent or meta:agent=claude")
        exact = None if meta_value is None else _unquote(meta_value)
        return _MetaTerm(key, exact, negated), None
    if field in _COMPARE_FIELDS:
        return _parse_compare(field, op, _unquote(value_raw), negated), None
    if field == "expired":
        raise _ParseError("expired takes no value; write expired or -expired")
    raise _ParseError(
        f"unknown field '{match.group(1)}'; use {_FIELDS_ALLOWED} "
        "(put the term in double quotes to search for the text)"
    )


def _parse_set(field: str, op: str, value_raw: str, negated: bool) -> _Term:
    allowed = _STATES_ALLOWED if field == "state" else _TYPES_ALLOWED
    if op not in (":", "="):
        example = "state:error" if field == "state" else "type:tgz"
        raise _ParseError(f"{field} uses ':', e.g. {example}")
    items = [item.strip() for item in _unquote(value_raw).split(",") if item.strip()]
    if not items:
        raise _ParseError(f"{field}: needs a value; use {allowed}")
    values: set[str] = set()
    for item in items:
        if field == "state":
            state = _STATE_ALIASES.get(item.lower().replace("-", "_"))
            if state is None:
                raise _ParseError(f"unknown state '{item}'; use {allowed}")
            values.add(str(state))
        else:
            ctype = _TYPES.get(item.lower())
            if ctype is None:
                raise _ParseError(f"unknown type '{item}'; use {allowed}")
            values.add(str(ctype))
    return _SetTerm(field, frozenset(values), negated)


def _parse_compare(field: str, op: str, value: str, negated: bool) -> _Term:
    example = {"age": "age>7d or age<2h", "size": "size>100MB", "expires": "expires<1d"}[field]
    if op not in _OPS:
        raise _ParseError(f"{field} needs a comparison (>, <, >=, <=), e.g. {example}")
    if not value.strip():
        what = "a size" if field == "size" else "a duration"
        raise _ParseError(f"{field}{op} needs {what}, e.g. {example}")
    try:
        if field == "size":
            return _CompareTerm("size", op, parse_size(value), False, negated)
        ms = round(parse_duration(value) * 1000)
    except UnitError as exc:
        raise _ParseError(str(exc)) from None
    except (ValueError, OverflowError):  # e.g. a number too large to represent
        raise _ParseError(f"{value!r} is out of range") from None
    if field == "age":
        return _CompareTerm("created", _FLIPPED[op], -ms, True, negated)
    return _CompareTerm("expires", op, ms, True, negated)


# --- compiled filter --------------------------------------------------------------------------


class CompiledFilter:
    """A parsed filter: errors for the bar, server pushdown, and fast local matching."""

    def __init__(
        self, text: str, terms: list[_Term], errors: list[FilterError], pushdown: ServerPushdown
    ) -> None:
        self.text = text
        self.errors = errors
        self.pushdown = pushdown
        self._terms = sorted(terms, key=lambda t: t.cost)  # stable: same-cost terms keep order
        self.is_empty = not self._terms

    def matches(self, obj: ObjectView, now_ms: int) -> bool:
        return all(term.test(obj, now_ms) for term in self._terms)

    def filter_indices(self, index: ObjectIndex, now_ms: int) -> list[int]:
        cand: list[int] | None = None
        for term in self._terms:
            if cand is not None and not cand:
                break
            cand = term.filter(index, cand, now_ms)
        return list(range(len(index))) if cand is None else cand

    def __repr__(self) -> str:
        return f"CompiledFilter({self.text!r}, errors={len(self.errors)})"


def compile_filter(text: str) -> CompiledFilter:
    """Parse `text`; never raises. Invalid terms are reported in `.errors` and ignored."""
    terms: list[_Term] = []
    errors: list[FilterError] = []
    words: list[str] = []
    states: list[ObjectState] = []
    types: list[ContentType] = []
    for start, end, raw in _tokens(text):
        negated = raw.startswith("-")
        body = raw[1:] if negated else raw
        if not body:
            errors.append(
                FilterError(start, end, raw, "'-' must be followed by a term, e.g. -state:error")
            )
            continue
        try:
            term, word = _parse_term(body, negated)
        except _ParseError as exc:
            errors.append(FilterError(start, end, raw, str(exc)))
            continue
        if term is None:
            continue
        terms.append(term)
        if negated:
            continue  # negations never push down
        if word is not None:
            words.append(word)
        elif isinstance(term, _SetTerm) and len(term.values) == 1:
            (value,) = term.values
            if term.column == "state":
                states.append(ObjectState(value))
            else:
                types.append(ContentType(value))
    # Terms are ANDed, so pushing any one single-valued term down is exact; the local filter
    # still applies everything. The longest word is the most selective guess.
    pushdown = ServerPushdown(
        search=max(words, key=len) if words else None,
        state=states[0] if states else None,
        content_type=types[0] if types else None,
    )
    return CompiledFilter(text, terms, errors, pushdown)
