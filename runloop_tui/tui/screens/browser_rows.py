"""What the browser shows: the model's rows, marks, sort and filter put on the table and the
header. The screen owns one; it keeps the cursor, the flash of changed rows and the counts.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from textual.timer import Timer

from runloop_tui.api.models import ObjectView
from runloop_tui.query.filter import CompiledFilter
from runloop_tui.tui.browser_model import BrowserModel
from runloop_tui.tui.columns import SORT_COLUMNS, default_descending
from runloop_tui.tui.list_loader import ListLoader
from runloop_tui.tui.refresh_state import RefreshState
from runloop_tui.tui.widgets.header import BrowserHeader, Counts
from runloop_tui.tui.widgets.object_table import ObjectTable

FLASH_SECONDS = 3.0
# A pass over fewer rows says little about the cost per row (the fixed costs dominate).
RATE_MIN_ROWS = 20_000
# A filter key over this many rows holds the cyclic collector for COLLECTOR_HOLD_SECONDS
# (see apply_filter).
HOLD_COLLECTOR_ROWS = 50_000
COLLECTOR_HOLD_SECONDS = 0.3

SetTimer = Callable[[float, Callable[[], None]], Timer]


@dataclass(eq=False)
class BrowserRows:
    """Puts the model on the table and the header, keeping the cursor where it was."""

    model: BrowserModel
    table: ObjectTable
    _header: Callable[[], BrowserHeader]
    loader: ListLoader
    refresh_state: RefreshState
    now_ms: Callable[[], int]
    _set_timer: SetTimer
    _read_only: Callable[[], bool]
    _after_rows: Callable[[], None]  # rows moved (a visual range follows them)
    _after_counts: Callable[[], None]  # what is available may have changed
    _flash_timer: Timer | None = field(default=None, init=False)
    pending_select: str | None = field(default=None, init=False)
    filter_seconds: float = field(default=0.0, init=False)  # CPU time of the last filter pass
    # CPU time per row a filter pass looked at, from the last pass over many (None: none yet).
    row_seconds: float | None = field(default=None, init=False)
    # Marked but hidden by the filter, or kept from the other view (kept by update_counts).
    hidden_marks: int = field(default=0, init=False)
    # Bumps whenever the data swaps (tests and stale checks use it).
    generation: int = field(default=0, init=False)
    _collector_timer: asyncio.TimerHandle | None = field(default=None, init=False)

    def cursor_id(self) -> str | None:
        obj = self.table.current_object
        return obj.id if obj else None

    # --- changes to the data ---
    def ingest(
        self, objects: list[ObjectView], listed: bool = True, *, counts: bool = True
    ) -> None:
        """``counts=False``: the caller updates the header (a listing does, at most a few
        times a second: each update repaints it)."""
        keep = self.cursor_id()
        if self.model.ingest(objects, self.now_ms(), listed):
            self.show(keep, counts=counts)

    def swap(self, staged: BrowserModel) -> None:
        keep = self.cursor_id()
        scroll_y = self.table.scroll_y
        changed = self.model.adopt(staged, self.now_ms())
        self.generation += 1
        self.show(keep)
        self.table.restore_scroll(scroll_y)
        self.flash(changed)
        self.marks_changed()

    def apply_changes(self, updated: list[ObjectView], removed_ids: list[str]) -> None:
        keep = self.cursor_id()
        changed = self.model.apply_changes(updated, removed_ids, self.now_ms())
        self.generation += 1
        self.show(keep)
        self.flash(changed)

    def drop_gone(self, gone: set[str]) -> None:
        """Objects deleted here while a listing ran never come back on screen."""
        if gone & self.model.pos_by_id.keys():
            self.model.apply_changes([], gone, self.now_ms())
            self.show(self.cursor_id())

    def switch_view(self) -> None:
        """Empty the list for the other view (own or public); the marks are kept aside."""
        self.model.switch_view()
        self.generation += 1
        self.table.set_marks(self.model.marks)
        self.show(None)

    # --- showing rows ---
    def select(self, object_id: str) -> None:
        row = self.table.row_of(object_id)
        if row is None:
            self.pending_select = object_id  # selected once it arrives
        else:
            self.pending_select = None
            self.table.move_cursor(row)

    def show(self, keep_id: str | None, *, counts: bool = True) -> None:
        self.model.take_back_marks()  # kept across `v`, their objects listed again
        if self.pending_select is not None and self.pending_select in self.model.pos_by_id:
            keep_id, self.pending_select = self.pending_select, None
        if keep_id is not None and not self.model.may_show(keep_id, self.now_ms()):
            keep_id = None  # filtered out: the table need not search a million rows for it
        self.table.set_rows(
            self.model.index.objects, self.model.rows, keep_id, positions=self.model.pos_by_id
        )
        self._after_rows()
        if counts:
            self.update_counts()

    def update_counts(self, loaded: int | None = None) -> None:
        model = self.model
        kept = model.kept_mark_count
        self.hidden_marks = model.hidden_mark_count(self.now_ms()) + kept
        self._header().set_counts(
            Counts(
                loaded=len(model.index) if loaded is None else loaded,
                total=self.loader.total,
                shown=len(model.rows),
                shown_bytes=model.shown_bytes,
                marked=len(model.marks) + kept,
                marked_bytes=model.marked_bytes,
                marked_hidden=self.hidden_marks - kept,
                marked_elsewhere=kept,
                loading=self.refresh_state.loading,
                note=self.loader.note(len(model.index)),
                label=self.loader.label(len(model.index)),
                incomplete=bool(self.loader.incomplete and len(model.index)),
            )
        )
        self.table.set_empty_text(self._empty_text())
        self._after_counts()

    def _empty_text(self) -> str:
        if self.loader.failure and not self.model.rows:
            return self.loader.failure  # "cannot reach SERVER: reason", not an empty account
        if self.model.rows or not self.refresh_state.loaded_once:
            return ""  # rows, or still loading: the header says so
        if self.model.filter.text.strip():
            return "No object matches the filter: / edits it, Esc clears it."
        return "No objects." if self._read_only() else "No objects yet: u uploads one."

    def flash(self, ids: set[str]) -> None:
        if not ids:
            return
        self.table.set_flash(ids)
        if self._flash_timer is not None:
            self._flash_timer.stop()
        self._flash_timer = self._set_timer(FLASH_SECONDS, lambda: self.table.set_flash(set()))

    # --- marks ---
    def marks_changed(self) -> None:
        self.table.set_marks(self.model.marks)
        self.update_counts()

    def mark(self, ids: Iterable[str]) -> None:
        self.model.marks.update(i for i in ids if i in self.model.pos_by_id)
        self.marks_changed()

    def mark_visible(self) -> None:
        self.model.mark_visible()
        self.marks_changed()

    def invert_visible_marks(self) -> None:
        self.model.invert_visible_marks()
        self.marks_changed()

    def clear_marks(self) -> None:
        self.model.clear_marks()
        self.marks_changed()

    def toggle_mark(self, object_id: str) -> None:
        self.model.toggle_mark(object_id)
        self.marks_changed()

    # --- sort ---
    def set_sort(self, column: str, descending: bool) -> None:
        keep = self.cursor_id()
        self.model.set_sort(column, descending)
        self.table.set_sort(column, descending)
        self.show(keep)

    def next_sort(self) -> str:
        """Sort by the next column on screen; returns it."""
        column, _ = self.model.sort
        # Only the columns on screen: a sort by a column you cannot see is hidden state.
        shown = [c for c in self.table.visible_columns if c in SORT_COLUMNS]
        following = shown[(shown.index(column) + 1) % len(shown)] if column in shown else shown[0]
        self.set_sort(following, default_descending(following))
        return following

    def sort_by(self, column: str) -> None:
        """A column's own key (or a click on its title): sort by it; again reverses."""
        current, descending = self.model.sort
        if column == current:
            self.set_sort(column, not descending)
        else:
            self.set_sort(column, default_descending(column))

    # --- filter ---
    def apply_filter(self, compiled: CompiledFilter) -> bool:
        """Filter the rows; False if the filter is the one already applied."""
        if compiled.text == self.model.filter.text:
            return False
        keep = self.cursor_id()
        if len(self.model.rows) >= HOLD_COLLECTOR_ROWS:
            self.hold_collector()
        # CPU time of this thread: what the pass costs, whatever else the machine is doing.
        started = time.thread_time()
        self.model.set_filter(compiled, self.now_ms())
        self.show(keep)
        self.filter_seconds = time.thread_time() - started
        if self.model.last_scanned >= RATE_MIN_ROWS:
            self.row_seconds = self.filter_seconds / self.model.last_scanned
        return True

    def hold_collector(self) -> None:
        """No cyclic collection until COLLECTOR_HOLD_SECONDS after this key (the next one
        starts the wait again). A pass over a million rows makes a new list of up to a
        million positions, and the next collection walks all of it: at the first key after
        loading a million objects (468,559 rows) that was a collection of 8-22 ms inside the
        key, before its rows were on screen (bench 13f). Held, it runs once the frame is
        out. Freezing the list instead (as the load freezes the loaded objects) would also
        pin what is alive at that moment: ~400 objects a key that later became garbage and
        could never be freed (measured over 40 keys). Nothing happens if the collector is off
        already (the start-up pause, runloop_tui/startup.py). The release is the event loop's,
        not the screen's timer: a screen replaced meanwhile (a profile switch) must not leave
        the collector off."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop to release it later: leave the collector as it is
        if self._collector_timer is not None:
            self._collector_timer.cancel()
        elif gc.isenabled():
            gc.disable()
        else:
            return
        self._collector_timer = loop.call_later(COLLECTOR_HOLD_SECONDS, self._release_collector)

    def _release_collector(self) -> None:
        if self._collector_timer is not None:
            self._collector_timer.cancel()  # (when called before its time)
            self._collector_timer = None
        gc.enable()

    def expected_seconds(self, compiled: CompiledFilter) -> float:
        """About the CPU time ``apply_filter(compiled)`` will take: the rows its pass will
        look at (none for a remembered result) at the last big pass's cost per row."""
        if self.row_seconds is None or compiled.text == self.model.filter.text:
            return 0.0
        return self.model.scan_estimate(compiled, self.now_ms()) * self.row_seconds

    def wants_pushdown(self, compiled: CompiledFilter) -> bool:
        """Whether the server should be asked for matches: the list here is partial."""
        push = compiled.pushdown
        # While loading, or past the cap (the server holds objects never loaded here).
        partial = self.refresh_state.loading or self.loader.capped
        return partial and bool(push.search or push.state or push.content_type)
