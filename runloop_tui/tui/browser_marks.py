"""The browser's marks: which objects are marked, what the filter hides of them, and the
marks kept aside while another view is shown (a missed shift on `V` loses nothing).

A part of BrowserModel (browser_model.py), kept here so that each file reads as one subject;
it works on the model's own rows and index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runloop_tui.query.filter import CompiledFilter, ObjectIndex


class MarksMixin:
    """The marks' rules; BrowserModel holds the state they read."""

    marks: set[str]
    _away_marks: set[str]
    _pending_marks: set[str]
    _kept_sizes: dict[str, int]
    index: ObjectIndex
    pos_by_id: dict[str, int]
    rows: list[int]
    filter: CompiledFilter

    if TYPE_CHECKING:

        def clear(self) -> None: ...
        def _sort_keys(self, column: str) -> list[Any]: ...

    def hidden_mark_count(self, now_ms: int) -> int:
        """How many marked objects the current filter hides."""
        if not self.marks or self.filter.is_empty:
            return 0
        objects, pos_by_id = self.index.objects, self.pos_by_id
        # Asking the filter costs about 20 set lookups (measured): pick the cheaper pass.
        if len(self.marks) * 20 <= len(self.rows):
            # Few marks (the usual case): ask the filter about each, O(marks).
            matches = self.filter.matches
            marked = [objects[pos_by_id[i]] for i in self.marks if i in pos_by_id]
            return sum(1 for obj in marked if not matches(obj, now_ms))
        # Many marks (mark all, then filter): count the marked rows, O(rows).
        # Marks are always loaded objects (every way in checks pos_by_id; a swap and a
        # delete drop the others), so the rest are hidden.
        marks = self.marks
        return len(marks) - sum(1 for pos in self.rows if objects[pos].id in marks)

    def hidden_marked_ids(self) -> set[str]:
        """The marked objects the current filter hides (for the bulk delete summary)."""
        return {o.id for o in self._marked_split()[0]}

    def marked_in_view_order(self) -> list[Any]:
        """The marked objects (ObjectView) as the table shows them, those the filter hides
        first, by name: the order the bulk delete summary lists them in."""
        hidden, shown = self._marked_split()
        hidden.sort(key=lambda o: (o.name.lower(), o.id))
        return hidden + shown

    def _marked_split(self) -> tuple[list[Any], list[Any]]:
        """(marked objects the filter hides, marked rows shown in table order): O(rows)."""
        marks, objects, pos_by_id = self.marks, self.index.objects, self.pos_by_id
        if not marks:
            return [], []
        shown = [objects[pos] for pos in self.rows if objects[pos].id in marks]
        shown_ids = {o.id for o in shown}
        hidden = [objects[pos_by_id[i]] for i in marks if i in pos_by_id and i not in shown_ids]
        return hidden, shown

    @property
    def marked_bytes(self) -> int:
        # Runs on every count update: no sorted object list (60-100 ms at 100k marks).
        sizes, pos_by_id = self._sort_keys("bytes"), self.pos_by_id
        total: int = sum(sizes[pos_by_id[i]] for i in self.marks if i in pos_by_id)
        if self._kept_sizes:  # the marks kept aside count too (kept_mark_count)
            kept = self._kept_sizes
            aside = (self._away_marks | self._pending_marks) - self.marks
            total += sum(kept.get(i, 0) for i in aside)
        return total

    def switch_view(self) -> None:
        """Empty the list for the other view; the marks wait for it (see _away_marks)."""
        leaving = self.marks | self._pending_marks
        objects, pos_by_id = self.index.objects, self.pos_by_id
        self._kept_sizes.update(
            (i, objects[pos_by_id[i]].size_bytes or 0) for i in self.marks if i in pos_by_id
        )
        self._pending_marks, self._away_marks = self._away_marks, leaving
        self.clear()

    @property
    def kept_mark_count(self) -> int:
        """Marks kept for objects not in this list (the other view's, or not loaded yet)."""
        return len(self._away_marks) + len(self._pending_marks)

    def take_back_marks(self) -> None:
        """This view's kept marks whose objects are loaded again become marks again."""
        if self._pending_marks:
            back = {i for i in self._pending_marks if i in self.pos_by_id}
            self.marks |= back
            self._pending_marks -= back

    def clear_marks(self) -> None:
        self.marks.clear()
        self._away_marks.clear()
        self._pending_marks.clear()
        self._kept_sizes.clear()

    def toggle_mark(self, object_id: str) -> None:
        if object_id in self.marks:
            self.marks.discard(object_id)
        elif object_id in self.pos_by_id:
            self.marks.add(object_id)

    def mark_visible(self) -> None:
        objects = self.index.objects
        self.marks.update(objects[pos].id for pos in self.rows)

    def invert_visible_marks(self) -> None:
        objects = self.index.objects
        self.marks ^= {objects[pos].id for pos in self.rows}
