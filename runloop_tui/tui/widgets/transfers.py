"""The transfers panel: every upload and download with bytes, rate and ETA; cancellable.

The panel owns the Transfer records; workers only feed them numbers through the progress
callback, and a timer repaints, so a fast transfer never floods the UI with refreshes.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from textual.binding import Binding
from textual.content import Content
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

from runloop_tui.api.transfers import CancelToken
from runloop_tui.query.units import format_duration
from runloop_tui.tui.formatting import display_text, human_size

# Rate over the last few seconds: responsive, yet steady enough to read.
RATE_WINDOW_SECONDS = 5.0
MAX_ROWS = 6
_ids = itertools.count(1)


class TransferState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class RateMeter:
    """Bytes per second over a sliding window of (time, bytes) samples."""

    def __init__(self, window: float = RATE_WINDOW_SECONDS) -> None:
        self.window = window
        self.samples: deque[tuple[float, int]] = deque()

    def add(self, now: float, done: int) -> None:
        self.samples.append((now, done))
        while len(self.samples) > 2 and now - self.samples[0][0] > self.window:
            self.samples.popleft()

    def rate(self) -> float | None:
        if len(self.samples) < 2:
            return None
        (t0, b0), (t1, b1) = self.samples[0], self.samples[-1]
        if t1 <= t0:
            return None
        return (b1 - b0) / (t1 - t0)


def eta_seconds(done: int, total: int | None, rate: float | None) -> float | None:
    if total is None or rate is None or rate <= 0 or done >= total:
        return None
    return (total - done) / rate


@dataclass(eq=False)
class Transfer:
    kind: str  # "upload" or "download"
    name: str
    started: float
    cancel: CancelToken = field(default_factory=CancelToken)
    done: int = 0
    total: int | None = None
    state: TransferState = TransferState.RUNNING
    error: str | None = None
    finished: float | None = None
    object_id: str | None = None  # an upload's object, once created
    # An upload's half-made object that its failure could not delete: "left", then "removed".
    left_behind: str | None = None
    id: int = field(default_factory=lambda: next(_ids))
    meter: RateMeter = field(default_factory=RateMeter)

    @property
    def active(self) -> bool:
        return self.state is TransferState.RUNNING

    def progress(self, now: float, done: int, total: int | None) -> None:
        self.done = done
        self.total = total
        self.meter.add(now, done)

    def finish(self, now: float, state: TransferState, error: str | None = None) -> None:
        self.state = state
        self.error = error
        self.finished = now

    def _left_note(self) -> str:
        if self.left_behind is None or self.object_id is None:
            return ""
        object_id = display_text(self.object_id)
        if self.left_behind == "removed":
            return f"{object_id} left UPLOADING, now removed"
        return f"{object_id} left UPLOADING; removing it when the server is back"

    def line(self, now: float, width: int) -> Content:
        arrow = "↑" if self.kind == "upload" else "↓"
        sizes = human_size(self.done) + (f" / {human_size(self.total)}" if self.total else "")
        if self.state is TransferState.RUNNING:
            rate = self.meter.rate()
            eta = eta_seconds(self.done, self.total, rate)
            bits = [sizes]
            if rate is not None:
                bits.append(f"{human_size(int(rate))}/s")
            if eta is not None:
                bits.append(f"ETA {format_duration(eta)}")
            elif self.total:
                bits.append("ETA …")  # not enough samples yet
            tail = "  ".join(bits)
            if self.total:
                pct = min(100, int(self.done * 100 / self.total))
                filled = pct // 10
                bar: tuple[str, str] = (
                    "█" * filled + "░" * (10 - filled) + f" {pct:3d}%  ",
                    "$accent",
                )
            else:
                bar = ("▸ streaming  ", "$accent")
            style = ""
        elif self.state is TransferState.DONE:
            took = (self.finished or now) - self.started
            tail = f"{human_size(self.done)} in {format_duration(took)}"
            bar = ("✓ done  ", "$success")
            style = "dim"
        elif self.state is TransferState.CANCELLED:
            tail = self._left_note() or "nothing left behind"
            bar = ("⊘ cancelled  ", "$warning")
            style = "dim"
        else:
            note = self._left_note()
            tail = " · ".join(part for part in (note, self.error or "failed") if part)
            bar = ("✗ failed  ", "$error")
            style = ""
        name_room = max(8, min(40, width - len(tail) - len(bar[0]) - 6))
        name = display_text(self.name)
        if len(name) > name_room:
            name = name[: name_room - 1] + "…"
        # One line per transfer: a long error is cut, never wrapped under the arrow (the
        # notification has it whole).
        tail_room = max(1, width - 2 - (name_room + 2) - len(bar[0]))
        if len(tail) > tail_room:
            tail = tail[: tail_room - 1] + "…"
        return Content.assemble(
            (f"{arrow} ", "bold"), (f"{name:<{name_room}}  ", style), bar, (tail, style)
        )


class TransfersPanel(Widget, can_focus=True):
    """Docked under the table; hidden while there has been no transfer."""

    DEFAULT_CSS = """
    TransfersPanel {
        height: auto; max-height: 8; display: none;
        border-top: solid $panel-lighten-2; background: $surface; padding: 0 1;
    }
    TransfersPanel.-has-transfers { display: block; }
    TransfersPanel:focus { border-top: solid $accent; }
    """

    BINDINGS = [
        Binding("x", "cancel_transfer", "Cancel transfer", id="transfers.cancel"),
        Binding("X", "clear_finished", "Clear finished", id="transfers.clear"),
        Binding("up", "cursor(-1)", "Up", show=False, id="transfers.up"),
        Binding("down", "cursor(1)", "Down", show=False, id="transfers.down"),
        Binding("escape", "leave", "Back to table", show=False, id="transfers.leave"),
    ]

    cursor: reactive[int] = reactive(0)

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        id: str | None = "transfers",
    ) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.transfers: list[Transfer] = []
        self._timer: Timer | None = None

    def on_mount(self) -> None:
        self.border_title = "Transfers  T focus · x cancel · X clear finished"
        self._timer = self.set_interval(0.5, self._tick)

    def _tick(self) -> None:
        if any(t.active for t in self.transfers):
            self.refresh(layout=False)

    # --- what workers call ---
    def start(self, kind: str, name: str, cancel: CancelToken | None = None) -> Transfer:
        transfer = Transfer(kind=kind, name=name, started=self.clock())
        if cancel is not None:
            transfer.cancel = cancel
        transfer.meter.add(transfer.started, 0)
        self.transfers.append(transfer)
        self.add_class("-has-transfers")
        self.refresh(layout=True)
        return transfer

    def progress_callback(self, transfer: Transfer) -> Callable[[int, int | None], None]:
        def progress(done: int, total: int | None) -> None:
            transfer.progress(self.clock(), done, total)

        return progress

    def finish(self, transfer: Transfer, state: TransferState, error: str | None = None) -> None:
        transfer.finish(self.clock(), state, error)
        self.refresh(layout=True)

    # --- view ---
    @property
    def shown(self) -> list[Transfer]:
        """Running transfers first (oldest first), then the most recent finished ones."""
        running = [t for t in self.transfers if t.active]
        finished = [t for t in reversed(self.transfers) if not t.active]
        return (running + finished)[:MAX_ROWS]

    def render(self) -> Content:
        now = self.clock()
        width = max(20, self.size.width)
        lines = []
        for i, transfer in enumerate(self.shown):
            line = transfer.line(now, width)
            if self.has_focus and i == self.cursor:
                line = line.stylize("reverse")
            lines.append(line)
        return Content("\n").join(lines)

    def watch_cursor(self) -> None:
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        count = len(self.shown)
        if count:
            self.cursor = max(0, min(count - 1, self.cursor + delta))

    def action_cancel_transfer(self) -> None:
        shown = self.shown
        if not shown:
            return
        transfer = shown[min(self.cursor, len(shown) - 1)]
        if not transfer.active:
            self.notify("That transfer has already finished.", severity="warning")
            return
        transfer.cancel.cancel()
        self.notify(f"Cancelling {transfer.kind} of {display_text(transfer.name)}…", markup=False)

    def action_clear_finished(self) -> None:
        self.transfers = [t for t in self.transfers if t.active]
        self.cursor = 0
        self.set_class(bool(self.transfers), "-has-transfers")
        self.refresh(layout=True)

    def action_leave(self) -> None:
        self.screen.focus_next()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
