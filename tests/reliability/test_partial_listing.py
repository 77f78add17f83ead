"""A listing that fails part-way (a real server process answers page 2 with a 401) leaves a
list that says it is incomplete: in the header (still showing `marked` at 80 columns), when
`a` marks all, and in the bulk delete summary; until a listing completes."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from runloop_tui.tui.modals.bulk_delete import BulkDeleteModal
from runloop_tui.tui.widgets.header import Counts, counts_text
from tests.reliability.test_odd_listing import _app, _raw
from tests.reliability.tuihelp import assert_alive, drain, screen_lines
from tests.support.odd_proc import OddServer
from tests.tui.conftest import browsing


def _script() -> list[Any]:
    first = {"objects": [_raw(f"obj_p{i}") for i in range(3)], "has_more": True, "total_count": 6}
    expired = {"__status__": 401, "__body__": {"error": {"message": "token expired"}}}
    whole = {"objects": [_raw(f"obj_p{i}") for i in range(6)], "has_more": False}
    return [first, expired, whole]


async def test_a_listing_that_fails_on_page_two_says_the_list_is_incomplete() -> None:
    with OddServer("script", script=_script()) as odd:
        app = _app(odd.base_url)
        async with browsing(app, size=(80, 24), notifications=True) as (pilot, screen):
            assert odd.stats()["lists"] == 2
            assert len(screen.model.index) == 3
            header = screen.header.text
            assert "3 of 6 loaded · listing failed:" in header and "401" in header
            assert "3 objects" not in header
            counts_line = screen_lines(app)[1]
            assert "3 of 6 loaded" in counts_line and "marked 0" in counts_line
            # Mark all: it says the list is incomplete, and the header keeps `marked` in view.
            await pilot.press("a")
            await pilot.pause()
            told = [str(n.message) for n in app._notifications if "incomplete" in str(n.message)]
            assert told and not told[0].endswith("..")
            assert "marked 3" in screen_lines(app)[1]
            # The bulk delete summary says it too.
            await pilot.press("D")
            await pilot.pause()
            modal = app.screen
            assert isinstance(modal, BulkDeleteModal)
            warning = str(modal.query_one("#incomplete-warning", Static).content)
            assert "The list is incomplete (3 of 6 loaded" in warning
            await pilot.press("escape")
            await pilot.pause()
            # A listing that completes ends it.
            screen.refresh_now()
            await drain(app, pilot)
            assert len(screen.model.index) == 6
            assert "listing failed" not in screen.header.text
            assert "6 objects" in screen.header.text
            assert_alive(app)


def test_a_narrow_header_drops_the_least_important_parts_first() -> None:
    counts = Counts(10, 10, 10, 10**18, 2, 20, loading=False, note="5 unreadable objects skipped")
    full = str(counts_text(counts))
    assert "5 unreadable objects skipped" in full and "10 shown" in full
    narrow = str(counts_text(counts, 78))
    assert len(narrow) <= 78
    assert narrow.startswith("10 objects") and "marked 2 (20 B)" in narrow
    # The size goes first (that was enough at 78), then the note.
    assert "PB" not in narrow and "unreadable" in narrow and "10 shown" in narrow
    narrower = str(counts_text(counts, 60))
    assert "unreadable" not in narrower and "10 shown" in narrower
    assert "marked 2 (20 B)" in narrower
    # Very narrow: what is loaded and what is marked, the first cut to fit.
    tiny = str(
        counts_text(
            Counts(
                3,
                6,
                3,
                30,
                1,
                10,
                loading=False,
                label="3 of 6 loaded · listing failed: HTTP 401",
                incomplete=True,
            ),
            40,
        )
    )
    assert len(tiny) <= 40 and tiny.startswith("3 of 6 loaded") and "marked 1 (10 B)" in tiny
