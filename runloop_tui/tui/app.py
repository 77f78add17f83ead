"""The Textual application: settings and the API client in, the browser screen on top."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar

from textual import on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.screen import Screen

from runloop_tui.api.client import ObjectsClient
from runloop_tui.config import Settings
from runloop_tui.tui.actions.commands import CleanupCommands
from runloop_tui.tui.commands import BrowserCommands
from runloop_tui.tui.screens.browser import BrowserScreen
from runloop_tui.tui.screens.help import HelpScreen
from runloop_tui.tui.widgets.key_bar import KeyBar


class RunloopApp(App[None]):
    """Browse and manage Runloop Storage Objects.

    ``clock`` (seconds since the epoch) is injectable so relative times are stable in
    snapshots; ``page_size``/``first_page_size`` let tests exercise paging on small data;
    ``live_refresh=False`` turns the refresh timer off (snapshots).
    """

    TITLE = "runloop-tui"
    CSS_PATH = "app.tcss"
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = App.COMMANDS | {
        BrowserCommands,
        CleanupCommands,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", show=False, id="app.quit"),
    ]

    def __init__(
        self,
        settings: Settings,
        client: ObjectsClient,
        *,
        clock: Callable[[], float] | None = None,
        page_size: int = 5000,
        first_page_size: int = 100,
        live_refresh: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.client = client
        self.read_only = settings.read_only
        self.clock: Callable[[], float] = clock or time.time
        self.page_size = page_size
        self.first_page_size = first_page_size
        self.live_refresh = live_refresh
        self._client_closed = False
        if settings.theme:
            self.theme = settings.theme

    @property
    def connection_label(self) -> str:
        return self.settings.connection_label

    def get_default_screen(self) -> Screen[Any]:
        # The browser is the first screen itself: pushing it over Textual's blank default
        # screen cost that screen's own layouts and frames before the first rows (measured:
        # 9 of the 15 layout passes of a start).
        return BrowserScreen()

    def on_mount(self) -> None:
        if self.settings.keymap:
            self.set_keymap(dict(self.settings.keymap))

    @on(KeyBar.Pressed)
    def _key_bar_pressed(self, event: KeyBar.Pressed) -> None:
        if event.hint.enabled:
            self.simulate_key(event.hint.key)
        else:
            self.bell()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    async def action_quit(self) -> None:
        await self._close_client()
        self.exit()

    async def on_unmount(self) -> None:
        await self._close_client()

    async def _close_client(self) -> None:
        if not self._client_closed:
            self._client_closed = True
            await self.client.aclose()
