"""Where to save a download: a path prompt prefilled with `<download_dir>/<safe name>`."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from runloop_tui.api.models import ObjectView
from runloop_tui.tui.formatting import display_text, human_size, title_name
from runloop_tui.tui.modals.dialog import dialog_css
from runloop_tui.tui.modals.save_path import SavePathField


class DownloadModal(ModalScreen[Path | None]):
    DEFAULT_CSS = dialog_css("DownloadModal", 90)

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="download.cancel")]

    def __init__(self, obj: ObjectView, default_path: Path) -> None:
        super().__init__()
        self.obj = obj
        self.default_path = default_path

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                Content(
                    f"Download {title_name(self.obj.name)}  "
                    f"({human_size(self.obj.size_bytes)}, {display_text(self.obj.id)})"
                ),
                classes="title",
            )
            yield SavePathField(
                self.default_path, "Save as  (→ accepts the suggestion; ~ is your home)"
            )
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Download", id="download", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#dest", Input).focus()

    @on(Input.Submitted, "#dest")
    @on(Button.Pressed, "#download")
    def _submit(self) -> None:
        path = self.query_one(SavePathField).checked_path()
        if path is not None:
            self.dismiss(path)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
