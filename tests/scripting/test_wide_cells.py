"""ls and du tables stay aligned with wide characters (emoji, CJK) in names: columns are
padded by terminal cells, not by characters (trial #7). The real command, as a child process
against the real local server, at a fixed $COLUMNS."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from runloop_tui.config import API_KEY_ENV, BASE_URL_ENV
from tests.conftest import API_KEY, OTHER_API_KEY
from tests.scripting.conftest import run_process, seed_store

WIDE = [
    ("party/🎉-release.tgz", "READ_ONLY", 5_000, 1.0, "tgz"),
    ("全角/ファイル名.txt", "READ_ONLY", 120, 2.0, "text"),
    ("ünïcødé/日本語/notes.txt", "UPLOADING", None, 3.0, "text"),
    ("plain/file.txt", "READ_ONLY", 42_000_000, 4.0, "text"),
]


def cells(text: str) -> int:
    """Cells a terminal gives `text`, by the Unicode East Asian Width property (independent
    of the code under test); the names above have no combining marks."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@pytest.fixture
def wide_env(data_dir: Path) -> Iterator[dict[str, str]]:
    from runloop_tui.server.embedded import EmbeddedServer

    seed_store(data_dir, WIDE)
    with EmbeddedServer(data_dir, api_keys=[API_KEY, OTHER_API_KEY]) as server:
        yield {BASE_URL_ENV: server.base_url, API_KEY_ENV: API_KEY}


def column_starts(line: str, words: list[str]) -> list[int]:
    """The cell offset at which each word starts on `line` (searched left to right)."""
    found, at = [], 0
    for word in words:
        at = line.index(word, at)
        found.append(cells(line[:at]))
        at += len(word)
    return found


@pytest.mark.parametrize("columns", ["100", "60"])
def test_ls_columns_line_up_in_cells(wide_env: dict[str, str], columns: str) -> None:
    done = run_process("ls", "--sort", "name", env={**wide_env, "COLUMNS": columns})
    assert done.status == 0, done.err
    header, *rows = done.out.splitlines()
    assert len(rows) == len(WIDE)
    titles = [t for t in ("SIZE", "STATE", "CREATED") if t in header]
    assert "STATE" in titles
    state_at = column_starts(header, ["STATE"])[0]
    for row in rows:
        state = next(s for s in ("READ_ONLY", "UPLOADING") if s in row)
        assert column_starts(row, [state]) == [state_at], (row, header)
        assert cells(row) <= int(columns), row
    # The SIZE column is right-aligned: every size ends where the title does.
    size_end = column_starts(header, ["SIZE"])[0] + len("SIZE")
    for row in rows:
        size = row[: row.index(next(s for s in ("READ_ONLY", "UPLOADING") if s in row))]
        assert cells(size.rstrip()) == size_end, (row, header)


def test_a_wide_name_cut_in_the_middle_keeps_the_table_width(wide_env: dict[str, str]) -> None:
    done = run_process("ls", "--sort", "name", env={**wide_env, "COLUMNS": "30"})
    assert done.status == 0, done.err
    header, *rows = done.out.splitlines()
    state_at = column_starts(header, ["STATE"])[0] if "STATE" in header else None
    for row in rows:
        assert cells(row) <= 30, row
        if state_at is not None:
            state = next(s for s in ("READ_ONLY", "UPLOADING") if s in row)
            assert column_starts(row, [state]) == [state_at], (row, header)


def test_du_columns_line_up_in_cells(wide_env: dict[str, str]) -> None:
    done = run_process("du", "--depth", "2", "--sort", "name", env={**wide_env, "COLUMNS": "100"})
    assert done.status == 0, done.err
    header, *rows = done.out.splitlines()
    assert any("ünïcødé/日本語/" in row for row in rows), rows
    size_end = column_starts(header, ["SIZE"])[0] + len("SIZE")
    # SHARE is `BAR 12.3%`, 17 cells: its % sits at the same cell on every row.
    percent_at = column_starts(header, ["SHARE"])[0] + len("██████████  54.0")
    for row in rows:
        size = re.search(r"(\d[\d.]* [KMGTP]?B|-)(?=  )", row[row.index("  ") :])
        assert size is not None, row
        end = row.index("  ") + size.end()
        assert cells(row[:end]) == size_end, (row, header)
        assert column_starts(row, ["%"]) == [percent_at], (row, header)
