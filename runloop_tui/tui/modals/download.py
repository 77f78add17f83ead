"""Where to save a download: a path prompt prefilled with `<download_dir>/<safe name>`."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Label

from runloop_tui.api.models import ObjectView
from runloop_tui.tui.formatting import display_text, human_size
from runloop_tui.tui.modals.path_suggester import PathSuggester
from runloop_tui.tui.modals.validation import FieldError, expand_path, first_failure, probe


class SaveTarget(Validator):
    """A file path whose folder exists; an existing folder is refused (name the file)."""

    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            return self.failure("Enter where to save the file.")
        path = expand_path(value)
        kind, problem = probe(path)
        if problem:
            return self.failure(problem)
        if kind == "dir":
            return self.failure("That is a folder; add a file name.")
        if kind == "other":
            return self.failure("That is not a regular file; choose another name.")
        parent_kind, problem = probe(path.parent)
        if problem:
            return self.failure(problem)
        if parent_kind != "dir":
            return self.failure(f"The folder {path.parent} does not exist.")
        if len(path.name.encode("utf-8", "surrogateescape")) > 255:
            return self.failure("The file name is longer than 255 bytes.")
        return self.success()


class DownloadModal(ModalScreen[Path | None]):
    DEFAULT_CSS = """
    DownloadModal { align: center middle; }
    DownloadModal > Vertical {
        width: 90; max-width: 100%; height: auto;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    DownloadModal .title { text-style: bold; width: 100%; }
    DownloadModal .label { color: $text-muted; margin-top: 1; }
    DownloadModal .buttons { height: auto; align-horizontal: right; margin-top: 1; }
    DownloadModal .buttons Button { margin-left: 2; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="download.cancel")]

    def __init__(self, obj: ObjectView, default_path: Path) -> None:
        super().__init__()
        self.obj = obj
        self.default_path = default_path

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                Content(
                    f"Download {display_text(self.obj.name)}  "
                    f"({human_size(self.obj.size_bytes)}, {self.obj.id})"
                ),
                classes="title",
            )
            yield Label("Save as  (→ accepts the suggestion; ~ is your home)", classes="label")
            yield Input(
                str(self.default_path),
                id="dest",
                suggester=PathSuggester(),
                validators=[SaveTarget()],
                validate_on=["changed", "submitted"],
                compact=True,
            )
            yield FieldError(id="dest-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Download", id="download", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#dest", Input).focus()

    @on(Input.Changed, "#dest")
    def _changed(self, event: Input.Changed) -> None:
        self.query_one("#dest-error", FieldError).show(first_failure(event.validation_result))

    @on(Input.Submitted, "#dest")
    @on(Button.Pressed, "#download")
    def _submit(self) -> None:
        field = self.query_one("#dest", Input)
        message = first_failure(field.validate(field.value))
        self.query_one("#dest-error", FieldError).show(message)
        if message is None:
            self.dismiss(expand_path(field.value))
        else:
            field.focus()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
