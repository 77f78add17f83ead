"""SQLite lists run on the event loop under a step budget (storage/sqlite.py); a read that
exceeds it is stopped and run again in a worker thread. Either way the answer is the same,
and the budget never outlives the read it was set for."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from runloop_tui.server.records import ListQuery, NewObject
from runloop_tui.server.storage.sqlite import SqliteMetadata
from runloop_tui.server.store import ReadTooLong, Store

NOW = int(time.time() * 1000)


def _seeded(path: Path) -> SqliteMetadata:
    metadata = SqliteMetadata(path, queue_purges=False)
    metadata.store.insert_objects(
        [
            NewObject(account="a", name=f"obj-{i:05}", content_type="text", create_time_ms=NOW - i)
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
    assert [r.name for r in store.list_objects("a", scan, NOW).records] == ["obj-02999"]
    page = store.list_objects("a", ListQuery(limit=5), NOW, max_steps=2_000)
    assert [r.name for r in page.records] == [f"obj-{i:05}" for i in range(5)]
    assert page.total_count == 3000


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
    finally:
        await metadata.close()
