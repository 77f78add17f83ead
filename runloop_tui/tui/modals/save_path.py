"""The "save as" field shared by the download and export modals: a path, checked at the field."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label

from runloop_tui.tui.modals.path_suggester import PathSuggester
from runloop_tui.tui.modals.validation import (
    FieldError,
    PathValidator,
    checked_input,
    expand_path,
    first_failure,
    probe,
)


class SaveTarget(PathValidator):
    """A file path whose folder exists; an existing folder is refused (name the file)."""

    empty_message = "Enter where to save the file."

    def check(self, path: Path, kind: str | None) -> str | None:
        if kind == "dir":
            return "That is a folder; add a file name."
        if kind == "other":
            return "That is not a regular file; choose another name."
        parent_kind, problem = probe(path.parent)
        if problem:
            return problem
        if parent_kind != "dir":
            return f"The folder {path.parent} does not exist."
        if not os.access(path.parent, os.W_OK | os.X_OK):
            return f"Cannot write in {path.parent}: permission denied."
        if len(path.name.encode("utf-8", "surrogateescape")) > 255:
            return "The file name is longer than 255 bytes."
        return None


def cannot_create_in(folder: Path) -> str | None:
    """Why no file can be made in ``folder`` (tried for real: /proc, a read-only mount or a
    full disk pass the permission check); None when one can. Run once, on submit."""
    try:
        fd, name = tempfile.mkstemp(prefix=".runloop-tui-probe-", dir=folder)
    except OSError as exc:
        return f"Cannot write in {folder}: {exc.strerror or exc}."
    os.close(fd)
    os.unlink(name)
    return None


class SavePathField(Vertical):
    """A label, a path input with completion (#dest) and its message (#dest-error)."""

    DEFAULT_CSS = "SavePathField { height: auto; }"

    def __init__(self, default: Path, label: str) -> None:
        super().__init__()
        self._default = default
        self._label = label

    def compose(self) -> ComposeResult:
        yield Label(self._label, classes="label")
        yield checked_input("dest", SaveTarget(), str(self._default), suggester=PathSuggester())
        yield FieldError(id="dest-error")

    @on(Input.Changed, "#dest")
    def _changed(self, event: Input.Changed) -> None:
        self.query_one("#dest-error", FieldError).show(first_failure(event.validation_result))

    def checked_path(self) -> Path | None:
        """The chosen path, or None after showing why it can't be used (focus stays there)."""
        field = self.query_one("#dest", Input)
        message = first_failure(field.validate(field.value))
        if message is None:
            message = cannot_create_in(expand_path(field.value).parent)
        self.query_one("#dest-error", FieldError).show(message)
        if message is not None:
            field.focus()
            return None
        return expand_path(field.value)
