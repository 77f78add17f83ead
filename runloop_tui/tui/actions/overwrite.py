"""Ask before replacing a local file (downloads and exports)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from runloop_tui.tui.actions.host import ActionHost
from runloop_tui.tui.formatting import exact_bytes
from runloop_tui.tui.modals.confirm import ConfirmModal


def confirm_overwrite(host: ActionHost, path: Path, go: Callable[[], object]) -> None:
    try:
        size = exact_bytes(path.stat().st_size)
    except (OSError, ValueError):
        size = "?"

    def answered(yes: bool | None) -> None:
        if yes:
            go()

    host.ui.push_modal(
        ConfirmModal(
            "Replace the existing file?",
            [("File", str(path)), ("Size", size)],
            confirm_label="Replace it",
            caution=True,
        ),
        answered,
    )
