"""The browser's object actions (tui/actions/), made when first used: their modules (dialogs,
the clipboard, exports: ~6 ms of imports) are not needed to paint the first rows."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, cast

from runloop_tui.api.client import ObjectsClient
from runloop_tui.config import Settings
from runloop_tui.tui.screens.browser_layout import TransfersDock

if TYPE_CHECKING:
    from textual.screen import Screen

    from runloop_tui.tui.actions.deletes import Deleter
    from runloop_tui.tui.actions.exporting import Exporter
    from runloop_tui.tui.actions.host import ActionHost, AppUI
    from runloop_tui.tui.actions.share import Sharer
    from runloop_tui.tui.actions.transfer_runner import TransferRunner


class LazyActions:
    """Mixed into BrowserScreen, which is the ActionHost each collaborator is given."""

    client: ObjectsClient
    settings: Settings
    dock: TransfersDock

    def _host(self) -> ActionHost:
        return cast("ActionHost", self)  # the BrowserScreen this is mixed into

    @cached_property
    def ui(self) -> AppUI:
        """Dialogs, the clipboard and web delivery (the ActionHost's services)."""
        from runloop_tui.tui.actions.host import AppUI

        screen = cast("Screen[None]", self)
        return AppUI(lambda: screen.app)

    @cached_property
    def transfers(self) -> TransferRunner:
        from runloop_tui.tui.actions.transfer_runner import TransferRunner

        return TransferRunner(self._host(), self.client, self.settings, self.dock)

    @cached_property
    def deletes(self) -> Deleter:
        from runloop_tui.tui.actions.deletes import Deleter

        return Deleter(self._host(), self.client)

    @cached_property
    def share(self) -> Sharer:
        from runloop_tui.tui.actions.share import Sharer

        return Sharer(self._host(), self.client)

    @cached_property
    def exports(self) -> Exporter:
        from runloop_tui.tui.actions.exporting import Exporter

        return Exporter(self._host(), self.settings)
