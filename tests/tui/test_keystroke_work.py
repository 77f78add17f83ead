"""The work a filter keystroke does, counted (never timed): rows scanned by filter passes and
whole-screen layout passes. Regressions here are what users feel as a frozen key.

The typing is bench figure 8's (bench/fig8_keystroke.py), which once reported a multi-second
freeze on round 2's backspace from `7/obj ` to `7/obj`.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen

from runloop_tui.query.filter import CompiledFilter, ObjectIndex, compile_filter
from runloop_tui.query.terms import SPARSE_SHARE
from runloop_tui.server.demo import seed_bulk
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.tui.browser_model import BrowserModel
from runloop_tui.tui.screens import browser_rows
from tests.conftest import API_KEY
from tests.tui.conftest import NOW_MS, browsing, make_app, settle
from tests.tui.test_browser_model_filter_reuse import expected_rows

BACK = "\b"
ROUND_1 = "7/obj -71 type:text" + BACK * 19
ROUND_2 = "7/obj -71" + BACK * 9 + "logs 2024" + BACK * 9
COUNT = 20_000


def texts(script: str, start: str = "") -> Iterator[str]:
    text = start
    for ch in script:
        text = text[:-1] if ch == BACK else text + ch
        yield text


@pytest.fixture
def scanned(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Rows each filter pass looks at (a pass over everything counts the whole index)."""
    counts: list[int] = []
    real = CompiledFilter.filter_indices

    def counting(
        self: CompiledFilter, index: ObjectIndex, now_ms: int, candidates: list[int] | None = None
    ) -> list[int]:
        counts.append(len(index) if candidates is None else len(candidates))
        return real(self, index, now_ms, candidates)

    monkeypatch.setattr(CompiledFilter, "filter_indices", counting)
    return counts


def model_of(count: int) -> BrowserModel:
    from runloop_tui.api.models import ContentType, ObjectState, ObjectView

    kinds = [ContentType.TEXT, ContentType.BINARY, ContentType.UNSPECIFIED, ContentType.GZIP]
    objects = [
        ObjectView(
            id=f"obj_{i:022d}",
            name=f"bulk/{i // 1000:04d}/object-{i:07d}.txt",  # as seed_bulk names them
            state=ObjectState.READ_ONLY,
            content_type=kinds[i % 4],
            create_time_ms=NOW_MS - i * 1000,
            size_bytes=0,
        )
        for i in range(count)
    ]
    model = BrowserModel()
    model.ingest(objects, NOW_MS)
    return model


def test_revisited_texts_scan_nothing_and_narrowing_scans_only_the_rows_shown(
    scanned: list[int],
) -> None:
    model = model_of(COUNT)
    seen: set[str] = set()
    for round_texts in (list(texts(ROUND_1)), list(texts(ROUND_2))):
        for text in round_texts:
            shown_before = len(model.rows)
            before = len(scanned)
            previous = model.filter
            compiled = compile_filter(text)
            model.set_filter(compiled, NOW_MS)
            passes = scanned[before:]
            assert model.rows == expected_rows(model, text), text
            if text in seen and text.strip():
                # Remembered: the backspace from `7/obj ` to `7/obj` in round 2 is one of these.
                assert passes == [], text
            elif compiled.narrows(previous) and previous.narrows(compiled):
                # The same terms (a trailing space, a lone `-`): the same rows, no pass.
                assert passes == [], text
                assert len(model.rows) == shown_before, text
            elif compiled.narrows(previous) and not compiled.is_empty:
                # The rows shown at most: a remembered narrower base, or the names buffer's
                # hits (`l` -> `lo`), may be fewer.
                assert len(passes) <= 1 and sum(passes) <= shown_before, text
            else:
                assert sum(passes) <= COUNT, text
            seen.add(text)
    assert "7/obj" in seen and "7/obj " in seen


@pytest.fixture
def bulk_server(data_dir: Path) -> Iterator[EmbeddedServer]:
    seed_bulk(data_dir, API_KEY, 2_000, now_ms=NOW_MS)
    with EmbeddedServer(data_dir, api_keys=[API_KEY]) as running:
        yield running


