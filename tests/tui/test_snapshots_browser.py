"""SVG snapshots of the browser (pytest-textual-snapshot). Update with --snapshot-update.

Deterministic: the demo store is seeded from a fixed seed and instant, the app's clock is
frozen at that instant, live refresh is off, the cursor does not blink and times are UTC.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from runloop_tui.server.embedded import EmbeddedServer
from tests.tui.conftest import make_app, settle

SnapCompare = Callable[..., bool]


pytestmark = pytest.mark.usefixtures("utc")


def _prepare(*keys: str, filter_text: str | None = None) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        app: Any = pilot.app
        screen = await settle(app, pilot)
        if filter_text is not None:
            screen.set_filter(filter_text)
        for key in keys:
            await pilot.press(key)
        await settle(app, pilot)
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return run_before


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


@pytest.mark.parametrize("size", SIZES)
def test_main_screen(
    snap_compare: SnapCompare, demo_server: EmbeddedServer, size: tuple[int, int]
) -> None:
    app = make_app(demo_server.base_url, profile="staging")
    assert snap_compare(app, terminal_size=size, run_before=_prepare("j", "j", "space"))


@pytest.mark.parametrize("size", SIZES)
def test_filtered_view(
    snap_compare: SnapCompare, demo_server: EmbeddedServer, size: tuple[int, int]
) -> None:
    app = make_app(demo_server.base_url, profile="staging")
    run_before = _prepare("slash", filter_text="type:tgz size>1MB state:bogus")
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(
    snap_compare: SnapCompare, demo_server: EmbeddedServer, size: tuple[int, int]
) -> None:
    app = make_app(demo_server.base_url, profile="staging")
    assert snap_compare(app, terminal_size=size, run_before=_prepare("question_mark"))


@pytest.mark.parametrize("size", SIZES)
def test_detail_pane_toggled(
    snap_compare: SnapCompare, demo_server: EmbeddedServer, size: tuple[int, int]
) -> None:
    """`i` shows the pane below the table when narrow, and hides it when wide."""
    app = make_app(demo_server.base_url, profile="staging")
    assert snap_compare(app, terminal_size=size, run_before=_prepare("j", "j", "j", "i"))


@pytest.mark.parametrize("size", SIZES)
def test_public_view(
    snap_compare: SnapCompare, demo_server: EmbeddedServer, size: tuple[int, int]
) -> None:
    app = make_app(demo_server.base_url, profile="staging")
    assert snap_compare(app, terminal_size=size, run_before=_prepare("v"))


@pytest.mark.parametrize("size", SIZES)
def test_visual_marks_sorted_by_size(
    snap_compare: SnapCompare, demo_server: EmbeddedServer, size: tuple[int, int]
) -> None:
    """Z sorts by size (largest first); V then j j marks three rows, the header says VISUAL."""
    app = make_app(demo_server.base_url, profile="staging")
    assert snap_compare(app, terminal_size=size, run_before=_prepare("Z", "j", "V", "j", "j"))


@pytest.mark.parametrize("size", SIZES)
def test_wide_names(
    snap_compare: SnapCompare, demo_server: EmbeddedServer, size: tuple[int, int]
) -> None:
    """W folds every column but the name away; the sort (O: oldest first) still shows."""
    app = make_app(demo_server.base_url, profile="staging")
    assert snap_compare(app, terminal_size=size, run_before=_prepare("W", "O", "j"))
