"""What a loaded object costs: equal metadata and empty extras are shared, whatever the
server sends (issue 16: a million objects in at most 1 GB)."""

from __future__ import annotations

from typing import Any

from runloop_tui.api.models import ObjectListView, ObjectView


def _raw(object_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": object_id,
        "name": object_id + ".txt",
        "state": "READ_ONLY",
        "content_type": "text",
        "create_time_ms": 1_700_000_000_000,
        **fields,
    }


def test_equal_metadata_is_one_dict_and_odd_values_still_become_text() -> None:
    page = ObjectListView.from_json(
        {
            "objects": [
                _raw("obj_a", metadata={"agent": "claude", "run": "7"}),
                _raw("obj_b", metadata={"agent": "claude", "run": "7"}),
                _raw("obj_c", metadata={"agent": "claude", "run": 7}),  # a number, not text
                _raw("obj_d", metadata={"agent": ["x", 1], "run": {"deep": None}}),
                _raw("obj_e", metadata={"agent": ["x", 1], "run": {"deep": None}}),
                _raw("obj_f", metadata={"agent": "claude", "run": "8"}),
            ],
            "has_more": False,
        }
    )
    a, b, c, d, e, f = page.objects
    assert a.metadata == {"agent": "claude", "run": "7"}
    assert a.metadata is b.metadata
    assert c.metadata == {"agent": "claude", "run": "7"}  # as text, like every value
    assert d.metadata == {"agent": '["x", 1]', "run": '{"deep": null}'}  # JSON, not a repr
    assert e.metadata == d.metadata
    assert f.metadata == {"agent": "claude", "run": "8"}
    assert f.metadata is not a.metadata


def test_objects_without_unknown_fields_share_an_empty_extra_that_stays_empty() -> None:
    plain = [ObjectView.from_json(_raw(f"obj_{i}")) for i in range(3)]
    assert plain[0].extra == {} and plain[0].extra is plain[1].extra
    odd = ObjectView.from_json(_raw("obj_odd", size_bytes=-5, colour="red"))
    assert odd.extra == {"colour": "red", "size_bytes (invalid)": -5}
    assert ObjectView.from_json(_raw("obj_after")).extra == {}
    negative = ObjectView.from_json(_raw("obj_neg", size_bytes=-1))
    assert negative.extra == {"size_bytes (invalid)": -1}
    assert plain[2].extra == {}  # _sane built a new dict, not into the shared one
