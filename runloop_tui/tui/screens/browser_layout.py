"""Where the browser's detail pane goes: beside the table when the window is wide, hidden
when it is narrow (the name line then shows the cursor row's full name); `i` overrides.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.widget import Widget

WIDE_LAYOUT_COLUMNS = 120


class DetailLayout:
    """Lays out the body (table and detail pane) and the name line for a window width."""

    def __init__(self, body: Callable[[], Widget], name_line: Callable[[], Widget]) -> None:
        self._body = body
        self._name_line = name_line
        self.preference: bool | None = None  # the user's choice (i); None: by width

    def layout(self, width: int) -> None:
        wide = width >= WIDE_LAYOUT_COLUMNS
        body = self._body()
        body.set_class(wide, "-wide")
        shown = self.preference if self.preference is not None else wide
        body.set_class(not shown, "-detail-hidden")
        # The cursor row's full name, where the detail pane is not there to show it.
        self._name_line().display = not shown

    def toggle(self, width: int) -> None:
        self.preference = self._body().has_class("-detail-hidden")
        self.layout(width)