async def test_narrowing_keys_in_a_long_list_lay_out_nothing(
    bulk_server: EmbeddedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key that keeps the list longer than the table changes no widget's region: it must
    not cost a layout pass, which lays out and repaints the whole screen."""
    layouts: list[str] = []
    real = Screen._refresh_layout

    def counting(self: Screen[Any], size: Any = None, scroll: bool = False) -> None:
        layouts.append(type(self).__name__)
        real(self, size, scroll)

    monkeypatch.setattr(Screen, "_refresh_layout", counting)
    app = make_app(bulk_server.base_url)
    async with browsing(app) as (pilot, screen):
        assert screen.table.row_count == 2_000
        await pilot.press("slash", "0", "0")  # everything still matches (object-000...)
        await settle(app, pilot)
        layouts.clear()
        shown = []
        for key in ("1", "backspace", "0", "7", "backspace", "backspace"):
            await pilot.press(key)
            await settle(app, pilot)
            shown.append(screen.table.row_count)
        # 00 -> 001 (rows 1xxx named ...0001..., 1,000+ rows) -> 00 -> 000 -> 0007 -> back.
        assert min(shown) > 36 and len(set(shown)) > 1, shown
        assert layouts == []


async def test_a_filter_that_does_not_narrow_the_last_one_looks_only_at_its_hits(
    bulk_server: EmbeddedServer, scanned: list[int]
) -> None:
    """Switching to a filter that is no narrowing of the last one (a saved view, an edit in
    the middle, a paste) finds its few rows through the names buffer: the Python-level
    passes look at the hits only, not at every loaded row (issue 16, a million objects)."""
    app = make_app(bulk_server.base_url)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await settle(app, pilot)
        loaded = len(screen.model.index)
        assert loaded == 2_000
        screen.set_filter("bulk/0001")
        await settle(app, pilot)
        assert screen.table.row_count == 1_000
        del scanned[:]
        screen.set_filter("object-000012 -type:gzip")  # no narrowing of `bulk/0001`
        await settle(app, pilot)
        hits = [o for o in screen.model.index.objects if "object-000012" in o.name.lower()]
        expected = [o.id for o in hits if str(o.content_type) != "gzip"]
        assert [o.id for o in screen.visible_objects] == expected  # newest first, as loaded
        assert 0 < len(hits) * SPARSE_SHARE <= loaded  # few: the buffer's case
        assert scanned == [len(hits)]  # not [2_000]
        # A word on nearly every row is one pass over the rows: that is cheaper then.
        del scanned[:]
        screen.set_filter("bulk")
        await settle(app, pilot)
        assert scanned == [loaded]
        assert screen.table.row_count == loaded


async def test_dense_keys_look_only_at_the_rows_they_must(
    bulk_server: EmbeddedServer, scanned: list[int]
) -> None:
    """Keys whose filter matches most of a long list (issue 16, a million objects: each row a
    key looks at costs), typed through the real app on the real server: a word on every row
    is one pass; narrowing it to no hit asks the names buffer, not the rows shown; back to
    nothing costs no pass; a key that narrows no current rows searches the fewest
    remembered ones. Whether a key waits for the debounce is judged by the pass it will make,
    not by the last one."""
    app = make_app(bulk_server.base_url)
    async with browsing(app) as (pilot, screen):
        loaded = len(screen.model.index)
        assert loaded == 2_000
        await pilot.press("slash")

        async def typed(*keys: str, counted: bool = False) -> list[int]:
            if not counted:
                del scanned[:]
            await pilot.press(*keys)
            await settle(app, pilot)
            assert screen.model.rows == expected_rows(screen.model, screen.model.filter.text)
            assert screen.table.row_count == len(screen.model.rows)
            return list(scanned)

        # A full pass per row costs 1 ms here, as if the list were huge: `l` is a dear key.
        screen.rows.row_seconds = 1e-3
        assert not screen.filtering.instant("l")
        assert await typed("l") == [loaded]  # on every row: the buffer gives up at once
        assert screen.table.row_count == loaded
        # `lo` narrows `l` but matches nothing: the buffer says so, no pass over 2,000 rows.
        # (The look ahead asks it; the key then uses that answer.)
        del scanned[:]
        assert screen.filtering.instant("lo")
        assert await typed("o", counted=True) == [0]
        assert screen.table.row_count == 0
        # Back to `l` (remembered) and to nothing (the cached order): no pass, no wait.
        assert screen.filtering.instant("l") and screen.filtering.instant("")
        assert await typed("backspace", "backspace") == []
        assert screen.table.row_count == loaded
        # `0001 -12` narrows neither `0001 -1` nor `0001 -`, but `0001`'s remembered rows.
        assert await typed(*"0001") == [loaded]
        base = len(screen.model.rows)
        assert 1_000 <= base < loaded
        await typed(*" -1")
        assert await typed("2") == [base]
        assert screen.filtering.instant("0001 -12 ")  # the same terms: no pass


async def test_a_dense_key_runs_no_collection_before_its_rows_are_shown(
    bulk_server: EmbeddedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first key after loading a million objects (bench figure 13f) makes a list of
    468,559 positions, and a cyclic collection walks all of it: one ran inside that key,
    8-22 ms before its rows were on screen, in every one of 50 repetitions. A key over many
    rows holds the collector until its frame is out: counted here through the real app
    (gc.callbacks), with the row count from which the app does it lowered to this list's."""
    monkeypatch.setattr(browser_rows, "HOLD_COLLECTOR_ROWS", 1_000)
    monkeypatch.setattr(browser_rows, "COLLECTOR_HOLD_SECONDS", 60.0)
    collections: list[str] = []  # those that ran after a pass, until the key settled
    passed: list[str] = []

    def counted(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and passed:
            collections.append(passed[-1])

    app = make_app(bulk_server.base_url)
    async with browsing(app) as (pilot, screen):
        model = screen.model
        assert len(model.index) == 2_000 and gc.isenabled()
        await pilot.press("slash")
        await settle(app, pilot)
        real = model.set_filter

        def set_filter(compiled: CompiledFilter, now_ms: int) -> None:
            real(compiled, now_ms)
            passed.append(compiled.text)

        monkeypatch.setattr(model, "set_filter", set_filter)
        gc.callbacks.append(counted)
        try:
            for key in "70":  # `7` on 542 rows, then `70` on 60: both from 2,000 rows
                await pilot.press(key)
                await settle(app, pilot)
                passed.clear()
                assert model.rows == expected_rows(model, model.filter.text)
            # A frame's allocations start a collection (they did before), yet none ran.
            assert collections == [], collections
            assert not gc.isenabled()
            # Then it runs again (the hold's timer; 60 s here, so by hand).
            screen.rows._release_collector()
            assert gc.isenabled()
            await pilot.press("backspace", "backspace")
            await settle(app, pilot)
            # Back to every row: a key from 542 rows holds nothing.
            assert gc.isenabled() and model.filter.text == ""
        finally:
            gc.callbacks.remove(counted)
            gc.enable()
