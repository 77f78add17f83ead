"""Object names with terminal escape sequences or Textual markup are shown inert everywhere:
the table, the detail pane, the delete confirmation and the preview title. Checked on the
exported screenshot (what a terminal would get) and by clicking on the would-be link.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.server.ids import account_of, new_object_id
from runloop_tui.server.records import NewObject
from runloop_tui.server.store import Store
from runloop_tui.tui.app import RunloopApp
from runloop_tui.tui.modals.confirm import ConfirmModal
from runloop_tui.tui.modals.preview import PreviewModal
from tests.conftest import API_KEY, OTHER_API_KEY
from tests.reliability.tuihelp import (
    assert_alive,
    build_app,
    drain,
    screen_lines,
    svg_text,
)
from tests.tui.conftest import NOW_MS, browsing, quick_retry

ESCAPES = "\x1b[31mred\x1b]0;title\x07"
BOLD = "[bold red]x[/]"
CLICK = "[@click=app.quit]x[/]"
# What must be visible for each name (escape bytes are replaced, the rest stays literal).
VISIBLE = {ESCAPES: ["[31mred", "]0;title"], BOLD: [BOLD], CLICK: [CLICK]}


@pytest.fixture
def hostile_server(data_dir: Path) -> Iterator[tuple[EmbeddedServer, dict[str, str]]]:
    """Our server refuses control characters in names, another service might not: the rows
    are written straight into the store, with content, before the server starts."""
    store = Store(data_dir)
    ids: dict[str, str] = {}
    objects = []
    try:
        for i, name in enumerate(VISIBLE):
            object_id = new_object_id()
            content = f"content of object {i}\n".encode()
            store.write_content(object_id, content)
            objects.append(
                NewObject(
                    id=object_id,
                    account=account_of(API_KEY),
                    name=name,
                    content_type="text",
                    create_time_ms=NOW_MS - i * 1000,
                    size_bytes=len(content),
                    metadata={name: name},
                )
            )
            ids[name] = object_id
        store.insert_objects(objects)
    finally:
        store.close()
    with EmbeddedServer(data_dir, api_keys=[API_KEY, OTHER_API_KEY]) as server:
        yield server, ids


@pytest.fixture
def hostile(
    hostile_server: tuple[EmbeddedServer, dict[str, str]],
) -> tuple[RunloopApp, dict[str, str]]:
    """The app on the hostile store, and the ids by name."""
    server, ids = hostile_server
    return build_app(server.base_url, quick_retry()), ids


def _assert_inert(app: RunloopApp, name: str, where: str) -> str:
    svg = app.export_screenshot()
    assert "\x1b" not in svg and "\x07" not in svg, f"a raw control byte reached {where}"
    text = svg_text(svg)
    for visible in VISIBLE[name]:
        assert visible in text, f"{visible!r} is not shown literally in {where}"
    return text


async def test_hostile_names_are_inert_in_every_view(
    hostile: tuple[RunloopApp, dict[str, str]],
) -> None:
    app, ids = hostile
    async with browsing(app, size=(160, 40)) as (pilot, screen):
        assert {o.id for o in screen.visible_objects} == set(ids.values())
        for name, object_id in ids.items():
            screen.select_object(object_id)
            await pilot.pause()
            assert screen.selected_object is not None
            assert screen.selected_object.id == object_id
            _assert_inert(app, name, "the table and detail pane")

            await pilot.press("d")  # delete: the confirmation names it
            await pilot.pause()
            assert isinstance(app.screen, ConfirmModal)
            _assert_inert(app, name, "the delete confirmation")
            await pilot.press("escape")  # No
            await pilot.pause()

            await pilot.press("p")  # preview: the title names it
            await drain(app, pilot)
            assert isinstance(app.screen, PreviewModal)
            text = _assert_inert(app, name, "the preview")
            assert "content of object" in text
            await pilot.press("escape")
            await pilot.pause()
            assert_alive(app)
        # nothing was deleted by the confirmations we declined
        assert {o.id for o in screen.visible_objects} == set(ids.values())


async def test_clicking_a_would_be_link_does_nothing(
    hostile: tuple[RunloopApp, dict[str, str]],
) -> None:
    """If the name were read as markup, its "x" would be an @click=app.quit link."""
    app, ids = hostile
    async with browsing(app, size=(160, 40)) as (pilot, screen):
        screen.select_object(ids[CLICK])
        await pilot.pause()
        clicked = 0
        # Click the "x" (the would-be link) and the bracket of every place the literal name
        # is shown (table row, detail pane). Were it markup, the literal would not be found.
        for y, line in enumerate(screen_lines(app)):
            start = line.find(CLICK)
            while start != -1:
                for x in (start, start + CLICK.index("]x") + 1):
                    await pilot.click(offset=(x, y))
                    clicked += 1
                start = line.find(CLICK, start + 1)
        assert clicked >= 4, "the name was not found twice on screen to click"
        await pilot.pause()
        assert_alive(app)
