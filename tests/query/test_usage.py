"""The prefix aggregation behind `du` and the usage view, checked against brute force."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from runloop_tui.api.models import ContentType, ObjectState, ObjectView
from runloop_tui.query.usage import UsageEntry, UsageIndex, parent_of, sort_entries


def obj(
    name: str, size: int | None = 10, created: int = 1000, state: str = "READ_ONLY"
) -> ObjectView:
    return ObjectView(
        id=f"obj_{name}_{created}",
        name=name,
        state=ObjectState(state),
        content_type=ContentType.TEXT,
        create_time_ms=created,
        size_bytes=size,
    )


def brute_force(
    objects: list[ObjectView], base: str, depth: int, as_objects: bool
) -> dict[tuple[str, bool], tuple[int, int, int, int, dict[str, int]]]:
    """The obvious definition, one object at a time."""
    groups: dict[tuple[str, bool], list[ObjectView]] = {}
    for o in objects:
        if not o.name.startswith(base):
            continue
        rest = o.name[len(base) :]
        parts = rest.split("/")
        slashes = len(parts) - 1
        if slashes >= depth:
            key = (base + "/".join(parts[:depth]) + "/", False)
        elif slashes == 0 and as_objects:
            key = (o.name, True)
        else:
            key = (base + "".join(p + "/" for p in parts[:slashes]), False)
        groups.setdefault(key, []).append(o)
    out = {}
    for key, members in groups.items():
        out[key] = (
            len(members),
            sum(max(0, m.size_bytes or 0) for m in members),
            min(m.create_time_ms for m in members),
            max(m.create_time_ms for m in members),
            dict(Counter(str(m.state) for m in members)),
        )
    return out


def as_table(
    entries: list[UsageEntry],
) -> dict[tuple[str, bool], tuple[int, int, int, int, dict[str, int]]]:
    out: dict[tuple[str, bool], tuple[int, int, int, int, dict[str, int]]] = {}
    for e in entries:
        key = (e.prefix, e.is_object)
        row = (e.count, e.size_bytes, e.oldest_create_time_ms, e.newest_create_time_ms, e.states)
        if key in out:  # two objects with the same name: merge to compare with brute force
            old = out[key]
            row = (
                old[0] + row[0],
                old[1] + row[1],
                min(old[2], row[2]),
                max(old[3], row[3]),
                dict(Counter(old[4]) + Counter(row[4])),
            )
        out[key] = row
    return out


SEGMENT = st.sampled_from(["a", "b", "a-b", "a.b", "a0", "", "z", "é", "a/"])
NAME = st.lists(SEGMENT, min_size=1, max_size=4).map(lambda parts: "/".join(parts))
OBJECTS = st.lists(
    st.builds(
        obj,
        NAME,
        st.one_of(st.none(), st.integers(-5, 100)),
        st.integers(0, 50),
        st.sampled_from(["READ_ONLY", "UPLOADING", "ERROR", "SOMETHING_NEW"]),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(OBJECTS, st.sampled_from(["", "a/", "a/b/", "a-b/", "/"]), st.integers(1, 3), st.booleans())
def test_every_level_matches_brute_force(
    objects: list[ObjectView], base: str, depth: int, as_objects: bool
) -> None:
    index = UsageIndex(objects)
    entries = index.level(base, depth=depth, objects_as_entries=as_objects)
    assert as_table(entries) == brute_force(objects, base, depth, as_objects)
    # Each object under base is in exactly one entry, and positions find them.
    under = sorted(i for e in entries for i in e.positions())
    assert under == sorted(set(under))
    assert sum(e.count for e in entries) == sum(o.name.startswith(base) for o in objects)
    for e in entries:
        assert all(o.name.startswith(e.prefix) for o in index.objects_under(e))


def test_top_level_of_a_realistic_tree() -> None:
    objects = [
        obj("agent-runs/2026-11-29/run-1/result.json", 57, 5),
        obj("agent-runs/2026-11-29/run-2/ckpt.bin", None, 9, "UPLOADING"),
        obj("agent-runs/2026-11-28/run-3/ckpt.bin", 5000, 1),
        obj("logs/a.log", 100, 3, "ERROR"),
        obj("README.txt", 7, 2),
    ]
    index = UsageIndex(objects)
    top = {e.prefix: e for e in index.level("")}
    runs = top["agent-runs/"]
    assert (runs.count, runs.size_bytes) == (3, 5057)
    assert (runs.oldest_create_time_ms, runs.newest_create_time_ms) == (1, 9)
    assert runs.states == {"READ_ONLY": 2, "UPLOADING": 1}
    assert top["README.txt"].is_object and not runs.is_object
    # du: objects without a "/" go under "".
    du = {e.prefix: e.to_json() for e in index.level("", objects_as_entries=False)}
    assert du[""] == {
        "prefix": "",
        "count": 1,
        "size_bytes": 7,
        "oldest_create_time_ms": 2,
        "newest_create_time_ms": 2,
        "states": {"READ_ONLY": 1},
    }
    days = [e.prefix for e in sort_entries(index.level("agent-runs/"), "name")]
    assert days == ["agent-runs/2026-11-28/", "agent-runs/2026-11-29/"]
    assert index.summary("agent-runs/2026-11-29/").count == 2
    assert index.summary("nothing/").count == 0


def test_sorting() -> None:
    index = UsageIndex(
        [obj("big/x", 900, 5), obj("many/1", 1, 3), obj("many/2", 1, 4), obj("old/x", 3, 1)]
    )
    entries = index.level("")
    assert [e.prefix for e in sort_entries(entries, "size")] == ["big/", "old/", "many/"]
    assert [e.prefix for e in sort_entries(entries, "count")] == ["many/", "big/", "old/"]
    assert [e.prefix for e in sort_entries(entries, "age")] == ["old/", "many/", "big/"]
    assert [e.prefix for e in sort_entries(entries, "name")] == ["big/", "many/", "old/"]


def test_parent_of() -> None:
    assert parent_of("a/b/") == "a/"
    assert parent_of("a/") == ""
    assert parent_of("") == ""
