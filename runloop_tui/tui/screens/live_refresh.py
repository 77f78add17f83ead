"""Live refresh for the browser: when the next listing runs, what the header says about it,
pausing, and the retry after a failed listing. The listing itself is the screen's worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from textual.timer import Timer

from runloop_tui.api.errors import ApiError
from runloop_tui.api.retry import RetryEvent
from runloop_tui.tui.list_loader import ListLoader
from runloop_tui.tui.refresh_state import RefreshState
from runloop_tui.tui.screens.browser_rows import SetTimer
from runloop_tui.tui.widgets.header import BrowserHeader
from runloop_tui.tui.widgets.object_table import ObjectTable

# (message, title): an error toast; server text is never markup.
Notify = Callable[[str, str], None]
HOLD_RECHECK_SECONDS = 1.0


@dataclass(eq=False)
class LiveRefresh:
    """Schedules listings (the screen's ``_load`` worker) and shows how fresh the list is."""

    state: RefreshState
    loader: ListLoader
    clock: Callable[[], float]
    _set_timer: SetTimer
    _run_load: Callable[[bool], object]  # refresh: a re-list swapped in at the end, not streamed
    _loaded_count: Callable[[], int]
    _header: Callable[[], BrowserHeader]
    _table: ObjectTable
    _notify_error: Notify
    _update_counts: Callable[[], None]
    # True while a bulk delete runs: an automatic re-list would compete with it for the
    # server and list rows that are about to go. The timer's refresh waits for it to end.
    _busy: Callable[[], bool] = lambda: False
    timer: Timer | None = field(default=None, init=False)
    _started_at: float | None = field(default=None, init=False)

    def start(self) -> None:
        """List now: the next scheduled listing is replaced by this one."""
        self._stop_timer()
        self._started_at = self.clock()
        self._run_load(self.state.loaded_once)

    def _due(self) -> None:
        """The timer's refresh: held, and checked again shortly, while the screen is busy."""
        if self._busy():
            self.timer = self._set_timer(HOLD_RECHECK_SECONDS, self._due)
        else:
            self.start()

    def _stop_timer(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None

    def schedule(self) -> None:
        state = self.state
        if self._started_at is not None:  # a listing just ended: its cost sets the pace
            state.last_listing_seconds = max(0.0, self.clock() - self._started_at)
            self._started_at = None
        if state.paused or not state.live_enabled:
            return
        self.timer = self._set_timer(state.interval(self._loaded_count()), self._due)

    def show_status(self) -> None:
        text = self.state.status(self._loaded_count(), self.clock())
        self._header().set_refresh(*text)
        self._table.set_stale(self.state.stale)

    def retrying(self, event: RetryEvent) -> None:
        """Show a listing's retries (the client backs off for up to a minute)."""
        self.state.retrying(event.reason, event.delay_seconds, self.clock())
        self.show_status()

    def failed(self, error: Exception) -> None:
        """A listing failed: say so once, keep the last good rows, and retry later."""
        retry_in, first = self.loader.fail(error, self._loaded_count(), self.clock())
        if first and isinstance(error, ApiError):  # others: the worker-failure handler said them
            self._notify_error(str(error), "Cannot list objects")
        self._update_counts()
        self.show_status()
        self._started_at = None
        if not self.state.paused:
            self.timer = self._set_timer(retry_in, self._due)

    def toggle_pause(self) -> None:
        state = self.state
        state.paused = not state.paused
        if state.paused:
            self._stop_timer()
        else:
            self.start()
        self.show_status()
