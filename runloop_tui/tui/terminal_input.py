"""Terminal input read as it was typed: an Esc in front of a key is never dropped.

Terminals send Alt+key as Esc followed by the key, so Textual reads an Esc that arrives in
the same read as the next key (a burst over SSH, tmux) as Alt+key. For letters and digits it
says so (``alt+j``), and the key gate takes that apart again (``key_gate.split_escape``). For
other characters Textual 8 drops the Esc: Esc then ``/`` (or space, ``?``) became a lone
``/``, Esc then ``7`` a macOS Option character (``¶``), Esc then ``b`` or ``f`` a word motion
(ctrl+left/right). A dialog the user meant to close stayed open and took the keys that
followed. This parser reports every printable key after an Esc as Alt+key, so that one rule,
in the gate, decides what an Esc before a key means.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from textual import events
from textual._xterm_parser import XTermParser
from textual.driver import Driver

ESC = "\x1b"
# Characters that open a longer sequence after an Esc (CSI, SS3, OSC, DCS, APC, PM, ST).
_INTRODUCERS = frozenset("[]OP_^\\")


class EscapeKeepingParser(XTermParser):
    """Textual's parser, except that Esc before any printable character reads as Alt."""

    def _sequence_to_key_events(self, sequence: str, alt: bool = False) -> Iterable[events.Key]:
        escaped = len(sequence) == 2 and sequence[0] == ESC and sequence[1] not in _INTRODUCERS
        if escaped and sequence[1].isprintable():
            sequence, alt = sequence[1], True  # not Textual's Option character or motion
        for key in super()._sequence_to_key_events(sequence, alt):
            lost_alt = (
                alt
                and len(sequence) == 1
                and sequence.isprintable()
                and key.character == sequence
                and not key.key.startswith("alt+")
            )
            yield events.Key(f"alt+{key.key}", key.character) if lost_alt else key


def keep_escapes(driver_class: type[Driver]) -> None:
    """Make ``driver_class`` read its input with ``EscapeKeepingParser``.

    Textual's drivers build their parser from a module-level name and take no parser
    argument, so the name is rebound in the driver's own module (Textual is pinned exactly;
    a pty test fails if a new version reads Esc differently). Drivers that parse nothing
    (headless tests) are left as they are.
    """
    module = sys.modules.get(driver_class.__module__)
    if module is not None and getattr(module, "XTermParser", None) is XTermParser:
        module.XTermParser = EscapeKeepingParser  # type: ignore[attr-defined]
