"""The main screen: header, filter bar, the virtualized object table and the detail pane.

Loading streams pages into the table (a small first page paints at once); live refresh
re-lists everything into a fresh index and swaps it in one go, keeping the cursor, marks
and scroll position. Network trouble leaves the last good rows on screen, marked stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.events import Key, Resize, ScreenResume
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from runloop_tui.api.models import ObjectView
from runloop_tui.tui.actions.ranges import RangeMarker
from runloop_tui.tui.availability import RULED_ACTIONS, Availability, AvailabilityGate
from runloop_tui.tui.browser_deps import BrowserDeps
from runloop_tui.tui.browser_keys import BROWSER_BINDINGS, forward, refused_key
from runloop_tui.tui.browser_model import BrowserModel
from runloop_tui.tui.list_loader import ListLoader
from runloop_tui.tui.listing import (
    Listing,
    ListingView,
    LoadFailed,
    LoadFinished,
    PageLoaded,
    next_paint,
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
from runloop_tui.tui.quitting import BULK_DELETE, work_in_flight
from runloop_tui.tui.refresh_state import RefreshState
from runloop_tui.tui.screens.browser_actions import LazyActions
from runloop_tui.tui.screens.browser_filtering import BrowserFilter
from runloop_tui.tui.screens.browser_layout import DetailLayout, TransfersDock, compose_browser
from runloop_tui.tui.screens.browser_rows import BrowserRows
from runloop_tui.tui.screens.live_refresh import LiveRefresh
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
    from runloop_tui.tui.widgets.transfers import TransfersPanel


class BrowserScreen(LazyActions, Screen[None]):
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
        self.dock = TransfersDock(self)
        self.gate = AvailabilityGate(self.availability, self._warn, self.refresh_bindings)
        # Created here, so the availability rule can ask about the table before it is mounted.
        self.table = ObjectTable(id="object-table")
        self.header = BrowserHeader(id="browser-header")
        history = FilterHistory(deps.settings.state_dir)
        self.filter_bar = FilterBar(lambda: self.client, history=history, id="filter-bar")
        self.detail = DetailPane(id="detail-pane")
        self.model = BrowserModel()
        self.ranges = RangeMarker(
            self.table,
            lambda: self.model.marks,
            lambda: self.rows.marks_changed(),
            self._update_mode,
            self._warn,
        )
        self._public = False
        self._resumed = False
        self.refresh_state = RefreshState()
        self.loader = ListLoader(self.refresh_state)
        self.rows = BrowserRows(
            self.model,
            self.table,
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
            self.table,
            self._notify_error,
            self._update_counts,
            self._bulk_delete_running,
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
                lambda: next_paint(self),
            ),
        )
        self.filtering = BrowserFilter(
            self.rows,
            deps.client,
            self,
            lambda text: self._apply_filter(text),
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

    def marked_in_view_order(self) -> list[ObjectView]:
        return self.model.marked_in_view_order()

    def listing_incomplete(self) -> str:
        return self.listing.incomplete()

    def availability(self) -> Availability:
        """What the rule in tui/availability.py looks at (see check_action)."""
        transfers = self.dock.transfers
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

    set_sort = forward("rows.set_sort")  # (column, descending)
    select_object = forward("rows.select")  # (object_id): now, or once it arrives
    mark_objects = forward("rows.mark")  # (ids)
    clear_marks = forward("rows.clear_marks")
    refresh_now = forward("live.start")  # a listing now (a refresh once one is on screen)

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

    availability_changed = forward("gate.recheck")

    def on_key(self, event: Key) -> None:
        if refused_key(self.active_bindings.get(event.key), self, self.refuse):
            event.stop()
            event.prevent_default()

    @on(KeyBar.Pressed)
    def _key_bar_pressed(self, event: KeyBar.Pressed) -> None:
        # A dimmed key in the bar says why it is dimmed; the app presses an enabled one.
        if not event.hint.enabled and self.refuse(event.hint.action):
            event.stop()

    # --- toasts (server text is never markup: a message with brackets shows as typed) ---
    def _warn(self, text: str) -> None:
        self.notify(text, severity="warning", markup=False)

    def _notify_error(self, text: str, title: str) -> None:
        self.notify(text, title=title, severity="error", markup=False)

    @property
    def transfers_panel(self) -> TransfersPanel:
        return self.dock()

    # --- object actions: the work is in tui/actions/ ---
    action_upload = forward("transfers.start_upload")
    action_download = forward("transfers.start_download")
    action_focus_transfers = forward("transfers.focus_panel")
    action_delete = forward("deletes.start_delete")
    action_bulk_delete = forward("deletes.start_bulk_delete")
    action_presign = forward("share.presign")
    action_copy_id = forward("share.copy_id")
    action_copy_name = forward("share.copy_name")
    action_preview = forward("share.start_preview")
    action_export = forward("exports.start_export")

    @on(RowActivated)
    def _row_activated(self) -> None:
        self.share.start_preview()

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
    def suggester(self) -> FilterSuggester:
        return self.filter_bar.suggester

    def compose(self) -> ComposeResult:
        initial = self.detail_layout.initial(self.app.size.width)
        yield from compose_browser(self.header, self.filter_bar, self.table, self.detail, initial)

    async def on_mount(self) -> None:
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
        self.detail_layout.layout(self.app.size.width)
        self._update_counts()
        self.set_interval(1.0, self._tick)
        start = settings.start_view  # --view, --filter, --sort
        if start.sort is not None:
            self.set_sort(*start.sort)
        if start.filter:
            self.set_filter(start.filter)
        self._start_load()
        await self.listing.first_rows()

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def _tick(self) -> None:
        if not self.is_active:
            # Under a modal, repainting the dimmed browser repaints the modal too (17-28 ms
            # a frame, measured during a bulk delete): catch up when the browser is back.
            return
        now = self.now_ms()
        self.table.set_now(now)
        self.detail.show(self.table.current_object, now)
        if self.refresh_state.error_text:
            self.live.show_status()  # "retrying in 3s" counts down

    def on_screen_resume(self, event: ScreenResume) -> None:
        # Runs before Textual's own handler. On the first resume the widgets were styled as
        # they mounted, a moment ago: the whole-screen re-style that every resume does (for a
        # theme changed while the screen was covered) would only repeat it, ~8 ms of the
        # first frame. Later resumes re-style as usual.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False
        self._tick()

    # --- layout ---
    def on_resize(self, event: Resize) -> None:
        self.detail_layout.layout(event.size.width)

    def action_toggle_detail(self) -> None:
        self.detail_layout.toggle(self.app.size.width)
        self.detail.show(self.table.current_object, self.now_ms())

    # --- loading and live refresh ---
    def _bulk_delete_running(self) -> bool:
        return any(w.group == BULK_DELETE for w in work_in_flight(self.app.workers))

    _start_load = forward("live.start")

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

    action_toggle_pause = forward("live.toggle_pause")

    action_refresh_now = forward("live.start")

    def action_toggle_public(self) -> None:
        self._public = not self._public
        self.refresh_state.loaded_once = False
        self.loader.total = None
        self.rows.switch_view()  # the marks are kept for when their objects are back
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
    def _update_counts(self, loaded: int | None = None) -> None:
        self.rows.update_counts(loaded)

    @on(RowHighlighted)
    def _row_highlighted(self, event: RowHighlighted) -> None:
        self.detail.show(event.obj, self.now_ms())
        self.query_one(NameLine).show(event.obj)
        self.availability_changed()

    # --- marks ---
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
        if warning := self.listing.mark_all_warning():  # must not read as everything
            self.notify(warning, title="Not everything", severity="warning", markup=False)

    action_invert_marks = forward("rows.invert_visible_marks")
    action_clear_marks = forward("rows.clear_marks")
    action_extend_marks = forward("ranges.extend")  # (step)
    action_visual_mode = forward("ranges.toggle_visual")

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

    action_sort_by = forward("rows.sort_by")  # (column): a column's own key; again reverses

    @on(SortRequested)
    def _sort_clicked(self, event: SortRequested) -> None:
        self.rows.sort_by(event.column)

    # --- filter ---
    def action_focus_filter(self) -> None:
        self.set_focus(self.filter_bar.input)

    @on(FilterChanged)
    def _filter_changed(self, event: FilterChanged) -> None:
        self.filtering.changed(event.text)

    @on(FilterDismissed)
    def _filter_dismissed(self) -> None:
        self.set_filter("")
        self.table.focus()

    @on(FilterSubmitted)
    def _filter_submitted(self) -> None:
        self._apply_filter(self.filter_bar.text)
        self.table.focus()

    def _apply_filter(self, text: str) -> None:
        self.filtering.apply_now(text)
