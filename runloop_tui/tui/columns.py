"""The object table's columns, declared once: title, width, priority, cell text and style,
and sort key. The table's layout and header, the sort order, the sort cycle and header clicks
all derive from COLUMNS, so adding a column is one entry here. Pure: no Textual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from runloop_tui.api.models import KNOWN_STATES, ObjectView
from runloop_tui.tui.formatting import (
    display_name,
    display_text,
    expires_soon,
    expires_text,
    human_size,
    short_relative_time,
)

MARK_GLYPH = "\N{CHECK MARK}"
TYPE_LABELS = {"unspecified": "-"}
# Sorts "never expires" after every real time.
_NEVER = 2**62

CellText = Callable[[ObjectView, bool, int], str]  # (object, marked, now_ms)
CellStyle = Callable[[ObjectView, int], str | None]  # a component class suffix, or None


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    key: str
    title: str
    width: int  # 0: flexes (the name)
    text: CellText
    style: CellStyle | None = None
    # The sort key of an object; None: not sortable.
    sort_key: Callable[[ObjectView], Any] | None = None
    # Times and sizes read best biggest/newest first; text A to Z.
    descending_first: bool = False
    align: str = "left"
    # Lower drops first when the window narrows; 0 never drops.
    keep: int = 0
    # The key that sorts by this column straight away (again: reverses); see SORT_HOTKEYS.
    hotkey: str = ""


def _state_style(obj: ObjectView, now: int) -> str:
    if obj.state in KNOWN_STATES:
        return "state-" + str(obj.state).lower().replace("_", "-")
    return "muted"


def _muted(obj: ObjectView, now: int) -> str:
    return "muted"


def _expires_style(obj: ObjectView, now: int) -> str | None:
    return "expiring" if expires_soon(obj.delete_after_time_ms, now) else None


COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("mark", "", 1, lambda o, marked, now: MARK_GLYPH if marked else " "),
    ColumnSpec(
        "name",
        "Name",
        0,
        lambda o, marked, now: display_name(o.name),
        sort_key=lambda o: o.name.lower(),
        hotkey="M",
    ),
    ColumnSpec(
        "state",
        "State",
        9,
        lambda o, marked, now: display_text(str(o.state)),
        _state_style,
        sort_key=lambda o: str(o.state),
        keep=6,
        hotkey="H",
    ),
    ColumnSpec(
        "type",
        "Type",
        6,
        lambda o, marked, now: display_text(
            TYPE_LABELS.get(str(o.content_type), str(o.content_type))
        ),
        _muted,
        sort_key=lambda o: str(o.content_type),
        keep=2,
        hotkey="F",
    ),
    ColumnSpec(
        "size",
        "Size",
        8,
        lambda o, marked, now: human_size(o.size_bytes),
        sort_key=lambda o: -1 if o.size_bytes is None else o.size_bytes,
        descending_first=True,
        align="right",
        keep=5,
        hotkey="Z",
    ),
    ColumnSpec(
        "created",
        "Created",
        8,
        lambda o, marked, now: short_relative_time(o.create_time_ms, now),
        _muted,
        sort_key=attrgetter("create_time_ms"),
        descending_first=True,
        align="right",
        keep=3,
        hotkey="O",
    ),
    ColumnSpec(
        "expires",
        "Expires",
        12,
        lambda o, marked, now: expires_text(o.delete_after_time_ms, now),
        _expires_style,
        sort_key=lambda o: _NEVER if o.delete_after_time_ms is None else o.delete_after_time_ms,
        align="right",
        keep=4,
        hotkey="L",
    ),
    ColumnSpec(
        "id",
        "ID",
        26,
        lambda o, marked, now: display_text(o.id),
        _muted,
        sort_key=attrgetter("id"),
        keep=1,
        hotkey="number_sign",
    ),
)
COLUMN_BY_KEY: dict[str, ColumnSpec] = {c.key: c for c in COLUMNS}
# The sortable columns, left to right: the order `s` cycles through.
SORT_COLUMNS: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.sort_key is not None)
DEFAULT_SORT: tuple[str, bool] = ("created", True)
# Direct sort keys, k9s style (shift+letter), chosen clear of every other binding, of tmux's
# prefix and of the terminal's own keys (tests/tui/test_sort_keys.py checks): the letter is
# in the column's name or its use (O: oldest/age, L: time left, H: health/state, F: file
# type), and never the shifted form of a key that destroys work by mistake.
SORT_HOTKEYS: dict[str, str] = {c.key: c.hotkey for c in COLUMNS if c.sort_key and c.hotkey}


def sort_key_of(column: str) -> Callable[[ObjectView], Any]:
    spec = COLUMN_BY_KEY.get(column)
    if spec is None or spec.sort_key is None:
        raise ValueError(f"unknown sort column {column!r}; use one of {', '.join(SORT_COLUMNS)}")
    return spec.sort_key


def default_descending(column: str) -> bool:
    """The direction a first sort by ``column`` takes (a second one reverses it)."""
    spec = COLUMN_BY_KEY.get(column)
    return spec is not None and spec.descending_first
