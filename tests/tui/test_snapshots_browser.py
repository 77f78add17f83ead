"""SVG snapshots of the browser and its usage view (pytest-textual-snapshot), at 80x24 and
120x36. Update with --snapshot-update."""

from __future__ import annotations

import pytest

from runloop_tui.server.embedded import EmbeddedServer
from tests.tui.conftest import make_app
from tests.tui.snapshot_helpers import SIZES, RunBefore, SnapCompare, prepare

pytestmark = pytest.mark.usefixtures("utc")

SCREENS = [
    pytest.param(prepare("j", "j", "space"), id="main_screen"),
    pytest.param(prepare("slash", filter_text="type:tgz size>1MB state:bogus"), id="filtered_view"),
    pytest.param(prepare("question_mark"), id="help_screen"),
    # `i` shows the pane below the table when narrow, and hides it when wide.
    pytest.param(prepare("j", "j", "j", "i"), id="detail_pane_toggled"),
    pytest.param(prepare("v"), id="public_view"),
    # Z sorts by size (largest first); V then j j marks three rows, the header says VISUAL.
    pytest.param(prepare("Z", "j", "V", "j", "j"), id="visual_marks_sorted_by_size"),
    # W folds every column but the name away; the sort (O: oldest first) still shows.
    pytest.param(prepare("W", "O", "j"), id="wide_names"),
    pytest.param(prepare("U"), id="usage_top_level"),
    # agent-runs/ is third by size in the demo store: down, down, Enter, then mark one.
    pytest.param(
        prepare("U", "down", "down", "enter", "space"), id="usage_drilled_in_with_a_marked_prefix"
    ),
]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("run_before", SCREENS)
def test_snapshot(
    snap_compare: SnapCompare,
    demo_server: EmbeddedServer,
    run_before: RunBefore,
    size: tuple[int, int],
) -> None:
    app = make_app(demo_server.base_url, profile="staging")
    assert snap_compare(app, terminal_size=size, run_before=run_before)
