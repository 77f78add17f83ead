"""Range marking and the direct sort keys, written in bursts to a real pseudo-terminal at
80x24 (as tmux and SSH deliver them): every key acts once, in order.

shift+down is sent as the bytes a terminal (and tmux, with its default settings) sends for
it, ``ESC [ 1 ; 2 B``, so the test also covers the escape-sequence parsing Pilot skips.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.support.terminal import Terminal, demo_terminal

pytestmark = pytest.mark.timeout(90)

SHIFT_DOWN = "\x1b[1;2B"


@pytest.fixture
def term() -> Iterator[Terminal]:
    with demo_terminal((80, 24)) as terminal:
        yield terminal


def marked(text: str) -> int:
    found = re.search(r"marked (\d+)", text)
    assert found, text
    return int(found.group(1))


def test_range_marks_and_sort_keys_in_bursts(term: Terminal) -> None:
    # Visual mode over four rows, left again, all in one write.
    term.write("jjVjjjV")
    text = term.wait_for(lambda t: "marked 4" in t, timeout=15, settle=0.5)
    assert "VISUAL" not in text.splitlines()[0], text
    # Two shift+downs from the last marked row: two more rows marked.
    term.write(SHIFT_DOWN * 2)
    text = term.wait_for(lambda t: "marked 6" in t, timeout=15, settle=0.5)
    assert marked(text) == 6
    # Z twice: by size, then reversed (smallest first); the marks are untouched.
    term.write("ZZ")
    text = term.wait_for(lambda t: "Size▲" in t, timeout=15, settle=0.5)
    assert marked(text) == 6
    assert "Size▼" not in text
    # The cursor row's full name on the line above the key bar.
    name_line = term.line(22).strip()
    assert len(name_line) > 29 and "…" not in name_line, text
    # ...which the name column (29 cells) can only show with its middle elided.
    cells = [line[2:31].strip() for line in text.splitlines()[4:22]]
    assert any(
        head and name_line.startswith(head) and name_line.endswith(tail)
        for head, _, tail in (cell.partition("…") for cell in cells)
    ), text
