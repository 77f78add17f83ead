"""Command-palette entries for views: the built-in cleanup views, the user's saved views
([views.NAME] in the config), and "Save current view as…". They are listed first when the
palette opens, above the generic actions.

Each cleanup view sets the filter and the sort, leaving the user one `a` (mark shown) and one
`D` (bulk delete) away from cleaning up, with the count to type as the last check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol, runtime_checkable

from textual.app import App
from textual.command import Hit, Hits, Provider
from textual.content import Content

from runloop_tui.tui.availability import Availability
from runloop_tui.views import View, ViewError


@dataclass(frozen=True, slots=True)
class CleanupPreset:
    title: str
    filter: str
    sort: tuple[str, bool] | None  # (column, descending)
    help: str

    @property
    def view(self) -> View:
        return View(self.filter, self.sort)


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
SAVE_VIEW_TITLE = "Save current view as…"


@runtime_checkable
class Filterable(Protocol):
    def set_filter(self, text: str) -> None: ...
    def set_sort(self, column: str, descending: bool) -> None: ...
    def availability(self) -> Availability: ...
    @property
    def current_view(self) -> tuple[str, tuple[str, bool]]: ...


@runtime_checkable
class ViewStore(Protocol):
    """Where saved views live (the app: its settings and config file)."""

    @property
    def saved_views(self) -> Mapping[str, View]: ...
    @property
    def views_file(self) -> Path: ...
    def store_view(self, name: str, view: View) -> None: ...


def apply_view(screen: Filterable, view: View) -> None:
    screen.set_filter(view.filter)
    if view.sort is not None:
        screen.set_sort(*view.sort)


def preset_hint(title: str, availability: Availability) -> str:
    """What to do next; never an invitation to delete where nothing can be deleted."""
    what = title.removeprefix("Cleanup: ")
    if not availability.writable:
        view = "the public view" if availability.public_view else "read-only mode"
        shown = f"{availability.rows:,} shown"
        return f"{what}: {shown}. Nothing can be deleted in {view}; e exports the list."
    return f"{what}: mark with a, delete the marked with D."


def apply_preset(screen: Filterable, preset: CleanupPreset) -> None:
    apply_view(screen, preset.view)


@dataclass(frozen=True, slots=True)
class _Entry:
    title: str
    detail: str
    help: str
    view: View | None  # None: "Save current view as…"
    note: str = ""


class ViewCommands(Provider):
    """Built-in views, saved views and "Save current view as…", on screens that can filter."""

    def entries(self) -> list[_Entry]:
        entries = [
            _Entry(p.title, p.filter or "(no filter)", p.help, p.view, "cleanup")
            for p in CLEANUP_PRESETS
        ]
        store = self.app if isinstance(self.app, ViewStore) else None
        if store is not None:
            for name, view in sorted(store.saved_views.items()):
                entries.append(
                    _Entry(f"View: {name}", view.describe(), f"--view {name}", view, "saved")
                )
            entries.append(
                _Entry(
                    SAVE_VIEW_TITLE,
                    "filter and sort",
                    "Writes [views.NAME] to the config file, keeping its comments.",
                    None,
                )
            )
        return entries

    def _display(self, entry: _Entry, title: Content | None = None) -> Content:
        return Content.assemble(title or entry.title, (f"  {entry.detail}", "$text-muted"))

    def _run(self, entry: _Entry) -> None:
        screen = self.screen
        if not isinstance(screen, Filterable):
            self.app.notify("Views work on the object list.", severity="warning")
            return
        if entry.view is None:
            if isinstance(self.app, ViewStore):
                self.app.call_later(save_current_view, self.app, self.app, screen)
            return
        apply_view(screen, entry.view)
        if entry.note == "cleanup":
            hint = preset_hint(entry.title, screen.availability())
            self.app.notify(hint, title="Cleanup", markup=False)

    async def discover(self) -> Hits:
        if not isinstance(self.screen, Filterable):
            return
        # Discovery hits all score 0 and keep arrival order, which mixes the providers; a
        # positive score puts the views first, in this order.
        for rank, entry in enumerate(self.entries()):
            yield Hit(
                1.0 - rank / 1000,
                self._display(entry),
                partial(self._run, entry),
                text=entry.title,
                help=entry.help,
            )

    async def search(self, query: str) -> Hits:
        if not isinstance(self.screen, Filterable):
            return
        matcher = self.matcher(query)
        for entry in self.entries():
            score = matcher.match(f"{entry.title} {entry.detail}")
            if score > 0:
                yield Hit(
                    score,
                    self._display(entry, matcher.highlight(entry.title)),
                    partial(self._run, entry),
                    text=entry.title,
                    help=entry.help,
                )


def save_current_view(app: App[object], store: ViewStore, screen: Filterable) -> None:
    """Ask for a name, then write the screen's filter and sort as [views.NAME]."""
    from runloop_tui.config import contract_home
    from runloop_tui.tui.modals.save_view import SaveViewModal

    text, sort = screen.current_view
    view = View(text.strip(), sort)
    where = contract_home(store.views_file)

    def chosen(name: str | None) -> None:
        if name is None:
            return
        try:
            store.store_view(name, view)
        except (ViewError, OSError, ValueError) as error:
            app.notify(
                f"Could not save the view: {error}", title="Views", severity="error", markup=False
            )
            return
        app.notify(
            f"Saved view {name!r} to {where}; open it with --view {name}.",
            title="Views",
            markup=False,
        )

    app.push_screen(SaveViewModal(view, list(store.saved_views), where), chosen)
