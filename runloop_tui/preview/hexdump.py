"""A classic hex dump: offset, sixteen bytes in hex, and their printable ASCII."""

from __future__ import annotations

BYTES_PER_LINE = 16


def hex_lines(data: bytes, *, start_offset: int = 0) -> list[str]:
    """`000000  48 65 6c 6c 6f 0a 00 ff  ...  |Hello...|` lines for `data`.

    Six hex digits of offset (more only when needed) keep a line at 76 columns, so a dump
    fits an 80-column terminal inside a bordered view.
    """
    lines: list[str] = []
    digits = max(6, len(f"{start_offset + len(data):x}"))
    for pos in range(0, len(data), BYTES_PER_LINE):
        chunk = data[pos : pos + BYTES_PER_LINE]
        left = " ".join(f"{b:02x}" for b in chunk[:8])
        right = " ".join(f"{b:02x}" for b in chunk[8:])
        hex_part = f"{left:<23}  {right:<23}"
        ascii_part = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)
        lines.append(f"{start_offset + pos:0{digits}x}  {hex_part}  |{ascii_part}|")
    return lines
