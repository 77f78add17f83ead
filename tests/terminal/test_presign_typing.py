"""The URL dialog (`y`) takes a typed duration at once (trial #10): it opens on "Copy URL"
(Enter copies, ← → step the presets), and a digit typed there starts the duration field.
A real pty, each burst in one write, as SSH delivers it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.terminal import Terminal, demo_terminal

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def term() -> Iterator[Terminal]:
    with demo_terminal((120, 36), timeout=40) as terminal:
        yield terminal


def test_a_duration_typed_when_the_url_dialog_opens_is_used(term: Terminal) -> None:
    term.write("y")
    term.wait_for("Download URL for", timeout=15)
    term.wait_for("curl", timeout=15, settle=0.3)
    term.write("2h30m\r")  # one burst: the field takes it all, Enter makes the URL
    term.wait_for(lambda t: "2h30m" in t, timeout=10, settle=0.5)
    term.write("\r")  # focus is back on "Copy URL": Enter copies
    text = term.wait_for("valid 2h 30m", timeout=10)
    assert "valid 1h" not in text


def test_enter_still_copies_and_arrows_still_step_the_presets(term: Terminal) -> None:
    term.write("y")
    term.wait_for("Download URL for", timeout=15)
    term.wait_for("curl", timeout=15, settle=0.3)
    term.write("\x1b[C")  # → : 1h -> 24h
    term.wait_quiet(0.5)
    term.write("\r")
    term.wait_for("valid 24h", timeout=10)
