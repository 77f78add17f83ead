"""Deciding whether bytes are text, making them safe to show, and guessing a lexer."""

from __future__ import annotations

import re

from rich.syntax import Syntax

# Control characters other than tab, newline and carriage return: shown as visible symbols so
# that content with terminal escape sequences stays inert on screen.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A text file may hold a few odd control bytes (form feeds, escapes in logs); more is binary.
_MAX_CONTROL_RATIO = 0.01


def decode_text(data: bytes, *, truncated: bool) -> str | None:
    """The head as text if it is UTF-8 text, else None.

    A head cut in the middle of a multi-byte character is still text: up to three
    trailing bytes are dropped when the content goes on beyond the head.
    """
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Only a cut at the very end is forgiven, and only when the content goes on.
        if not truncated or exc.start < len(data) - 3 or exc.reason != "unexpected end of data":
            return None
        text = data[: exc.start].decode("utf-8")
    if text:
        controls = len(_CONTROL.findall(text))
        if controls / len(text) > _MAX_CONTROL_RATIO:
            return None
    return text


def make_inert(text: str) -> str:
    """Control characters become their visible Unicode symbols (ESC -> ␛, DEL -> ␡)."""
    return _CONTROL.sub(
        lambda m: chr(0x2400 + ord(m.group())) if m.group() != "\x7f" else "␡", text
    )


def strip_compression_suffix(name: str) -> str:
    """`app.log.gz` -> `app.log`, so the inner content gets the right lexer."""
    lowered = name.lower()
    for suffix in (".gz", ".gzip"):
        if lowered.endswith(suffix):
            return name[: -len(suffix)]
    return name


def guess_lexer(name: str) -> str:
    """A Pygments lexer alias from the object's name; `text` when nothing matches."""
    base = name.rsplit("/", 1)[-1]
    if not base:
        return "text"
    lexer = Syntax.guess_lexer(base)
    return "text" if lexer == "default" else lexer
