"""Typed messages that the browser's widgets post upward (the screen handles them with @on).

Dataclasses, as Textual's own widgets declare theirs (Message.__post_init__ sets it up).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from runloop_tui.api.models import ObjectView


@dataclass
class RowHighlighted(Message):
    """The table's cursor moved onto an object (None: the table is empty)."""

    obj: ObjectView | None
    row: int


@dataclass
class RowActivated(Message):
    """A row was clicked twice (the actions work may open a preview for it)."""

    obj: ObjectView


@dataclass
class SortRequested(Message):
    """A column header was clicked: sort by it (again: reverse)."""

    column: str


@dataclass
class MarkToggled(Message):
    """The user toggled the mark on one row."""

    object_id: str


@dataclass
class FilterChanged(Message):
    """The filter text changed (debouncing is the screen's job)."""

    text: str


class FilterDismissed(Message):
    """Escape in the filter bar: clear it and return to the table."""


class FilterSubmitted(Message):
    """Enter in the filter bar: keep the filter, return to the table."""
