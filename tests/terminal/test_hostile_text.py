"""Text from the server never reaches the terminal as control sequences.

A server (here a real process, tests/support/odd_server.py) can put ESC into an object's id,
name or metadata. Written raw, ``ESC ] 2 ; … ESC \\`` retitles the user's terminal and
``ESC ] 52`` writes their clipboard. The app runs on a real pty and the bytes it writes are
searched, while the id and the name are shown in every place that shows them: the table, the
detail pane, the delete question, the URL and download dialogs, a failed bulk delete and the
copy toast.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest

from tests.support.odd_proc import OddServer
from tests.support.terminal import Terminal, runloop_tui_argv

pytestmark = pytest.mark.timeout(90)

# Each payload retitles the terminal (OSC 2) if it is written raw.
HOSTILE = {
    "id": "obj_\x1b]2;PWNED-ID\x1b\\",
    "name": "stale\x1b]2;PWNED-NAME\x07.log",
    "state": "READ_ONLY",
    "content_type": "text",
    "create_time_ms": 1_700_000_000_000,
    "size_bytes": 5,
    "metadata": {"owner\x1b]2;PWNED-KEY\x07": "me\x1b]2;PWNED-VALUE\x07"},
}
REFUSED = {"status": 404, "body": {"error": {"message": "no such object"}}}
RAW_SEQUENCE = re.compile(rb"\x1b\]2;PWNED")


@pytest.fixture
def term(tmp_path: os.PathLike[str]) -> Iterator[Terminal]:
    page = {"objects": [HOSTILE], "has_more": False, "total_count": 1}
    with OddServer("script", script=[page], write_error=REFUSED) as odd:
        env = {
            "RUNLOOP_API_KEY": "test-key",
            "RUNLOOP_BASE_URL": odd.base_url,
            "HOME": str(tmp_path),
            "XDG_CONFIG_HOME": str(tmp_path),
        }
        with Terminal(runloop_tui_argv("--refresh", "3600"), env=env) as terminal:
            terminal.wait_for("1 object", timeout=30, settle=0.3)
            yield terminal


def step(term: Terminal, keys: str, shows: str) -> str:
    term.write(keys)
    return term.wait_for(shows, timeout=10, settle=0.3)


def test_ids_names_and_metadata_from_the_server_are_written_inert(term: Terminal) -> None:
    text = term.text()
    assert "stale" in text and "PWNED-NAME" in text  # shown, made visible (as �]2;…)
    step(term, "d", "keeps it")  # the delete question shows the name and the id
    step(term, "n", "1 object")
    step(term, "y", "Download URL")
    step(term, "\x1b", "1 object")
    step(term, "w", "Download")
    step(term, "\x1b", "1 object")
    step(term, "I", "Copied")  # the toast names the id it copied
    step(term, "a", "marked 1")
    step(term, "D", "Delete")
    term.write("1")
    term.wait_quiet()
    step(term, "\r", "✗")  # the server refuses: the failure names the object
    raw = bytes(term.raw)
    leaks = [raw[max(0, m.start() - 80) : m.end() + 12] for m in RAW_SEQUENCE.finditer(raw)]
    assert not leaks, leaks
