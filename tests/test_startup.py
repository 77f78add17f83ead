"""The start-up pause of the cyclic garbage collector (runloop_tui/startup.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from runloop_tui import startup


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    was_enabled = gc.isenabled()
    yield
    startup.resume_collector()
    if was_enabled:
        gc.enable()


def test_pause_then_resume_turns_collection_back_on_once() -> None:
    gc.enable()
    startup.pause_collector()
    assert not gc.isenabled() and startup.collector_paused()
    startup.resume_collector()
    assert gc.isenabled() and not startup.collector_paused()
    gc.disable()  # someone else's pause (Textual pauses it while scrolling)
    startup.resume_collector()  # a second resume is not ours to give
    assert not gc.isenabled()


def test_a_collector_already_off_is_left_off() -> None:
    gc.disable()
    startup.pause_collector()
    assert not startup.collector_paused()
    startup.resume_collector()
    assert not gc.isenabled()
