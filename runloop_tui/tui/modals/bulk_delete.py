"""Bulk delete: a summary confirmed by typing the count, a progress bar, then the results.

Typing the exact number is deliberate friction: a stray Enter can never delete a thousand
objects, and the number typed is the number the user has just read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Sequence
from functools import partial

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState

from runloop_tui.api.bulk import (
    DEFAULT_CONCURRENCY,
    BulkDeleteOutcome,
    StopFlag,
    delete_many,
)
from runloop_tui.api.models import ObjectView
from runloop_tui.api.retry import RetryEvent
from runloop_tui.tui.formatting import count_noun, display_text, human_size
from runloop_tui.tui.modals.dialog import dialog_css
from runloop_tui.tui.modals.validation import FieldError, checked_input, first_failure
from runloop_tui.tui.quitting import BULK_DELETE
from runloop_tui.tui.worker_errors import report_worker_failure

FIRST_NAMES = 10
# How often the progress modal redraws its bar and counts while deletes run. On loopback the
# app's CPU is what limits a bulk delete, and a redraw of the bar costs ~3 ms of it (the
# ProgressBar's reactive chain, then the frame): 5 a second is smooth for a count, and takes
# half of what 10 a second did.
PROGRESS_REFRESH_SECONDS = 0.2


def names_preview(
    objects: Sequence[ObjectView],
    limit: int = FIRST_NAMES,
    hidden: Collection[str] = frozenset(),
) -> list[str]:
    """The first `limit` names, then `… and N more`; those in `hidden` (ids) say so."""
    lines = [
        f"• {display_text(o.name)}" + ("  (hidden by the filter)" if o.id in hidden else "")
        for o in objects[:limit]
    ]
    if len(objects) > limit:
        lines.append(f"… and {len(objects) - limit:,} more")
    return lines


def state_breakdown(objects: Sequence[ObjectView]) -> str:
    counts = Counter(str(o.state) for o in objects)
    return " · ".join(
        f"{state} {n:,}" for state, n in sorted(counts.items(), key=lambda kv: -kv[1])
    )


def total_size(objects: Sequence[ObjectView]) -> int:
    return sum(o.size_bytes or 0 for o in objects)


class ExactCount(Validator):
    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def validate(self, value: str) -> ValidationResult:
        typed = value.strip().replace(",", "")
        if typed == str(self.count):
            return self.success()
        if not typed:
            return self.failure(f"Type {self.count} to confirm.")
        return self.failure(f"That is not {self.count:,}; nothing will be deleted.")


class BulkDeleteModal(ModalScreen[bool]):
    """Confirm deleting the marked objects; True only after the exact count is typed."""

    DEFAULT_CSS = (
        dialog_css("BulkDeleteModal", 80, border="$error")
        + """
    BulkDeleteModal .title { color: $error; }
    BulkDeleteModal #summary { margin-top: 1; }
    BulkDeleteModal #hidden-warning { margin-top: 1; color: $text-warning; text-style: bold; }
    BulkDeleteModal #incomplete-warning { margin-top: 1; color: $text-error; text-style: bold; }
    BulkDeleteModal #names { height: auto; max-height: 11; margin: 1 0; color: $text-muted; }
    BulkDeleteModal Input { width: 24; }
    BulkDeleteModal .prompt { height: auto; }
    BulkDeleteModal .prompt Label { padding-right: 1; }
    """
    )

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="bulk_delete.cancel")]

    def __init__(
        self,
        objects: Sequence[ObjectView],
        hidden_ids: Collection[str] = frozenset(),
        *,
        incomplete: str = "",
    ) -> None:
        super().__init__()
        self.hidden_ids = frozenset(hidden_ids) & {o.id for o in objects}
        # The ones the filter hides come first: they are the ones the user may have forgotten.
        # Then the caller's order (the table's); a stable sort keeps it.
        self.objects = sorted(objects, key=lambda o: o.id not in self.hidden_ids)
        # "3 of 6 loaded · listing failed: …": the marks are not "everything".
        self.incomplete = incomplete

    def compose(self) -> ComposeResult:
        count = len(self.objects)
        size = total_size(self.objects)
        summary = (
            f"{count_noun(count, 'object')} · {human_size(size)} ({size:,} bytes)\n"
            f"By state: {state_breakdown(self.objects)}"
        )
        with Vertical():
            yield Label(
                f"Delete {count_noun(count, 'marked object')}? This cannot be undone.",
                classes="title",
            )
            yield Static(Content(summary), id="summary")
            if self.hidden_ids:
                hidden = len(self.hidden_ids)
                verb = "is" if hidden == 1 else "are"
                yield Static(
                    Content(
                        f"{hidden:,} of the {count:,} marked {verb} hidden by the current filter"
                        " (listed first)."
                    ),
                    id="hidden-warning",
                )
            if self.incomplete:
                yield Static(
                    Content(
                        f"The list is incomplete ({self.incomplete}): objects that did not"
                        " load are not marked and will not be deleted."
                    ),
                    id="incomplete-warning",
                )
            with VerticalScroll(id="names"):
                yield Static(
                    Content("\n".join(names_preview(self.objects, hidden=self.hidden_ids)))
                )
            with Horizontal(classes="prompt"):
                yield Label(f"Type {count} to confirm:")
                # No placeholder: the count read as pre-filled, and a word ("number") read
                # as what to type.
                yield checked_input("count", ExactCount(count))
            yield FieldError(id="count-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button(
                    f"Delete {count:,}", id="delete", variant="error", compact=True, disabled=True
                )

    def on_mount(self) -> None:
        self.query_one("#count", Input).focus()

    @on(Input.Changed, "#count")
    def _typed(self, event: Input.Changed) -> None:
        ok = event.validation_result is not None and event.validation_result.is_valid
        self.query_one("#delete", Button).disabled = not ok
        # Only complain once something was typed: an empty field is simply not done yet.
        self.query_one("#count-error", FieldError).show(
            first_failure(event.validation_result) if event.value.strip() else None
        )

    @on(Input.Submitted, "#count")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.validation_result is not None and event.validation_result.is_valid:
            self.dismiss(True)
        else:
            self.query_one("#count-error", FieldError).show(first_failure(event.validation_result))

    @on(Button.Pressed, "#delete")
    def _delete(self) -> None:
        field = self.query_one("#count", Input)
        result = field.validate(field.value)
        if result is not None and result.is_valid:
            self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


# delete(object_id, on_retry=hook): the client's delete_object.
DeleteFn = Callable[..., Awaitable[object]]


class BulkDeleteProgressModal(ModalScreen[BulkDeleteOutcome | None]):
    """Runs the deletes behind a progress bar; Stop lets the in-flight ones finish."""

    DEFAULT_CSS = (
        dialog_css(
            "BulkDeleteProgressModal",
            72,
            border="$warning",
            padding="1 2",
            form=False,
            buttons=False,
        )
        + """
    BulkDeleteProgressModal ProgressBar { margin: 1 0; }
    BulkDeleteProgressModal #status { width: 1fr; }
    BulkDeleteProgressModal .buttons { height: auto; align-horizontal: right; }
    """
    )

    BINDINGS = [Binding("escape", "stop", "Stop", id="bulk_progress.stop")]

    def __init__(
        self,
        objects: Sequence[ObjectView],
        delete: DeleteFn,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        autostart: bool = True,
    ) -> None:
        super().__init__()
        self.objects = list(objects)
        self._delete = delete
        self.concurrency = concurrency
        self._autostart = autostart
        self._stop = StopFlag()
        self._ok = 0
        self._failed = 0
        self._retrying = ""  # "retrying (2/5)…" while the server is not answering
        self._ended = False  # the deletes are over; dismissed once this dialog is on top
        self._outcome: BulkDeleteOutcome | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                f"Deleting {count_noun(len(self.objects), 'object')}, "
                f"up to {self.concurrency} at a time"
            )
            yield ProgressBar(total=len(self.objects), show_eta=False, id="bar")
            yield Label(self._status_text(), id="status")
            with Horizontal(classes="buttons"):
                yield Button("Stop", id="stop", variant="warning", compact=True)

    def _status_text(self) -> str:
        text = f"Deleted {self._ok:,} · failed {self._failed:,} · of {len(self.objects):,}"
        if self._retrying:
            text += f" · {self._retrying}"
        return text + (" · stopping…" if self._stop.stopped else "")

    def _on_retry(self, event: RetryEvent) -> None:
        self._retrying = event.short

    def on_mount(self) -> None:
        # Results arrive hundreds a second; repainting a modal over the dimmed browser costs
        # tens of ms, so the bar and counts are redrawn on a timer, not once per result.
        self.set_interval(PROGRESS_REFRESH_SECONDS, self._show_progress)
        if self._autostart:
            self.run_deletes()

    def _on_result(self, obj: ObjectView, error: str | None) -> None:
        self._retrying = ""  # an answer: the server is back, or gave its final word
        if error is None:
            self._ok += 1
        else:
            self._failed += 1

    def _show_progress(self) -> None:
        done = self._ok + self._failed
        bar = self.query_one("#bar", ProgressBar)
        if bar.progress != done:
            bar.update(progress=done)
        status = self.query_one("#status", Label)
        text = self._status_text()
        if str(status.content) != text:
            # Plain text, not markup to parse; fixed width: no relayout of the screen.
            status.update(Content(text), layout=False)

    @work(exclusive=True, group=BULK_DELETE, exit_on_error=False, description="Bulk delete")
    async def run_deletes(self) -> None:
        outcome = await delete_many(
            partial(self._delete, on_retry=self._on_retry),
            self.objects,
            concurrency=self.concurrency,
            # Fewer at once when more would only queue (a local or busy server): each extra
            # request in flight costs CPU here and there without finishing any sooner.
            adaptive=True,
            on_result=self._on_result,
            stop=self._stop,
        )
        self._show_progress()
        self._end(outcome)

    def _end(self, outcome: BulkDeleteOutcome | None) -> None:
        """Dismiss with ``outcome``, once this dialog is on top: Screen.dismiss pops the top
        screen, whatever is there, so ending under a question ("Switch profile and cancel
        it?") took the question away and left this dialog open for ever."""
        self._ended = True
        self._outcome = outcome
        if self.is_active:
            self.dismiss(outcome)
        # else: _resumed dismisses it when what is on top goes

    @on(events.ScreenResume)
    def _resumed(self) -> None:
        if self._ended:
            self.call_later(self._dismiss_if_active)

    def _dismiss_if_active(self) -> None:
        if self._ended and self.is_active:
            self.dismiss(self._outcome)

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A bug, not a failed delete (those are in the outcome): say it, and hand the browser
        # None, so it re-lists instead of guessing what was deleted.
        if event.state is WorkerState.ERROR:
            report_worker_failure(self, event.worker, ())
            self._end(None)

    @on(Button.Pressed, "#stop")
    def action_stop(self) -> None:
        if self._ended:  # nothing left to stop: never a dialog that no key closes
            self._dismiss_if_active()
            return
        self._stop.stop()
        self.query_one("#stop", Button).disabled = True
        self.query_one("#status", Label).update(self._status_text())


class BulkResultsModal(ModalScreen[None]):
    """What happened: how many went, and every failure with its reason."""

    DEFAULT_CSS = (
        dialog_css("BulkResultsModal", 100, border="$warning", buttons=False)
        + """
    BulkResultsModal.-clean > Vertical { border: thick $success; }
    BulkResultsModal VerticalScroll { height: auto; max-height: 1fr; margin: 1 0; }
    BulkResultsModal .failure-name { color: $error; width: 100%; }
    BulkResultsModal .failure-error { color: $text-muted; padding-left: 2; width: 100%; }
    BulkResultsModal .buttons { height: auto; align-horizontal: right; }
    """
    )

    BINDINGS = [
        Binding("escape", "close", "Close", id="bulk_results.close"),
        Binding("enter", "close", "Close", show=False, id="bulk_results.close_enter"),
    ]

    def __init__(self, outcome: BulkDeleteOutcome) -> None:
        super().__init__(classes="-clean" if not outcome.failed else None)
        self.outcome = outcome

    def compose(self) -> ComposeResult:
        o = self.outcome
        title = f"Deleted {len(o.deleted):,} of {o.requested:,}."
        if o.failed:
            title += f" {len(o.failed):,} failed."
        if o.skipped:
            title += f" Stopped: {len(o.skipped):,} not attempted (still marked)."
        with Vertical():
            yield Label(Content(title), classes="title")
            with VerticalScroll():
                for failure in o.failed:
                    yield Label(
                        Content(
                            f"✗ {display_text(failure.obj.name)}  ({display_text(failure.obj.id)})"
                        ),
                        classes="failure-name",
                    )
                    yield Label(Content(failure.error), classes="failure-error")
            with Horizontal(classes="buttons"):
                yield Button("Close", id="close", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
