"""Range marking, as k9s (#723) and vim's visual line mode do it. Pure: no Textual.

A visual range runs from an anchor row (where `V` was pressed) to the cursor: every row in
between is marked, and moving the cursor back unmarks the rows it leaves, except those that
were marked before the mode began. Leaving the mode keeps the marks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


class VisualRange:
    """The marks one visual range adds to a set of marks, kept up to date as the cursor moves.

    The anchor is an object id, not a row: a refresh, a sort or a filter moves rows around,
    and the range follows the anchor object (or ends, when the filter hides it).
    """

    def __init__(self, anchor_id: str, marks: set[str]) -> None:
        self.anchor_id = anchor_id
        self._base = frozenset(marks)  # marked before the mode began: always kept
        self._covered: set[str] = set()  # marked by the range, and only by it
        self._span: set[str] = set()  # every row the range covers
        self.rows = 0  # how many rows the range spans now

    def follow(
        self,
        marks: set[str],
        anchor_row: int,
        cursor_row: int,
        ids_between: Callable[[int, int], Iterable[str]],
    ) -> None:
        """Make ``marks`` (changed in place) hold the base marks plus every row from the
        anchor to the cursor; ``ids_between(lo, hi)`` gives the ids of rows lo..hi."""
        lo, hi = sorted((anchor_row, cursor_row))
        span = set(ids_between(lo, hi))
        self._extend(marks, span, hi - lo + 1)

    def rows_moved(
        self,
        marks: set[str],
        anchor_row: int,
        cursor_row: int,
        cursor_id: str,
        ids_between: Callable[[int, int], Iterable[str]],
    ) -> None:
        """The rows were sorted, filtered or refreshed under the range. If other objects now
        lie between the anchor and the cursor, the range starts again at the cursor: a
        re-sort must never mark rows the cursor did not pass over."""
        lo, hi = sorted((anchor_row, cursor_row))
        if set(ids_between(lo, hi)) == self._span:
            return
        self.anchor_id = cursor_id
        self._base = frozenset(marks)
        self._covered = set()
        self._extend(marks, {cursor_id}, 1)

    def _extend(self, marks: set[str], span: set[str], rows: int) -> None:
        marks.difference_update(self._covered - span)
        marks.update(span)
        self._covered = span - self._base
        self._span = span
        self.rows = rows


def extend_step(marks: set[str], here: str | None, there: str | None) -> None:
    """shift+down/up: mark the cursor row and the row it moves to (k9s range marking)."""
    marks.update(i for i in (here, there) if i is not None)
