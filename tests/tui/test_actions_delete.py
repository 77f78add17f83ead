"""Single delete (default No) and bulk delete (type the count; exactly the marked ones go)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import Button, Input, OptionList

from runloop_tui.api.bulk import delete_many
from runloop_tui.api.client import ObjectsClient
from runloop_tui.api.errors import NotFoundError
from runloop_tui.server.demo import seed_bulk
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.modals.bulk_delete import (
    BulkDeleteModal,
    BulkDeleteProgressModal,
    BulkResultsModal,
)
from runloop_tui.tui.modals.confirm import ConfirmModal
from tests.conftest import API_KEY, OTHER_API_KEY
from tests.notified import notified
from tests.support.fault_proxy import FaultProxy
from tests.tui.actions_helpers import (
    CountingDeleter,
    bulk_store,
    live_ids,
    wait_gone,
    wait_screen,
)
from tests.tui.conftest import NOW_MS, browsing, drain, make_app, quick_retry, settle


async def _ids(base_url: str) -> set[str]:
    async with ObjectsClient(base_url, API_KEY, retry=quick_retry()) as api:
        return await live_ids(api)


async def test_single_delete_defaults_to_no(data_dir: Path) -> None:
    ids = seed_bulk(data_dir, API_KEY, 5, now_ms=NOW_MS)
    with EmbeddedServer(data_dir, api_keys=[API_KEY, OTHER_API_KEY]) as server:
        app = make_app(server.base_url)
        async with browsing(app, size=(80, 24)) as (pilot, screen):
            target = screen.selected_object
            assert target is not None
            await pilot.press("d")
            modal = await wait_screen(app, pilot, ConfirmModal)
            body = " ".join(str(w.render()) for w in modal.query("Static, Label"))
            assert target.name in body and target.id in body and "0 bytes" in body
            assert app.focused is modal.query_one("#no", Button)
            await pilot.press("enter")  # Enter on the focused default: No
            await wait_gone(app, pilot, ConfirmModal)
            await drain(app, pilot)
            assert await _ids(server.base_url) == set(ids)
            await pilot.press("d")
            await wait_screen(app, pilot, ConfirmModal)
            await pilot.press("escape")
            await wait_gone(app, pilot, ConfirmModal)
            assert await _ids(server.base_url) == set(ids)
            # Only choosing Yes deletes, and only the cursor row.
            await pilot.press("d")
            await wait_screen(app, pilot, ConfirmModal)
            await pilot.press("tab", "enter")
            await wait_gone(app, pilot, ConfirmModal)
            await drain(app, pilot)
            assert await _ids(server.base_url) == set(ids) - {target.id}
            assert target.id not in {o.id for o in screen.visible_objects}
            assert len(screen.visible_objects) == 4


async def test_bulk_delete_refuses_a_wrong_count(data_dir: Path) -> None:
    ids = seed_bulk(data_dir, API_KEY, 30, now_ms=NOW_MS)
    with EmbeddedServer(data_dir, api_keys=[API_KEY, OTHER_API_KEY]) as server:
        app = make_app(server.base_url)
        async with browsing(app, size=(80, 24)) as (pilot, screen):
            screen.mark_objects(ids[:12])
            await pilot.press("D")
            modal = await wait_screen(app, pilot, BulkDeleteModal)
            text = " ".join(str(w.render()) for w in modal.query("Static, Label"))
            assert "12 marked objects" in text and "READ_ONLY 12" in text
            assert "… and 2 more" in text
            delete = modal.query_one("#delete", Button)
            assert delete.disabled
            await pilot.press("1", "1", "enter")
            await pilot.pause()
            assert delete.disabled
            assert isinstance(app.screen, BulkDeleteModal)
            assert "not 12" in str(modal.query_one("#count-error").render())
            await pilot.press("escape")
            await wait_gone(app, pilot, BulkDeleteModal)
            await drain(app, pilot)
            assert await _ids(server.base_url) == set(ids)
            assert {o.id for o in screen.marked_objects} == set(ids[:12])


async def test_bulk_delete_removes_exactly_the_marked(data_dir: Path) -> None:
    ids = seed_bulk(data_dir, API_KEY, 60, now_ms=NOW_MS)
    marked = set(ids[5:45:2])  # 20 scattered objects
    with EmbeddedServer(data_dir, api_keys=[API_KEY, OTHER_API_KEY]) as server:
        app = make_app(server.base_url)
        async with browsing(app) as (pilot, screen):
            screen.mark_objects(marked)
            await pilot.press("d")  # with marks, d is the bulk delete
            modal = await wait_screen(app, pilot, BulkDeleteModal)
            modal.query_one("#count", Input).value = "20"
            await pilot.pause()
            assert not modal.query_one("#delete", Button).disabled
            await pilot.press("enter")
            await wait_gone(app, pilot, BulkDeleteModal)
            await drain(app, pilot)
            assert not isinstance(app.screen, BulkDeleteProgressModal | BulkResultsModal)
            assert {o.id for o in screen.visible_objects} == set(ids) - marked
            assert screen.marked_objects == []
        assert await _ids(server.base_url) == set(ids) - marked


async def test_bulk_delete_lists_each_failure(data_dir: Path) -> None:
    ids = seed_bulk(data_dir, API_KEY, 10, now_ms=NOW_MS)
    with (
        EmbeddedServer(data_dir, api_keys=[API_KEY, OTHER_API_KEY]) as server,
        FaultProxy(server.base_url) as proxy,
    ):
        # The delete of one object always fails with a 400 (not retried).
        proxy.configure(match=f"/v1/objects/{ids[1]}/delete", fail_first=100, fail_status=400)
        app = make_app(proxy.base_url)
        async with browsing(app) as (pilot, screen):
            screen.mark_objects(ids[:4])
            await pilot.press("D")
            modal = await wait_screen(app, pilot, BulkDeleteModal)
            modal.query_one("#count", Input).value = "4"
            await pilot.press("enter")
            results = await wait_screen(app, pilot, BulkResultsModal, rounds=200)
            await drain(app, pilot)
            outcome = results.outcome
            assert {o.id for o in outcome.deleted} == {ids[0], ids[2], ids[3]}
            assert [f.obj.id for f in outcome.failed] == [ids[1]]
            assert "HTTP 400" in outcome.failed[0].error
            assert "injected failure" in outcome.failed[0].error
            text = " ".join(str(w.render()) for w in results.query("Label"))
            assert "Deleted 3 of 4. 1 failed." in text
            assert ids[1] in text
            await pilot.press("escape")
            await wait_gone(app, pilot, BulkResultsModal)
            assert {o.id for o in screen.visible_objects} == set(ids[4:]) | {ids[1]}
            # The failed one stays marked, so a retry is one key away.
            assert [o.id for o in screen.marked_objects] == [ids[1]]
        assert await _ids(server.base_url) == set(ids[4:]) | {ids[1]}


async def test_read_only_and_public_view_never_delete_or_upload(data_dir: Path) -> None:
    ids = seed_bulk(data_dir, API_KEY, 3, now_ms=NOW_MS)
    with EmbeddedServer(data_dir, api_keys=[API_KEY, OTHER_API_KEY]) as server:
        app = make_app(server.base_url, read_only=True)
        async with browsing(app, notifications=True) as (pilot, screen):
            screen.mark_objects(ids)
            for action in ("delete", "bulk_delete", "upload"):
                assert screen.check_action(action, ()) is None
            await pilot.press("d", "D", "u")
            await pilot.pause()
            assert app.screen is screen
            # Invoked anyway (as the palette would), it explains and does nothing.
            screen.action_delete()
            screen.action_upload()
            await pilot.pause()
            assert app.screen is screen
            messages = [n.message for n in notified(app)]
            assert any("Read-only mode" in m for m in messages)
        assert await _ids(server.base_url) == set(ids)

        app = make_app(server.base_url)
        async with browsing(app, notifications=True) as (pilot, screen):
            await pilot.press("v")  # the public view
            screen = await settle(app, pilot)
            assert screen.is_public_view
            assert screen.check_action("delete", ()) is None
            screen.action_delete()
            await pilot.pause()
            assert any("public view" in n.message for n in notified(app))


async def test_deletes_run_at_most_eight_at_once(data_dir: Path) -> None:
    async with bulk_store(data_dir, 200) as (api, ids, objects):
        counted = CountingDeleter(api)
        chosen = [objects[i] for i in ids[:150]]
        outcome = await delete_many(counted, chosen, concurrency=8)
        assert len(outcome.deleted) == 150 and not outcome.failed and not outcome.skipped
        assert counted.peak == 8
        assert counted.order == ids[:150]  # started in the table's order
        assert [o.id for o in outcome.deleted] == ids[:150]
        assert await live_ids(api) == set(ids[150:])
        with pytest.raises(NotFoundError):
            await api.delete_object("obj_doesnotexist0000000000")


async def test_palette_explains_why_delete_is_unavailable(data_dir: Path) -> None:
    seed_bulk(data_dir, API_KEY, 2, now_ms=NOW_MS)
    with EmbeddedServer(data_dir, api_keys=[API_KEY, OTHER_API_KEY]) as server:
        app = make_app(server.base_url, read_only=True)
        async with browsing(app, notifications=True) as (pilot, _):
            await pilot.press("ctrl+p")
            palette = await wait_screen(app, pilot, CommandPalette)
            await pilot.press(*"Delete marked")
            options = palette.query_one(OptionList)
            for _ in range(100):
                await pilot.pause()
                if options.highlighted == 0 and "Delete marked" in str(
                    options.get_option_at_index(0).prompt
                ):
                    break
            else:
                raise AssertionError("Delete marked never showed in the palette")
            await pilot.press("enter")
            await wait_gone(app, pilot, CommandPalette)
            for _ in range(20):  # the palette runs the command after it closes
                await pilot.pause()
                if notified(app):
                    break
            assert not isinstance(app.screen, BulkDeleteModal)
            assert any("Read-only mode" in n.message for n in notified(app))
