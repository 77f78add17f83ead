"""What the action collaborators need from the browser screen, declared as a Protocol.

BrowserScreen implements it; each collaborator gets it, and its other dependencies (the
client, the settings), in its constructor. Collaborators start their I/O through `run_io`,
as workers of the screen, which handles their failures in one place (tui/worker_errors.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO, Protocol, TypeVar

from textual.app import App
from textual.screen import Screen
from textual.worker import Worker, WorkType

from runloop_tui.api.models import ObjectView
from runloop_tui.tui.worker_errors import Notifies

R = TypeVar("R")


class RunsWorkers(Protocol):
    """A DOM node (the screen): the workers it starts are its own."""

    def run_worker(
        self,
        work: WorkType[R],
        name: str | None = "",
        group: str = "default",
        description: str = "",
        exit_on_error: bool = True,
        start: bool = True,
        exclusive: bool = False,
        thread: bool = False,
    ) -> Worker[R]: ...


def run_io(
    node: RunsWorkers,
    work: WorkType[R],
    description: str,
    group: str,
    *,
    exclusive: bool = False,
    thread: bool = False,
) -> Worker[R]:
    """Start I/O as one of ``node``'s workers. Never exit_on_error: a failure goes to the
    node's one Worker.StateChanged handler, which says it and lets the screen recover."""
    return node.run_worker(
        work,
        group=group,
        description=description,
        exit_on_error=False,
        exclusive=exclusive,
        thread=thread,
    )


@dataclass(frozen=True, eq=False)
class AppUI:
    """What the collaborators ask of the app: dialogs, the clipboard, and in web mode (the
    app served to a browser) files delivered to the user's browser, not the server's disk."""

    _app: Callable[[], App[object]]

    def push_modal(
        self, modal: Screen[R], callback: Callable[[R | None], None] | None = None
    ) -> None:
        self._app().push_screen(modal, callback)

    # The clipboard and web delivery are imported when first used, not at launch.
    def copy(self, text: str, what: str) -> None:
        from runloop_tui.tui.clipboard import copy_and_notify

        copy_and_notify(self._app(), text, what)

    @property
    def in_browser(self) -> bool:
        return self._app().is_web

    def deliver(self, binary: BinaryIO, file_name: str, key: str) -> None:
        from runloop_tui.tui.web_delivery import deliver_to_browser

        deliver_to_browser(self._app(), binary, file_name, key)


class ActionHost(Notifies, RunsWorkers, Protocol):
    @property
    def selected_object(self) -> ObjectView | None: ...
    @property
    def marked_objects(self) -> list[ObjectView]: ...
    @property
    def visible_objects(self) -> list[ObjectView]: ...
    def hidden_marked_ids(self) -> set[str]: ...
    def marked_in_view_order(self) -> list[ObjectView]: ...
    def listing_incomplete(self) -> str: ...
    def select_object(self, object_id: str) -> None: ...
    def refresh_now(self) -> None: ...
    def now_ms(self) -> int: ...
    def apply_local_changes(
        self, updated: Iterable[ObjectView] = (), removed_ids: Iterable[str] = ()
    ) -> None: ...

    # The one availability rule (tui/availability.py).
    def refuse(self, action: str) -> bool: ...
    def availability_changed(self) -> None: ...

    # The app's services (and notify, from Notifies): dialogs, the clipboard, web delivery.
    @property
    def ui(self) -> AppUI: ...
