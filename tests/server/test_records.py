"""A list page is built by joining each record's JSON text (records.py): it must decode to
exactly the views the rest of the API returns, whatever the names and metadata hold."""

from __future__ import annotations

import json
from typing import Any

import pytest

from runloop_tui.server.records import ObjectRecord, metadata_json, page_json

NOW = 1_700_000_000_000
NAMES = ["plain", 'quote " and \\ backslash', "tab\tnew\nline", "ünïcödé ✓ 🚀", "\u2028sep", ""]


def _record(name: str, **changes: Any) -> ObjectRecord:
    base = ObjectRecord(
        id="obj_0123456789abcdefghijkl",
        name=name,
        state="READ_ONLY",
        content_type="text",
        size_bytes=12,
        create_time_ms=NOW - 5,
        delete_after_time_ms=None,
        metadata=metadata_json({"k": 'v "q"', "ключ": "значение", "e": ""}),
    )
    return base._replace(**changes)


@pytest.mark.parametrize("name", NAMES)
def test_record_json_decodes_to_its_view(name: str) -> None:
    for record in (
        _record(name),
        _record(name, size_bytes=None, state="UPLOADING", metadata="{}"),
        _record(name, delete_after_time_ms=NOW - 1),  # past its TTL: DELETED in the view
        _record(name, delete_after_time_ms=NOW + 1, metadata='{"a": "jsonb spacing"}'),
    ):
        assert json.loads(record.json(NOW)) == record.view(NOW)


def test_page_json_is_the_page_of_views() -> None:
    records = [_record(name) for name in NAMES]
    for has_more, total in ((True, 17), (False, None)):
        body = json.loads(page_json(records, has_more, total, NOW))
        assert body == {
            "objects": [record.view(NOW) for record in records],
            "has_more": has_more,
            "total_count": total,
        }
    assert json.loads(page_json([], False, 0, NOW)) == {
        "objects": [],
        "has_more": False,
        "total_count": 0,
    }
