"""The main screen: header, filter bar, the virtualized object table and the detail pane.

Loading streams pages into the table (a small first page paints at once); live refresh
re-lists everything into a fresh index and swaps it in one go, keeping the cursor, marks
and scroll position. Network trouble leaves the last good rows on screen, marked stale.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, ClassVar, TypeVar
from urllib.parse import urlsplit

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Container
from textual.css.query import NoMatches
from textual.events import Key, Resize
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from runloop_tui.api.models import ObjectView
from runloop_tui.tui.actions.deletes import Deleter
from runloop_tui.tui.actions.exporting import Exporter
from runloop_tui.tui.actions.ranges import RangeMarker
from runloop_tui.tui.actions.share import Sharer
from runloop_tui.tui.actions.transfer_runner import TransferRunner
from runloop_tui.tui.availability import RULED_ACTIONS, Availability, AvailabilityGate
from runloop_tui.tui.browser_deps import BrowserDeps
from runloop_tui.tui.browser_keys import BROWSER_BINDINGS
from runloop_tui.tui.browser_model import BrowserModel
from runloop_tui.tui.clipboard import copy_and_notify
from runloop_tui.tui.list_loader import ListLoader
from runloop_tui.tui.listing import (
    Listing,
    ListingView,
    LoadFailed,
    LoadFinished,
    PageLoaded,
)
from runloop_tui.tui.messages import (
    FilterChanged,
    FilterDismissed,
    FilterSubmitted,
    MarkToggled,
    RowActivated,
    RowHighlighted,
    SortRequested,
)
from runloop_tui.tui.refresh_state import RefreshState
from runloop_tui.tui.screens.browser_filtering import BrowserFilter
from runloop_tui.tui.screens.browser_layout import DetailLayout
from runloop_tui.tui.screens.browser_rows import BrowserRows
from runloop_tui.tui.screens.live_refresh import LiveRefresh
from runloop_tui.tui.web_delivery import deliver_to_browser
from runloop_tui.tui.web_rules import clipboard_refusal
from runloop_tui.tui.widgets.detail_pane import DetailPane
from runloop_tui.tui.widgets.filter_bar import FilterBar, FilterSuggester
from runloop_tui.tui.widgets.filter_history import FilterHistory
from runloop_tui.tui.widgets.header import BrowserHeader
from runloop_tui.tui.widgets.key_bar import KeyBar
from runloop_tui.tui.widgets.name_line import NameLine
from runloop_tui.tui.widgets.object_table import ObjectTable
from runloop_tui.tui.worker_errors import report_worker_failure

if TYPE_CHECKING:
    from runloop_tui.tui.modals.export import ExportRequest
    from runloop_tui.tui.modals.upload import UploadRequest
    from runloop_tui.tui.widgets.transfers import TransfersPanel

R = TypeVar("R")

FILTER_DEBOUNCE_SECONDS = 0.12


class BrowserScreen(Screen[None]):
    # Not the filter bar (the first focusable widget): focusing it fetches completion data,
    # a request that would compete with the first page at launch.
    AUTO_FOCUS = "#object-table"
    BINDINGS: ClassVar[list[BindingType]] = BROWSER_BINDINGS

    def __init__(self, deps: BrowserDeps) -> None:
        super().__init__()
        self.client = deps.client
        self.settings = deps.settings
        self.clock = deps.clock
        self.paging = deps.paging
        self.refresh_policy = deps.refresh
        # The object actions: plain collaborators, each with what it needs.
        self.transfers = TransferRunner(self, deps.client, deps.settings, self._transfers_panel)
        self.deletes = Deleter(self, deps.client)
        self.share = Sharer(self, deps.client)
        self.exports = Exporter(self, deps.settings)
        self.gate = AvailabilityGate(self.availability, self._warn, self.refresh_bindings)
        self._panel: TransfersPanel | None = None
        # Created here, so the availability rule can ask about it before it is mounted.
        self._table = ObjectTable(id="object-table")
        self.model = BrowserModel()
        self.ranges = RangeMarker(
            self._table,
            lambda: self.model.marks,
            self._marks_changed,
            self._update_mode,
            self._warn,
        )
        self._public = False
        self.refresh_state = RefreshState()
        self.loader = ListLoader(self.refresh_state)
        self.rows = BrowserRows(
            self.model,
            self._table,
            lambda: self.header,
            self.loader,
            self.refresh_state,
            self.now_ms,
            self.set_timer,
            lambda: self.is_read_only,
            self.ranges.follow,  # rows moved under a visual range: it never grows by itself
            self.availability_changed,
        )
        self.live = LiveRefresh(
            self.refresh_state,
            self.loader,
            self.clock,
            self.set_timer,
            lambda refresh: self._load(refresh),
            lambda: len(self.model.index),
            lambda: self.header,
            self._table,
            self._notify_error,
            self._update_counts,
        )
        self.listing = Listing(
            deps.client,
            deps.paging,
            self.loader,
            self.rows,
            self.live,
            lambda: self._public,
            self.post_message,
            ListingView(
                self._update_counts,
                lambda text, title: self.notify(text, title=title),
                self._after_load,
            ),
        )
        self.filtering = BrowserFilter(
            self.rows,
            deps.client,
            lambda: self.filter_bar,
            lambda: self._public,
            lambda text, title: self.notify(text, title=title, severity="warning", markup=False),
        )
        self.detail_layout = DetailLayout(
            lambda: self.query_one("#browser-body"), lambda: self.query_one(NameLine)
        )

    @property
    def generation(self) -> int:
        """Bumps whenever the data swaps (tests and stale checks use it)."""
        return self.rows.generation

    @property
    def _refresh_timer(self) -> Timer | None:
        return self.live.timer

    # --- public API (the action collaborators' ActionHost, tests) ---
    @property
    def selected_object(self) -> ObjectView | None:
        return self.table.current_object

    @property
    def marked_objects(self) -> list[ObjectView]:
        return self.model.marked_objects

    @property
    def visible_objects(self) -> list[ObjectView]:
        return self.model.visible_objects

    @property
    def is_public_view(self) -> bool:
        return self._public

    @property
    def is_read_only(self) -> bool:
        return self.settings.read_only or self._public

    def hidden_marked_ids(self) -> set[str]:
        return self.model.hidden_marked_ids()

    def availability(self) -> Availability:
        """What the rule in tui/availability.py looks at (see check_action)."""
        transfers = self._panel.transfers if self._panel is not None else []
        return Availability(
            selection=self.table.current_object,
            marks=len(self.model.marks),
            hidden_marks=self.rows.hidden_marks,
            rows=len(self.model.rows),
            read_only=self.settings.read_only,
            public_view=self._public,
            transfers=len(transfers),
            transfers_running=sum(1 for t in transfers if t.active),
            clipboard_refusal=clipboard_refusal(self.app),
            visual=self.ranges.visual is not None,
        )

    @property
    def is_loading(self) -> bool:
        return self.refresh_state.loading

    @property
    def total_count(self) -> int | None:
        return self.loader.total

    def set_filter(self, text: str) -> None:
        """Set the filter bar's text and apply it now (no debounce)."""
        self.filter_bar.set_text(text)
        self._apply_filter(text)

    def action_usage(self) -> None:
        """The usage view: the shown objects grouped by name prefix (screens/usage.py)."""
        from runloop_tui.tui.screens.usage import UsageScreen

        self.app.push_screen(UsageScreen(self))

    @property
    def current_view(self) -> tuple[str, tuple[str, bool]]:
        """The filter text and the sort (column, descending), as "Save view as…" saves them."""
        return self.filter_bar.text, self.model.sort

    def set_sort(self, column: str, descending: bool) -> None:
        self.rows.set_sort(column, descending)

    def select_object(self, object_id: str) -> None:
        self.rows.select(object_id)

    def mark_objects(self, ids: Iterable[str]) -> None:
        self.rows.mark(ids)

    def clear_marks(self) -> None:
        self.rows.clear_marks()

    def refresh_now(self) -> None:
        self._start_load()

    def apply_local_changes(
        self, updated: Iterable[ObjectView] = (), removed_ids: Iterable[str] = ()
    ) -> None:
        removed_ids = list(removed_ids)
        self.loader.deleted(removed_ids)
        self.rows.apply_changes(list(updated), removed_ids)

    # --- availability: one rule (tui/availability.py) for keys, key bar, palette, handlers ---
    def unavailable_reason(self, action: str) -> str | None:
        return self.gate.reason(action)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in RULED_ACTIONS:
            return self.gate.check(action)
        return super().check_action(action, parameters)

    def refuse(self, action: str) -> bool:
        return self.gate.refuse(action)

    def availability_changed(self) -> None:
        self.gate.recheck()

    def on_key(self, event: Key) -> None:
        # A disabled binding lets its key fall through in silence: say why instead.
        active = self.active_bindings.get(event.key)
        if (
            active
            and not active.enabled
            and active.node is self
            and self.refuse(active.binding.action)
        ):
            event.stop()
            event.prevent_default()

    @on(KeyBar.Pressed)
    def _key_bar_pressed(self, event: KeyBar.Pressed) -> None:
        # A dimmed key in the bar says why it is dimmed; the app presses an enabled one.
        if not event.hint.enabled and self.refuse(event.hint.action):
            event.stop()

    # --- the user interface the action collaborators use (ActionHost) ---
    def push_modal(
        self, modal: Screen[R], callback: Callable[[R | None], None] | None = None
    ) -> None:
        self.app.push_screen(modal, callback)

    def _warn(self, text: str) -> None:
        self.notify(text, severity="warning", markup=False)

    def _notify_error(self, text: str, title: str) -> None:
        # Server text is never markup: a message with brackets must show as typed.
        self.notify(text, title=title, severity="error", markup=False)

    def copy(self, text: str, what: str) -> None:
        copy_and_notify(self.app, text, what)

    # --- web mode: files go to the user's browser, not onto the server's disk ---
    @property
    def in_browser(self) -> bool:
        return self.app.is_web

    def deliver(self, binary: BinaryIO, file_name: str, key: str) -> None:
        deliver_to_browser(self.app, binary, file_name, key)

    @property
    def transfers_panel(self) -> TransfersPanel:
        return self._transfers_panel()

    def _transfers_panel(self) -> TransfersPanel:
        """The panel, mounted under the object list the first time a transfer starts."""
        if self._panel is None:
            from runloop_tui.tui.widgets.transfers import TransfersPanel

            self._panel = TransfersPanel()
            try:
                self.mount(self._panel, after=self.query_one("#browser-body"))
            except NoMatches:
                self.mount(self._panel)
        return self._panel

    # --- object actions: one line each, the work is in tui/actions/ ---
    def action_upload(self) -> None:
        self.transfers.start_upload()

    def action_download(self) -> None:
        self.transfers.start_download()

    def action_focus_transfers(self) -> None:
        self.transfers.focus_panel()

    def action_delete(self) -> None:
        self.deletes.start_delete()

    def action_bulk_delete(self) -> None:
        self.deletes.start_bulk_delete()

    def action_presign(self) -> None:
        self.share.presign()

    def action_copy_id(self) -> None:
        self.share.copy_id()

    def action_copy_name(self) -> None:
        self.share.copy_name()

    def action_preview(self) -> None:
        self.share.start_preview()

    @on(RowActivated)
    def _row_activated(self) -> None:
        self.share.start_preview()

    def action_export(self) -> None:
        self.exports.start_export()

    # --- the actions' workers (uploads and downloads not exclusive: several may run) ---
    @work(group="upload", exit_on_error=False, description="Upload")
    async def run_upload(self, request: UploadRequest) -> ObjectView | None:
        return await self.transfers.upload(request)

    @work(group="download", exit_on_error=False, description="Download")
    async def run_download(self, obj: ObjectView, path: Path, overwrite: bool) -> Path | None:
        return await self.transfers.download(obj, path, overwrite)

    @work(group="download", exit_on_error=False, description="Download to the browser")
    async def run_web_download(self, obj: ObjectView) -> str | None:
        return await self.transfers.web_download(obj)

    @work(group="delete", exit_on_error=False, description="Delete object")
    async def run_delete(self, obj: ObjectView) -> bool:
        return await self.deletes.delete(obj)

    @work(exclusive=True, group="preview", exit_on_error=False, description="Preview")
    async def load_preview(self, obj: ObjectView) -> None:
        await self.share.preview(obj)

    @work(thread=True, group="export", exit_on_error=False, description="Export")
    def run_export(self, rows: list[ObjectView], request: ExportRequest, overwrite: bool) -> int:
        return self.exports.export(rows, request, overwrite)

    @work(thread=True, group="export", exit_on_error=False, description="Export to the browser")
    def run_web_export(self, rows: list[ObjectView], request: ExportRequest) -> int:
        return self.exports.web_export(rows, request)

    # --- worker failures: one place for all of this screen's workers ---
    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        report_worker_failure(self, event.worker, [self.settings.api_key])
        error = event.worker.error
        if event.worker.group == "load" and isinstance(error, Exception):
            self.live.failed(error)  # not left "loading", and the list is retried

    # --- widgets ---
    @property
    def table(self) -> ObjectTable:
        return self._table

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    @property
    def suggester(self) -> FilterSuggester:
        return self.filter_bar.suggester

    @property
    def header(self) -> BrowserHeader:
        return self.query_one(BrowserHeader)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    def compose(self) -> ComposeResult:
        yield BrowserHeader(id="browser-header")
        yield FilterBar(
            lambda: self.client,
            history=FilterHistory(self.settings.state_dir),
            id="filter-bar",
        )
        with Container(id="browser-body"):
            yield self._table
            yield DetailPane(id="detail-pane")
        yield NameLine(id="name-line")
        yield KeyBar(id="key-bar")

    def on_mount(self) -> None:
        settings = self.settings
        self.refresh_state.chosen_interval = settings.refresh_seconds
        self.refresh_state.live_enabled = self.refresh_policy.live
        self.loader.max_objects = settings.max_objects
        self.loader.server = urlsplit(self.client.base_url).netloc or self.client.base_url
        self.header.set_connection(settings.connection_label, settings.accent)
        self._update_mode()
        self.table.set_marks(self.model.marks)
        self.table.set_now(self.now_ms())
        self.table.focus()
        # Synchronous, unlike RowHighlighted: in a burst (`Vjjj V`) each key sees the range.
        self.watch(self.table, "cursor_row", self.ranges.follow, init=False)
        self._layout_detail(self.app.size.width)
        self._update_counts()
        self.set_interval(1.0, self._tick)
        start = settings.start_view  # --view, --filter, --sort
        if start.sort is not None:
            self.set_sort(*start.sort)
        if start.filter:
            self.set_filter(start.filter)
        self._start_load()

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def _cursor_id(self) -> str | None:
        return self.rows.cursor_id()

    def _tick(self) -> None:
        if not self.is_current:
            # Under a modal, repainting the dimmed browser repaints the modal too (17-28 ms
            # a frame, measured during a bulk delete): catch up when the browser is back.
            return
        now = self.now_ms()
        self.table.set_now(now)
        self.detail.show(self.table.current_object, now)
        if self.refresh_state.error_text:
            self.live.show_status()  # "retrying in 3s" counts down

    def on_screen_resume(self) -> None:
        self._tick()

    # --- layout ---
    def on_resize(self, event: Resize) -> None:
        self._layout_detail(event.size.width)

    def _layout_detail(self, width: int) -> None:
        self.detail_layout.layout(width)

    def action_toggle_detail(self) -> None:
        self.detail_layout.toggle(self.app.size.width)
        self.detail.show(self.table.current_object, self.now_ms())

    # --- loading and live refresh ---
    def _start_load(self) -> None:
        self.live.start()

    @work(exclusive=True, group="load", exit_on_error=False, description="list objects")
    async def _load(self, refresh: bool) -> None:
        await self.listing.run(refresh)  # tui/listing.py; it posts the messages below

    @on(PageLoaded)
    def _page_loaded(self, event: PageLoaded) -> None:
        self.listing.page_loaded(event)

    @on(LoadFailed)
    def _load_failed(self, event: LoadFailed) -> None:
        self.listing.failed(event)

    @on(LoadFinished)
    def _load_finished(self, event: LoadFinished) -> None:
        self.listing.finished(event)

    def _after_load(self) -> None:
        if not self.filter_bar.suggester.metadata_keys:
            # Completion data, fetched once the list is in: on a 100k-object store this query
            # costs the server as much as ten pages, so it must not compete with the load.
            # (Focusing the filter bar fetches it too, if the user gets there first.)
            self.filter_bar.load_metadata_keys()

    def action_toggle_pause(self) -> None:
        self.live.toggle_pause()

    def action_refresh_now(self) -> None:
        self.refresh_now()

    def action_toggle_public(self) -> None:
        self._public = not self._public
        self.refresh_state.loaded_once = False
        self.loader.total = None
        self.rows.clear()
        self._update_mode()
        self._start_load()

    def _update_mode(self) -> None:
        self.header.set_mode(
            self._public,
            self.is_read_only,
            visual_rows=self.ranges.visual_rows,
            wide_names=self.table.wide_names,
        )
        self.refresh_bindings()

    # --- showing rows (screens/browser_rows.py) ---
    def _show_rows(self, keep_id: str | None) -> None:
        self.rows.show(keep_id)

    def _update_counts(self, loaded: int | None = None) -> None:
        self.rows.update_counts(loaded)

    @on(RowHighlighted)
    def _row_highlighted(self, event: RowHighlighted) -> None:
        self.detail.show(event.obj, self.now_ms())
        self.query_one(NameLine).show(event.obj)
        self.availability_changed()

    # --- marks ---
    def _marks_changed(self) -> None:
        self.rows.marks_changed()

    def action_toggle_mark(self) -> None:
        obj = self.table.current_object
        if obj is None:
            return
        self.rows.toggle_mark(obj.id)
        self.table.action_cursor_down()

    @on(MarkToggled)
    def _mark_clicked(self, event: MarkToggled) -> None:
        self.rows.toggle_mark(event.object_id)

    def action_mark_all(self) -> None:
        self.rows.mark_visible()

    def action_invert_marks(self) -> None:
        self.rows.invert_visible_marks()

    def action_clear_marks(self) -> None:
        self.clear_marks()

    def action_extend_marks(self, step: int) -> None:
        self.ranges.extend(step)

    def action_visual_mode(self) -> None:
        self.ranges.toggle_visual()

    def action_toggle_wide_names(self) -> None:
        self.table.set_wide_names(not self.table.wide_names)
        self._update_mode()

    def action_escape(self) -> None:
        # Esc backs out of the filter, as in k9s and lazygit. It never clears the marks: an
        # Esc too many (closing a dialog, then once more) must not lose a selection built
        # over minutes; `c` clears them on purpose. The visual mode goes first (marks stay).
        if self.ranges.leave():
            return
        if self.filter_bar.text:
            self.set_filter("")
        elif self.model.marks:
            self.notify(
                f"{len(self.model.marks):,} marked: c clears the marks.", timeout=3, markup=False
            )

    # --- sort ---
    def action_cycle_sort(self) -> None:
        following = self.rows.next_sort()
        self.notify(f"Sorted by {following}", timeout=1.5)

    def action_reverse_sort(self) -> None:
        column, descending = self.model.sort
        self.set_sort(column, not descending)

    def action_sort_by(self, column: str) -> None:
        """A column's own key (or a click on its title): sort by it; again reverses."""
        self.rows.sort_by(column)

    @on(SortRequested)
    def _sort_clicked(self, event: SortRequested) -> None:
        self.action_sort_by(event.column)

    # --- filter ---
    def action_focus_filter(self) -> None:
        self.set_focus(self.filter_bar.input)

    @on(FilterChanged)
    def _filter_changed(self, event: FilterChanged) -> None:
        # A pass over 100k objects takes 10-20 ms: apply it at once, so every key repaints
        # within a frame or two. Only once passes get slow (a huge list, a slow machine) does
        # typing wait for a pause, so keys never queue up behind filter passes.
        if self.filtering.instant:
            self.workers.cancel_group(self, "filter")  # a pending debounced pass is stale
            self._apply_filter(event.text)
        else:
            self._debounced_filter(event.text)

    @on(FilterDismissed)
    def _filter_dismissed(self) -> None:
        self.set_filter("")
        self.table.focus()

    @on(FilterSubmitted)
    def _filter_submitted(self) -> None:
        self._apply_filter(self.filter_bar.text)
        self.table.focus()

    @work(exclusive=True, group="filter", exit_on_error=False, description="filter (debounced)")
    async def _debounced_filter(self, text: str) -> None:
        # The next keystroke cancels this worker while it sleeps: one pass per pause in typing.
        await asyncio.sleep(FILTER_DEBOUNCE_SECONDS)
        if text == self.filter_bar.text:
            self._apply_filter(text)

    def _apply_filter(self, text: str) -> None:
        if self.filtering.apply(text):
            self._pushdown(text)

    @work(exclusive=True, group="pushdown", exit_on_error=False, description="server-side filter")
    async def _pushdown(self, text: str) -> None:
        await self.filtering.pushdown(text)
