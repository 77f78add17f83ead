"""The preview model: what a head of bytes turned out to be, ready for any renderer."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class PreviewKind(StrEnum):
    TEXT = "text"
    TAR = "tar"
    HEX = "hex"
    EMPTY = "empty"


# The first letter of `tar -tv`'s mode column for each member kind ("-" for files).
_TYPE_LETTERS = {
    "dir": "d",
    "symlink": "l",
    "hardlink": "h",
    "fifo": "p",
    "chardev": "c",
    "blockdev": "b",
}


@dataclass(frozen=True, slots=True)
class TarMember:
    """One entry of a tar archive, as read from its header."""

    name: str
    size: int
    mode: int
    mtime: int
    # "file", "dir", "symlink", "hardlink", "fifo", "chardev", "blockdev" or "other"
    kind: str
    linkname: str = ""

    @property
    def mode_text(self) -> str:
        """`drwxr-xr-x` style, like GNU `tar -tv` (setuid, setgid and sticky bits included)."""
        first = _TYPE_LETTERS.get(self.kind, "-")
        bits = "rwxrwxrwx"
        rest = [ch if self.mode & (1 << (8 - i)) else "-" for i, ch in enumerate(bits)]
        for flag, at, letter in ((0o4000, 2, "s"), (0o2000, 5, "s"), (0o1000, 8, "t")):
            if self.mode & flag:
                rest[at] = letter if rest[at] == "x" else letter.upper()
        return first + "".join(rest)


@dataclass(frozen=True, slots=True)
class Preview:
    """A decoded head.

    `layers` names what was peeled off ("gzip", "tar"), `truncated` says the head did not
    reach the end of the content (so the view is partial) and `notes` are sentences for the user.
    """

    kind: PreviewKind
    text: str = ""
    lexer: str = "text"
    members: tuple[TarMember, ...] = ()
    hex_lines: tuple[str, ...] = ()
    layers: tuple[str, ...] = ()
    truncated: bool = False
    bytes_read: int = 0
    decoded_bytes: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def summary(self) -> str:
        """One line for a header: what is shown and from how much."""
        steps = list(self.layers)
        if not steps or steps[-1] != self.kind.value:
            steps.append(self.kind.value)
        how = " → ".join(steps)
        extent = (
            f"first {self.bytes_read:,} bytes" if self.truncated else f"{self.bytes_read:,} bytes"
        )
        if self.layers and "gzip" in self.layers:
            extent += f", {self.decoded_bytes:,} decompressed"
        return f"{how} · {extent}"
