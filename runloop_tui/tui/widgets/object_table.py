"""A virtualized object table: a ScrollView on the Line API that renders only visible rows.

The table never copies objects: it holds a reference to the screen's object list and a list
of row positions into it (the filtered, sorted view). Filtering and sorting only swap that
list, so 100k objects cost nothing here but the ~40 visible strips. Why not DataTable: it
measures every cell with Rich when rows are added (about 11 s for 100k rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from math import ceil
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widget import Widget

from runloop_tui.api.models import ObjectView
from runloop_tui.tui.columns import SORT_COLUMNS, ColumnSpec
from runloop_tui.tui.messages import MarkToggled, RowActivated, RowHighlighted, SortRequested
from runloop_tui.tui.widgets.cell_fit import fit, fit_middle, layout_columns
from runloop_tui.tui.widgets.row_cursor import (
    RowCursorKeys,
    body_lines,
    cursor_bindings,
    scroll_into_view,
    table_css,
)


def _thumb(bar: ScrollBar, virtual: int) -> tuple[int, int]:
    """Where the vertical bar's thumb starts and ends (in eighths of a cell) for ``virtual``
    lines: Textual's ScrollBarRender.render_bar (textual is pinned) without the drawing."""
    size, window = bar.size.height, bar.window_size
    if not (window and size and virtual) or size == virtual or window >= virtual:
        return (-1, -1)  # no thumb, or a bar drawn otherwise: let Textual repaint it
    thumb = max(1, window / (virtual / size))
    start = int((size - thumb) * (bar.position / (virtual - window)) * 8)
    return (start, start + ceil(thumb * 8))


