"""What the two row tables (the object list and the usage view) share: the row cursor (its
keys, their actions, scrolling its row into view under a one-line column header) and the
look of the table, its header and its cursor.

`RowCursorKeys` is a plain mixin, not a Widget base class: Textual ranks inherited
DEFAULT_CSS by the depth of the class tree (`Stylesheet.add_source`), and a plain class
leaves that tree, and so every style, as it was. (The help-screen snapshot that failed now
and then when a Widget base was tried was a stale render cache in the object table, fixed.)
"""

from __future__ import annotations

from textual.binding import Binding, BindingType
from textual.scroll_view import ScrollView


def cursor_bindings(
    prefix: str, *, first: str = "home,g", last: str = "end,G"
) -> list[BindingType]:
    """The cursor keys (less and vim style), their ids under ``prefix``."""
    return [
        Binding("up,k", "cursor_up", "Up", show=False, id=f"{prefix}.cursor_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id=f"{prefix}.cursor_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id=f"{prefix}.page_up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id=f"{prefix}.page_down"),
        Binding(first, "first", "First row", show=False, id=f"{prefix}.first"),
        Binding(last, "last", "Last row", show=False, id=f"{prefix}.last"),
    ]


def table_css(name: str, prefix: str) -> str:
    """The DEFAULT_CSS rules every row table has; ``prefix`` names its component classes
    (``prefix--header`` and so on). The table's own rules follow."""
    return f"""
    {name} {{
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        background: $surface;
        color: $foreground;
    }}
    {name} > .{prefix}--header {{ text-style: bold; color: $text-primary; }}
    {name} > .{prefix}--sorted {{ text-style: bold underline; color: $text-accent; }}
    {name} > .{prefix}--cursor {{
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }}
    {name} > .{prefix}--marked {{ background: $secondary 30%; color: $text-secondary; }}
    {name} > .{prefix}--muted {{ color: $text-muted; }}
    """


def body_lines(view: ScrollView) -> int:
    """How many rows the view shows below its header line."""
    return view.scrollable_content_region.height - 1


def scroll_into_view(view: ScrollView, row: int, *, immediate: bool = False) -> bool:
    """Scroll the least that shows ``row``; True when it scrolled."""
    body = body_lines(view)
    if body <= 0:
        return False
    top = round(view.scroll_y)
    if row < top:
        view.scroll_to(y=row, animate=False, immediate=immediate)
    elif row >= top + body:
        view.scroll_to(y=row - body + 1, animate=False, immediate=immediate)
    else:
        return False
    return True


class RowCursorKeys:
    """The actions of cursor_bindings, for a ScrollView table with a ``cursor_row`` that
    provides the two methods below."""

    cursor_row: int

    def move_cursor(self, row: int) -> None:
        raise NotImplementedError

    def _row_count(self) -> int:
        raise NotImplementedError

    def _page(self) -> int:
        assert isinstance(self, ScrollView)
        return max(1, body_lines(self))

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
        self.move_cursor(self._row_count() - 1)
