"""The real app against servers that are not ours (real processes on loopback): a server
that pages forever meets the cap, a repeating or empty `has_more` ends the listing, hostile
values show as something honest, and a list answered before a delete never resurrects it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from runloop_tui.api import ObjectsClient
from runloop_tui.config import Settings
from runloop_tui.server.demo import seed_bulk
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.app import RunloopApp
from tests.conftest import API_KEY, OTHER_API_KEY
from tests.reliability.tuihelp import assert_alive, drain, screen_lines
from tests.support.fault_proxy import FaultProxy, closed_port_url
from tests.support.odd_proc import OddServer
from tests.tui.conftest import NOW_MS, browsing, fixed_clock, quick_retry, settle


def _app(base_url: str, **settings: Any) -> RunloopApp:
    page_size = settings.pop("page_size", 1000)
    client = ObjectsClient(base_url, API_KEY, retry=quick_retry())
    return RunloopApp(
        Settings(base_url=base_url, api_key=API_KEY, **settings),
        client,
        clock=fixed_clock,
        live_refresh=False,
        page_size=page_size,
        first_page_size=100,
    )


async def test_a_server_that_pages_forever_stops_at_the_cap_and_says_so() -> None:
    with OddServer("endless") as odd:
        app = _app(odd.base_url, max_objects=2500)
        async with browsing(app, size=(80, 24)) as (pilot, screen):
            assert len(screen.model.index) == 2500
            # The whole sentence fits an 80-column terminal.
            shown = "\n".join(screen_lines(app))
            assert "showing the first 2,500; narrow the filter to search the server" in shown
            # 100 + 1000 + 1000 + (the page that crossed the cap): nothing past it.
            assert odd.stats()["lists"] <= 5
            header = screen.header.text
            assert "showing the first 2,500; narrow the filter to search the server" in header
            assert not screen.is_loading
            # While capped, the filter's server-side part still asks the server.
            before = odd.stats()["lists"]
            screen.set_filter("state:READ_ONLY fresh")
            await drain(app, pilot)
            assert odd.stats()["lists"] == before + 1
            assert_alive(app)


async def test_a_repeated_cursor_or_an_empty_has_more_page_ends_the_listing() -> None:
    for mode in ("repeat", "empty_more"):
        with OddServer(mode) as odd:
            app = _app(odd.base_url)
            async with browsing(app, size=(160, 36)) as (_, screen):
                assert odd.stats()["lists"] <= 2, mode
                assert "the server stopped paging early" in screen.header.text, mode
                assert not screen.is_loading
                assert_alive(app)


def _raw(object_id: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": object_id,
        "name": object_id + ".txt",
        "state": "READ_ONLY",
        "content_type": "text",
        "create_time_ms": NOW_MS - 60_000,
        "size_bytes": 10,
    }
    return {**base, **fields}


async def test_hostile_values_show_as_something_honest() -> None:
    page = {
        "objects": [
            _raw("obj_a", create_time_ms=2_068_204_447_951_289),
            _raw("obj_b", name=""),
            _raw("obj_c", size_bytes=-8_061_443_039_730_297),
            _raw("obj_d", state="FROZEN", content_type="hologram"),
            _raw("obj_a", name="duplicate-of-a"),
            _raw("obj_e", name="evil\u202etxt.exe", delete_after_time_ms=2**63 - 1),
        ],
        "has_more": False,
        "total_count": 2,  # smaller than what was sent
    }
    with OddServer("script", script=[page]) as odd:
        app = _app(odd.base_url)
        async with browsing(app, size=(160, 36)) as (pilot, screen):
            assert sorted(o.id for o in screen.visible_objects) == [
                "obj_a",
                "obj_b",
                "obj_c",
                "obj_d",
                "obj_e",
            ]
            text = "\n".join(screen_lines(app))
            assert "invalid time" in text
            assert "(no name)" in text
            assert "-8061443039730297" not in text and "-8,061" not in text
            assert "FROZEN" in text
            assert "\u202e" not in text
            assert "5 objects" in screen.header.text  # never "5 of 2"
            for object_id in ("obj_a", "obj_c", "obj_e"):
                screen.select_object(object_id)
                await pilot.pause()
                detail = "\n".join(screen_lines(app))
                assert "Traceback" not in detail
            assert_alive(app)


async def test_an_unreachable_server_at_start_says_so_in_the_body() -> None:
    url = closed_port_url()
    app = _app(url)
    async with app.run_test(size=(120, 36)) as pilot:
        await drain(app, pilot)
        text = "\n".join(screen_lines(app))
        host = url.removeprefix("http://")
        assert f"cannot reach {host}:" in text
        assert "0 objects · 0 shown" not in text
        assert_alive(app)


async def test_a_list_answered_before_a_delete_does_not_bring_the_row_back(
    data_dir: Path,
) -> None:
    ids = seed_bulk(data_dir, API_KEY, 30, now_ms=NOW_MS)
    with (
        EmbeddedServer(data_dir, api_keys=[API_KEY, OTHER_API_KEY]) as server,
        FaultProxy(server.base_url) as proxy,
    ):
        app = _app(proxy.base_url)
        async with browsing(app) as (pilot, screen):
            assert len(screen.model.index) == 30
            victims = ids[:3]
            # The next listing reaches the server at once, but its answer is held back 2 s.
            proxy.hold_answer("include_total_count", "GET", 2.0)
            screen.refresh_now()
            for _ in range(200):  # bounded wait for the list to reach the proxy
                if proxy.log("/v1/objects"):
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)  # the server has answered the list by now
            for object_id in victims:
                await app.client.delete_object(object_id)
            screen.apply_local_changes(removed_ids=victims)
            assert not set(victims) & screen.model.pos_by_id.keys()
            await drain(app, pilot)
            assert proxy.log("/v1/objects")[0]["fault"] == "delay"
            assert not screen.is_loading
            assert not set(victims) & screen.model.pos_by_id.keys()
            assert len(screen.model.index) == 27
            # The next listing started after the deletes: the server's answer is the truth.
            proxy.configure()
            screen.refresh_now()
            await drain(app, pilot)
            assert len(screen.model.index) == 27
            assert_alive(app)


async def test_ids_sent_twice_show_once_and_the_header_counts_them() -> None:
    first = {"objects": [_raw("obj_a"), _raw("obj_b")], "has_more": True, "total_count": 5}
    second = {
        "objects": [_raw("obj_b", name="b-again"), _raw("obj_c"), _raw("obj_a", name="a-again")],
        "has_more": False,
    }
    with OddServer("script", script=[first, second]) as odd:
        app = _app(odd.base_url)
        async with browsing(app, size=(160, 36)) as (pilot, screen):
            assert odd.stats()["lists"] == 2
            assert sorted(o.id for o in screen.visible_objects) == ["obj_a", "obj_b", "obj_c"]
            # The later copy wins: it is the fresher one.
            assert {o.name for o in screen.visible_objects} == {
                "a-again",
                "b-again",
                "obj_c.txt",
            }
            assert "2 duplicate ids skipped" in screen.header.text
            # The next listing gets the last page alone (the script repeats it): no repeats,
            # so the note goes, and its rows are the ones shown.
            screen.refresh_now()
            await drain(app, pilot)
            assert odd.stats()["lists"] == 3
            assert "duplicate" not in screen.header.text
            assert {o.name for o in screen.visible_objects} == {
                "a-again",
                "b-again",
                "obj_c.txt",
            }
            assert_alive(app)


def _states_of(screen: Any) -> dict[str, str]:
    return {o.id: str(o.state) for o in screen.visible_objects}


async def test_an_id_listed_twice_shows_its_later_copy_on_load_and_on_refresh() -> None:
    # As the trial's statechange server: obj_A UPLOADING on page 1, READ_ONLY on page 2. The
    # refresh's pages say UPLOADING, then ERROR.
    def pages(first: str, later: str) -> list[dict[str, Any]]:
        return [
            {
                "objects": [_raw("obj_A", state=first, size_bytes=None), _raw("obj_B")],
                "has_more": True,
            },
            {
                "objects": [_raw("obj_A", state=later, size_bytes=5), _raw("obj_C")],
                "has_more": False,
            },
        ]

    script = pages("UPLOADING", "READ_ONLY") + pages("UPLOADING", "ERROR")
    with OddServer("script", script=script) as odd:
        app = _app(odd.base_url)
        async with browsing(app, size=(160, 36)) as (pilot, screen):
            assert _states_of(screen) == {
                "obj_A": "READ_ONLY",
                "obj_B": "READ_ONLY",
                "obj_C": "READ_ONLY",
            }
            assert screen.model.get("obj_A").size_bytes == 5  # type: ignore[union-attr]
            generation = screen.generation
            await pilot.press("r")
            await settle(app, pilot)
            assert screen.generation > generation
            assert odd.stats()["lists"] == 4
            assert _states_of(screen)["obj_A"] == "ERROR"
            assert len(screen.visible_objects) == 3
            assert_alive(app)
