"""Asked before quitting or switching profile while work is running (imported when asked,
not at launch)."""

from __future__ import annotations

from runloop_tui.tui.modals.confirm import ConfirmModal


class CancelWorkConfirm(ConfirmModal):
    """'2 transfers are running. Quit and cancel them?' The safe answer, No, is the default."""

    def __init__(self, question: str, *, confirm_label: str = "Quit and cancel") -> None:
        super().__init__(
            question,
            confirm_label=confirm_label,
            cancel_label="No, keep working",
            hint=f"Enter or Esc keeps working. Tab then Enter: {confirm_label.lower()}.",
            caution=True,
        )
