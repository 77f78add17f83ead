"""The browser's marking, sorting and reading keys (k9s style), kept out of the screen's own
list so that the sort keys derive from the column table (tui/columns.py) in one place.
"""

from __future__ import annotations

from textual.binding import Binding

from runloop_tui.tui.columns import COLUMN_BY_KEY, SORT_HOTKEYS

# shift+arrows reach the program in the alternate screen (Konsole and others scroll their
# own history with them only outside it); J/K are the same for terminals that swallow them.
RANGE_BINDINGS: list[Binding] = [
    Binding("shift+down,J", "extend_marks(1)", "Mark and move down", show=False,
            id="browser.extend_marks_down"),
    Binding("shift+up,K", "extend_marks(-1)", "Mark and move up", show=False,
            id="browser.extend_marks_up"),
    Binding("V", "visual_mode", "Visual marks: mark from here to the cursor (V/Esc ends)",
            show=False, id="browser.visual"),
    Binding("W", "toggle_wide_names", "Wide names: fold other columns away", show=False,
            id="browser.wide_names"),
]  # fmt: skip

SORT_BINDINGS: list[Binding] = [
    Binding(
        key,
        f"sort_by('{column}')",
        f"Sort by {COLUMN_BY_KEY[column].title.lower()} (again reverses)",
        show=False,
        id=f"browser.sort_by_{column}",
    )
    for column, key in SORT_HOTKEYS.items()
]
