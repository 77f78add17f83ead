"""Objects whose TTL has passed but which the server still lists stay in the table, shown
as expired, so the `expired` filter and the cleanup view find them (trial #4). A real
server process on loopback sends them; deleted objects still leave."""

from __future__ import annotations

from typing import Any

from tests.reliability.tuihelp import drain, screen_lines
from tests.support.odd_proc import OddServer
from tests.tui.conftest import NOW_MS, browsing, make_app

HOUR_MS = 3_600_000


def _raw(object_id: str, name: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": object_id,
        "name": name,
        "state": "READ_ONLY",
        "content_type": "text",
        "create_time_ms": NOW_MS - 2 * HOUR_MS,
        "size_bytes": 1000,
    }
    return {**base, **fields}


PAGE = {
    "objects": [
        _raw("obj_expired", "expired-1h-ago.log", delete_after_time_ms=NOW_MS - HOUR_MS),
        _raw("obj_live", "live.log"),
        _raw("obj_bad", "bad-expiry.log", delete_after_time_ms=-99_999_999_999_999_999),
        _raw("obj_gone", "gone.log", state="DELETED"),
    ],
    "has_more": False,
}


async def test_expired_objects_the_server_lists_stay_shown_as_expired() -> None:
    with OddServer("script", script=[PAGE]) as odd:
        app = make_app(odd.base_url)
        async with browsing(app, size=(120, 36)) as (pilot, screen):
            shown = sorted(o.id for o in screen.visible_objects)
            assert shown == ["obj_bad", "obj_expired", "obj_live"]
            assert "3 objects · 3 shown · 3.0 KB" in screen.header.text
            text = "\n".join(screen_lines(app))
            rows = [line for line in text.splitlines() if "READ_ONLY" in line]
            row = next(line for line in rows if "expired-1h-ago.log" in line)
            assert "expired" in row.replace("expired-1h-ago", "")
            row = next(line for line in rows if "bad-expiry.log" in line)
            assert "invalid time" in row
            assert "gone.log" not in text

            screen.set_filter("expired")
            await drain(app, pilot)
            found = {o.id for o in screen.visible_objects}
            assert "obj_expired" in found and "obj_live" not in found
            screen.set_filter("expires<1d")  # the cleanup view's filter
            await drain(app, pilot)
            assert "obj_expired" in {o.id for o in screen.visible_objects}

            # A live refresh keeps them too.
            screen.set_filter("")
            lists = odd.stats()["lists"]
            screen.refresh_now()
            await drain(app, pilot)
            assert odd.stats()["lists"] > lists
            assert sorted(o.id for o in screen.visible_objects) == shown
