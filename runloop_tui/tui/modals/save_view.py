"""Save current view as…: a name for the filter and sort, written to [views.NAME]."""

from __future__ import annotations

from collections.abc import Collection

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from runloop_tui.tui.formatting import display_text
from runloop_tui.tui.modals.dialog import dialog_css
from runloop_tui.views import View, ViewError, check_view_name


class SaveViewModal(ModalScreen[str | None]):
    DEFAULT_CSS = (
        dialog_css("SaveViewModal", 70)
        + """
    SaveViewModal #view-problem { color: $text-error; height: auto; }
    SaveViewModal #view-problem.-replaces { color: $text-warning; }
    """
    )

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="save_view.cancel")]

    def __init__(self, view: View, existing: Collection[str], where: str) -> None:
        super().__init__()
        self.view = view
        self.existing = set(existing)
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Save current view as…", classes="title")
            yield Static(
                Content.assemble(
                    ("Filter  ", "$text-muted"),
                    display_text(self.view.filter) or "(no filter)",
                    ("\nSort    ", "$text-muted"),
                    self.view.sort_text or "(default)",
                    ("\nInto    ", "$text-muted"),
                    display_text(self.where),
                )
            )
            yield Label("Name  (letters, digits, - and _; opens with --view NAME)", classes="label")
            yield Input(placeholder="e.g. stale-uploads", id="view-name", max_length=40)
            yield Static("", id="view-problem")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Save", id="save", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#view-name", Input))

    def _problem(self, name: str) -> str | None:
        try:
            check_view_name(name, "name")
        except ViewError as error:
            return str(error).removeprefix("name: ")
        return None

    @on(Input.Changed, "#view-name")
    def _changed(self, event: Input.Changed) -> None:
        name = event.value.strip()
        line = self.query_one("#view-problem", Static)
        problem = self._problem(name) if name else None
        replaces = problem is None and name in self.existing
        line.set_class(replaces, "-replaces")
        line.update(problem or (f"Replaces the saved view {name!r}." if replaces else ""))

    @on(Input.Submitted, "#view-name")
    @on(Button.Pressed, "#save")
    def _submit(self) -> None:
        name = self.query_one("#view-name", Input).value.strip()
        problem = self._problem(name)
        if problem is not None:
            self.query_one("#view-problem", Static).update(problem)
            self.app.bell()
            return
        self.dismiss(name)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
