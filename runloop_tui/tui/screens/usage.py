"""The usage view: the objects the filter shows, grouped by name prefix, like ncdu.

Opened from the browser, it works on what the browser passes in (its model: the shown
objects and the marks; and the few actions it needs), and follows the browser's data as
live refresh, paging and deletes change it. Marks are the browser's own marks, so `D` is
the browser's bulk delete with its usual summary and typed count.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Protocol

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from runloop_tui.query.usage import UsageEntry
from runloop_tui.tui.browser_model import BrowserModel
from runloop_tui.tui.formatting import display_text, human_size
from runloop_tui.tui.usage_model import UsageModel
from runloop_tui.tui.widgets.key_bar import KeyBar
from runloop_tui.tui.widgets.usage_table import UsageTable

FOLLOW_SECONDS = 1.0


class UsageHost(Protocol):
    """What the usage view needs from the browser (BrowserScreen provides all of it)."""

    model: BrowserModel

    @property
    def generation(self) -> int: ...

    @property
    def is_loading(self) -> bool: ...

    @property
    def total_count(self) -> int | None: ...

    def now_ms(self) -> int: ...

    def set_filter(self, text: str) -> None: ...

    def select_object(self, object_id: str) -> None: ...

    def mark_objects(self, ids: Iterable[str]) -> None: ...

    def clear_marks(self) -> None: ...

    def action_bulk_delete(self) -> None: ...


def filter_for(prefix: str, current: str) -> str:
    """The browser's filter for one prefix: the current filter plus `name:PREFIX`."""
    value = f'"{prefix}"' if any(c.isspace() for c in prefix) and '"' not in prefix else prefix
    term = f"name:{value}"
    current = current.strip()
    if term in current.split():
        return current
    return f"{current} {term}".strip()


