"""The baseline for figure 3: Textual's own DataTable, filtered the plain way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import on
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Input

from bench.probes import FrameProbe, probe_display

COLUMNS = ("name", "state", "type", "size", "created", "expires", "id")


class DataTableFilterApp(App[None]):
    """Textual's built-in DataTable filtered the plain way: clear(), then add_rows()."""

    CSS = "Input { height: 1; border: none; padding: 0 1; } DataTable { height: 1fr; }"

    def __init__(
        self,
        rows: Sequence[tuple[str, ...]],
        haystacks: Sequence[str],
        probe: FrameProbe,
        initial_rows: int | None = None,
    ) -> None:
        super().__init__()
        self.rows = list(rows)
        self.haystacks = list(haystacks)
        self.probe = probe
        self.shown = 0
        # Rows shown before the first keystroke. Each keystroke clears the table and adds
        # its matches, so this only sets how long start-up takes, not what is measured.
        self.initial_rows = len(self.rows) if initial_rows is None else initial_rows

    def compose(self) -> ComposeResult:
        yield Input(id="filter", placeholder="filter")
        yield DataTable(id="table", cursor_type="row")

    def on_mount(self) -> None:
        probe_display(self, self.probe)
        table = self.query_one(DataTable)
        # DataTable measures new rows later, on idle, in _update_dimensions; the rows are
        # only really shown by the first frame after that pass, so arm the probe there.
        measure = table._update_dimensions

        def update_dimensions(new_rows: Any) -> None:
            measure(new_rows)
            self.probe.arm()

        table._update_dimensions = update_dimensions  # type: ignore[method-assign]
        table.add_columns(*COLUMNS)
        table.add_rows(self.rows[: self.initial_rows])
        self.shown = self.initial_rows

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        needle = event.value.lower()
        rows = [r for r, hay in zip(self.rows, self.haystacks, strict=True) if needle in hay]
        table = self.query_one(DataTable)
        self.probe.disarm()
        table.clear()
        table.add_rows(rows)
        self.shown = len(rows)
