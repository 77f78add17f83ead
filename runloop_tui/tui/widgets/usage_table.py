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
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from runloop_tui.query.usage import UsageEntry, states_text
from runloop_tui.tui.columns import MARK_GLYPH
from runloop_tui.tui.formatting import display_text, human_size, short_relative_time
from runloop_tui.tui.widgets.cell_fit import fit, fit_middle

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
    shown = list(COLUMNS)
    for victim in sorted((c for c in COLUMNS if c.keep), key=lambda c: c.keep):
        fixed = sum(c.width + 1 for c in shown if c.key != "name")
        if width - fixed >= NAME_MIN_WIDTH:
            break
        shown.remove(victim)
    fixed = sum(c.width + 1 for c in shown if c.key != "name")
    return [(c, max(6, width - fixed) if c.key == "name" else c.width) for c in shown]


def share_cell(size: int, total: int) -> str:
    fraction = min(1.0, max(0.0, size / total)) if total > 0 else 0.0
    eighths = round(fraction * BAR_WIDTH * 8)
    full, rest = divmod(eighths, 8)
    bar = ("█" * full + (" ▏▎▍▌▋▊▉"[rest] if rest else "")).ljust(BAR_WIDTH)
    return f"{bar} {fraction * 100:5.1f}%"


class UsageTable(ScrollView, can_focus=True):
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
    DEFAULT_CSS = """
    UsageTable {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        background: $surface;
        color: $foreground;
        height: 1fr;
    }
    UsageTable > .usage-table--header { text-style: bold; color: $text-primary; }
    UsageTable > .usage-table--sorted { text-style: bold underline; color: $text-accent; }
    UsageTable > .usage-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    UsageTable > .usage-table--marked { background: $secondary 30%; color: $text-secondary; }
    UsageTable > .usage-table--prefix { text-style: bold; }
    UsageTable > .usage-table--bar { color: $text-primary; }
    UsageTable > .usage-table--muted { color: $text-muted; }
    UsageTable > .usage-table--uploading { color: $text-warning; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="usage_table.cursor_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="usage_table.cursor_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="usage_table.page_up"),
        Binding(
            "pagedown,ctrl+f", "page_down", "Page down", show=False, id="usage_table.page_down"
        ),
        Binding("home", "first", "First row", show=False, id="usage_table.first"),
        Binding("end", "last", "Last row", show=False, id="usage_table.last"),
    ]

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
        body = self.scrollable_content_region.height - 1
        if body <= 0:
            return
        top = round(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif self.cursor_row >= top + body:
            self.scroll_to(y=self.cursor_row - body + 1, animate=False)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor_row - self._page())

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor_row + self._page())

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._entries) - 1)

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