class ObjectTable(RowCursorKeys, ScrollView, can_focus=True):
    """Rows of objects with a fixed header row, a cursor, marks and a stale look."""

    COMPONENT_CLASSES = {
        "object-table--header",
        "object-table--sorted",
        "object-table--cursor",
        "object-table--cursor-blurred",
        "object-table--marked",
        "object-table--flash",
        "object-table--muted",
        "object-table--expiring",
        "object-table--state-uploading",
        "object-table--state-read-only",
        "object-table--state-error",
        "object-table--state-deleted",
    }

    DEFAULT_CSS = (
        table_css("ObjectTable", "object-table")
        + """
    ObjectTable > .object-table--cursor-blurred { background: $block-cursor-blurred-background; }
    ObjectTable > .object-table--flash { background: $warning 30%; }
    ObjectTable > .object-table--expiring { color: $text-warning; }
    ObjectTable > .object-table--state-uploading { color: $text-warning; }
    ObjectTable > .object-table--state-read-only { color: $text-success; }
    ObjectTable > .object-table--state-error { color: $text-error; text-style: bold; }
    ObjectTable > .object-table--state-deleted { color: $text-muted; text-style: strike; }
    """
    )

    BINDINGS: ClassVar[list[BindingType]] = cursor_bindings("table")

    # A var, not a reactive: moving the cursor repaints the two lines involved, not all.
    cursor_row: var[int] = var(0, init=False)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._objects: Sequence[ObjectView] = ()
        self._rows: list[int] = []
        self._positions: Mapping[str, int] | None = None
        self._marked: set[str] = set()
        self._flash: set[str] = set()
        self._stale = False
        self._now_ms = 0
        self._sort: tuple[str, bool] = ("created", True)
        # Rendered rows by (epoch, position, cursor, marked, flash). Anything that changes how
        # rows look bumps the epoch (_invalidate), as DataTable keys its line cache.
        self._cache: dict[tuple[int, int, bool, bool, bool], Strip] = {}
        self._epoch = 0
        self._styles: dict[str, Style] = {}
        self._layout: list[tuple[ColumnSpec, int]] = []
        self._layout_width = -1
        self._wide_names = False
        # Bumps whenever the rows are replaced (sort, filter, load): what a visual range
        # looks at to tell "the cursor moved" from "the rows moved under the cursor".
        self.rows_version = 0
        self._announced: tuple[str | None, int] = (None, -1)
        self._empty_text = ""

    # --- data in (called by the screen) ---
    def set_rows(
        self,
        objects: Sequence[ObjectView],
        rows: list[int],
        keep_id: str | None = None,
        *,
        positions: Mapping[str, int] | None = None,
    ) -> None:
        """Show ``rows`` (positions into ``objects``); keep the cursor on ``keep_id`` if shown.

        ``positions`` (id -> position in ``objects``) makes finding rows by id fast.
        """
        # Rendered rows are cached, and lines compared, by position: valid while the object
        # list is the same (loading appends to it). A new list (a refresh swapped in) may hold
        # other objects at the same positions: then everything is rendered again.
        same_objects = objects is self._objects
        if not same_objects:
            self._invalidate(repaint=False)
        before = self._screen_lines() if same_objects else None
        self._objects = objects
        self._rows = rows
        self._positions = positions
        self.rows_version += 1
        target = self.cursor_row
        if keep_id is not None:
            found = self.row_of(keep_id)
            if found is not None:
                target = found
        self._set_row_count(len(rows))
        self._move_cursor(min(target, max(0, len(rows) - 1)), scroll=False, repaint=False)
        # The cursor row is always on screen: after a sort or a filter, `d` and the detail
        # pane must never act on a row the user cannot see.
        scrolled = self._scroll_cursor_into_view(immediate=True)
        after = self._screen_lines()
        if scrolled or before is None or after is None or len(before) != len(after):
            self.refresh()
        else:
            # Typing a filter often keeps the top rows: repaint only the lines that changed
            # (each repainted line costs Textual's whole line pipeline).
            changed = zip(before, after, strict=True)
            self._refresh_lines(y for y, (a, b) in enumerate(changed) if a != b)

    def _set_row_count(self, count: int) -> None:
        """Size the scrollable area for ``count`` rows (plus the header line).

        Assigning ``virtual_size`` makes Textual lay out and repaint the whole screen, which
        was most of a filter keystroke's cost. While the rows overflow the table before and
        after (a long list filtered), only the scrollbar's thumb and the scroll range change:
        update those without a layout. Any other change takes Textual's usual path.
        """
        new = Size(self.size.width, count + 1)
        old = self.virtual_size
        if new == old:
            return
        height = self.scrollable_content_region.height
        if height <= 0 or old.height <= height or new.height <= height:
            self.virtual_size = new
            return
        self.set_reactive(Widget.virtual_size, new)
        bar = self.vertical_scrollbar
        if _thumb(bar, old.height) == _thumb(bar, new.height):
            # A page loaded below a long list: the thumb looks the same (at a million rows it
            # is one cell at its least). Refreshing the bar would repaint every widget under
            # its column, the table's visible lines included: most of a load's paint cost.
            bar.set_reactive(ScrollBar.window_virtual_size, new.height)
        else:
            self._scroll_update(new)  # the scrollbar's thumb (Textual's own resize path)
        if self.scroll_y > self.max_scroll_y:
            self.scroll_to(y=self.max_scroll_y, animate=False)

    def set_empty_text(self, text: str) -> None:
        """What the table says when it has no rows (why it is empty, what to do)."""
        if text != self._empty_text:
            self._empty_text = text
            self.refresh()

    def set_marks(self, marked: set[str]) -> None:
        self._marked = marked
        self._invalidate()

    def set_flash(self, ids: set[str]) -> None:
        self._flash = ids
        self._invalidate()

    def set_stale(self, stale: bool) -> None:
        if stale != self._stale:
            self._stale = stale
            self._invalidate()

    def set_now(self, now_ms: int) -> None:
        # Relative times read in seconds at best: look again only when a second has passed,
        # and re-render only when a row on screen reads differently ("1y" stays "1y" for a
        # long while: repainting the table every second cost a load a tenth of its paint).
        if now_ms // 1000 != self._now_ms // 1000:
            if self._reads_the_same_at(now_ms):
                self._keep_shown_strips()
            else:
                self._invalidate()
        self._now_ms = now_ms

    def _reads_the_same_at(self, now_ms: int) -> bool:
        """Whether every cell on screen has the same text and style at ``now_ms``."""
        then, columns, marked = self._now_ms, self._columns(), self._marked
        for obj in self._shown_objects():
            is_marked = obj.id in marked
            for column, _ in columns:
                if column.text(obj, is_marked, then) != column.text(obj, is_marked, now_ms):
                    return False
                style = column.style
                if style is not None and style(obj, then) != style(obj, now_ms):
                    return False
        return True

    def _keep_shown_strips(self) -> None:
        """A new epoch for the clock (rows off screen may read differently now), keeping the
        strips of the rows on screen, which read the same (``_reads_the_same_at``)."""
        old, epoch = self._epoch, self._epoch + 1
        top = round(self.scroll_y)
        shown = set(self._rows[top : top + max(0, body_lines(self))])
        self._cache = {
            (epoch, k[1], k[2], k[3], k[4]): strip
            for k, strip in self._cache.items()
            if k[0] == old and k[1] in shown
        }
        self._epoch = epoch

    def _shown_objects(self) -> list[ObjectView]:
        top = round(self.scroll_y)
        objects = self._objects
        return [objects[pos] for pos in self._rows[top : top + max(0, body_lines(self))]]

    def set_sort(self, column: str, descending: bool) -> None:
        self._sort = (column, descending)
        self.refresh()

    def set_wide_names(self, wide: bool) -> None:
        """Fold every column but the name away (W), or bring them back."""
        if wide != self._wide_names:
            self._wide_names = wide
            self._layout_width = -1  # lay the columns out again
            self._invalidate()

    @property
    def wide_names(self) -> bool:
        return self._wide_names

    def _invalidate(self, *, repaint: bool = True) -> None:
        """Every rendered row is out of date: the one place the render cache is dropped."""
        self._epoch += 1
        if repaint:
            self.refresh()

    # --- queries ---
    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def current_object(self) -> ObjectView | None:
        if 0 <= self.cursor_row < len(self._rows):
            return self._objects[self._rows[self.cursor_row]]
        return None

    @property
    def visible_columns(self) -> list[str]:
        return [c.key for c, _ in self._columns()]

    def row_of(self, object_id: str) -> int | None:
        if self._positions is not None:
            pos = self._positions.get(object_id)
            if pos is None:
                return None
            try:
                return self._rows.index(pos)  # a C-speed scan
            except ValueError:
                return None
        for row, pos in enumerate(self._rows):
            if self._objects[pos].id == object_id:
                return row
        return None

    # --- cursor (keys and actions: widgets/row_cursor.py) ---
    def _row_count(self) -> int:
        return len(self._rows)

    def move_cursor(self, row: int) -> None:
        self._move_cursor(row, scroll=True)

    def ids_between(self, lo: int, hi: int) -> list[str]:
        """The ids of rows ``lo`` to ``hi`` (inclusive), for range marking."""
        objects = self._objects
        return [objects[pos].id for pos in self._rows[max(0, lo) : hi + 1]]

    def _move_cursor(self, row: int, *, scroll: bool, repaint: bool = True) -> None:
        row = max(0, min(row, len(self._rows) - 1))
        old = self.cursor_row
        self.cursor_row = row
        if scroll:
            self._scroll_cursor_into_view()
        if old != row and repaint:
            self._refresh_lines(self._line_of(r) for r in (old, row))
        obj = self.current_object
        announce = (obj.id if obj else None, row)
        if announce != self._announced:
            self._announced = announce
            self.post_message(RowHighlighted(obj, row))

    def _scroll_cursor_into_view(self, *, immediate: bool = False) -> bool:
        """Scroll the least that shows the cursor row; True when it scrolled."""
        return scroll_into_view(self, self.cursor_row, immediate=immediate)

    def restore_scroll(self, scroll_y: float) -> None:
        """Back to ``scroll_y`` (a refresh keeps the view still), the cursor row still shown."""
        self.scroll_to(y=scroll_y, animate=False, immediate=True)
        self._scroll_cursor_into_view(immediate=True)

    @property
    def cursor_on_screen(self) -> bool:
        """Whether the cursor row is within the lines shown (always, when there are rows)."""
        top = round(self.scroll_y)
        body = body_lines(self)
        return not self._rows or top <= self.cursor_row < top + body

    # --- partial repaints ---
    def _line_of(self, row: int) -> int:
        """The widget line showing ``row`` (line 0 is the column header)."""
        return row - round(self.scroll_y) + 1

    def _screen_lines(self) -> list[tuple[int, bool]] | None:
        """What each body line shows: (position, is the cursor); None when the table shows
        its empty text instead (that switch repaints everything)."""
        if not self._rows:
            return None
        top = round(self.scroll_y)
        body = max(0, body_lines(self))
        rows, cursor = self._rows, self.cursor_row
        end = min(len(rows), top + body)
        lines = [(-1, False)] + [(rows[r], r == cursor) for r in range(top, end)]
        return lines + [(-1, False)] * (body + 1 - len(lines))

    def _refresh_lines(self, lines: Iterable[int]) -> None:
        width, height = self.size
        regions = [Region(0, y, width, 1) for y in set(lines) if 0 <= y < height]
        if regions:
            self.refresh(*regions)

    # --- mouse ---
    def _column_at(self, x: int) -> str | None:
        left = 0
        for column, width in self._columns():
            if left <= x < left + width + 1:
                return column.key
            left += width + 1
        return None

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        column = self._column_at(offset.x)
        if offset.y == 0:
            if column in SORT_COLUMNS:
                self.post_message(SortRequested(column))
            return
        row = round(self.scroll_y) + offset.y - 1
        if not 0 <= row < len(self._rows):
            return
        self.move_cursor(row)
        obj = self.current_object
        if obj is None:
            return
        if column == "mark":
            self.post_message(MarkToggled(obj.id))
        elif event.chain >= 2:
            self.post_message(RowActivated(obj))

    # --- rendering ---
    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._rows) + 1)
        self._invalidate(repaint=False)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._invalidate(repaint=False)

    def _columns(self) -> list[tuple[ColumnSpec, int]]:
        width = self.scrollable_content_region.width
        if width != self._layout_width:
            self._layout = layout_columns(width, self._wide_names)
            self._layout_width = width
        return self._layout

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if width != self._layout_width and self._layout_width != -1:
            # The scrollbar came or went: no resize event, yet every cached row is laid out
            # for the old width (a snapshot caught a row one cell off under load).
            self._invalidate(repaint=False)
        if y == 0:
            return self._render_header(width)
        row = round(self.scroll_y) + y - 1
        if row >= len(self._rows):
            if not self._rows and y == 2 and self._empty_text:
                # An empty table with no word looked broken (a filter hiding everything).
                style = self._base_style() + self._style("muted")
                return Strip([Segment(fit(f"  {self._empty_text}", width), style)])
            return Strip.blank(width, self._base_style())
        pos = self._rows[row]
        obj = self._objects[pos]
        key = (
            self._epoch,
            pos,
            row == self.cursor_row,
            obj.id in self._marked,
            obj.id in self._flash,
        )
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(obj, *key[2:], width=width)
            if len(self._cache) > 512:
                self._cache.clear()
            self._cache[key] = strip
        return strip

    def _style(self, name: str) -> Style:
        # Resolving a component style walks the CSS each time and a row needs several;
        # notify_style_update (theme, CSS or pseudo-class change) clears this cache.
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(f"object-table--{name}")
        return style

    def _base_style(self) -> Style:
        """``rich_style`` (it walks every ancestor for the background), cached like _style."""
        style = self._styles.get("")
        if style is None:
            style = self._styles[""] = self.rich_style
        return style

    def _render_header(self, width: int) -> Strip:
        header = self._base_style() + self._style("header")
        sorted_style = self._base_style() + self._style("sorted")
        column_key, descending = self._sort
        arrow = "▼" if descending else "▲"
        columns = self._columns()
        # Every sort shows where it is: by a column too narrow to show, on the name's title.
        hidden_sort = all(column.key != column_key for column, _ in columns)
        segments: list[Segment] = []
        for column, col_width in columns:
            title = column.title
            style = header
            if column.key == column_key:
                title = f"{title}{arrow}"
                style = sorted_style
            elif column.key == "name" and hidden_sort:
                title = f"{title} (sorted by {column_key}{arrow})"
            segments.append(Segment(fit(title, col_width, column.align), style))
            segments.append(Segment(" ", header))
        return Strip(segments).adjust_cell_length(width, self._base_style())

    def _render_row(
        self, obj: ObjectView, cursor: bool, marked: bool, flash: bool, *, width: int
    ) -> Strip:
        base = self._base_style()
        if flash:
            base += self._style("flash")
        if marked:
            base += self._style("marked")
        if self._stale:
            base += Style(dim=True)
        overlay: Style | None = None
        if cursor:
            overlay = self._style("cursor" if self.has_focus else "cursor-blurred")
        now = self._now_ms
        segments: list[Segment] = []
        for column, col_width in self._columns():
            text = column.text(obj, marked, now)
            name = column.style(obj, now) if column.style is not None else None
            style = base + self._style(name) if name else base
            if overlay is not None:
                style += overlay
            if column.key == "name":
                cell = fit_middle(text, col_width)
            else:
                cell = fit(text, col_width, column.align)
            segments.append(Segment(cell, style))
            segments.append(Segment(" ", base + overlay if overlay else base))
        return Strip(segments).adjust_cell_length(width, base)
