"""Range marking: shift+up/down extend the marks, and the visual mode (V) marks from an
anchor row to the cursor as it moves (tui/range_marks.py holds the rule)."""

from __future__ import annotations

from collections.abc import Callable

from runloop_tui.tui.range_marks import VisualRange, extend_step
from runloop_tui.tui.widgets.object_table import ObjectTable


class RangeMarker:
    def __init__(
        self,
        table: ObjectTable,
        marks: Callable[[], set[str]],
        marks_changed: Callable[[], None],
        mode_changed: Callable[[], None],
        say: Callable[[str], None],
    ) -> None:
        self._table = table
        self._marks = marks  # the model's live set (a public-view switch replaces it)
        self._marks_changed = marks_changed
        self._mode_changed = mode_changed
        self._say = say
        self.visual: VisualRange | None = None
        self._rows_version = -1

    @property
    def visual_rows(self) -> int | None:
        return None if self.visual is None else self.visual.rows

    def extend(self, step: int) -> None:
        """shift+down/up: mark this row and the next; in the visual mode, just move."""
        table = self._table
        here = table.current_object
        table.move_cursor(table.cursor_row + step)
        if self.visual is not None:
            self.follow()
            return
        there = table.current_object
        extend_step(self._marks(), here.id if here else None, there.id if there else None)
        self._marks_changed()

    def toggle_visual(self) -> None:
        if self.visual is not None:
            self.leave()
            return
        obj = self._table.current_object
        if obj is None:
            return
        self.visual = VisualRange(obj.id, self._marks())
        self._rows_version = self._table.rows_version
        self.follow()

    def leave(self) -> bool:
        """End the visual mode, keeping its marks; False when it was not on."""
        if self.visual is None:
            return False
        self.visual = None
        self._mode_changed()
        return True

    def follow(self) -> None:
        """After the cursor moved: the range runs from the anchor to the cursor. After the
        rows moved (sort, filter, refresh) it never grows by itself.

        Called synchronously on every cursor move (the screen watches the cursor): a burst
        like `Vjjj V` is handled key by key, before any message would be.
        """
        visual = self.visual
        if visual is None:
            return
        table = self._table
        rows_moved = table.rows_version != self._rows_version
        self._rows_version = table.rows_version
        anchor = table.row_of(visual.anchor_id)
        cursor = table.current_object
        if anchor is None or cursor is None:
            # The anchor left the view (filter, refresh, public view): the range is done.
            self.leave()
            self._say("Visual mode ended: its first row is no longer shown.")
            return
        rows = visual.rows
        if rows_moved:
            visual.rows_moved(self._marks(), anchor, table.cursor_row, cursor.id, table.ids_between)
        else:
            visual.follow(self._marks(), anchor, table.cursor_row, table.ids_between)
        self._marks_changed()
        if visual.rows != rows:
            self._mode_changed()
