"""Builders shared by the filter tests: plain ObjectView instances, no server."""

from __future__ import annotations

from typing import Any

from runloop_tui.api.models import ContentType, ObjectState, ObjectView
from runloop_tui.query.filter import ObjectIndex, compile_filter

NOW = 1_800_000_000_000
SEC = 1000
HOUR = 3600 * SEC
DAY = 24 * HOUR


def obj(name: str, **kw: Any) -> ObjectView:
    values: dict[str, Any] = {
        "id": f"obj_{name.replace(' ', '_').lower()}",
        "state": ObjectState.READ_ONLY,
        "content_type": ContentType.UNSPECIFIED,
        "create_time_ms": NOW - HOUR,
    }
    values.update(kw)
    return ObjectView(name=name, **values)


def hits(text: str, objects: list[ObjectView], now_ms: int = NOW) -> list[str]:
    """Names matched by `text`, checking that the index path and `matches` agree."""
    compiled = compile_filter(text)
    index = ObjectIndex(objects)
    fast = [objects[i].name for i in compiled.filter_indices(index, now_ms)]
    slow = [o.name for o in objects if compiled.matches(o, now_ms)]
    assert fast == slow, (text, fast, slow)
    return fast
