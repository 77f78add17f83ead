"""What the action collaborators need from the browser screen, declared as a Protocol.

BrowserScreen implements it; each collaborator gets it, and its other dependencies (the
client, the settings), in its constructor. The `run_*` methods are the screen's workers, so
every worker belongs to the screen, which handles their failures in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol, TypeVar

from textual.notifications import SeverityLevel
from textual.screen import Screen

from runloop_tui.api.models import ObjectView

if TYPE_CHECKING:
    from runloop_tui.tui.modals.export import ExportRequest
    from runloop_tui.tui.modals.upload import UploadRequest

R = TypeVar("R")


class ActionHost(Protocol):
    @property
    def selected_object(self) -> ObjectView | None: ...
    @property
    def marked_objects(self) -> list[ObjectView]: ...
    @property
    def visible_objects(self) -> list[ObjectView]: ...
    def hidden_marked_ids(self) -> set[str]: ...
    def select_object(self, object_id: str) -> None: ...
    def refresh_now(self) -> None: ...
    def now_ms(self) -> int: ...
    def apply_local_changes(
        self, updated: Iterable[ObjectView] = (), removed_ids: Iterable[str] = ()
    ) -> None: ...

    # The one availability rule (tui/availability.py).
    def refuse(self, action: str) -> bool: ...
    def availability_changed(self) -> None: ...

    # The user interface.
    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None: ...
    def push_modal(
        self, modal: Screen[R], callback: Callable[[R | None], None] | None = None
    ) -> None: ...
    def copy(self, text: str, what: str) -> None: ...

    # Web mode: files go to the user's browser (App.deliver_binary).
    @property
    def in_browser(self) -> bool: ...
    def deliver(self, binary: BinaryIO, file_name: str, key: str) -> None: ...

    # The screen's workers.
    def run_upload(self, request: UploadRequest) -> Any: ...
    def run_delete(self, obj: ObjectView) -> Any: ...
    def run_download(self, obj: ObjectView, path: Path, overwrite: bool) -> Any: ...
    def run_web_download(self, obj: ObjectView) -> Any: ...
    def load_preview(self, obj: ObjectView) -> Any: ...
    def run_export(
        self, rows: list[ObjectView], request: ExportRequest, overwrite: bool
    ) -> Any: ...
    def run_web_export(self, rows: list[ObjectView], request: ExportRequest) -> Any: ...
