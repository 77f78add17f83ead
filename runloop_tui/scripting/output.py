"""Aligned text tables that fit the terminal, shared by ls and du, and what makes the machine
formats (JSON, CSV) safe to print.

Every cell goes through display_text: object names, ids and metadata are free text from a
server, and an escape sequence in one must reach the terminal as a visible character.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TextIO, TypeVar

from runloop_tui.api.wire import UNSAFE_CHARS
from runloop_tui.tui.formatting import display_text

T = TypeVar("T")
ELLIPSIS = "…"
GAP = "  "
# The flexible column (the name) never gets narrower than this while others are dropped.
FLEX_MIN = 16


@dataclass(frozen=True)
class Column(Generic[T]):
    title: str
    cell: Callable[[T], str]
    align: Literal["<", ">"] = "<"
    # Lower keeps its place longer when the terminal is narrow; 0 is never dropped.
    priority: int = 0
    flex: bool = False  # takes the width that is left, truncated in the middle


# json.dumps escapes C0 controls inside strings, so the ones left are its own newlines; C1
# controls (U+009B is CSI) and bidi or invisible characters it leaves raw.
_JSON_UNSAFE = re.compile(rf"(?![\x00-\x1f]){UNSAFE_CHARS.pattern}")
_UNSAFE_BUT_NEWLINE = re.compile(rf"(?!\n){UNSAFE_CHARS.pattern}")


def inert_json(text: str) -> str:
    """JSON text whose unsafe characters are written as \\uXXXX escapes: the same data for
    every JSON reader, and nothing a terminal would act on."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def for_stream(text: str, stream: TextIO) -> str:
    """Lines of text with no escape syntax (CSV) for `stream`: exact for a file or a pipe,
    each unsafe character a visible U+FFFD on a terminal, which would act on it."""
    if not stream.isatty():
        return text
    return _UNSAFE_BUT_NEWLINE.sub("\N{REPLACEMENT CHARACTER}", text)


def write_text(stream: TextIO, text: str) -> None:
    """`text` on `stream` a buffer's worth at a time. One big write to a pipe whose reader
    has left (`| head -1`) can end part-way without any error (CPython 3.11's buffered
    writer), so the output would look whole; small writes meet the EPIPE as BrokenPipeError."""
    step = io.DEFAULT_BUFFER_SIZE
    for start in range(0, len(text), step):
        stream.write(text[start : start + step])


def output_width(stream: TextIO) -> int | None:
    """The width to fit: the terminal's, or $COLUMNS; None (no limit) when piped."""
    if "COLUMNS" in os.environ or stream.isatty():
        return shutil.get_terminal_size().columns
    return None


def _cell_len(text: str) -> int:
    """Terminal cells `text` takes: 2 for wide characters (CJK, most emoji), 0 for combining
    marks. Rich's table, the one Textual draws with, so ls/du align as the app does; rich is
    imported here, when a table is drawn, not by the JSON, CSV or ids output."""
    from rich.cells import cell_len

    return cell_len(text)


def _take(text: str, cells: int) -> str:
    """The longest start of `text` that fits in `cells`."""
    from rich.cells import get_character_cell_size

    used = 0
    for i, char in enumerate(text):
        used += get_character_cell_size(char)
        if used > cells:
            return text[:i]
    return text


def truncate_middle(text: str, width: int) -> str:
    """`agent-runs/2026…/result.json`: both ends of a path say the most. At most `width`
    cells (one less when a wide character does not fit at the cut)."""
    if _cell_len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    head = (width - 1) // 2
    tail = width - 1 - head
    return _take(text, head) + ELLIPSIS + _take(text[::-1], tail)[::-1]


def _pad(text: str, width: int, align: Literal["<", ">"]) -> str:
    """`text` padded to `width` cells (str.format pads by characters, not cells)."""
    gap = " " * max(0, width - _cell_len(text))
    return text + gap if align == "<" else gap + text


def render_table(columns: Sequence[Column[T]], rows: Sequence[T], width: int | None) -> list[str]:
    """Header plus one line per row, columns aligned; fitted to `width` if given, by dropping
    the columns of highest priority number first, then narrowing the flexible one. Widths are
    in terminal cells."""
    cells = [[display_text(c.cell(row)) for c in columns] for row in rows]
    widths = [
        max([_cell_len(c.title)] + [_cell_len(line[i]) for line in cells])
        for i, c in enumerate(columns)
    ]
    shown = list(range(len(columns)))
    if width is not None:

        def needed() -> int:
            return sum(
                min(widths[i], FLEX_MIN) if columns[i].flex else widths[i] for i in shown
            ) + len(GAP) * (len(shown) - 1)

        droppable = sorted(
            (i for i, c in enumerate(columns) if c.priority > 0),
            key=lambda i: -columns[i].priority,
        )
        while needed() > width and droppable:
            shown.remove(droppable.pop(0))
        fixed = sum(widths[i] for i in shown if not columns[i].flex)
        fixed += len(GAP) * (len(shown) - 1)
        for i in shown:
            if columns[i].flex:
                widths[i] = max(1, min(widths[i], width - fixed))
    lines = []
    for line in [[c.title for c in columns], *cells]:
        parts = []
        for i in shown:
            text = truncate_middle(line[i], widths[i])
            parts.append(_pad(text, widths[i], columns[i].align))
        lines.append(GAP.join(parts).rstrip())
    return lines


def share_bar(fraction: float, width: int = 10) -> str:
    """`█████▍    ` for 0.54: eighths of a cell, like ncdu's graph."""
    fraction = min(1.0, max(0.0, fraction))
    eighths = round(fraction * width * 8)
    full, rest = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[rest] if rest else ""
    return ("█" * full + partial).ljust(width)
