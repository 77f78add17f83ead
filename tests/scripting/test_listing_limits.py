"""What ls, du and rm do when the server's listing is not a plain, whole one: a server that
pages forever (the cap), one that stops paging early, unreadable objects, an id sent twice,
and a reader of stdout that goes away (`| head -1`).

Every server here is a real process on loopback (tests/support/odd_server.py); the commands
run as real processes.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runloop_tui.config import API_KEY_ENV, BASE_URL_ENV
from tests.conftest import API_KEY
from tests.scripting.conftest import run_process
from tests.support.odd_proc import OddServer
from tests.support.processes import REPO_ROOT, run_in_pty


def plain(object_id: str, name: str, state: str = "READ_ONLY", **fields: Any) -> dict[str, Any]:
    return {
        "id": object_id,
        "name": name,
        "state": state,
        "content_type": "text",
        "create_time_ms": 1_796_000_000_000,
        "size_bytes": 10,
        **fields,
    }


def env_for(odd: OddServer) -> dict[str, str]:
    return {BASE_URL_ENV: odd.base_url, API_KEY_ENV: API_KEY}


@pytest.fixture
def endless() -> Iterator[OddServer]:
    with OddServer("endless") as odd:
        yield odd


def writes(odd: OddServer) -> int:
    """Requests other than listings (fetches and deletes)."""
    stats = odd.stats()
    return stats["requests"] - stats["lists"]


# --- the cap ---


@pytest.mark.parametrize("command", ["ls", "du"])
def test_an_endless_server_stops_at_max_objects_and_says_so(
    endless: OddServer, command: str
) -> None:
    done = run_process(command, "--max-objects", "2500", "--format", "json", env=env_for(endless))
    assert done.status == 3, done.err
    assert f"runloop-tui {command}: listing cut short: stopped at --max-objects 2,500" in done.err
    # 1,000 a page: three pages, and at most one more already asked for when the cap hit.
    assert endless.stats()["lists"] <= 4
    if command == "ls":
        # Written in batches of 1,000, the text is still the one JSON array json.dumps makes.
        objects = json.loads(done.out)
        assert len({o["id"] for o in objects}) == 2500
        assert done.out == json.dumps(objects, indent=2, ensure_ascii=False) + "\n"


def test_csv_in_batches_has_one_header_and_every_row(endless: OddServer) -> None:
    done = run_process("ls", "--max-objects", "2500", "--format", "csv", env=env_for(endless))
    assert done.status == 3, done.err
    rows = list(csv.reader(io.StringIO(done.out)))
    assert rows[0][0] == "id" and len(rows) == 2501
    assert len({r[0] for r in rows[1:]}) == 2500 and "id" not in {r[0] for r in rows[1:]}


def test_the_cap_comes_from_the_config_file_too(endless: OddServer, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[defaults]\nmax_objects = 1200\n")
    done = run_process("ls", "--format", "ids", "--config", str(config), env=env_for(endless))
    assert done.status == 3, done.err
    assert len(done.out.splitlines()) == 1200
    assert "stopped at --max-objects 1,200" in done.err


def test_a_bad_max_objects_is_a_usage_error(endless: OddServer) -> None:
    done = run_process("ls", "--max-objects", "0", env=env_for(endless))
    assert done.status == 2
    assert "between 1 and" in done.err
    assert endless.stats()["lists"] == 0


def test_rm_yes_deletes_nothing_from_a_listing_cut_short(endless: OddServer) -> None:
    done = run_process("rm", "fresh", "--yes", "--max-objects", "1500", env=env_for(endless))
    assert done.status == 2, done.err
    assert "listing cut short" in done.err
    assert "these are the matches found so far" in done.err
    assert "nothing was deleted" in done.err and "--partial" in done.err
    assert writes(endless) == 0


def test_rm_dry_run_says_the_listing_was_cut_short(endless: OddServer) -> None:
    done = run_process("rm", "fresh", "--dry-run", "--max-objects", "1500", env=env_for(endless))
    assert done.status == 3, done.err
    assert "The listing was cut short: these are the matches found so far." in done.out
    assert "1,500 objects" in done.out
    assert writes(endless) == 0


def test_rm_partial_deletes_the_batch_and_exits_3(endless: OddServer) -> None:
    done = run_process(
        "rm", "fresh", "--yes", "--partial", "--max-objects", "300", env=env_for(endless)
    )
    assert done.status == 3, done.err
    assert "Deleted 300 of 300 objects" in done.out
    assert writes(endless) == 300  # READ_ONLY objects are deleted without a fetch first


# --- a server that stops paging early ---


def test_a_server_that_stops_paging_early_is_reported() -> None:
    pages = [
        {"objects": [plain("obj_a", "a.txt"), plain("obj_b", "b.txt")], "has_more": True},
        {"objects": [], "has_more": True},
    ]
    # A server each: a scripted server answers its pages once, in order.
    with OddServer("script", script=pages) as odd:
        listed = run_process("ls", "--format", "ids", env=env_for(odd))
    with OddServer("script", script=pages) as odd:
        removed = run_process("rm", "name:.txt", "--yes", env=env_for(odd))
        deletes = writes(odd)
    assert listed.status == 3, listed.err
    assert listed.out.split() == ["obj_a", "obj_b"]
    assert "the server stopped paging early (has_more, but no next page)" in listed.err
    assert removed.status == 2, removed.err
    assert "stopped paging early" in removed.err
    assert deletes == 0


# --- unreadable objects ---

UNREADABLE_PAGE = {
    "objects": [
        plain("obj_ok", "ok.txt"),
        {"id": 12345, "name": "int-id"},
        "not-an-object",
        None,
        plain("obj_bool", "bool-size", size_bytes=True),
    ],
    "has_more": False,
}


@pytest.mark.parametrize(
    "args", [("ls", "--format", "ids"), ("du",), ("rm", "name:ok", "--dry-run")]
)
def test_unreadable_objects_are_counted_on_stderr(args: tuple[str, ...]) -> None:
    with OddServer("script", script=[UNREADABLE_PAGE]) as odd:
        done = run_process(*args, env=env_for(odd))
    assert done.status == 3, done.err
    assert f"runloop-tui {args[0]}: 4 unreadable objects skipped" in done.err.splitlines()
    if args[0] == "ls":
        assert done.out.split() == ["obj_ok"]


# --- an id sent twice: the later copy wins ---

STATE_CHANGE = [
    {
        "objects": [
            plain("obj_A", "a.bin", "UPLOADING", size_bytes=None),
            plain("obj_B", "b.bin"),
        ],
        "has_more": True,
    },
    {
        "objects": [plain("obj_A", "a.bin", "READ_ONLY", size_bytes=5), plain("obj_C", "c.bin")],
        "has_more": False,
    },
]


def test_the_later_copy_of_a_repeated_id_wins() -> None:
    with OddServer("script", script=STATE_CHANGE) as odd:
        every = run_process("ls", "--format", "csv", env=env_for(odd))
    with OddServer("script", script=STATE_CHANGE) as odd:
        uploading = run_process("ls", "state:uploading", "--format", "ids", env=env_for(odd))
    assert every.status == 0, every.err
    rows = [line.split(",") for line in every.out.splitlines()[1:]]
    assert [r[0] for r in rows] == ["obj_A", "obj_B", "obj_C"]
    assert "READ_ONLY" in rows[0] and "UPLOADING" not in every.out
    # The server filter is the odd server's to ignore; the fresher copy no longer matches.
    assert uploading.status == 0 and uploading.out == ""


def test_rm_leaves_alone_an_object_whose_fetch_answers_another_id() -> None:
    page = {"objects": [plain("obj_up", "up.bin", "UPLOADING", size_bytes=None)], "has_more": False}
    with OddServer("script", script=[page]) as odd:
        done = run_process("rm", "--all", "--yes", env=env_for(odd))
        other = writes(odd)
    assert done.status == 0, done.err
    assert "Deleted 0 of 1 object" in done.out
    assert "1 object was left alone" in done.out
    assert "up.bin (obj_up): could not confirm: the server answered with another object" in (
        done.out
    )
    assert other == 1  # the fetch, and no delete


# --- a reader that goes away ---


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "ids"])
def test_a_closed_pipe_ends_quietly_with_141(endless: OddServer, fmt: str, tmp_path: Path) -> None:
    errors = tmp_path / "stderr.txt"
    # 20,000 objects: far more than a pipe holds, so a write meets the closed pipe.
    script = (
        f"{sys.executable} -m runloop_tui ls --max-objects 20000 --format {fmt} 2>{errors} "
        "| head -1; echo status=${PIPESTATUS[0]}"
    )
    done = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env_for(endless)},
        cwd=REPO_ROOT,
        check=False,
    )
    first, status = done.stdout.splitlines()
    assert status == "status=141", done.stdout
    assert first  # head got its line
    assert errors.read_text() == ""  # no traceback, no "Exception ignored", no error line


def test_on_a_terminal_the_question_says_the_listing_was_cut_short(endless: OddServer) -> None:
    status, screen = run_in_pty(
        ["rm", "fresh", "--max-objects", "40"],
        env_for(endless),
        "40\r",
        lambda text: "Type 40 to delete them" in text,
    )
    assert status == 3, screen
    assert "listing cut short: stopped at --max-objects 40" in screen
    assert "The listing was cut short: these are the matches found so far." in screen
    assert "Deleted 40 of 40 objects" in screen
    assert writes(endless) == 40


@pytest.mark.parametrize(("cap", "status", "listed"), [(3, 0, 3), (2, 3, 2)])
def test_the_cap_counts_only_when_the_server_has_more(cap: int, status: int, listed: int) -> None:
    page = {"objects": [plain(f"obj_{i}", f"{i}.txt") for i in range(3)], "has_more": False}
    with OddServer("script", script=[page]) as odd:
        done = run_process("ls", "--max-objects", str(cap), "--format", "ids", env=env_for(odd))
    assert done.status == status, done.err
    assert len(done.out.split()) == listed
    assert ("listing cut short" in done.err) == (status == 3)
