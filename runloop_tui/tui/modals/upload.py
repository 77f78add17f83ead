"""The upload form: path (with completion), name, content type, metadata rows and TTL.

Every field says what is wrong with it right underneath. The form only collects a valid
UploadRequest; the transfer itself runs in a worker so this modal can close at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from runloop_tui.api.content_types import default_object_name, infer_content_type
from runloop_tui.api.models import ContentType
from runloop_tui.limits import MAX_METADATA_KEY, MAX_METADATA_KEYS, MAX_METADATA_VALUE, text_problem
from runloop_tui.tui.modals.dialog import dialog_css
from runloop_tui.tui.modals.path_suggester import PathSuggester
from runloop_tui.tui.modals.validation import (
    ExistingPath,
    FieldError,
    ObjectName,
    checked_input,
    duration_seconds,
    expand_path,
    first_failure,
    probe,
    ttl_validator,
)


@dataclass(frozen=True, slots=True)
class UploadRequest:
    path: Path
    name: str
    content_type: ContentType
    metadata: dict[str, str] = field(default_factory=dict)
    ttl_ms: int | None = None


class MetadataRow(Horizontal):
    """One key/value pair with its remove button and its own message line."""

    DEFAULT_CSS = """
    MetadataRow { height: auto; }
    MetadataRow .md-key { width: 1fr; }
    MetadataRow .md-value { width: 2fr; margin-left: 1; }
    MetadataRow Button { margin-left: 1; min-width: 3; }
    """

    def __init__(self, key: str = "", value: str = "") -> None:
        super().__init__(classes="md-row")
        self._key = key
        self._value = value

    def compose(self) -> ComposeResult:
        yield Input(self._key, placeholder="key", classes="md-key", compact=True)
        yield Input(self._value, placeholder="value", classes="md-value", compact=True)
        yield Button("✕", classes="md-remove", compact=True, tooltip="Remove this row")

    @property
    def pair(self) -> tuple[str, str]:
        return (self.query_one(".md-key", Input).value, self.query_one(".md-value", Input).value)


def check_metadata(pairs: list[tuple[str, str]]) -> list[str | None]:
    """A message per row (None when fine). Fully empty rows are ignored."""
    messages: list[str | None] = []
    seen: set[str] = set()
    used = 0
    for key, value in pairs:
        k = key.strip()
        if not k and not value:
            messages.append(None)
            continue
        used += 1
        key_problem = text_problem(k)
        value_problem = text_problem(value, allow_tab=True)
        if not k:
            messages.append("This value needs a key.")
        elif len(k) > MAX_METADATA_KEY:
            messages.append(f"The key is longer than {MAX_METADATA_KEY} characters.")
        elif key_problem:
            messages.append(f"The key {key_problem}.")
        elif k in seen:
            messages.append(f"The key {k!r} is already used above.")
        elif len(value) > MAX_METADATA_VALUE:
            messages.append(f"The value is longer than {MAX_METADATA_VALUE:,} characters.")
        elif value_problem:
            messages.append(f"The value {value_problem}.")
        elif used > MAX_METADATA_KEYS:
            messages.append(f"At most {MAX_METADATA_KEYS} metadata keys.")
        else:
            messages.append(None)
        seen.add(k)
    return messages


class UploadModal(ModalScreen[UploadRequest | None]):
    DEFAULT_CSS = (
        dialog_css("UploadModal", 90)
        + """
    UploadModal .title, UploadModal .label { padding: 0 1; }
    UploadModal VerticalScroll { height: auto; max-height: 1fr; }
    UploadModal Input, UploadModal Select { margin: 0 1; }
    UploadModal #metadata { height: auto; padding: 0 1; }
    UploadModal #add-md { margin: 0 1; }
    """
    )

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="upload.cancel"),
        Binding("ctrl+s", "submit", "Upload", id="upload.submit"),
        # priority: the action then runs in the app's key loop, so keys typed right after
        # ctrl+n (a fast typist, a laggy SSH link) wait and reach the new row, not the old field.
        Binding("ctrl+n", "add_row", "Add metadata", priority=True, id="upload.add_metadata"),
    ]

    def __init__(self, start_path: str = "") -> None:
        super().__init__()
        self._start_path = start_path
        # The name and type follow the path until the user changes them.
        self._auto_name = ""
        self._name_edited = False
        self._auto_type = ContentType.UNSPECIFIED
        self._type_edited = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Upload a file or a directory", classes="title")
            with VerticalScroll():
                yield Label(
                    "Path  (→ accepts the suggestion; a directory uploads as .tar.gz)",
                    classes="label",
                )
                yield checked_input(
                    "path",
                    ExistingPath(),
                    self._start_path,
                    placeholder="~/path/to/file-or-directory",
                    suggester=PathSuggester(),
                )
                yield FieldError(id="path-error")
                yield Label("Name", classes="label")
                yield checked_input("name", ObjectName())
                yield FieldError(id="name-error")
                yield Label("Content type", classes="label")
                yield Select(
                    [(ct.value, ct.value) for ct in ContentType],
                    value=ContentType.UNSPECIFIED.value,
                    allow_blank=False,
                    id="content-type",
                    compact=True,
                )
                yield Label(
                    "Time to live  (e.g. 30m, 12h, 7d; empty: keep until deleted)", classes="label"
                )
                yield checked_input("ttl", ttl_validator(), placeholder="none")
                yield FieldError(id="ttl-error")
                yield Label("Metadata", classes="label")
                yield Vertical(id="metadata")
                yield Button("+ Add metadata row", id="add-md", compact=True)
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Upload", id="upload", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()
        if self._start_path:
            self._follow_path(self._start_path)

    # --- path drives name and type ---
    def _follow_path(self, text: str) -> None:
        path = expand_path(text) if text.strip() else None
        if path is None:
            return
        kind, _ = probe(path)
        exists = kind in ("file", "dir")
        # Programmatic updates post no Changed: a queued Changed for an older auto value would
        # otherwise look like the user's own edit and stop the name following the path.
        if not self._name_edited:
            self._auto_name = default_object_name(path) if exists else path.name
            name_input = self.query_one("#name", Input)
            with name_input.prevent(Input.Changed):
                name_input.value = self._auto_name
            self.query_one("#name-error", FieldError).show(
                first_failure(name_input.validate(self._auto_name))
            )
        if not self._type_edited:
            self._auto_type = infer_content_type(path) if exists else ContentType.UNSPECIFIED
            type_select = self.query_one("#content-type", Select)
            with type_select.prevent(Select.Changed):
                type_select.value = self._auto_type.value

    @on(Input.Changed, "#path")
    def _path_changed(self, event: Input.Changed) -> None:
        self.query_one("#path-error", FieldError).show(first_failure(event.validation_result))
        self._follow_path(event.value)

    @on(Input.Changed, "#name")
    def _name_changed(self, event: Input.Changed) -> None:
        if event.value != self._auto_name:
            self._name_edited = True
        self.query_one("#name-error", FieldError).show(first_failure(event.validation_result))

    @on(Select.Changed, "#content-type")
    def _type_changed(self, event: Select.Changed) -> None:
        if event.value != self._auto_type.value:
            self._type_edited = True

    @on(Input.Changed, "#ttl")
    def _ttl_changed(self, event: Input.Changed) -> None:
        self.query_one("#ttl-error", FieldError).show(first_failure(event.validation_result))

    # --- metadata rows ---
    async def action_add_row(self) -> None:
        row = MetadataRow()
        # Await the mount so the row's inputs exist before focusing (focusing in a
        # call_after_refresh could run before the row composed: NoMatches). set_focus, not
        # focus(): focus() is deferred behind keys already queued.
        await self.query_one("#metadata", Vertical).mount(row, FieldError(classes="md-error"))
        if row.is_attached:  # the modal may have been dismissed meanwhile
            self.set_focus(row.query_one(".md-key", Input))

    @on(Button.Pressed, "#add-md")
    async def _add_pressed(self) -> None:
        await self.action_add_row()

    @on(Button.Pressed, ".md-remove")
    async def _remove_pressed(self, event: Button.Pressed) -> None:
        row = event.button.parent
        if isinstance(row, MetadataRow):
            container = self.query_one("#metadata", Vertical)
            siblings = list(container.children)
            error = siblings[siblings.index(row) + 1]
            await row.remove()
            await error.remove()
            self.query_one("#add-md", Button).focus()

    @on(Input.Changed, ".md-key, .md-value")
    def _metadata_changed(self) -> None:
        self._check_metadata_rows()

    def _check_metadata_rows(self) -> bool:
        rows = list(self.query(MetadataRow))
        errors = list(self.query(".md-error").results(FieldError))
        messages = check_metadata([row.pair for row in rows])
        for error, message in zip(errors, messages, strict=False):
            error.show(message)
        return all(m is None for m in messages)

    # --- submit ---
    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#upload")
    @on(Input.Submitted, "#path, #name, #ttl")
    def action_submit(self) -> None:
        first_bad: Input | None = None
        for field_id in ("path", "name", "ttl"):
            widget = self.query_one(f"#{field_id}", Input)
            message = first_failure(widget.validate(widget.value))
            self.query_one(f"#{field_id}-error", FieldError).show(message)
            if message and first_bad is None:
                first_bad = widget
        metadata_ok = self._check_metadata_rows()
        if first_bad is not None:
            first_bad.focus()
            return
        if not metadata_ok:
            self.notify("Fix the metadata rows marked in red.", severity="warning")
            return
        ttl = duration_seconds(self.query_one("#ttl", Input).value)
        metadata = {
            key.strip(): value
            for key, value in (row.pair for row in self.query(MetadataRow))
            if key.strip()
        }
        self.dismiss(
            UploadRequest(
                path=expand_path(self.query_one("#path", Input).value),
                name=self.query_one("#name", Input).value,
                content_type=ContentType(str(self.query_one("#content-type", Select).value)),
                metadata=metadata,
                ttl_ms=None if ttl is None else ttl * 1000,
            )
        )


__all__ = ["MetadataRow", "UploadModal", "UploadRequest", "check_metadata"]
