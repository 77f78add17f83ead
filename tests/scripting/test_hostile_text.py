"""Server text (ids, names, metadata, error bodies) printed by ls, du and rm never reaches a
terminal as control characters; machine formats stay exact where they can.

The server is a real process on loopback (tests/support/odd_server.py) whose one object
carries escape sequences in every free-text field, and which answers every delete with a
404 whose message holds one too (as /tmp/trial-w/evil_id_server.py did in the trial).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest

from runloop_tui.config import API_KEY_ENV, BASE_URL_ENV
from tests.conftest import API_KEY
from tests.scripting.conftest import run_process
from tests.support.odd_proc import OddServer
from tests.support.processes import run_in_pty

# An OSC 2 (window title) ended by ST, an OSC 52 (write the clipboard) ended by BEL, an 8-bit
# CSI (U+009B), and a bidi override.
EVIL_ID = "obj_\x1b]2;PWNED-TITLE\x1b\\"
EVIL_NAME = "stale\x9b31m\u202egol.log"
EVIL_METADATA = {"note": "\x1b]52;c;aGk=\x07", "who": "\u202eevil"}
EVIL_ERROR = "not found \x1b]52;c;aGk=\x07"
HOSTILE = ("\x1b", "\x07", "\x9b", "\u202e")
OBJECT = {
    "id": EVIL_ID,
    "name": EVIL_NAME,
    "state": "READ_ONLY",
    "content_type": "text",
    "create_time_ms": 1_796_000_000_000,
    "size_bytes": 5,
    "delete_after_time_ms": None,
    "metadata": EVIL_METADATA,
}


# A state the client does not know is kept as sent; listed as not READ_ONLY, it is fetched
# again before its delete (a random object from the odd server), so rm's "changed" line runs.
ODD_STATE = {
    **OBJECT,
    "id": "obj_2\x1b]0;T2\x07",
    "name": "stale-2.log",
    "state": "WEIRD\x1b]0;STATE\x07",
}


@pytest.fixture
def evil_env() -> Iterator[dict[str, str]]:
    page = {"objects": [OBJECT, ODD_STATE], "has_more": False, "total_count": 2}
    error = {"status": 404, "body": {"error": {"message": EVIL_ERROR}}}
    with OddServer("script", script=[page], write_error=error) as odd:
        yield {BASE_URL_ENV: odd.base_url, API_KEY_ENV: API_KEY}


def assert_inert(text: str) -> None:
    for char in HOSTILE:
        assert char not in text, (char, text)


def test_rm_reports_a_hostile_id_and_error_inert(evil_env: dict[str, str]) -> None:
    done = run_process("rm", "name:stale", "--yes", env=evil_env)
    assert done.status == 1, done
    assert_inert(done.out + done.err)
    assert "(obj_2\ufffd]0;T2\ufffd): " in done.out  # changed since the listing
    # The failure line names the object and the server's words, each unsafe character shown.
    assert "(obj_\ufffd]2;PWNED-TITLE\ufffd\\): " in done.out
    assert "not found \ufffd]52;c;aGk=\ufffd" in done.out
    assert "not deleted" in done.err
    summary = run_process("rm", "name:stale", "--dry-run", env=evil_env)
    assert summary.status == 0, summary
    assert_inert(summary.out + summary.err)
    assert "WEIRD\ufffd]0;STATE\ufffd 1" in summary.out  # the states, as the server sent them


def test_rm_on_a_terminal_writes_no_hostile_control(evil_env: dict[str, str]) -> None:
    status, screen = run_in_pty(
        ["rm", "name:stale"], evil_env, "2\r", lambda seen: "cancels): " in seen, raw=True
    )
    assert status == 1, screen
    assert "Failed to delete 1" in screen
    assert_inert(screen.replace("\x1b[K", ""))  # the progress bar's own erase-line


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "ids"])
def test_ls_on_a_terminal_writes_no_hostile_control(evil_env: dict[str, str], fmt: str) -> None:
    status, screen = run_in_pty(
        ["ls", "--format", fmt], evil_env, "", lambda seen: True, size=(200, 24), raw=True
    )
    assert status == 0, screen
    assert_inert(screen)
    if fmt == "csv":  # each unsafe character is a visible U+FFFD
        assert "obj_\ufffd]2;PWNED-TITLE\ufffd\\" in screen
    if fmt == "ids":  # an id a pipeline cannot carry is named on stderr, escaped
        assert "skipped an unprintable id 'obj_\\x1b]2;PWNED-TITLE\\x1b\\\\'" in screen


def test_du_on_a_terminal_writes_no_hostile_control(evil_env: dict[str, str]) -> None:
    for fmt in ("table", "json"):
        status, screen = run_in_pty(
            ["du", "--format", fmt], evil_env, "", lambda seen: True, raw=True
        )
        assert status == 0, screen
        assert_inert(screen)


def test_csv_and_json_through_a_pipe_keep_the_data_exact(evil_env: dict[str, str]) -> None:
    done = run_process("ls", "--format", "csv", env=evil_env)
    assert done.status == 0, done
    row, _ = list(csv.DictReader(io.StringIO(done.out)))
    assert row["id"] == EVIL_ID
    assert row["name"] == EVIL_NAME
    assert json.loads(row["metadata"]) == EVIL_METADATA

    done = run_process("ls", "--format", "json", env=evil_env)
    assert done.status == 0, done
    assert_inert(done.out)  # JSON escapes them: the same data, and inert everywhere
    listed, odd = json.loads(done.out)
    assert odd["state"] == ODD_STATE["state"]
    assert (listed["id"], listed["name"], listed["metadata"]) == (
        EVIL_ID,
        EVIL_NAME,
        EVIL_METADATA,
    )
