"""The usage view's rows: a virtualized ScrollView (Line API), like the object table.

Only the visible lines are rendered, so a level with 100k objects listed as themselves
costs what one with ten prefixes does. Rows are UsageEntry values; the screen owns them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from runloop_tui.query.usage import UsageEntry, states_text
from runloop_tui.tui.columns import MARK_GLYPH
from runloop_tui.tui.formatting import display_text, human_size, short_relative_time
from runloop_tui.tui.widgets.cell_fit import fit, fit_middle, fold_columns
from runloop_tui.tui.widgets.row_cursor import (
    RowCursorKeys,
    cursor_bindings,
    scroll_into_view,
    table_css,
)

PARTIAL_MARK = "\N{CIRCLE WITH LEFT HALF BLACK}"
BAR_WIDTH = 8
NAME_MIN_WIDTH = 18


@dataclass(frozen=True, slots=True)
class UsageColumn:
    key: str
    title: str
    width: int
    align: str = "left"
    keep: int = 0  # lower drops first when narrow; 0 never drops


COLUMNS: tuple[UsageColumn, ...] = (
    UsageColumn("mark", "", 1),
    UsageColumn("name", "Prefix / object", 0),
    UsageColumn("size", "Size", 8, "right"),
    UsageColumn("share", "Share", BAR_WIDTH + 7, keep=4),
    UsageColumn("count", "Count", 8, "right", keep=5),
    UsageColumn("oldest", "Oldest", 8, "right", keep=2),
    UsageColumn("newest", "Newest", 8, "right", keep=1),
    # "12 UPLOADING" is the reason to look, so it outlives the ages at 80 columns.
    UsageColumn("states", "States", 24, keep=3),
)
SORT_COLUMN = {"size": "size", "count": "count", "age": "oldest", "name": "name"}


def layout_columns(width: int) -> list[tuple[UsageColumn, int]]:
    return fold_columns(COLUMNS, width, NAME_MIN_WIDTH)


def share_cell(size: int, total: int) -> str:
    fraction = min(1.0, max(0.0, size / total)) if total > 0 else 0.0
    eighths = round(fraction * BAR_WIDTH * 8)
    full, rest = divmod(eighths, 8)
    bar = ("█" * full + (" ▏▎▍▌▋▊▉"[rest] if rest else "")).ljust(BAR_WIDTH)
    return f"{bar} {fraction * 100:5.1f}%"


class UsageTable(RowCursorKeys, ScrollView, can_focus=True):
    """Entries with a header row, a cursor and marks (all, some or none under each)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "usage-table--header",
        "usage-table--sorted",
        "usage-table--cursor",
        "usage-table--marked",
        "usage-table--prefix",
        "usage-table--bar",
        "usage-table--muted",
        "usage-table--uploading",
    }
    DEFAULT_CSS = (
        table_css("UsageTable", "usage-table")
        + """
    UsageTable { height: 1fr; }
    UsageTable > .usage-table--prefix { text-style: bold; }
    UsageTable > .usage-table--bar { color: $text-primary; }
    UsageTable > .usage-table--uploading { color: $text-warning; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = cursor_bindings("usage_table", first="home", last="end")

    cursor_row: var[int] = var(0, init=False)

    class Activated(Message):
        """A double click (Enter is the screen's binding)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._entries: Sequence[UsageEntry] = ()
        self._marked: Sequence[int] = ()
        self._total = 0
        self._now_ms = 0
        self._sort = "size"
        self._styles: dict[str, Style] = {}
        self._empty_text = ""
        self._path = ""

    # --- data in (from the screen) ---
    def set_entries(
        self,
        entries: Sequence[UsageEntry],
        marked: Sequence[int],
        *,
        total_bytes: int,
        now_ms: int,
        sort: str,
        path: str,
        cursor: int = 0,
        empty_text: str = "",
    ) -> None:
        self._entries = entries
        self._path = path
        self._marked = marked
        self._total = total_bytes
        self._now_ms = now_ms
        self._sort = sort
        self._empty_text = empty_text
        self.virtual_size = Size(self.size.width, len(entries) + 1)
        self.cursor_row = max(0, min(cursor, len(entries) - 1))
        self._scroll_cursor_into_view()
        self.refresh()

    def set_marked(self, marked: Sequence[int]) -> None:
        self._marked = marked
        self.refresh()

    @property
    def current_entry(self) -> UsageEntry | None:
        if 0 <= self.cursor_row < len(self._entries):
            return self._entries[self.cursor_row]
        return None

    # --- cursor ---
    def move_cursor(self, row: int) -> None:
        old = self.cursor_row
        self.cursor_row = max(0, min(row, len(self._entries) - 1))
        self._scroll_cursor_into_view()
        if old != self.cursor_row:
            width = self.size.width
            top = round(self.scroll_y)
            for r in (old, self.cursor_row):
                self.refresh(Region(0, r - top + 1, width, 1))

    def _scroll_cursor_into_view(self) -> None:
        scroll_into_view(self, self.cursor_row)

    def _row_count(self) -> int:
        return len(self._entries)

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        row = round(self.scroll_y) + offset.y - 1
        if 0 <= row < len(self._entries):
            self.move_cursor(row)
            if event.chain >= 2:
                self.post_message(self.Activated())

    # --- rendering ---
    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._entries) + 1)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(f"usage-table--{name}")
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        columns = layout_columns(width)
        if y == 0:
            return self._render_header(columns, width, base)
        row = round(self.scroll_y) + y - 1
        if row >= len(self._entries):
            if not self._entries and y == 2 and self._empty_text:
                style = base + self._style("muted")
                return Strip([Segment(fit(f"  {self._empty_text}", width), style)])
            return Strip.blank(width, base)
        entry = self._entries[row]
        marked = self._marked[row] if row < len(self._marked) else 0
        return self._render_row(entry, marked, row == self.cursor_row, columns, width, base)

    def _render_header(
        self, columns: list[tuple[UsageColumn, int]], width: int, base: Style
    ) -> Strip:
        header = base + self._style("header")
        sorted_key = SORT_COLUMN.get(self._sort)
        segments: list[Segment] = []
        for column, col_width in columns:
            title, style = column.title, header
            if column.key == sorted_key:
                arrow = "▲" if self._sort in ("name", "age") else "▼"
                title, style = f"{title}{arrow}", base + self._style("sorted")
            segments.append(Segment(fit(title, col_width, column.align), style))
            segments.append(Segment(" ", header))
        return Strip(segments).adjust_cell_length(width, base)

    def _render_row(
        self,
        entry: UsageEntry,
        marked: int,
        cursor: bool,
        columns: list[tuple[UsageColumn, int]],
        width: int,
        base: Style,
    ) -> Strip:
        if marked:
            base += self._style("marked")
        overlay = self._style("cursor") if cursor and self.has_focus else None
        segments: list[Segment] = []
        for column, col_width in columns:
            text, style = self._cell(entry, column.key, marked, base)
            if overlay is not None:
                style += overlay
            cell = (
                fit_middle(text, col_width)
                if column.key == "name"
                else fit(text, col_width, column.align)
            )
            segments.append(Segment(cell, style))
            segments.append(Segment(" ", base + overlay if overlay else base))
        return Strip(segments).adjust_cell_length(width, base)

    def _cell(self, entry: UsageEntry, key: str, marked: int, base: Style) -> tuple[str, Style]:
        now = self._now_ms
        if key == "mark":
            glyph = MARK_GLYPH if marked >= entry.count else PARTIAL_MARK if marked else " "
            return glyph, base
        if key == "name":
            # Relative to where you are, like ncdu: the path is in the header.
            name = display_text(entry.prefix[len(self._path) :] or entry.prefix)
            return name, base + self._style("prefix") if not entry.is_object else base
        if key == "size":
            return human_size(entry.size_bytes), base
        if key == "share":
            return share_cell(entry.size_bytes, self._total), base + self._style("bar")
        if key == "count":
            return f"{entry.count:,}", base
        if key == "oldest":
            text = short_relative_time(entry.oldest_create_time_ms, now)
            return text, base + self._style("muted")
        if key == "newest":
            text = short_relative_time(entry.newest_create_time_ms, now)
            return text, base + self._style("muted")
        if key == "states":
            style = (
                self._style("uploading") if "UPLOADING" in entry.states else self._style("muted")
            )
            return display_text(states_text(entry.states, " ")), base + style
        return "", base
