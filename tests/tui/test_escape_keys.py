"""What an Esc in front of a key means: the parser keeps it, the key gate decides."""

from __future__ import annotations

import contextlib

import pytest
from textual import events
from textual._parser import ParseError

from runloop_tui.tui.key_gate import alt_chords, split_escape
from runloop_tui.tui.terminal_input import EscapeKeepingParser


def keys_read(data: str) -> list[events.Key]:
    """The keys of one read, then the end of input (which ends a pending Esc sequence, as
    the driver's timeout does)."""
    parser = EscapeKeepingParser()
    tokens = list(parser.feed(data))
    with contextlib.suppress(ParseError):
        tokens += parser.feed("")
    return [token for token in tokens if isinstance(token, events.Key)]


def parsed(data: str) -> list[tuple[str, str | None]]:
    return [(key.key, key.character) for key in keys_read(data)]


def gated(data: str, bound: frozenset[str] = frozenset(), in_text: bool = False) -> list[str]:
    return [part.key for key in keys_read(data) for part in split_escape(key, bound, in_text)]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("\x1bj", ["escape", "j"]),
        ("\x1bjj", ["escape", "j", "j"]),
        ("\x1bJ", ["escape", "J"]),
        ("\x1b/", ["escape", "slash"]),
        ("\x1b ", ["escape", "space"]),
        ("\x1b?", ["escape", "question_mark"]),
        ("\x1b7", ["escape", "7"]),  # not Textual's macOS Option character `¶`
        ("\x1bb", ["escape", "b"]),  # not a word motion (ctrl+left)
        ("\x1bOA", ["up"]),
        ("\x1b[1;5C", ["ctrl+right"]),
        ("/", ["slash"]),
        ("J", ["J"]),
        ("\x1b[A", ["up"]),  # an arrow key's sequence is not an Esc
    ],
)
def test_an_escape_before_a_key_in_one_read_is_two_keys(data: str, expected: list[str]) -> None:
    assert gated(data) == expected


def test_the_parser_marks_every_printable_key_after_an_escape_as_alt() -> None:
    # Textual itself drops the Alt (and so the Esc) for `/`, space and `?`.
    assert parsed("\x1b/") == [("alt+slash", "/")]
    assert parsed("\x1b ") == [("alt+space", " ")]
    assert parsed("/") == [("slash", "/")]


def test_an_alt_chord_the_user_bound_stays_whole() -> None:
    bound = alt_chords({"app.help": "f1, alt+h", "browser.filter": "slash"})
    assert bound == frozenset({"alt+h"})
    assert gated("\x1bh", bound) == ["alt+h"]
    assert gated("\x1bj", bound) == ["escape", "j"]


def test_named_alt_chords_are_not_taken_apart() -> None:
    chord = events.Key("alt+backspace", None)
    assert split_escape(chord) == [chord]


def test_in_a_text_field_alt_b_and_f_still_move_by_word() -> None:
    # Readline's word motions, as Textual reads them; any other Esc+key is still two keys.
    assert gated("\x1bb", in_text=True) == ["ctrl+left"]
    assert gated("\x1bf", in_text=True) == ["ctrl+right"]
    assert gated("\x1bj", in_text=True) == ["escape", "j"]
    assert gated("\x1bb") == ["escape", "b"]