class UsageScreen(Screen[None]):
    DEFAULT_CSS = """
    UsageScreen { layout: vertical; }
    UsageScreen > #usage-header {
        height: 2;
        padding: 0 1;
        background: $panel;
        color: $foreground;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,right,l", "open", "Open", id="usage.open"),
        Binding("backspace,left,h", "up", "Up", id="usage.up"),
        Binding("space", "toggle_mark", "Mark", id="usage.mark"),
        Binding("D", "bulk_delete", "Delete marked", id="usage.bulk_delete"),
        Binding("s", "cycle_sort", "Sort", id="usage.sort"),
        Binding("f", "show_in_table", "Show in table", id="usage.show_in_table"),
        Binding("U,escape", "close", "Objects", id="usage.close"),
    ]

    def __init__(self, host: UsageHost) -> None:
        super().__init__()
        self.host = host
        self.usage = UsageModel(host.model.visible_objects)
        self._seen = self._signature()
        self._cursor_by_path: dict[str, str] = {}
        self._marks_seen = self._marks_signature()

    def compose(self) -> ComposeResult:
        yield Static(id="usage-header")
        yield UsageTable(id="usage-table")
        yield KeyBar(id="usage-key-bar")

    @property
    def table(self) -> UsageTable:
        return self.query_one(UsageTable)

    def on_mount(self) -> None:
        self.table.focus()
        self._show()
        self.set_interval(FOLLOW_SECONDS, self._follow)

    # --- following the browser's data ---
    def _signature(self) -> tuple[int, int, int, str]:
        model = self.host.model
        return (self.host.generation, len(model.rows), len(model.pos_by_id), model.filter.text)

    def _follow(self) -> None:
        """Rebuild when the browser's data changed (live refresh, paging, a delete)."""
        signature = self._signature()
        if signature != self._seen:
            self._seen = signature
            keep = self.table.current_entry
            self.usage.rebuild(self.host.model.visible_objects)
            self._show(keep.prefix if keep else None)
        elif self._marks_seen != self._marks_signature():
            self._refresh_marks()  # marks may change under a modal (a bulk delete)

    def on_screen_resume(self) -> None:
        self._follow()

    # --- showing ---
    def _show(self, cursor_prefix: str | None = None) -> None:
        usage = self.usage
        row = usage.row_of(cursor_prefix) if cursor_prefix else None
        empty = "No objects here." if usage.object_count else "The filter shows no objects."
        self.table.set_entries(
            usage.entries,
            usage.marked_counts(self.host.model.marks),
            total_bytes=usage.total.size_bytes,
            now_ms=self.host.now_ms(),
            sort=usage.sort,
            path=usage.path,
            cursor=row or 0,
            empty_text=empty,
        )
        self._marks_seen = self._marks_signature()
        self._show_header()

    def _marks_signature(self) -> tuple[int, int]:
        marks = self.host.model.marks
        return id(marks), len(marks)

    def _refresh_marks(self) -> None:
        self._marks_seen = self._marks_signature()
        self.table.set_marked(self.usage.marked_counts(self.host.model.marks))
        self._show_header()

    def _show_header(self) -> None:
        usage, model = self.usage, self.host.model
        total = usage.total
        line = Text()
        line.append("Usage ", style="bold")
        line.append(display_text("/" + usage.path), style="bold reverse")
        line.append(
            f"  {total.count:,} objects · {human_size(total.size_bytes)} · sorted by {usage.sort}"
        )
        notes: list[str] = []
        if model.filter.text.strip():
            notes.append(f"filter: {display_text(model.filter.text.strip())}")
        if model.marks:
            notes.append(f"{len(model.marks):,} marked")
        coverage = self._coverage()
        second = Text(" · ".join(notes), style="dim")
        if coverage:
            second.append(("  " if notes else "") + coverage, style="bold")
        self.query_one("#usage-header", Static).update(Text("\n").join([line, second]))

    def _coverage(self) -> str:
        """Say so when the view cannot cover every object the filter would match."""
        loaded = len(self.host.model.pos_by_id)
        if self.host.is_loading:
            return f"Still loading: covers the {loaded:,} objects loaded so far."
        total = self.host.total_count
        if total is not None and total > loaded:
            return f"Covers only the {loaded:,} loaded of {total:,} objects."
        return ""

    # --- actions ---
    def _current_prefix(self) -> UsageEntry | None:
        """The entry under the cursor if it is a prefix; an object goes to its table row."""
        entry = self.table.current_entry
        if entry is not None and entry.is_object:
            (obj,) = self.usage.objects_under(entry)
            self.dismiss()
            self.host.select_object(obj.id)
            return None
        return entry

    def action_open(self) -> None:
        entry = self._current_prefix()
        if entry is None:
            return
        self._cursor_by_path[self.usage.path] = entry.prefix
        self.usage.enter(entry)
        self._show(self._cursor_by_path.get(self.usage.path))

    @on(UsageTable.Activated)
    def _activated(self) -> None:
        self.action_open()

    def action_up(self) -> None:
        left = self.usage.up()
        if left is not None:
            self._show(left)

    def action_cycle_sort(self) -> None:
        keep = self.table.current_entry
        self.usage.set_sort(self.usage.next_sort())
        self._show(keep.prefix if keep else None)

    def action_toggle_mark(self) -> None:
        entry = self.table.current_entry
        if entry is None:
            return
        ids = [o.id for o in self.usage.objects_under(entry)]
        marks = self.host.model.marks
        if all(i in marks for i in ids):
            keep = marks.difference(ids)
            self.host.clear_marks()
            self.host.mark_objects(keep)
        else:
            self.host.mark_objects(ids)
        self._refresh_marks()
        self.table.action_cursor_down()

    def action_bulk_delete(self) -> None:
        if not self.host.model.marks:
            self.notify("Mark a prefix or an object with space first.", severity="warning")
            return
        self.host.action_bulk_delete()  # the browser's summary, over this view

    def action_show_in_table(self) -> None:
        entry = self._current_prefix()
        if entry is None:
            return
        text = filter_for(entry.prefix, self.host.model.filter.text)
        self.dismiss()
        self.host.set_filter(text)

    def action_close(self) -> None:
        self.dismiss()
