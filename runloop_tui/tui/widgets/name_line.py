"""One line under the table with the cursor row's full name, shown while the detail pane is
hidden: at 80 columns the name column elides the middle of long paths, and ten rows of
`agent-runs/2…trajectory.jsonl` look alike. The line has the whole width to itself.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from runloop_tui.api.models import ObjectView
from runloop_tui.tui.formatting import display_text
from runloop_tui.tui.widgets.cell_fit import fit_middle


class NameLine(Widget):
    DEFAULT_CSS = """
    NameLine { height: 1; padding: 0 1; background: $panel; color: $text; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._full_name = ""

    @property
    def text(self) -> str:
        """The full name shown (for tests): the cursor row's, or empty."""
        return self._full_name

    def show(self, obj: ObjectView | None) -> None:
        name = display_text(obj.name) if obj is not None else ""
        if name != self._full_name:
            self._full_name = name
            self.refresh()

    def render(self) -> Content:
        # Too long even for the whole line (names run to 1,024 characters): the end, where
        # the file name is, matters most.
        return Content(fit_middle(self._full_name, self.content_region.width).rstrip())
