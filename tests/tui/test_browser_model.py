"""The browser's pure parts: the view model, column layout and formatting."""

from __future__ import annotations

import dataclasses
import itertools
import random

from runloop_tui.api.models import ContentType, ObjectState, ObjectView
from runloop_tui.query.filter import compile_filter
from runloop_tui.tui.browser_model import BrowserModel
from runloop_tui.tui.columns import sort_key_of
from runloop_tui.tui.formatting import (
    display_text,
    expires_text,
    human_size,
    lifetime_fraction,
    relative_time,
    short_relative_time,
)
from runloop_tui.tui.refresh_state import RefreshState
from runloop_tui.tui.widgets.cell_fit import fit, fit_middle, layout_columns

NOW = 1_893_456_000_000


def obj(
    n: int,
    *,
    size: int | None = 10,
    state: ObjectState = ObjectState.READ_ONLY,
    ttl: int | None = None,
    kind: ContentType = ContentType.TEXT,
) -> ObjectView:
    created = NOW - n * 60_000
    return ObjectView(
        id=f"obj_{n:04d}",
        name=f"file-{n % 3}.txt",
        state=state,
        content_type=kind,
        create_time_ms=created,
        size_bytes=size,
        delete_after_time_ms=None if ttl is None else created + ttl,
    )


def test_ingest_dedupes_filters_incrementally_and_keeps_sorted() -> None:
    model = BrowserModel()
    model.set_filter(compile_filter("type:text"), NOW)
    model.set_sort("size", True)
    model.ingest([obj(1, size=5), obj(2, size=50), obj(3, kind=ContentType.TGZ)], NOW)
    model.ingest([obj(2, size=999), obj(4, size=20), obj(5, size=None)], NOW)
    assert [o.id for o in model.visible_objects] == ["obj_0002", "obj_0004", "obj_0001", "obj_0005"]
    assert model.shown_bytes == 75
    assert len(model.index) == 5  # obj_0002 only once


def test_deleted_objects_are_left_out_and_expired_ones_stay() -> None:
    model = BrowserModel()
    model.ingest([obj(1, state=ObjectState.DELETED), obj(2, ttl=1), obj(3, ttl=10**9), obj(4)], NOW)
    assert [o.id for o in model.visible_objects] == ["obj_0002", "obj_0003", "obj_0004"]


def test_stable_sort_keeps_load_order_for_ties_both_ways() -> None:
    model = BrowserModel()
    model.ingest([obj(n) for n in range(1, 10)], NOW)
    for descending in (False, True):
        model.set_sort("name", descending)
        names = [(o.name, o.id) for o in model.visible_objects]
        for (name_a, id_a), (name_b, id_b) in itertools.pairwise(names):
            if name_a == name_b:
                assert id_a < id_b  # load order = id order here


def test_staging_and_adopt_report_state_changes_and_prune_marks() -> None:
    model = BrowserModel()
    model.ingest([obj(1, state=ObjectState.UPLOADING), obj(2), obj(3)], NOW)
    model.marks.update({"obj_0001", "obj_0003"})
    staged = model.staging()
    staged.ingest([obj(1), obj(2), obj(4)], NOW)
    changed = model.adopt(staged, NOW)
    assert changed == {"obj_0001"}
    assert model.marks == {"obj_0001"}
    assert {o.id for o in model.visible_objects} == {"obj_0001", "obj_0002", "obj_0004"}


def test_apply_changes_inserts_first_and_removes() -> None:
    model = BrowserModel()
    model.ingest([obj(2), obj(3)], NOW)
    model.marks.add("obj_0003")
    changed = model.apply_changes([obj(1)], ["obj_0003"], NOW)
    assert changed == {"obj_0001"}
    assert [o.id for o in model.visible_objects] == ["obj_0001", "obj_0002"]
    assert model.marks == set()


def test_marks_visible_and_invert() -> None:
    model = BrowserModel()
    model.ingest([obj(n) for n in range(1, 5)], NOW)
    model.set_filter(compile_filter("id:obj_0001"), NOW)
    model.mark_visible()
    model.set_filter(compile_filter(""), NOW)
    model.invert_visible_marks()
    assert model.marks == {"obj_0002", "obj_0003", "obj_0004"}


