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
        self._bounds: tuple[int, int] | None = None  # its first and last row
        self.rows = 0  # how many rows the range spans now

    def follow(
        self,
        marks: set[str],
        anchor_row: int,
        cursor_row: int,
        ids_between: Callable[[int, int], Iterable[str]],
    ) -> None:
        """Make ``marks`` (changed in place) hold the base marks plus every row from the
        anchor to the cursor; ``ids_between(lo, hi)`` gives the ids of rows lo..hi (none
        when hi < lo).

        Only the rows entering or leaving the range are touched, so a cursor step costs the
        same over a 100k-row range as over a short one.
        """
        lo, hi = sorted((anchor_row, cursor_row))
        if self._bounds is None:
            self._reset(marks, set(ids_between(lo, hi)), (lo, hi))
            return
        # Both ranges hold the anchor row, so they overlap: what differs is at the ends.
        olo, ohi = self._bounds
        leaving = [*ids_between(olo, min(lo - 1, ohi)), *ids_between(max(hi + 1, olo), ohi)]
        entering = [*ids_between(lo, min(olo - 1, hi)), *ids_between(max(ohi + 1, lo), hi)]
        marks.difference_update(self._covered.intersection(leaving))
        self._covered.difference_update(leaving)
        self._span.difference_update(leaving)
        marks.update(entering)
        self._span.update(entering)
        self._covered.update(i for i in entering if i not in self._base)
        self._bounds = (lo, hi)
        self.rows = hi - lo + 1

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
            self._bounds = (lo, hi)  # the same rows, at new positions
            return
        self.anchor_id = cursor_id
        self._base = frozenset(marks)
        self._covered = set()
        self._reset(marks, {cursor_id}, (cursor_row, cursor_row))

    def _reset(self, marks: set[str], span: set[str], bounds: tuple[int, int]) -> None:
        marks.difference_update(self._covered - span)
        marks.update(span)
        self._covered = span - self._base
        self._span = span
        self._bounds = bounds
        self.rows = bounds[1] - bounds[0] + 1


def extend_step(marks: set[str], here: str | None, there: str | None) -> None:
    """shift+down/up: mark the cursor row and the row it moves to (k9s range marking)."""
    marks.update(i for i in (here, there) if i is not None)
