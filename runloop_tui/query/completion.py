"""Ghost-text completion for the filter bar's last term.

`complete_term` returns the WHOLE filter text with the last term completed, as Textual's
`Input` suggester expects. Matching is case-insensitive and the completion uses the canonical
spelling, so the caller's `Suggester` should be built with `case_sensitive=True` (otherwise
Textual casefolds the value before asking, and meta keys/values would lose their case).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from runloop_tui.query.filter import _FIELD_RE, _split_unquoted, _tokens, _unquote

__all__ = ["FIELD_NAMES", "complete_term", "needed_metadata_key"]

FIELD_NAMES = (
    "state:",
    "type:",
    "meta:",
    "age>",
    "age<",
    "size>",
    "size<",
    "expires<",
    "expires>",
    "expired",
    "name:",
    "id:",
)
STATE_VALUES = ("uploading", "read_only", "deleted", "error")
TYPE_VALUES = ("unspecified", "text", "binary", "gzip", "tar", "tgz")


def _last_term(text: str) -> tuple[int, str] | None:
    """(start, raw) of the term the cursor is in, or None after whitespace / on empty text."""
    tokens = _tokens(text)
    if not tokens or tokens[-1][1] != len(text):
        return None
    start, _end, raw = tokens[-1]
    return start, raw


def _pick(typed: str, candidates: Iterable[str], normalize_dash: bool = False) -> str | None:
    """First candidate that extends `typed` (case-insensitive); None if `typed` is complete."""
    key = typed.lower()
    if normalize_dash:
        key = key.replace("-", "_")
    matches = [c for c in candidates if c.lower().startswith(key)]
    if any(len(c) == len(key) for c in matches):
        return None  # already a full value; don't push a longer one on the user
    return matches[0] if matches else None


def _quoted(value: str) -> str:
    # A value with spaces must stay one term; quotes inside it cannot be expressed, so skip those.
    return f'"{value}"' if any(ch.isspace() for ch in value) else value


def complete_term(
    text: str,
    metadata_keys: Sequence[str] = (),
    metadata_values: Mapping[str, Sequence[str]] = {},
) -> str | None:
    """The full filter text with its last term completed, or None when there is nothing to add."""
    last = _last_term(text)
    if last is None:
        return None
    start, raw = last
    prefix_len = start + (1 if raw.startswith("-") else 0)
    body = text[prefix_len:]
    if not body or body.startswith('"'):
        return None
    match = _FIELD_RE.fullmatch(body)
    if match is None:
        name = _pick(body, FIELD_NAMES)
        return text[:prefix_len] + name if name else None
    field, op, value = match.group(1).lower(), match.group(2), match.group(3)
    value_start = len(text) - len(value)
    if op != ":" or '"' in value:
        return None
    if field in ("state", "type"):
        item_start = value_start + value.rfind(",") + 1  # after the last comma, or the value
        typed = text[item_start:]
        values = STATE_VALUES if field == "state" else TYPE_VALUES
        found = _pick(typed, values, normalize_dash=field == "state")
        return text[:item_start] + found if found else None
    if field == "meta":
        key, meta_value = _split_unquoted(value, "=")
        if meta_value is None:
            found = _pick(key, [k for k in metadata_keys if "=" not in k and '"' not in k])
            return text[:value_start] + _quoted(found) if found else None
        candidates = [v for v in metadata_values.get(_unquote(key), ()) if '"' not in v]
        found = _pick(meta_value, candidates)
        return text[: len(text) - len(meta_value)] + _quoted(found) if found else None
    return None


def needed_metadata_key(text: str) -> str | None:
    """If the last term is `meta:KEY=...`, the KEY whose values the caller should fetch."""
    last = _last_term(text)
    if last is None:
        return None
    body = last[1].removeprefix("-")
    match = None if body.startswith('"') else _FIELD_RE.fullmatch(body)
    if match is None or match.group(1).lower() != "meta" or match.group(2) != ":":
        return None
    key, value = _split_unquoted(match.group(3), "=")
    key = _unquote(key)
    return key if value is not None and key else None
