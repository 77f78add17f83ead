"""Range marking like k9s (#723): shift+up/down extend the marks, V marks from an anchor row
to the cursor, Esc or V leaves it and the marks stay."""

from __future__ import annotations

import random

from runloop_tui.tui.availability import Availability, unavailable_reason
from runloop_tui.tui.range_marks import VisualRange
from runloop_tui.tui.screens.browser import BrowserScreen
from tests.notified import messages

from .conftest import AppFactory, browsing

IDS = [f"obj_{i}" for i in range(10)]


def between(lo: int, hi: int) -> list[str]:
    return IDS[lo : hi + 1]


def shown_ids(screen: BrowserScreen, *rows: int) -> set[str]:
    return {screen.table.ids_between(r, r)[0] for r in rows}


# --- the rule, without Textual ---
def test_a_visual_range_grows_and_shrinks_but_keeps_earlier_marks() -> None:
    marks = {"obj_3", "obj_9"}
    visual = VisualRange("obj_2", marks)
    visual.follow(marks, 2, 2, between)
    assert marks == {"obj_2", "obj_3", "obj_9"} and visual.rows == 1
    visual.follow(marks, 2, 5, between)
    assert marks == {"obj_2", "obj_3", "obj_4", "obj_5", "obj_9"} and visual.rows == 4
    # Back above the anchor: the rows left behind are unmarked, obj_3 (marked before) stays.
    visual.follow(marks, 2, 0, between)
    assert marks == {"obj_0", "obj_1", "obj_2", "obj_3", "obj_9"} and visual.rows == 3


def test_stepping_the_range_matches_marking_it_from_scratch() -> None:
    # The range only touches the rows entering and leaving it; after any walk of the cursor
    # the marks must be what marking anchor..cursor afresh gives.
    rng = random.Random(7)
    ids = [f"obj_{i}" for i in range(60)]

    def ids_of(lo: int, hi: int) -> list[str]:
        return ids[max(0, lo) : hi + 1]

    for _ in range(40):
        base = set(rng.sample(ids, 8))
        marks = set(base)
        anchor = rng.randrange(60)
        visual = VisualRange(ids[anchor], marks)
        for _ in range(25):
            cursor = rng.choice([rng.randrange(60), max(0, anchor - 1), 0, 59])
            visual.follow(marks, anchor, cursor, ids_of)
            lo, hi = sorted((anchor, cursor))
            assert marks == base | set(ids[lo : hi + 1])
            assert visual.rows == hi - lo + 1


def test_rows_moving_under_a_range_never_grow_it() -> None:
    marks: set[str] = set()
    visual = VisualRange("obj_2", marks)
    visual.follow(marks, 2, 4, between)
    assert marks == {"obj_2", "obj_3", "obj_4"}
    # Same objects between anchor and cursor (a refresh that changed nothing): kept as is.
    visual.rows_moved(marks, 2, 4, "obj_4", between)
    assert visual.anchor_id == "obj_2" and visual.rows == 3
    # A sort put other objects in between: the range starts again at the cursor.
    visual.rows_moved(marks, 0, 8, "obj_4", between)
    assert marks == {"obj_2", "obj_3", "obj_4"}
    assert visual.anchor_id == "obj_4" and visual.rows == 1


def test_range_keys_need_a_row_but_leaving_the_mode_never_does() -> None:
    for action in ("extend_marks", "visual_mode"):
        assert unavailable_reason(action, Availability(rows=0)) == "There are no rows to mark."
        assert unavailable_reason(action, Availability(rows=0, visual=True)) is None


# --- through the UI ---
async def test_shift_down_and_up_extend_the_marks(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app, size=(80, 24)) as (pilot, screen):
        await pilot.press("j", "shift+down", "shift+down")
        assert screen.table.cursor_row == 3
        assert screen.model.marks == shown_ids(screen, 1, 2, 3)
        await pilot.press("J")  # the same, for terminals that keep shift+arrows
        assert screen.model.marks == shown_ids(screen, 1, 2, 3, 4)
        await pilot.press("down", "down", "shift+up", "K")
        assert screen.table.cursor_row == 4
        assert screen.model.marks == shown_ids(screen, 1, 2, 3, 4, 5, 6)
        assert "marked 6" in screen.header.text


async def test_visual_mode_marks_from_the_anchor_to_the_cursor(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app, size=(80, 24)) as (pilot, screen):
        await pilot.press("j", "j", "space")  # row 2 marked, cursor on 3
        await pilot.press("k", "k", "V")  # anchor: row 1
        assert "VISUAL 1 row " in screen.header.text
        await pilot.press("j", "j", "j", "j")
        await pilot.pause()
        assert screen.model.marks == shown_ids(screen, 1, 2, 3, 4, 5)
        assert "VISUAL 5 rows" in screen.header.text
        await pilot.press("k", "k", "k", "k", "k")  # above the anchor: row 2 was marked
        await pilot.pause()
        assert screen.model.marks == shown_ids(screen, 0, 1, 2)
        await pilot.press("escape")  # leaves the mode, the marks stay
        await pilot.pause()
        assert "VISUAL" not in screen.header.text
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert screen.model.marks == shown_ids(screen, 0, 1, 2)
        # V again also leaves it.
        await pilot.press("V", "j", "V", "j")
        await pilot.pause()
        assert "VISUAL" not in screen.header.text
        assert screen.model.marks == shown_ids(screen, 0, 1, 2, 3, 4)


async def test_a_sort_during_visual_mode_marks_nothing_new(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app) as (pilot, screen):
        await pilot.press("V", "j", "j")
        await pilot.pause()
        before = set(screen.model.marks)
        assert len(before) == 3
        await pilot.press("Z", "j")  # by size: the range starts again at the cursor
        await pilot.pause()
        assert before <= screen.model.marks and len(screen.model.marks) == 4
        assert "VISUAL 2 rows" in screen.header.text


async def test_range_keys_on_an_empty_view_say_why(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app, size=(80, 24), notifications=True) as (pilot, screen):
        screen.set_filter("name:no-such-object-anywhere")
        await pilot.pause()
        for key in ("V", "shift+down"):
            before = len(messages(app))
            await pilot.press(key)
            await pilot.pause()
            assert messages(app)[before:] == ["There are no rows to mark."], key
        assert "VISUAL" not in screen.header.text and not screen.model.marks


async def test_visual_mode_ends_when_the_filter_hides_its_anchor(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app, size=(80, 24), notifications=True) as (pilot, screen):
        await pilot.press("V", "j", "j")
        await pilot.pause()
        marked = set(screen.model.marks)
        assert len(marked) == 3
        anchor = screen.visible_objects[0]
        screen.set_filter(f"-id:{anchor.id}")
        await pilot.pause()
        assert "VISUAL" not in screen.header.text
        assert screen.model.marks == marked  # the marks stay, hidden or not
        assert any("Visual mode ended" in m for m in messages(app))
        await pilot.press("j", "j")  # no range follows the cursor any more
        await pilot.pause()
        assert screen.model.marks == marked