def test_marks_wait_for_their_view_across_a_switch() -> None:
    model = BrowserModel()
    own = [obj(1), obj(2), obj(3)]
    model.ingest(own, NOW)
    model.marks |= {"obj_0001", "obj_0003"}
    model.switch_view()  # to the public view: its objects, none of the marks shown
    assert model.marks == set() and model.kept_mark_count == 2
    model.ingest([obj(7), obj(8)], NOW)
    model.toggle_mark("obj_0007")
    assert model.marks == {"obj_0007"} and model.kept_mark_count == 2
    model.switch_view()  # back: the marks return as their objects stream in
    assert model.marks == set() and model.kept_mark_count == 3
    model.ingest([obj(1)], NOW)
    model.take_back_marks()
    assert model.marks == {"obj_0001"} and model.kept_mark_count == 2
    # A local change (a delete here) is no whole listing: obj_0003 may still come.
    model.apply_changes([], ["obj_0002"], NOW)
    assert model.kept_mark_count == 2
    model.ingest([obj(3)], NOW)
    model.take_back_marks()
    assert model.marks == {"obj_0001", "obj_0003"}
    model.switch_view()
    model.switch_view()
    # A whole listing without obj_0003 (deleted elsewhere meanwhile): that mark is gone.
    staged = model.staging()
    staged.ingest([obj(4)], NOW)
    model.adopt(staged, NOW)
    assert model.marks == set() and model.kept_mark_count == 1  # public obj_0007 waits
    model.clear_marks()
    assert model.kept_mark_count == 0


def test_columns_drop_in_priority_order_and_name_flexes() -> None:
    wide = [c.key for c, _ in layout_columns(160)]
    assert wide == ["mark", "name", "state", "type", "size", "created", "expires", "id"]
    narrow = [c.key for c, _ in layout_columns(78)]
    assert "id" not in narrow
    assert "name" in narrow
    tiny = [c.key for c, _ in layout_columns(40)]
    assert tiny[:2] == ["mark", "name"]
    assert "state" in tiny
    for width in (40, 78, 120, 160):
        assert sum(w + 1 for _, w in layout_columns(width)) <= max(width + 1, 60)


def test_fitting_text() -> None:
    assert fit("abc", 5, "right") == "  abc"
    assert fit("abcdef", 4) == "abc…"
    assert fit_middle("agent-runs/2026/run-1/result.json", 20) == "agent-ru…result.json"
    assert len(fit_middle("short", 10)) == 10


def test_formatting() -> None:
    assert human_size(None) == "-"
    assert human_size(999) == "999 B"
    assert human_size(1500) == "1.5 KB"
    assert human_size(250_000_000) == "250 MB"
    assert relative_time(NOW - 90_000, NOW) == "1m ago"
    assert relative_time(NOW + 3 * 3_600_000, NOW) == "in 3h"
    assert short_relative_time(NOW - 50 * 3_600_000, NOW) == "2d ago"
    assert expires_text(None, NOW) == "-"
    assert expires_text(NOW - 1, NOW) == "expired"
    assert expires_text(NOW + 3_900_000, NOW) == "1h 5m left"
    assert lifetime_fraction(NOW - 50, NOW + 50, NOW) == 0.5
    assert (
        display_text("a\x1b[31mb\x07") == "a\N{REPLACEMENT CHARACTER}[31mb\N{REPLACEMENT CHARACTER}"
    )


def test_refresh_state_outage_and_recovery() -> None:
    state = RefreshState(chosen_interval=None, live_enabled=True)
    assert state.interval(100) == 5.0
    assert state.interval(5_000) == 15.0
    assert state.interval(50_000) == 60.0
    state.loading = True
    assert state.status(0) == ("loading", "loading…")
    assert not state.succeeded()
    assert state.status(10) == ("live", "live · every 5s")
    state.loading = True
    state.retrying("connection failed", 2.0)
    assert state.status(10)[1] == "error: cannot reach server — retrying in 2s · stale"
    assert state.stale
    delays = [state.failed("cannot reach server", 10) for _ in range(4)]
    assert [d for d, _ in delays] == [2.0, 4.0, 5.0, 5.0]  # backoff capped by the interval
    assert [first for _, first in delays] == [True, False, False, False]  # notify once
    assert state.succeeded()  # ends the outage
    assert not state.stale
    state.paused = True
    assert state.status(10)[0] == "paused"
    assert RefreshState(chosen_interval=30).interval(1) == 30


def test_refresh_state_counts_down_to_the_next_attempt() -> None:
    state = RefreshState()
    state.failed("HTTP 503: busy", 10, now=100.0)  # first failure: retry in 2 s
    assert state.status(10, now=100.0)[1] == "error: HTTP 503: busy — retrying in 2s"
    assert state.status(10, now=100.4)[1].endswith("retrying in 2s")  # whole seconds, rounded up
    assert state.status(10, now=101.2)[1].endswith("retrying in 1s")
    assert state.status(10, now=102.5)[1].endswith("retrying…")  # due: the attempt is running
    state.retrying("connect timeout", 0.4, now=200.0)
    assert state.status(10, now=200.0)[1] == "error: cannot reach server — retrying in 1s"


