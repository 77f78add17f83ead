"""Typed messages that the browser's widgets post upward (the screen handles them with @on)."""

from __future__ import annotations

from textual.message import Message

from runloop_tui.api.models import ObjectView


class RowHighlighted(Message):
    """The table's cursor moved onto an object (None: the table is empty)."""

    def __init__(self, obj: ObjectView | None, row: int) -> None:
        super().__init__()
        self.obj = obj
        self.row = row


class RowActivated(Message):
    """A row was clicked twice (the actions work may open a preview for it)."""

    def __init__(self, obj: ObjectView) -> None:
        super().__init__()
        self.obj = obj


class SortRequested(Message):
    """A column header was clicked: sort by it (again: reverse)."""

    def __init__(self, column: str) -> None:
        super().__init__()
        self.column = column


class MarkToggled(Message):
    """The user toggled the mark on one row."""

    def __init__(self, object_id: str) -> None:
        super().__init__()
        self.object_id = object_id


class FilterChanged(Message):
    """The filter text changed (debouncing is the screen's job)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class FilterDismissed(Message):
    """Escape in the filter bar: clear it and return to the table."""


class FilterSubmitted(Message):
    """Enter in the filter bar: keep the filter, return to the table."""
