"""SQLite lists run on the event loop under a step budget (storage/sqlite.py); a read that
exceeds it is stopped and run again in a worker thread. Either way the answer is the same,
and the budget never outlives the read it was set for."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from runloop_tui.server.records import ListQuery, NewObject, page_json
from runloop_tui.server.storage.sqlite import SqliteMetadata
from runloop_tui.server.store import ReadTooLong, Store

NOW = int(time.time() * 1000)
# Names and values that JSON must escape (or must not): SQLite builds these pages itself.
TRICKY = ["", ' "q" \\ b', "\ttab\nnl", "ünï 🚀", "\u2028", "\x01ctl"]


def _seeded(path: Path) -> SqliteMetadata:
    metadata = SqliteMetadata(path, queue_purges=False)
    metadata.store.insert_objects(
        [
            NewObject(
                account="a",
                name=f"obj-{i:05}" + TRICKY[i % len(TRICKY)],
                content_type="text",
                create_time_ms=NOW - i,
                size_bytes=i if i % 2 else None,
                delete_after_time_ms=NOW - 1 if i % 11 == 0 else None,
                metadata={"k": TRICKY[i % len(TRICKY)], "ключ": "✓"} if i % 3 else None,
            )
            for i in range(3000)
        ]
    )
    return metadata


def test_a_read_over_its_budget_stops_and_the_budget_goes(tmp_path: Path) -> None:
    store: Store = _seeded(tmp_path).store
    scan = ListQuery(limit=10, name="obj-02999")  # matches one row, after scanning them all
    with pytest.raises(ReadTooLong):
        store.list_objects("a", scan, NOW, max_steps=2_000)
    # The same connection, no budget: the whole scan runs.
    assert [r.name[:9] for r in store.list_objects("a", scan, NOW).records] == ["obj-02999"]
    page = store.list_objects("a", ListQuery(limit=5), NOW, max_steps=2_000)
    assert [r.name[:9] for r in page.records] == [f"obj-{i:05}" for i in range(1, 6)]
    assert page.total_count == 3000 - len(range(0, 3000, 11))  # less the expired ones


@pytest.mark.parametrize(
    "query",
    [
        ListQuery(limit=100),
        ListQuery(limit=5000),
        ListQuery(limit=10, name="obj-02999"),
        ListQuery(limit=50, state="DELETED"),
        ListQuery(limit=7, search="OBJ-0001"),
    ],
)
async def test_inline_or_in_a_thread_the_answer_is_the_same(
    tmp_path: Path, query: ListQuery
) -> None:
    metadata = _seeded(tmp_path)
    try:
        expected = metadata.store.list_objects("a", query, NOW)
        assert await metadata.list_objects("a", query, NOW) == expected
        body = json.loads(await metadata.list_page("a", query, NOW))
        assert body == json.loads(
            page_json(expected.records, expected.has_more, expected.total_count, NOW)
        )
    finally:
        await metadata.close()
