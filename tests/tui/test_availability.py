"""The one rule of what the browser can do and why not: pure, no Textual."""

from __future__ import annotations

from dataclasses import replace

import pytest

from runloop_tui.api.models import ContentType, ObjectState, ObjectView
from runloop_tui.tui.actions.commands import CLEANUP_PRESETS, preset_hint
from runloop_tui.tui.availability import (
    NO_MARKS,
    NO_SELECTION,
    PUBLIC_VIEW_REASON,
    READ_ONLY_REASON,
    RULED_ACTIONS,
    Availability,
    unavailable_reason,
)


def obj(state: ObjectState = ObjectState.READ_ONLY, name: str = "a.txt") -> ObjectView:
    return ObjectView(
        id="obj_1",
        name=name,
        content_type=ContentType.TEXT,
        state=state,
        size_bytes=3,
        create_time_ms=1,
        delete_after_time_ms=None,
        metadata={},
    )


READY = Availability(selection=obj(), marks=2, rows=5)


def test_everything_is_available_with_a_ready_selection_marks_and_rows() -> None:
    ready = replace(READY, transfers=1)
    assert {a: unavailable_reason(a, ready) for a in RULED_ACTIONS} == dict.fromkeys(RULED_ACTIONS)
    assert unavailable_reason("no_such_action", Availability()) is None


@pytest.mark.parametrize("action", ["upload", "delete", "bulk_delete"])
def test_writes_are_refused_in_read_only_mode_and_the_public_view(action: str) -> None:
    assert unavailable_reason(action, replace(READY, read_only=True)) == READ_ONLY_REASON
    # The public view says so, also when read-only mode is on too.
    both = replace(READY, read_only=True, public_view=True)
    assert unavailable_reason(action, both) == PUBLIC_VIEW_REASON
    assert not both.writable and READY.writable


@pytest.mark.parametrize("action", ["presign", "download", "preview", "copy_id", "copy_name"])
def test_cursor_actions_need_a_selection(action: str) -> None:
    assert unavailable_reason(action, replace(READY, selection=None)) == NO_SELECTION


def test_delete_acts_on_marks_when_nothing_is_selected() -> None:
    assert unavailable_reason("delete", replace(READY, selection=None)) is None
    assert unavailable_reason("delete", Availability()) == NO_SELECTION
    assert unavailable_reason("bulk_delete", replace(READY, marks=0)) == NO_MARKS


@pytest.mark.parametrize(
    ("state", "word"),
    [
        (ObjectState.UPLOADING, "still UPLOADING"),
        (ObjectState.ERROR, "is ERROR"),
        (ObjectState.DELETED, "is DELETED"),
    ],
)
def test_content_actions_need_a_complete_object(state: ObjectState, word: str) -> None:
    a = replace(READY, selection=obj(state, "big.bin"))
    for action, what in (("download", "download"), ("preview", "preview"), ("presign", "link")):
        reason = unavailable_reason(action, a)
        assert reason is not None and word in reason and what in reason and "big.bin" in reason
    # Deleting a half-made upload is exactly what cleanup is for.
    assert unavailable_reason("delete", a) is None


def test_export_transfers_and_clearing_marks() -> None:
    assert unavailable_reason("export", Availability()) is not None
    assert unavailable_reason("export", Availability(marks=1)) is None
    assert unavailable_reason("focus_transfers", READY) == (
        "No transfers yet: u uploads, w downloads."
    )
    assert unavailable_reason("clear_marks", replace(READY, marks=0)) is not None


def test_cleanup_hints_never_suggest_deleting_where_nothing_can_be() -> None:
    preset = CLEANUP_PRESETS[0]
    assert "delete the marked with D" in preset_hint(preset.title, READY)
    for view in (replace(READY, read_only=True), replace(READY, public_view=True)):
        hint = preset_hint(preset.title, view)
        assert "with D" not in hint and "delete the marked" not in hint and "5 shown" in hint
