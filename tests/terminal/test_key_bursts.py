"""Keys that arrive in one read (SSH, tmux, a paste) act as if typed one by one.

These run the installed app in a real pseudo-terminal and write each burst in one
``os.write``: Pilot delivers keys one at a time and cannot show these bugs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.support.terminal import Terminal, demo_terminal

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def term() -> Iterator[Terminal]:
    with demo_terminal((120, 36), timeout=30) as terminal:
        yield terminal


def filter_line(term: Terminal) -> str:
    return term.line(2)


@pytest.mark.parametrize("burst", ["/zzz", "/tmp", "/aaaa", "/pqwd"])
def test_every_key_after_slash_lands_in_the_filter(term: Terminal, burst: str) -> None:
    term.write(burst)
    text = term.wait_for(lambda t: burst[1:] in filter_line(term), timeout=10, settle=0.3)
    assert burst[1:] in filter_line(term), text
    # None of the letters acted on the table: no preview, no marks, no delete dialog.
    assert "marked 0" in text
    assert "Preview" not in text and "Delete" not in text.split("\n")[0]
    assert "Download URL" not in text


@pytest.mark.parametrize("second", ["u", "e", "y", "w", "?"])
def test_quit_then_another_key_exits_cleanly(term: Terminal, second: str) -> None:
    term.write("q" + second)
    assert term.wait_exit(timeout=15) == 0, term.tail()
    assert "Traceback" not in term.tail()


def test_keys_after_a_binding_that_opens_a_modal_belong_to_the_modal(term: Terminal) -> None:
    # u opens the upload form, whose path field has the focus: the rest is the path.
    term.write("u/tmp/zz")
    text = term.wait_for("/tmp/zz", timeout=10, settle=0.3)
    assert "Upload" in text
    # Nothing reached the browser underneath: its filter bar is still empty.
    term.write("\x1b")  # Esc closes the form
    text = term.wait_for(lambda t: "/tmp/zz" not in t, timeout=10, settle=0.3)
    assert "zz" not in filter_line(term)
    assert "marked 0" in text


def test_a_paste_sized_burst_keeps_its_order(term: Terminal) -> None:
    typed = "/name:agent-runs -state:error size>1KB"
    term.write(typed)
    term.wait_for(lambda t: typed[1:] in filter_line(term), timeout=10)


@pytest.mark.parametrize("after", ["j", "/", " ", "?", "J"])
def test_escape_in_the_same_read_as_the_next_key_still_closes_the_dialog(
    term: Terminal, after: str
) -> None:
    # Over SSH "Esc, then j" can arrive in one read, which terminals also use for Alt+j.
    # The Esc must close the delete question, and the key act after it: before, the
    # question stayed open and a later `y` deleted the object.
    before = re.search(r"\d+ objects", term.text())
    assert before is not None
    term.write("d")
    term.wait_for("keeps it", timeout=10, settle=0.2)
    term.write("\x1b" + after)
    text = term.wait_for(lambda t: "keeps it" not in t, timeout=10, settle=0.3)
    assert "keeps it" not in text, text
    term.write("\x1b")  # closes whatever `after` opened (the filter, the help screen)
    text = term.wait_quiet()
    assert "Deleted" not in text and before[0] in text, text  # nothing was deleted


def test_escape_then_keys_in_one_read_clears_the_filter_first(term: Terminal) -> None:
    term.write("/abc")
    term.wait_for(lambda t: "abc" in filter_line(term), timeout=10, settle=0.2)
    term.write("\x1bjj")  # Esc leaves the filter (clearing it); j, j move in the table
    text = term.wait_quiet()
    assert "abc" not in filter_line(term) and "jj" not in filter_line(term), text


def test_alt_b_in_a_text_field_moves_by_word_and_keeps_the_form(term: Terminal) -> None:
    # Terminals send Alt+b as Esc, b: in a text field that is a word motion, not an Esc
    # that would close the form and lose what was typed.
    term.write("u")
    term.wait_for("Upload", timeout=10, settle=0.3)
    term.write("/tmp/abc def")
    term.wait_for("/tmp/abc def", timeout=10, settle=0.2)
    term.write("\x1bb")
    term.wait_quiet()
    term.write("X")
    text = term.wait_for("/tmp/abc Xdef", timeout=10, settle=0.3)
    assert "Upload" in text, text
