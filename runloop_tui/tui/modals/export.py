"""Export the visible or the marked rows to JSON or CSV at a path the user chooses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

from runloop_tui.export import ExportFormat, format_of_suffix
from runloop_tui.tui.modals.dialog import dialog_css
from runloop_tui.tui.modals.save_path import SavePathField


@dataclass(frozen=True, slots=True)
class ExportRequest:
    marked: bool  # False: the visible rows
    path: Path
    fmt: ExportFormat


class ExportModal(ModalScreen[ExportRequest | None]):
    DEFAULT_CSS = (
        dialog_css("ExportModal", 90)
        + """
    ExportModal .choices { height: auto; }
    ExportModal RadioSet { width: 1fr; height: auto; }
    """
    )

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(self, visible_count: int, marked_count: int, default_path: Path) -> None:
        super().__init__()
        self.visible_count = visible_count
        self.marked_count = marked_count
        self.default_path = default_path
        self._auto_path = str(default_path)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Export objects (no upload URLs are written)", classes="title")
            with Horizontal(classes="choices"):
                with RadioSet(id="scope"):
                    yield RadioButton(
                        f"Visible rows ({self.visible_count:,})",
                        value=self.marked_count == 0,
                        id="scope-visible",
                    )
                    yield RadioButton(
                        f"Marked rows ({self.marked_count:,})",
                        value=self.marked_count > 0,
                        id="scope-marked",
                        disabled=self.marked_count == 0,
                    )
                with RadioSet(id="format"):
                    yield RadioButton("JSON", value=True, id="fmt-json")
                    yield RadioButton("CSV", id="fmt-csv")
            yield SavePathField(self.default_path, "Save as")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Export", id="export", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#dest", Input).focus()

    @property
    def fmt(self) -> ExportFormat:
        pressed = self.query_one("#format", RadioSet).pressed_button
        return (
            ExportFormat.CSV
            if pressed is not None and pressed.id == "fmt-csv"
            else ExportFormat.JSON
        )

    @on(RadioSet.Changed, "#format")
    def _format_changed(self) -> None:
        # The suffix follows the format until the user types a path of their own.
        field = self.query_one("#dest", Input)
        if field.value == self._auto_path:
            self._auto_path = str(Path(self._auto_path).with_suffix(f".{self.fmt.value}"))
            field.value = self._auto_path

    @on(Input.Changed, "#dest")
    def _dest_changed(self, event: Input.Changed) -> None:
        # A typed .csv or .json decides the format: JSON written into marked.csv is wrong.
        typed = format_of_suffix(event.value)
        if typed is not None and typed is not self.fmt:
            self.query_one(f"#fmt-{typed.value}", RadioButton).value = True

    @on(Input.Submitted, "#dest")
    @on(Button.Pressed, "#export")
    def _submit(self) -> None:
        path = self.query_one(SavePathField).checked_path()
        if path is None:
            return
        scope = self.query_one("#scope", RadioSet).pressed_button
        marked = scope is not None and scope.id == "scope-marked"
        fmt = format_of_suffix(str(path)) or self.fmt
        self.dismiss(ExportRequest(marked=marked, path=path, fmt=fmt))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
