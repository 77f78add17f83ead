"""Fitting text and columns into terminal cells: pure helpers, shared by the object table,
the usage table and the name line.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from rich.cells import cell_len, set_cell_size

from runloop_tui.tui.columns import COLUMNS, ColumnSpec

# Below this the name, the column people read first, is too short to tell objects apart.
NAME_MIN_WIDTH = 28


def fit(text: str, width: int, align: str = "left") -> str:
    """Pad or truncate (with an ellipsis) to exactly ``width`` cells."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "\N{HORIZONTAL ELLIPSIS}"
    if align == "right":
        return " " * (width - cell_len(text)) + text
    return set_cell_size(text, width)


def fit_middle(text: str, width: int) -> str:
    """Like fit, but elides the middle: for paths the file name at the end matters most."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    if width < 12:
        return fit(text, width)
    tail_width = (width - 1) * 3 // 5
    tail = text[-tail_width:]
    while cell_len(tail) > tail_width:
        tail = tail[1:]
    head = set_cell_size(text, width - 1 - cell_len(tail))
    return f"{head}\N{HORIZONTAL ELLIPSIS}{tail}"


class FoldingColumn(Protocol):
    """A table column: its width in cells, and ``keep``, the lower folds away first when the
    table is narrow (0: never). The column keyed "name" flexes."""

    @property
    def key(self) -> str: ...
    @property
    def width(self) -> int: ...
    @property
    def keep(self) -> int: ...


C = TypeVar("C", bound=FoldingColumn)


def fold_columns(columns: Iterable[C], width: int, name_min: int) -> list[tuple[C, int]]:
    """The columns that fit in ``width`` cells and their widths: columns fold away (lowest
    ``keep`` first) until the name column has ``name_min`` cells; the name takes the rest."""
    shown = list(columns)
    for victim in sorted((c for c in shown if c.keep), key=lambda c: c.keep):
        fixed = sum(c.width + 1 for c in shown if c.key != "name")
        if width - fixed >= name_min:
            break
        shown.remove(victim)
    fixed = sum(c.width + 1 for c in shown if c.key != "name")
    name_width = max(6, width - fixed)
    return [(c, name_width if c.key == "name" else c.width) for c in shown]


def layout_columns(width: int, wide_names: bool = False) -> list[tuple[ColumnSpec, int]]:
    """The object table's columns for ``width`` cells.

    ``wide_names`` (W): the name takes every cell it can, every other column but the mark
    folded away.
    """
    shown = [c for c in COLUMNS if c.key in ("mark", "name")] if wide_names else COLUMNS
    return fold_columns(shown, width, NAME_MIN_WIDTH)
