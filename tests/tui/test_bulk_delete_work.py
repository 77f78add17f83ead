"""A bulk delete's work on the event loop is bounded by frames, not by the number of objects.

Counted, not timed, through the real local server: what the UI does per result (nothing but
counting), how often the progress is repainted (only on its timer), how many passes remove
the rows (one), and that the dimmed browser behind the progress modal is not repainted.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import Input, ProgressBar

from runloop_tui.server.demo import seed_bulk
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.browser_model import BrowserModel
from runloop_tui.tui.modals.bulk_delete import BulkDeleteModal, BulkDeleteProgressModal
from runloop_tui.tui.screens.browser import BrowserScreen
from runloop_tui.tui.widgets.header import BrowserHeader
from runloop_tui.tui.widgets.object_table import ObjectTable
from tests.conftest import API_KEY
from tests.tui.actions_helpers import wait_gone, wait_screen
from tests.tui.conftest import NOW_MS, drain, make_app, settle

SEEDED = 1000
MARKED = 400


class WorkCounter:
    """Counts calls to chosen methods while `on` is set, and which of them ran inside others."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.calls: Counter[str] = Counter()
        self.on = False
        self._inside: list[str] = []
        self.nested: Counter[tuple[str, str]] = Counter()

    def count(self, cls: type[Any], name: str, when: str | None = None) -> None:
        """Count `cls.name`; with `when`, only the calls given that keyword argument."""
        original: Callable[..., Any] = getattr(cls, name)
        key = f"{cls.__name__}.{name}"

        def counted(obj: Any, *args: Any, **kwargs: Any) -> Any:
            if not self.on or (when is not None and when not in kwargs):
                return original(obj, *args, **kwargs)
            self.calls[key] += 1
            for outer in self._inside:
                self.nested[(outer, key)] += 1
            self._inside.append(key)
            try:
                return original(obj, *args, **kwargs)
            finally:
                self._inside.pop()

        self.monkeypatch.setattr(cls, name, counted)


async def test_bulk_delete_work_is_bounded_by_frames_not_by_objects(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = seed_bulk(data_dir, API_KEY, SEEDED, now_ms=NOW_MS)
    marked = set(ids[1 : 2 * MARKED : 2])  # spread over the list, as a user's marks are
    work = WorkCounter(monkeypatch)
    work.count(BulkDeleteProgressModal, "_on_result")
    work.count(BulkDeleteProgressModal, "_show_progress")
    # Progress moved; the bar's own 1 s clock (for its hidden ETA) calls update() bare.
    work.count(ProgressBar, "update", when="progress")
    work.count(BrowserModel, "apply_changes")
    work.count(ObjectTable, "set_rows")
    work.count(BrowserHeader, "set_counts")
    work.count(BrowserScreen, "availability_changed")  # re-runs the availability rule
    work.count(Screen, "refresh_bindings")
    work.count(Screen, "_compositor_refresh")  # one per frame painted
    table_repaints_under_modal: list[object] = []
    original_refresh = ObjectTable.refresh

    def table_refresh(table: ObjectTable, *args: Any, **kwargs: Any) -> Any:
        if isinstance(table.app.screen, BulkDeleteProgressModal):
            table_repaints_under_modal.append(args)
        return original_refresh(table, *args, **kwargs)

    monkeypatch.setattr(ObjectTable, "refresh", table_refresh)
    shown: list[BulkDeleteProgressModal] = []
    original_mount = BulkDeleteProgressModal.on_mount

    def on_mount(modal: BulkDeleteProgressModal) -> None:
        original_mount(modal)
        shown.append(modal)
        # The browser's clock tick (it refreshes relative ages) while the modal is up.
        under = next(s for s in modal.app.screen_stack if isinstance(s, BrowserScreen))
        modal.call_after_refresh(under._tick)

    monkeypatch.setattr(BulkDeleteProgressModal, "on_mount", on_mount)

    with EmbeddedServer(data_dir, api_keys=[API_KEY]) as server:
        # A clock a second further on at every reading: a tick that ran would re-render ages.
        readings = itertools.count(NOW_MS // 1000)
        app = make_app(server.base_url, clock=lambda: float(next(readings)))
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await settle(app, pilot)
            screen.mark_objects(marked)
            await pilot.press("D")
            confirm = await wait_screen(app, pilot, BulkDeleteModal)
            confirm.query_one("#count", Input).value = str(MARKED)
            await pilot.pause()
            work.on = True
            await pilot.press("enter")
            await wait_gone(app, pilot, BulkDeleteModal)
            await wait_gone(app, pilot, BulkDeleteProgressModal, rounds=5000)
            await drain(app, pilot)
            work.on = False
            assert {o.id for o in screen.visible_objects} == set(ids) - marked
            assert screen.marked_objects == []

    calls = work.calls
    # The dimmed browser is not repainted behind the modal (it repainted the modal too).
    assert table_repaints_under_modal == []
    # Every result was counted, and that is all that happened per result.
    assert calls["BulkDeleteProgressModal._on_result"] == MARKED
    per_result = {inner for (outer, inner) in work.nested if outer.endswith("_on_result")}
    assert per_result == set(), f"work done per result: {per_result}"
    # The bar is redrawn only from the progress timer (plus once at the end), never per result.
    ticks = calls["BulkDeleteProgressModal._show_progress"]
    bar_updates = calls["ProgressBar.update"]
    from_timer = work.nested[("BulkDeleteProgressModal._show_progress", "ProgressBar.update")]
    assert bar_updates - from_timer <= 1  # the bar's first value, as it is created
    # bar.update(progress=...) runs the bar's progress watcher, which updates once more.
    assert 1 <= from_timer <= 2 * ticks
    # Frames: bounded by the progress timer's ticks (5 a second), the bar's own 1 s clock
    # and a handful for the screens coming and going; not by the number of objects.
    frames = calls["Screen._compositor_refresh"]
    assert frames <= ticks + ticks // 2 + 12, (frames, ticks)
    # The rows go in one pass, with one repaint of the table and of the header's counts.
    assert calls["BrowserModel.apply_changes"] == 1
    assert calls["ObjectTable.set_rows"] == 1
    assert calls["BrowserHeader.set_counts"] <= 2
    # The availability rule runs once, for the rows gone; the other binding refreshes are
    # Textual's own, as the three screens come and go (focus, suspend, resume).
    assert calls["BrowserScreen.availability_changed"] == 1
    assert calls["Screen.refresh_bindings"] <= 16
    assert [len(modal.objects) for modal in shown] == [MARKED]
