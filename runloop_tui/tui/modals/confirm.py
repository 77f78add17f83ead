"""A yes/no question whose safe answer is the default.

Focus starts on the safe button, Enter on it, `n` or Escape answers No; the risky action
happens only when its own button is chosen, or on `y` (as in k9s and lazygit). Used for
single deletes and for overwriting files.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from runloop_tui.tui.formatting import display_text
from runloop_tui.tui.modals.dialog import dialog_css


def detail_rows(rows: Sequence[tuple[str, str]]) -> Content:
    """`label  value` lines; values are plain text made inert (no markup, no control
    characters), whoever passes them."""
    width = max((len(label) for label, _ in rows), default=0)
    parts: list[str | tuple[str, str]] = []
    for i, (label, value) in enumerate(rows):
        if i:
            parts.append("\n")
        parts.append((f"{label:<{width}}  ", "dim"))
        parts.append(display_text(value))
    return Content.assemble(*parts)


class ConfirmModal(ModalScreen[bool]):
    """Ask before something irreversible. Dismisses True only via the confirm button."""

    DEFAULT_CSS = (
        dialog_css("ConfirmModal", 72, border="$error", padding="1 2", form=False, buttons=False)
        + """
    ConfirmModal.-caution > Vertical { border: thick $warning; }
    ConfirmModal .confirm-title { text-style: bold; width: 100%; }
    ConfirmModal .confirm-details { margin: 1 0; width: 100%; }
    ConfirmModal .confirm-hint { color: $text-muted; width: 100%; }
    ConfirmModal Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    ConfirmModal Button { margin-left: 2; }
    """
    )

    BINDINGS = [
        Binding("escape", "answer_no", "Cancel", id="confirm.cancel"),
        Binding("n", "answer_no", "No", show=False, id="confirm.no"),
        Binding("y", "answer_yes", "Yes", show=False, id="confirm.yes"),
        Binding("left", "app.focus_previous", "Previous", show=False, id="confirm.left"),
        Binding("right", "app.focus_next", "Next", show=False, id="confirm.right"),
    ]

    def __init__(
        self,
        title: str,
        details: Sequence[tuple[str, str]] = (),
        *,
        confirm_label: str = "Delete",
        cancel_label: str = "No, keep it",
        hint: str = "n, Enter or Esc keeps it. y (or Tab, Enter) confirms.",
        caution: bool = False,
    ) -> None:
        super().__init__(classes="-caution" if caution else None)
        self._title = title
        self._details = tuple(details)
        self._confirm_label = confirm_label
        self._cancel_label = cancel_label
        self._hint = hint
        self._caution = caution

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(display_text(self._title)), classes="confirm-title")
            if self._details:
                yield Static(detail_rows(self._details), classes="confirm-details")
            yield Label(Content(self._hint), classes="confirm-hint")
            with Horizontal():
                yield Button(self._cancel_label, id="no", variant="primary")
                yield Button(
                    self._confirm_label,
                    id="yes",
                    variant="warning" if self._caution else "error",
                )

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed, "#no")
    def action_answer_no(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#yes")
    def action_answer_yes(self) -> None:
        self.dismiss(True)
