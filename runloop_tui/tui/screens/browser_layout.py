"""The browser's widgets: what it is made of, where the detail pane goes (beside the table
when the window is wide, hidden when it is narrow, the name line then showing the cursor
row's full name; `i` overrides), and the transfers panel, mounted when first needed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Container
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import Widget

from runloop_tui.tui.widgets.detail_pane import DetailPane
from runloop_tui.tui.widgets.filter_bar import FilterBar
from runloop_tui.tui.widgets.header import BrowserHeader
from runloop_tui.tui.widgets.key_bar import KeyBar
from runloop_tui.tui.widgets.name_line import NameLine
from runloop_tui.tui.widgets.object_table import ObjectTable

if TYPE_CHECKING:
    from runloop_tui.tui.widgets.transfers import Transfer, TransfersPanel

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
        shown = self._detail_shown(wide)
        body.set_class(not shown, "-detail-hidden")
        # The cursor row's full name, where the detail pane is not there to show it.
        self._name_line().display = not shown

    def initial(self, width: int) -> tuple[str, bool]:
        """The body's classes and whether the name line shows, for composing at ``width``:
        set before the widgets mount, they are styled once (a class set after the mount
        re-styles the whole body: ~3 ms of the first frame)."""
        wide = width >= WIDE_LAYOUT_COLUMNS
        shown = self._detail_shown(wide)
        classes = ("-wide " if wide else "") + ("" if shown else "-detail-hidden")
        return classes.strip(), not shown

    def _detail_shown(self, wide: bool) -> bool:
        return self.preference if self.preference is not None else wide

    def toggle(self, width: int) -> None:
        self.preference = self._body().has_class("-detail-hidden")
        self.layout(width)


def compose_browser(
    header: BrowserHeader,
    filter_bar: FilterBar,
    table: ObjectTable,
    detail: DetailPane,
    initial: tuple[str, bool] = ("", True),
) -> ComposeResult:
    """The browser's widgets, top to bottom (styled in tui/app.tcss); ``initial`` is
    DetailLayout.initial for the window's width."""
    body_classes, name_line_shown = initial
    yield header
    yield filter_bar
    with Container(id="browser-body", classes=body_classes):
        yield table
        yield detail
    name_line = NameLine(id="name-line")
    name_line.display = name_line_shown
    yield name_line
    yield KeyBar(id="key-bar")


class TransfersDock:
    """The transfers panel, mounted under the object list the first time a transfer starts
    (imported then too: most sessions never transfer, and start-up stays quick)."""

    def __init__(self, screen: Screen[None]) -> None:
        self._screen = screen
        self.panel: TransfersPanel | None = None

    def __call__(self) -> TransfersPanel:
        if self.panel is None:
            from runloop_tui.tui.widgets.transfers import TransfersPanel

            self.panel = TransfersPanel()
            try:
                self._screen.mount(self.panel, after=self._screen.query_one("#browser-body"))
            except NoMatches:
                self._screen.mount(self.panel)
        return self.panel

    @property
    def transfers(self) -> list[Transfer]:
        return self.panel.transfers if self.panel is not None else []