def test_ids_repeated_by_a_listing_are_counted_but_pushed_down_rows_are_not() -> None:
    model = BrowserModel()
    model.ingest([obj(9)], NOW)  # left by an earlier, failed listing
    model.begin_listing()
    model.ingest([obj(1), obj(2)], NOW, listed=False)  # the filter's server query
    model.ingest([obj(1), obj(3), obj(9)], NOW)  # the listing's own copies: not repeats
    assert model.repeated == 0
    model.ingest([obj(3), obj(1), obj(4), obj(4)], NOW)
    assert model.repeated == 3
    assert len(model.index) == 5
    model.begin_listing()
    assert model.repeated == 0


def test_a_refresh_keeps_the_objects_it_already_holds_where_nothing_changed() -> None:
    model = BrowserModel()
    first = [obj(1), obj(2), obj(3)]
    model.ingest(first, NOW)
    staged = model.staging()
    again = [obj(1), obj(2, size=99), obj(3, state=ObjectState.ERROR), obj(4)]
    staged.ingest(again, NOW)
    changed = model.adopt(staged, NOW)
    held = {o.id: o for o in model.index.objects}
    assert held["obj_0001"] is first[0]  # equal: the copy already in memory is kept
    assert held["obj_0002"] is again[1] and held["obj_0002"].size_bytes == 99
    assert held["obj_0003"] is again[2] and changed == {"obj_0003"}
    assert held["obj_0004"] is again[3]


def test_filters_after_no_filter_match_a_fresh_sort_and_totals_follow_changes() -> None:
    """The unfiltered rows stand in for the cached sort order, and a filter every row matches
    reuses the total of every object: both must equal what a fresh computation gives, across
    pages out of order, ties, sorts and changes."""
    rng = random.Random(7)
    objects = []
    for n in range(400):
        o = obj(n, size=rng.choice([None, 0, 5, 10, 10_000]))
        # Ties (equal times) and a load order that is not the sort order.
        o = dataclasses.replace(o, create_time_ms=NOW - rng.randrange(50) * 1000)
        objects.append(o)
    model = BrowserModel()
    for start in range(0, 400, 37):
        model.ingest(objects[start : start + 37], NOW)

    def expected(text: str) -> tuple[list[str], int]:
        compiled = compile_filter(text)
        column, descending = model.sort
        hits = [o for o in model.index.objects if compiled.matches(o, NOW)]  # load order
        hits.sort(key=sort_key_of(column), reverse=descending)
        return [o.id for o in hits], sum(o.size_bytes or 0 for o in hits)

    for sort in [("created", True), ("size", False), ("name", False)]:
        model.set_sort(*sort)
        for text in ["", "file", "file-1", "", "obj", "", "-zzz", "file-2 -obj_00"]:
            model.set_filter(compile_filter(text), NOW)
            ids, total = expected(text)
            assert [model.index.objects[p].id for p in model.rows] == ids, (sort, text)
            assert model.shown_bytes == total, (sort, text)
    removed = [objects[3].id, objects[77].id]
    model.apply_changes([], removed, NOW)
    for text in ["", "file"]:
        model.set_filter(compile_filter(text), NOW)
        ids, total = expected(text)
        assert set(removed).isdisjoint(ids)
        assert [model.index.objects[p].id for p in model.rows] == ids
        assert model.shown_bytes == total


def test_pages_of_new_ids_and_pages_with_odd_objects_ingest_alike() -> None:
    """A page whose objects are all new and kept skips the per-object loop (ingest's
    column checks); a repeat or a deleted object anywhere takes the loop. Expired objects are
    kept either way. The rows, the repeats and the totals must not tell which way a page
    went."""
    rng = random.Random(16)
    model = BrowserModel()
    model.begin_listing()
    seen: set[str] = set()
    kept: list[str] = []
    repeats = 0
    for _ in range(40):
        page: list[ObjectView] = []
        for _ in range(rng.randint(0, 30)):
            roll = rng.random()
            n = rng.randint(0, 200) if roll < 0.1 else rng.randint(0, 100_000)
            state = ObjectState.DELETED if roll > 0.97 else ObjectState.READ_ONLY
            page.append(obj(n, state=state, ttl=1 if 0.94 < roll <= 0.97 else None))
        for o in page:
            if o.id in seen:
                repeats += 1
            elif o.state is not ObjectState.DELETED:  # expired ones stay, shown as expired
                seen.add(o.id)
                kept.append(o.id)
        model.ingest(page, NOW)
    model.ingest([obj(100_001), obj(100_002), obj(100_001)], NOW)  # a repeat within a page
    kept += ["obj_100001", "obj_100002"]
    repeats += 1
    assert [o.id for o in model.index.objects] == kept
    assert model.pos_by_id == {i: n for n, i in enumerate(kept)}
    assert model.repeated == repeats
    assert [model.index[p].id for p in model.rows] == sorted(
        kept,
        key=lambda i: -model.get(i).create_time_ms,  # type: ignore[union-attr]
    )
    assert model.shown_bytes == 10 * len(kept)
