"""What the browser screen is built with: passed in by RunloopApp.on_mount, never fetched
back from the app (so the screen runs in a small harness app in tests, as the modals do)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from runloop_tui.api.client import ObjectsClient
from runloop_tui.config import Settings

# A small first page paints at once (and is what cli.first_page_prefetch asks for).
FIRST_PAGE_SIZE = 100
PAGE_SIZE = 5000


@dataclass(frozen=True, slots=True)
class Paging:
    page_size: int = PAGE_SIZE
    first_page_size: int = FIRST_PAGE_SIZE


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
