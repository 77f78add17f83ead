"""The model's short cuts for filter keystrokes (narrowing, remembered results, cached sort
orders) must give exactly the rows a full filter-and-sort from scratch gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from runloop_tui.api.models import ContentType, ObjectState, ObjectView
from runloop_tui.query.filter import compile_filter
from runloop_tui.tui.browser_model import SORT_COLUMNS, BrowserModel, _key_of

NOW = 1_893_456_000_000
MINUTE = 60_000

NAMES = ["report-a.txt", "report-b.tgz", "repo", "tmp", "Agent log", "aab", "ab", "b"]
STATES = [ObjectState.READ_ONLY, ObjectState.UPLOADING, ObjectState.ERROR]
TYPES = [ContentType.TEXT, ContentType.TGZ, ContentType.BINARY]


def make(n: int) -> ObjectView:
    return ObjectView(
        id=f"obj_{n:04d}",
        name=NAMES[n % len(NAMES)] + ("" if n % 4 else "-x"),
        state=STATES[n % len(STATES)],
        content_type=TYPES[(n // 2) % len(TYPES)],
        create_time_ms=NOW - (n % 7) * 60 * MINUTE,  # many ties, to test the tie order
        size_bytes=None if n % 5 == 0 else (n % 6) * 1000,
        delete_after_time_ms=None if n % 3 else NOW + (n % 4 - 1) * MINUTE,
        metadata={"agent": "claude"} if n % 2 else {"agent": "bot", "k": ""},
    )


def expected_rows(model: BrowserModel, text: str) -> list[int]:
    """Filter every object, then sort: ties stay in load order."""
    compiled = compile_filter(text)
    objects = model.index.objects
    rows = [i for i, o in enumerate(objects) if compiled.matches(o, NOW)]
    column, descending = model.sort
    key = _key_of(column)
    return sorted(rows, key=lambda i: key(objects[i]), reverse=descending)


# Words that grow and shrink one character at a time, as typing and backspacing do, mixed
# with terms of every kind.
TEXTS = st.sampled_from(
    [
        "",
        "r",
        "re",
        "rep",
        "repo",
        "report",
        "report-a",
        "a",
        "ab",
        "aab",
        "-a",
        "-ab",
        "-aab",
        "name:rep",
        "id:obj_00",
        "id:obj_001",
        "state:error",
        "state:error,uploading",
        "-state:error",
        "-state:error,uploading",
        "type:tgz",
        "size>1KB",
        "size>3KB",
        "size<2KB",
        "meta:agent",
        "meta:agent=claude",
        "-meta:k",
        "age>1h",
        "expired",
        "-expired",
        "rep state:error",
        "rep size>1KB",
        "x rep",
    ]
)

STEP = st.one_of(
    st.tuples(st.just("filter"), TEXTS),
    # The keystroke's look ahead (browser_filtering.py), maybe for another text than the one
    # applied next: what it keeps for set_filter must never change a result.
    st.tuples(st.just("estimate"), TEXTS),
    st.tuples(st.just("sort"), st.sampled_from(SORT_COLUMNS), st.booleans()),
    st.tuples(st.just("ingest"), st.integers(0, 60), st.integers(1, 12)),
)


@settings(max_examples=250, deadline=None)
@given(st.lists(STEP, max_size=25))
def test_filter_keystrokes_match_a_fresh_computation(steps: list[tuple]) -> None:  # type: ignore[type-arg]
    model = BrowserModel()
    model.ingest([make(n) for n in range(40)], NOW)
    for step in steps:
        if step[0] == "filter":
            compiled = compile_filter(step[1])
            estimate = model.scan_estimate(compiled, NOW)
            again = compiled.text == model.filter.text
            model.set_filter(compiled, NOW)
            if not again:
                assert model.last_scanned <= estimate, step
        elif step[0] == "estimate":
            model.scan_estimate(compile_filter(step[1]), NOW)
        elif step[0] == "sort":
            model.set_sort(step[1], step[2])
        else:
            start, count = step[1], step[2]
            model.ingest([make(n) for n in range(start, start + count)], NOW)
        assert model.rows == expected_rows(model, model.filter.text), step
        visible_bytes = sum(model.index[pos].size_bytes or 0 for pos in model.rows)
        assert model.shown_bytes == visible_bytes
        # may_show: never False for a row shown (the cursor would lose it); False for the
        # rest, unless the filter moves with the clock.
        shown = set(model.rows)
        for pos, obj in enumerate(model.index.objects):
            if pos in shown or model.filter.time_dependent:
                assert model.may_show(obj.id, NOW), step
            else:
                assert not model.may_show(obj.id, NOW), step
        assert not model.may_show("obj_not_loaded", NOW)


def test_backspacing_reuses_the_remembered_rows() -> None:
    model = BrowserModel()
    model.ingest([make(n) for n in range(40)], NOW)
    model.set_filter(compile_filter("re"), NOW)
    first = model.rows
    model.set_filter(compile_filter("rep"), NOW)
    model.set_filter(compile_filter("re"), NOW)
    assert model.rows is first  # remembered, not recomputed
    model.ingest([make(100)], NOW)  # new data: nothing remembered is valid any more
    model.set_filter(compile_filter("rep"), NOW)
    model.set_filter(compile_filter("re"), NOW)
    assert model.rows is not first
    assert model.rows == expected_rows(model, "re")


def test_a_filter_searches_the_fewest_rows_known_to_hold_its_matches() -> None:
    model = BrowserModel()
    model.ingest([make(n) for n in range(400)], NOW)
    model.set_filter(compile_filter("rep"), NOW)
    rep_rows = model.rows
    model.set_filter(compile_filter("rep -a"), NOW)
    model.set_filter(compile_filter("rep -a -x"), NOW)
    # `rep -x` narrows neither the rows shown (`rep -a -x`) nor `rep -a`, but `rep`'s
    # remembered rows hold all its matches: the pass looks at those only.
    model.set_filter(compile_filter("rep -x"), NOW)
    assert model.last_scanned == len(rep_rows) < len(model.index)
    assert model.rows == expected_rows(model, "rep -x")
    # The same terms as a remembered filter (an invalid term is ignored): no pass at all.
    rows = model.rows
    model.set_filter(compile_filter("rep"), NOW)
    model.set_filter(compile_filter("rep -x size>"), NOW)
    assert model.last_scanned == 0 and model.rows is rows
    # Every row again: the cached sort order itself, and every object's total.
    model.set_filter(compile_filter(""), NOW)
    assert model.last_scanned == 0 and model.rows == expected_rows(model, "")
    assert model.shown_bytes == sum(o.size_bytes or 0 for o in model.index.objects)


def test_a_sort_never_reorders_a_cached_order_in_place() -> None:
    model = BrowserModel()
    model.ingest([make(n) for n in range(60)], NOW)
    model.set_filter(compile_filter("rep"), NOW)  # caches the unfiltered rows as the order
    model.set_filter(compile_filter(""), NOW)  # the rows are that cached order now
    model.set_sort("name", False)
    model.set_filter(compile_filter("a"), NOW)
    model.set_sort("created", True)
    model.set_filter(compile_filter(""), NOW)  # the cached order again: still by creation
    assert model.rows == expected_rows(model, "")


@settings(max_examples=300, deadline=None)
@given(TEXTS, TEXTS)
def test_narrows_only_when_every_match_matched_before(new: str, old: str) -> None:
    objects = [make(n) for n in range(120)]
    new_filter, old_filter = compile_filter(new), compile_filter(old)
    if new_filter.narrows(old_filter):
        for o in objects:
            if new_filter.matches(o, NOW):
                assert old_filter.matches(o, NOW), (new, old, o.name)
