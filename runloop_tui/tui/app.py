"""The Textual application: settings and the API client in, the browser screen on top."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.message_pump import MessagePump
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.widgets import Input

from runloop_tui.api.client import ObjectsClient
from runloop_tui.config import ConfigError, Settings, default_config_path
from runloop_tui.startup import SAFETY_SECONDS, resume_collector
from runloop_tui.tui.browser_deps import (
    FIRST_PAGE_SIZE,
    PAGE_SIZE,
    BrowserDeps,
    Paging,
    RefreshPolicy,
)
from runloop_tui.tui.formatting import display_lines, display_text
from runloop_tui.tui.key_gate import KeyGate, alt_chords
from runloop_tui.tui.keymap_clash import clash_messages
from runloop_tui.tui.messages import RowHighlighted
from runloop_tui.tui.quitting import CLEANUP_SECONDS, cancel_and_wait, quit_question, work_in_flight
from runloop_tui.tui.screens.browser import BrowserScreen
from runloop_tui.tui.terminal_input import keep_escapes
from runloop_tui.tui.widgets.key_bar import KeyBar
from runloop_tui.views import View, save_view

if TYPE_CHECKING:
    from runloop_tui.tui.profile_switch import ProfileSource


# The palette's providers, imported when the palette first opens, not at launch.
def _browser_commands() -> type[Provider]:
    from runloop_tui.tui.commands import BrowserCommands

    return BrowserCommands


def _view_commands() -> type[Provider]:
    from runloop_tui.tui.actions.commands import ViewCommands

    return ViewCommands


def _profile_commands() -> type[Provider]:
    from runloop_tui.tui.profile_switch import ProfileCommands

    return ProfileCommands


class RunloopApp(App[None]):
    """Browse and manage Runloop Storage Objects.

    ``clock`` (seconds since the epoch) is injectable so relative times are stable in
    snapshots; ``page_size``/``first_page_size`` let tests exercise paging on small data;
    ``live_refresh=False`` turns the refresh timer off (snapshots).
    """

    TITLE = "runloop-tui"
    CSS_PATH = "app.tcss"
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = App.COMMANDS | {
        _browser_commands,
        _view_commands,
        _profile_commands,
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
        page_size: int = PAGE_SIZE,
        first_page_size: int = FIRST_PAGE_SIZE,
        live_refresh: bool = True,
        profiles: ProfileSource | None = None,
        make_client: Callable[[Settings], ObjectsClient] | None = None,
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
        self._quitting = False
        self._views = dict(settings.views)
        self._profiles = profiles
        self._make_client = make_client
        self._key_gate = KeyGate(
            self._deliver_key,
            self._message_pumps,
            alt_chords(settings.keymap),
            lambda: isinstance(self.focused, Input),
        )
        keep_escapes(self.driver_class)
        self._clashes_told: set[str] = set()
        self._clash_checked: weakref.WeakSet[Screen[object]] = weakref.WeakSet()
        if settings.theme:
            self.theme = settings.theme

    @property
    def connection_label(self) -> str:
        return self.settings.connection_label

    # --- saved views (actions.commands.ViewStore) ---
    @property
    def saved_views(self) -> Mapping[str, View]:
        return self._views

    @property
    def views_file(self) -> Path:
        return self.settings.config_path or default_config_path()

    def store_view(self, name: str, view: View) -> None:
        save_view(self.views_file, name, view)
        self._views[name] = view

    def on_mount(self) -> None:
        if self.settings.keymap:
            self.set_keymap(dict(self.settings.keymap))
        self._key_gate.start()
        self._handle_hangups()
        # Collection resumes with the first row on screen, or by this timer if none comes.
        self.set_timer(SAFETY_SECONDS, resume_collector)
        # Pushed over Textual's default screen, not made the default screen itself (which
        # saved 20-50 ms of CPU at start, within noise): a profile switch replaces it. Pushed
        # once Textual's start-up batch is over: frames drawn inside it are thrown away, and
        # the browser's first frame (rows in it, with a prefetched page) is then drawn twice.
        self.call_later(self.push_screen, self._browser_screen())
        if self.settings.keymap:
            self.call_after_refresh(self._tell_key_clashes)

    def _tell_key_clashes(self) -> None:
        """A [keys] remap that took a key from another binding is said, once: never a key
        lost in silence. Checked at start and on each screen as keys reach it."""
        nodes = [self, *self.screen.walk_children(with_self=True)]
        for message in clash_messages(nodes, self._keymap, self._clashes_told):
            self.notify(message, title="Key clash", severity="warning", timeout=15, markup=False)

    def _browser_screen(self) -> BrowserScreen:
        """A browser on the current settings and client."""
        paging = Paging(self.page_size, self.first_page_size)
        deps = BrowserDeps(
            self.client, self.settings, self.clock, paging, RefreshPolicy(self.live_refresh)
        )
        return BrowserScreen(deps)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        # Every toast passes here (widgets and screens notify through the app): an id, a
        # name or an error from a server reaches the terminal inert, whoever forgot.
        super().notify(
            display_lines(message),
            title=display_text(title),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    # --- keys: one at a time (see key_gate) ---
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._key_gate.put(event)
            return
        await super().on_event(event)

    async def _deliver_key(self, key: events.Key) -> None:
        if self.settings.keymap and self.screen not in self._clash_checked:
            self._clash_checked.add(self.screen)  # once per screen, not a walk per key
            self._tell_key_clashes()
        if not self._quitting:
            await super().on_event(key)

    def _message_pumps(self) -> Iterator[MessagePump]:
        yield self
        for screen in self.screen_stack:
            yield from screen.walk_children(with_self=True)

    @on(RowHighlighted)
    def _first_row_shown(self, event: RowHighlighted) -> None:
        if event.obj is not None:
            resume_collector()  # paused since the process started (runloop_tui/startup.py)

    @on(KeyBar.Pressed)
    def _key_bar_pressed(self, event: KeyBar.Pressed) -> None:
        if event.hint.enabled:
            self.simulate_key(event.hint.key)
        else:
            self.bell()

    def action_help(self) -> None:
        from runloop_tui.tui.screens.help import HelpScreen  # not needed at launch

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    # --- profiles (palette: "Switch profile: NAME") ---
    @property
    def current_profile(self) -> str | None:
        return self.settings.profile

    def profile_names(self) -> list[str]:
        if self._profiles is None or self._make_client is None:
            return []
        return self._profiles.names()

    def request_profile_switch(self, name: str) -> None:
        """Switch, asking first while work that the switch would cancel is running."""
        running = work_in_flight(self.workers)
        if not running:
            self._run_switch(name)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._run_switch(name)

        from runloop_tui.tui.modals.cancel_work import CancelWorkConfirm

        question = quit_question([w.group for w in running]).replace("Quit", "Switch profile")
        self.push_screen(CancelWorkConfirm(question, confirm_label="Switch and cancel"), answered)

    def _run_switch(self, name: str) -> None:
        self.run_worker(
            self.switch_profile(name),
            group="profile-switch",
            exclusive=True,
            exit_on_error=False,
            description=f"switch to profile {name}",
        )

    async def switch_profile(self, name: str) -> None:
        """Reconnect to profile ``name``: a fresh browser (no marks, transfers or refresh
        carried over) on a fresh client; the old client closes once its work has cleaned up."""
        if self._profiles is None or self._make_client is None:
            return
        try:
            settings = self._profiles.settings_for(name)
        except ConfigError as error:
            self.notify(str(error), title="Cannot switch profile", severity="error", markup=False)
            return
        await cancel_and_wait(work_in_flight(self.workers), CLEANUP_SECONDS)
        # The old browser's dialogs go with it (a bulk delete's progress, its results): the
        # switch replaces the browser, never a dialog left on top of it.
        while not isinstance(self.screen, BrowserScreen) and len(self.screen_stack) > 2:
            await self.pop_screen()
        old_client = self.client
        self.settings, self.client = settings, self._make_client(settings)
        self.read_only = settings.read_only
        if settings.theme:
            self.theme = settings.theme
        await self.switch_screen(self._browser_screen())
        self.notify(f"Connected to {settings.connection_label}.", title="Profile switched")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(old_client.aclose(), CLEANUP_SECONDS)

    def action_command_palette(self) -> None:
        """The palette acts on the browser: over a dialog (a bulk delete's progress, a
        question) it would act behind the dialog's back, so it opens from the browser only."""
        if isinstance(self.screen, ModalScreen):
            self.bell()
            self.notify(
                "Close this dialog first: the command palette opens from the browser.",
                severity="warning",
                markup=False,
            )
            return
        super().action_command_palette()

    # --- quitting ---
    async def action_quit(self) -> None:
        """Quit at once, or ask first while work that an exit would cut short is running."""
        from runloop_tui.tui.modals.cancel_work import CancelWorkConfirm  # not at launch

        if self._quitting or isinstance(self.screen, CancelWorkConfirm):
            return
        running = work_in_flight(self.workers)
        if not running:
            await self.shutdown()
            return

        async def answered(yes: bool | None) -> None:
            if yes:
                await self.shutdown()

        self.push_screen(CancelWorkConfirm(quit_question([w.group for w in running])), answered)

    async def shutdown(self, return_code: int = 0) -> None:
        """Stop the work in flight, let it clean up (bounded), close the client, exit."""
        if self._quitting:
            return
        self._quitting = True
        self._key_gate.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CLEANUP_SECONDS
        await cancel_and_wait(work_in_flight(self.workers), CLEANUP_SECONDS)
        # The uploads' half-made objects are deleted by the client's background tasks,
        # which closing it waits for: bounded by what is left of the same few seconds.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._close_client(), max(deadline - loop.time(), 0.5))
        self.exit(return_code=return_code)

    def _handle_hangups(self) -> None:
        """SIGTERM, and SIGHUP from a dropped SSH connection, quit as a confirmed q does."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            # Not on Windows, and not off the main thread (textual-serve, some test runners).
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, self._on_hangup, signum)

    def _on_hangup(self, signum: int) -> None:
        if signum == signal.SIGHUP:
            _detach_from_terminal(self._driver)
        self.run_worker(
            self.shutdown(128 + signum),
            group="shutdown",
            exit_on_error=False,
            description=f"quit on {signal.Signals(signum).name}",
        )

    async def on_unmount(self) -> None:
        await self._key_gate.aclose()
        await self._close_client()

    async def _close_client(self) -> None:
        if not self._client_closed:
            self._client_closed = True
            await self.client.aclose()


def _detach_from_terminal(driver: object) -> None:
    """After a hangup the terminal is gone: writes to it fail (EIO), which ends Textual's
    output thread and then blocks the next write on its full queue, so the exit would hang.
    What is left to draw on the way out goes to /dev/null, and the queue takes it all."""
    writer = getattr(driver, "_writer_thread", None)
    queue = getattr(writer, "_queue", None)
    if queue is not None:
        queue.maxsize = 0  # unbounded: a put never waits for a thread that may be gone
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        for fd in (1, 2):
            with contextlib.suppress(OSError):
                os.dup2(devnull, fd)
        os.close(devnull)
