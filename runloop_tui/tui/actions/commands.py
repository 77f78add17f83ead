"""Command-palette entries of the actions work: the cleanup presets.

Each preset sets the filter and the sort, leaving the user one `a` (mark shown) and one `D`
(bulk delete) away from cleaning up, with the count to type as the last check.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from runloop_tui.tui.availability import Availability


@dataclass(frozen=True, slots=True)
class CleanupPreset:
    title: str
    filter: str
    sort: tuple[str, bool] | None  # (column, descending)
    help: str


CLEANUP_PRESETS: tuple[CleanupPreset, ...] = (
    CleanupPreset(
        "Cleanup: stale uploads (UPLOADING over 1 h)",
        "state:uploading age>1h",
        ("created", False),
        "Uploads that never completed; oldest first.",
    ),
    CleanupPreset("Cleanup: errored", "state:error", ("created", False), "Objects in state ERROR."),
    CleanupPreset(
        "Cleanup: expired or expiring within 24 h",
        "expires<24h",
        ("expires", False),
        "Soonest to expire first; already expired included.",
    ),
    CleanupPreset("Cleanup: largest first", "", ("size", True), "Everything, biggest first."),
    CleanupPreset("Cleanup: older than 30 days", "age>30d", ("created", False), "Oldest first."),
)


@runtime_checkable
class Filterable(Protocol):
    def set_filter(self, text: str) -> None: ...
    def set_sort(self, column: str, descending: bool) -> None: ...
    def availability(self) -> Availability: ...


def apply_preset(screen: Filterable, preset: CleanupPreset) -> None:
    screen.set_filter(preset.filter)
    if preset.sort is not None:
        screen.set_sort(*preset.sort)


def preset_hint(preset: CleanupPreset, availability: Availability) -> str:
    """What to do next; never an invitation to delete where nothing can be deleted."""
    what = preset.title.removeprefix("Cleanup: ")
    if not availability.writable:
        view = "the public view" if availability.public_view else "read-only mode"
        shown = f"{availability.rows:,} shown"
        return f"{what}: {shown}. Nothing can be deleted in {view}; e exports the list."
    return f"{what}: mark with a, delete the marked with D."


class CleanupCommands(Provider):
    """The presets, offered on any screen that can filter and sort (the browser)."""

    def _run(self, preset: CleanupPreset) -> None:
        screen = self.screen
        if not isinstance(screen, Filterable):
            self.app.notify("Cleanup presets work on the object list.", severity="warning")
            return
        apply_preset(screen, preset)
        self.app.notify(preset_hint(preset, screen.availability()), title="Cleanup", markup=False)

    def _display(self, preset: CleanupPreset) -> Content:
        return Content.assemble(
            preset.title, (f"  {preset.filter or '(no filter)'}", "$text-muted")
        )

    async def discover(self) -> Hits:
        if not isinstance(self.screen, Filterable):
            return
        for preset in CLEANUP_PRESETS:
            yield DiscoveryHit(
                self._display(preset),
                partial(self._run, preset),
                text=preset.title,
                help=preset.help,
            )

    async def search(self, query: str) -> Hits:
        if not isinstance(self.screen, Filterable):
            return
        matcher = self.matcher(query)
        for preset in CLEANUP_PRESETS:
            score = matcher.match(f"{preset.title} {preset.filter}")
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(preset.title),
                    partial(self._run, preset),
                    text=preset.title,
                    help=preset.help,
                )
