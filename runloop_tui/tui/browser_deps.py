"""What the browser screen is built with: passed in by RunloopApp.on_mount, never fetched
back from the app (so the screen runs in a small harness app in tests, as the modals do)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from runloop_tui.api.client import ObjectsClient
from runloop_tui.config import Settings


@dataclass(frozen=True, slots=True)
class Paging:
    page_size: int = 5000
    # A small first page paints at once.
    first_page_size: int = 100


@dataclass(frozen=True, slots=True)
class RefreshPolicy:
    live: bool = True  # False: no refresh timer (snapshots)


@dataclass(frozen=True, slots=True)
class BrowserDeps:
    client: ObjectsClient
    settings: Settings
    clock: Callable[[], float]  # seconds since the epoch; frozen in snapshots
    paging: Paging = Paging()
    refresh: RefreshPolicy = RefreshPolicy()
