"""Direct sort keys (one per column, from the ColumnSpec table), wide names (W), the full-name
line under the table, and y/n in the delete confirm."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from textual.binding import Binding
from textual.command import CommandPalette
from textual.dom import DOMNode
from textual.widgets import OptionList

import runloop_tui.tui
from runloop_tui.api.errors import ApiError
from runloop_tui.api.models import ObjectState, ObjectView
from runloop_tui.tui.browser_keys import RANGE_BINDINGS, SORT_BINDINGS
from runloop_tui.tui.columns import COLUMN_BY_KEY, COLUMNS, SORT_COLUMNS, SORT_HOTKEYS
from runloop_tui.tui.modals.confirm import ConfirmModal
from runloop_tui.tui.screens.help import HelpScreen
from runloop_tui.tui.widgets.cell_fit import layout_columns
from runloop_tui.tui.widgets.name_line import NameLine

from .actions_helpers import wait_screen
from .conftest import AppFactory, browsing, settle

# Keys a terminal or tmux keeps for itself, or that reach the program as something else:
# tmux's prefix, the tty's signals and flow control, and the keys every terminal maps.
RESERVED = {
    "ctrl+b",  # tmux prefix
    "ctrl+a",  # screen prefix (and tmux users who remap to it)
    "ctrl+c", "ctrl+z", "ctrl+backslash",  # SIGINT, SIGTSTP, SIGQUIT
    "ctrl+s", "ctrl+q",  # XON/XOFF flow control
    "ctrl+d",  # EOF
    "ctrl+h", "ctrl+i", "ctrl+m", "ctrl+j", "ctrl+left_square_bracket",  # = BS, Tab, CR, LF, Esc
    "shift+pageup", "shift+pagedown", "shift+home", "shift+end",  # terminal scrollback
    "ctrl+shift+c", "ctrl+shift+v",  # terminal copy/paste
    "f11",  # full screen
}  # fmt: skip


def bound_keys() -> dict[str, set[str]]:
    """Every key of every Binding in runloop_tui.tui -> the binding ids using it."""
    found: dict[str, set[str]] = {}
    for info in pkgutil.walk_packages(runloop_tui.tui.__path__, "runloop_tui.tui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, DOMNode) or not cls.__module__.startswith("runloop_tui"):
                continue
            for binding in cls.__dict__.get("BINDINGS", []):
                assert isinstance(binding, Binding)
                for key in binding.key.split(","):
                    found.setdefault(key.strip(), set()).add(str(binding.id))
    return found


def test_every_sortable_column_has_its_own_key() -> None:
    assert set(SORT_HOTKEYS) == set(SORT_COLUMNS)
    keys = list(SORT_HOTKEYS.values())
    assert len(keys) == len(set(keys))
    assert [b.id for b in SORT_BINDINGS] == [f"browser.sort_by_{c}" for c in SORT_HOTKEYS]


def test_new_keys_collide_with_no_other_binding_nor_the_terminal() -> None:
    keys = bound_keys()
    for binding in SORT_BINDINGS + RANGE_BINDINGS:
        for key in binding.key.split(","):
            assert keys[key] == {binding.id}, (key, keys[key])
            assert key not in RESERVED
    for binding in SORT_BINDINGS:
        # Never the shifted form of a key that throws work away when shift is missed (c
        # clears the marks, v leaves them behind for the public view, d deletes, q quits).
        assert binding.key.lower() not in {"c", "v", "d", "q", "a"}


def test_wide_names_fold_every_other_column_away() -> None:
    assert [(c.key, w) for c, w in layout_columns(80, wide_names=True)] == [
        ("mark", 1),
        ("name", 78),
    ]
    assert len(layout_columns(80)) == len(COLUMNS) - 1  # the id column does not fit
    for width in range(0, 40):  # a tiny window: nothing left to fold, nothing breaks
        assert [c.key for c, _ in layout_columns(width, wide_names=True)] == ["mark", "name"]


@pytest.mark.parametrize("column", SORT_COLUMNS)
async def test_each_sort_key_sorts_by_its_column_and_again_reverses(
    demo_app: AppFactory, column: str
) -> None:
    app = demo_app()
    key_of = COLUMN_BY_KEY[column].sort_key
    assert key_of is not None
    first = COLUMN_BY_KEY[column].descending_first
    async with browsing(app) as (pilot, screen):
        if column == "created":  # the default sort: a first press reverses it
            first = not first
        for descending in (first, not first):
            await pilot.press(SORT_HOTKEYS[column])
            await pilot.pause()
            assert screen.model.sort == (column, descending)
            keys = [key_of(o) for o in screen.visible_objects]
            assert keys == sorted(keys, reverse=descending)
            # The indicator always shows, on the column or (folded away) on the name.
            header = screen.table.render_line(0).text
            assert ("▼" if descending else "▲") in header


async def test_size_and_age_are_the_cleanup_sorts_in_wide_name_mode(
    demo_app: AppFactory,
) -> None:
    app = demo_app()
    async with browsing(app, size=(80, 24)) as (pilot, screen):
        await pilot.press("W", "Z")
        await pilot.pause()
        assert screen.table.visible_columns == ["mark", "name"]
        assert "wide names" in screen.header.text
        assert "Name (sorted by size▼)" in screen.table.render_line(0).text
        sizes = [o.size_bytes or -1 for o in screen.visible_objects]
        assert sizes == sorted(sizes, reverse=True)
        # A wide name reads whole at 80 columns.
        obj = screen.table.current_object
        assert obj is not None
        line = screen.table.render_line(screen.table.cursor_row - round(screen.table.scroll_y) + 1)
        assert obj.name in line.text
        await pilot.press("O", "W")
        await pilot.pause()
        assert screen.model.sort == ("created", True)
        assert "size" in screen.table.visible_columns
        assert "wide names" not in screen.header.text


async def test_the_name_line_shows_the_full_name_when_the_detail_pane_is_hidden(
    demo_app: AppFactory,
) -> None:
    app = demo_app()
    async with browsing(app, size=(80, 24)) as (pilot, screen):
        line = screen.query_one(NameLine)
        long_names = [o for o in screen.visible_objects if len(o.name) > 40]
        assert long_names
        screen.select_object(long_names[0].id)
        await pilot.pause()
        assert line.display and line.text == long_names[0].name
        assert long_names[0].name in line.render_line(0).text
        await pilot.press("j")
        await pilot.pause()
        current = screen.selected_object
        assert isinstance(current, ObjectView) and line.text == current.name
        await pilot.press("i")  # the detail pane shows the name: the line goes
        await pilot.pause()
        assert not line.display
    async with browsing(demo_app()) as (pilot, screen):
        assert not screen.query_one(NameLine).display  # wide: the detail pane is there
        await pilot.press("i")
        await pilot.pause()
        assert screen.query_one(NameLine).display


@pytest.mark.parametrize(("key", "deleted"), [("y", True), ("n", False), ("enter", False)])
async def test_the_delete_confirm_takes_y_and_n(
    demo_app: AppFactory, key: str, deleted: bool
) -> None:
    app = demo_app()
    async with browsing(app, size=(80, 24)) as (pilot, screen):
        obj = screen.selected_object
        assert obj is not None
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press(key)
        screen = await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmModal)
        # Asked of the server itself, not of the table.
        try:
            state = (await screen.client.get_object(obj.id)).state
        except ApiError:  # gone
            state = ObjectState.DELETED
        assert (state is ObjectState.DELETED) is deleted


async def test_help_lists_the_sort_and_range_keys(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app) as (pilot, _):
        await pilot.press("question_mark")
        help_screen = await wait_screen(app, pilot, HelpScreen)
        texts = {row.binding_id: (row.keys, row.text) for row in help_screen.rows}
        assert texts["browser.sort_by_size"] == ("Z", "Sort by size (again reverses)")
        assert texts["browser.sort_by_created"][0] == "O"
        assert texts["browser.visual"][0] == "V"
        assert texts["browser.wide_names"][0] == "W"
        await pilot.press(*"sort by")
        await pilot.pause()
        assert "Sort by expires" in help_screen.shown_text


async def test_the_palette_runs_a_sort_key_and_greys_visual_mode_with_no_rows(
    demo_app: AppFactory,
) -> None:
    app = demo_app()
    async with browsing(app) as (pilot, screen):
        await pilot.press("ctrl+p")
        palette = await wait_screen(app, pilot, CommandPalette)
        await pilot.press(*"sort by size")
        options = palette.query_one(OptionList)
        for _ in range(100):  # the palette searches in the background
            await pilot.pause()
            if options.highlighted == 0 and "Sort by size" in str(
                options.get_option_at_index(0).prompt
            ):
                break
        await pilot.press("enter")
        await pilot.pause()
        assert screen.model.sort == ("size", True)
        screen.set_filter("name:no-such-object-anywhere")
        await pilot.pause()
        assert screen.unavailable_reason("visual_mode") == "There are no rows to mark."
        assert screen.unavailable_reason("extend_marks(1)") == "There are no rows to mark."
