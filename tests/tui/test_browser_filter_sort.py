"""Filtering (typed through the filter bar), sorting and marks."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from textual.widgets import Input

from runloop_tui.api.models import ObjectState, ObjectView
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.widgets.object_table import ObjectTable
from tests.tui.conftest import NOW_MS, AppFactory, browsing, make_app, settle

HOUR = 3_600_000
Predicate = Callable[[ObjectView], bool]

# Each term with an independent statement of what it must keep.
TERMS: list[tuple[str, Predicate]] = [
    ("state:uploading", lambda o: o.state is ObjectState.UPLOADING),
    ("-state:read_only", lambda o: o.state is not ObjectState.READ_ONLY),
    ("state:error,uploading", lambda o: str(o.state) in ("ERROR", "UPLOADING")),
    ("type:text", lambda o: str(o.content_type) == "text"),
    ("type:tgz", lambda o: str(o.content_type) == "tgz"),
    ("size>1MB", lambda o: o.size_bytes is not None and o.size_bytes > 1_000_000),
    ("size<1KB", lambda o: o.size_bytes is not None and o.size_bytes < 1000),
    ("age<1d", lambda o: NOW_MS - o.create_time_ms < 24 * HOUR),
    ("age>7d", lambda o: NOW_MS - o.create_time_ms > 7 * 24 * HOUR),
    (
        "expires<1d",
        lambda o: (
            o.delete_after_time_ms is not None and o.delete_after_time_ms - NOW_MS < 24 * HOUR
        ),
    ),
    ("meta:agent=swe-agent", lambda o: (o.metadata or {}).get("agent") == "swe-agent"),
    ("meta:model", lambda o: "model" in (o.metadata or {})),
    # Names only: the demo's scratch/output.txt has "LoG" in its id and must not match.
    ("log", lambda o: "log" in o.name.lower()),
    ("name:checkpoints", lambda o: "checkpoints" in o.name.lower()),
    (
        "type:text size>1KB",
        lambda o: str(o.content_type) == "text" and (o.size_bytes or 0) > 1000,
    ),
]


async def _type_filter(pilot: object, text: str) -> None:
    await pilot.press("slash")  # type: ignore[attr-defined]
    await pilot.press(*list(text))  # type: ignore[attr-defined]


async def test_every_filter_term_through_the_ui(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app) as (pilot, screen):
        everything = list(screen.model.index.objects)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        for number, (term, keep) in enumerate(TERMS):
            screen.filter_bar.input.value = ""
            if number % 5 == 0:
                await pilot.press(*list(term))  # key by key, as a user types
            else:
                # Same path, faster: the Input posts Changed as if typed in one go.
                screen.filter_bar.input.value = term
            screen = await settle(app, pilot)
            assert screen.filter_bar.text == term
            assert not screen.filter_bar.error_text, term
            expected = {o.id for o in everything if keep(o)}
            assert expected, f"the demo data should have matches for {term!r}"
            assert {o.id for o in screen.visible_objects} == expected, term
            assert f"{len(expected):,} shown" in screen.header.text
        await pilot.press("escape")  # clears the filter and returns to the table
        await settle(app, pilot)
        assert screen.filter_bar.text == ""
        assert isinstance(app.focused, ObjectTable)
        assert len(screen.visible_objects) == len(everything)


@pytest.mark.parametrize(
    ("text", "needle"),
    [("state:bogus", "bogus"), ("size>lots", "lots"), ("colour:red", "colour"), ("-", "-")],
)
async def test_invalid_terms_are_marked_not_raised(
    demo_app: AppFactory, text: str, needle: str
) -> None:
    app = demo_app()
    async with browsing(app) as (pilot, screen):
        total = len(screen.visible_objects)
        await _type_filter(pilot, f"type:text {text}")
        screen = await settle(app, pilot)
        assert screen.filter_bar.has_class("-invalid")
        assert needle in screen.filter_bar.error_text
        # The valid part still applies.
        assert 0 < len(screen.visible_objects) < total
        assert all(str(o.content_type) == "text" for o in screen.visible_objects)
        await pilot.press("escape")
        await settle(app, pilot)
        assert not screen.filter_bar.has_class("-invalid")


async def test_filter_completion_suggests_states_and_metadata(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app) as (pilot, screen):
        assert "agent" in screen.suggester.metadata_keys
        await _type_filter(pilot, "state:upl")
        await settle(app, pilot)
        await pilot.press("tab")  # takes the ghost completion
        assert screen.filter_bar.text == "state:uploading"
        await pilot.press("space", *list("meta:agent=sw"))
        await settle(app, pilot)  # fetches the values of "agent" in a worker
        await pilot.press("backspace", "w")  # ask again now that the values are cached
        await settle(app, pilot)
        await pilot.press("tab")
        assert screen.filter_bar.text == "state:uploading meta:agent=swe-agent"
        await pilot.press("tab")  # nothing left to complete: back to the table
        await settle(app, pilot)
        assert isinstance(app.focused, ObjectTable)


async def test_sort_columns_keys_and_header_click(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app, size=(160, 40)) as (pilot, screen):
        load_order = {o.id: pos for pos, o in enumerate(screen.model.index.objects)}
        screen.set_sort("size", True)
        await pilot.pause()
        sizes = [o.size_bytes if o.size_bytes is not None else -1 for o in screen.visible_objects]
        assert sizes == sorted(sizes, reverse=True)
        await pilot.press("S")
        sizes = [o.size_bytes if o.size_bytes is not None else -1 for o in screen.visible_objects]
        assert sizes == sorted(sizes)
        # Stable: equal keys keep the load order, in both directions.
        for descending in (False, True):
            screen.set_sort("type", descending)
            shown = screen.visible_objects
            for a, b in itertools.pairwise(shown):
                if a.content_type == b.content_type:
                    assert load_order[a.id] < load_order[b.id]
        # `s` cycles through the columns shown, left to right, and wraps.
        screen.set_sort("id", False)
        await pilot.press("s")
        assert screen.model.sort == ("name", False)
        names = [o.name.lower() for o in screen.visible_objects]
        assert names == sorted(names)
        # Clicking a header sorts by it; clicking again reverses.
        table = screen.query_one(ObjectTable)
        x = 0
        for column in table._columns():
            if column[0].key == "state":
                break
            x += column[1] + 1
        await pilot.click(ObjectTable, offset=(x + 1, 0))
        await pilot.pause()
        assert screen.model.sort == ("state", False)
        await pilot.click(ObjectTable, offset=(x + 1, 0))
        await pilot.pause()
        assert screen.model.sort == ("state", True)
        states = [str(o.state) for o in screen.visible_objects]
        assert states == sorted(states, reverse=True)


async def test_marks_keys_and_counts(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app) as (pilot, screen):
        shown = screen.visible_objects
        table = screen.query_one(ObjectTable)
        await pilot.press("space", "space")
        assert table.cursor_row == 2
        assert {o.id for o in screen.marked_objects} == {shown[0].id, shown[1].id}
        size = sum(o.size_bytes or 0 for o in shown[:2])
        assert size > 0
        assert "marked 2 (" in screen.header.text
        await pilot.press("c")
        assert screen.marked_objects == []
        # Mark every row matching a filter; marks survive clearing the filter.
        screen.set_filter("type:tgz")
        await pilot.press("a")
        tgz = {o.id for o in screen.visible_objects}
        assert {o.id for o in screen.marked_objects} == tgz
        screen.set_filter("")
        await pilot.press("asterisk")  # invert over everything shown
        assert {o.id for o in screen.marked_objects} == {o.id for o in shown} - tgz
        await pilot.press("escape")  # Esc never clears the marks
        assert {o.id for o in screen.marked_objects} == {o.id for o in shown} - tgz
        await pilot.press("c")
        assert screen.marked_objects == []
        assert "marked 0" in screen.header.text
        screen.mark_objects([shown[3].id, "obj_doesnotexist"])
        assert [o.id for o in screen.marked_objects] == [shown[3].id]


async def test_pushdown_merges_server_matches_while_loading(
    demo_server: EmbeddedServer,
) -> None:
    app = make_app(demo_server.base_url)
    async with browsing(app) as (pilot, screen):
        every_tgz = {o.id for o in screen.visible_objects if str(o.content_type) == "tgz"}
        assert every_tgz
        # Pretend the account is only partly loaded: nothing here yet, a load in flight.
        screen.model.clear()
        screen.refresh_state.loading = True
        screen.set_filter("type:tgz")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert {o.id for o in screen.visible_objects} == every_tgz
        # Merged by id: a second pass adds no duplicates.
        screen.filtering.start_pushdown("type:tgz")
        await app.workers.wait_for_complete()
        assert len(screen.model.index) == len(every_tgz)
        screen.refresh_state.loading = False


async def test_filter_input_keeps_focus_and_q_types(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app, size=(80, 24)) as (pilot, _):
        await _type_filter(pilot, "quit ?")
        assert isinstance(app.focused, Input)
        assert app.focused.value == "quit ?"
        assert app.is_running


async def test_an_empty_table_says_why(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app, size=(80, 24)) as (pilot, screen):
        table = screen.query_one(ObjectTable)
        assert "No object" not in table.render_line(2).text
        await _type_filter(pilot, "zz-no-such-object-zz")
        await settle(app, pilot)
        assert screen.visible_objects == []
        assert "No object matches the filter" in table.render_line(2).text
        await pilot.press("escape", "escape")
        await settle(app, pilot)
        assert "No object" not in table.render_line(2).text


async def test_an_empty_store_says_what_to_do(server: EmbeddedServer) -> None:
    # What to do, unless nothing can be changed.
    for read_only, expected in ((False, "No objects yet: u uploads one."), (True, "No objects.")):
        app = make_app(server.base_url, read_only=read_only)
        async with browsing(app, size=(80, 24)) as (_, screen):
            assert table_text(screen.query_one(ObjectTable)) == expected


def table_text(table: ObjectTable) -> str:
    return table.render_line(2).text.strip()
