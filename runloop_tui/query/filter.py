"""The filter-bar language: `report state:error -tmp age>7d meta:agent=claude`.

Pure and Textual-free. `compile_filter` never raises: invalid terms become `FilterError`s
(with character offsets for highlighting) and are ignored for matching. The terms and the
`ObjectIndex` they match against live in query/terms.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runloop_tui.api.models import ContentType, ObjectState, ObjectView
from runloop_tui.query.terms import (
    OPS,
    CompareTerm,
    MetaTerm,
    ObjectIndex,
    SetTerm,
    SubstringTerm,
    Term,
)
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
    ("word", "name contains word (case-insensitive); an obj_ word also matches ids"),
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
# Object ids start with this; a plain word that does is searched in ids as well as names.
ID_PREFIX = "obj_"
_FIELDS_ALLOWED = "state:, type:, meta:, name:, id:, age>, size>, expires< or expired"
_COMPARE_FIELDS = ("age", "size", "expires")
_FIELD_RE = re.compile(r"([A-Za-z_]+)(>=|<=|>|<|:|=)(.*)", re.DOTALL)
# age>D  <=>  create_time < now - D, so the comparison on create_time flips direction.
_FLIPPED = {">": "<", ">=": "<=", "<": ">", "<=": ">="}


@dataclass(frozen=True)
class FilterError:
    start: int
    end: int
    term: str
    message: str

    @property
    def text(self) -> str:
        """One line for the bar: `meta: needs a key, …`, never `meta:: meta: needs a key`."""
        bare = self.term.lstrip("-")
        if bare and self.message.startswith(bare):
            return self.term[: len(self.term) - len(bare)] + self.message
        return f"{self.term}: {self.message}"


@dataclass(frozen=True)
class ServerPushdown:
    """The parts of a filter the server can apply exactly (list-query parameters)."""

    search: str | None
    state: ObjectState | None
    content_type: ContentType | None


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


def _parse_term(raw: str, negated: bool) -> tuple[Term | None, str | None]:
    """The compiled term (None for an empty phrase) and the bare search word if it is one."""
    match = None if raw.startswith('"') else _FIELD_RE.fullmatch(raw)
    if match is None:
        if raw.lower() == "expired":
            return CompareTerm("expires", "<=", 0, True, negated), None
        word = _unquote(raw)
        if not word:
            return None, None
        # A plain word matches the name only: "log" must not match an id that happens to
        # hold "LoG" (with `a`, marking every shown row, that is a real risk). A word that
        # looks like an id (obj_...) matches ids too; `id:` matches ids only.
        column = "hay" if word.lower().startswith(ID_PREFIX) else "name"
        return SubstringTerm(column, word, negated), word
    field, op, value_raw = match.group(1).lower(), match.group(2), match.group(3)
    if field in ("state", "type"):
        return _parse_set(field, op, value_raw, negated), None
    if field in ("name", "id"):
        if op != ":":
            raise _ParseError(f"{field} uses ':', e.g. {field}:foo")
        value = _unquote(value_raw)
        if not value:
            raise _ParseError(f"{field}: needs a value, e.g. {field}:foo")
        return SubstringTerm(field, value, negated), None
    if field == "meta":
        if op != ":":
            raise _ParseError("meta uses ':', e.g. meta:agent or meta:agent=claude")
        key_raw, meta_value = _split_unquoted(value_raw, "=")
        key = _unquote(key_raw)
        if not key:
            raise _ParseError("meta: needs a key, e.g. meta:agent or meta:agent=claude")
        exact = None if meta_value is None else _unquote(meta_value)
        return MetaTerm(key, exact, negated), None
    if field in _COMPARE_FIELDS:
        return _parse_compare(field, op, _unquote(value_raw), negated), None
    if field == "expired":
        raise _ParseError("expired takes no value; write expired or -expired")
    raise _ParseError(
        f"unknown field '{match.group(1)}'; use {_FIELDS_ALLOWED} "
        "(put the term in double quotes to search for the text)"
    )


def _parse_set(field: str, op: str, value_raw: str, negated: bool) -> Term:
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
    return SetTerm(field, frozenset(values), negated)


def _parse_compare(field: str, op: str, value: str, negated: bool) -> Term:
    example = {"age": "age>7d or age<2h", "size": "size>100MB", "expires": "expires<1d"}[field]
    if op not in OPS:
        raise _ParseError(f"{field} needs a comparison (>, <, >=, <=), e.g. {example}")
    if not value.strip():
        what = "a size" if field == "size" else "a duration"
        raise _ParseError(f"{field}{op} needs {what}, e.g. {example}")
    try:
        if field == "size":
            return CompareTerm("size", op, parse_size(value), False, negated)
        ms = round(parse_duration(value) * 1000)
    except UnitError as exc:
        raise _ParseError(str(exc)) from None
    except (ValueError, OverflowError):  # e.g. a number too large to represent
        raise _ParseError(f"{value!r} is out of range") from None
    if field == "age":
        return CompareTerm("created", _FLIPPED[op], -ms, True, negated)
    return CompareTerm("expires", op, ms, True, negated)


# --- compiled filter --------------------------------------------------------------------------


class CompiledFilter:
    """A parsed filter: errors for the bar, server pushdown, and fast local matching."""

    def __init__(
        self, text: str, terms: list[Term], errors: list[FilterError], pushdown: ServerPushdown
    ) -> None:
        self.text = text
        self.errors = errors
        self.pushdown = pushdown
        self._terms = sorted(terms, key=lambda t: t.cost)  # stable: same-cost terms keep order
        self.is_empty = not self._terms
        # `-tmp` alone matches every object but a few: for a delete, as broad as no filter.
        self.only_negations = bool(self._terms) and all(t.negated for t in self._terms)
        self.time_dependent = any(term.time_dependent for term in self._terms)

    def matches(self, obj: ObjectView, now_ms: int) -> bool:
        return all(term.test(obj, now_ms) for term in self._terms)

    def filter_indices(
        self, index: ObjectIndex, now_ms: int, candidates: list[int] | None = None
    ) -> list[int]:
        """Positions of the matching objects: all of them in load order, or the matching
        ``candidates`` in their given order (so a sorted candidate list stays sorted)."""
        cand = candidates
        for term in self._terms:
            if cand is not None and not cand:
                break
            cand = term.filter(index, cand, now_ms)
        if cand is None:
            return list(range(len(index)))
        return list(cand) if cand is candidates else cand

    def sparse_indices(
        self, index: ObjectIndex, now_ms: int, most: int | None = None
    ) -> list[int] | None:
        """The matching positions in load order, found through the names buffer, or None
        if this filter has no name word with few hits (then ``filter_indices`` it is).

        A plain word (or ``name:``) with few hits is one C-level scan of the names; the
        other terms then look at those rows only. Same result as ``filter_indices``.
        ``most``: more hits than this are not few (see NameBuffer.hits).
        """
        for term in self._terms:
            if isinstance(term, SubstringTerm) and term.column == "name" and not term.negated:
                hits = index.name_hits(term.needle, most)
                if hits is not None:
                    return self.filter_indices(index, now_ms, hits)
        return None

    def narrows(self, previous: CompiledFilter) -> bool:
        """True if every object this filter matches certainly matched ``previous`` too, so
        its matches can be found among the previous matches (typing `rep` -> `repo`).

        Filters that depend on the time are never narrowed: objects cross their boundary
        between keystrokes.
        """
        if self.time_dependent or previous.time_dependent:
            return False
        return all(any(t.implies(old) for t in self._terms) for old in previous._terms)

    def __repr__(self) -> str:
        return f"CompiledFilter({self.text!r}, errors={len(self.errors)})"


def compile_filter(text: str) -> CompiledFilter:
    """Parse `text`; never raises. Invalid terms are reported in `.errors` and ignored."""
    terms: list[Term] = []
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
        elif isinstance(term, SetTerm) and len(term.values) == 1:
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
