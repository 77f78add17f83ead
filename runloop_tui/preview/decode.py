"""Turn the first bytes of an object into a Preview, sniffing the content itself.

The declared content type is only a hint: gzip and tar are recognised by their magic,
and "binary" that decodes as UTF-8 is shown as text.
"""

from __future__ import annotations

import zlib

from runloop_tui.preview.hexdump import hex_lines
from runloop_tui.preview.model import Preview, PreviewKind
from runloop_tui.preview.tarlist import list_members, looks_like_tar
from runloop_tui.preview.text import decode_text, guess_lexer, make_inert, strip_compression_suffix

HEAD_BYTES = 65536
# How much a gzip head may expand to; tar listings of big archives need room for headers.
MAX_DECOMPRESSED = 1024 * 1024
# Hex is for a glance: 16 KiB is 1,024 lines.
MAX_HEX_BYTES = 16384
_GZIP_MAGIC = b"\x1f\x8b"


def gunzip_head(data: bytes, max_length: int = MAX_DECOMPRESSED) -> tuple[bytes, bool, str | None]:
    """Decompress as much of a (possibly cut) gzip stream as `data` allows.

    Returns (bytes, reached_end, error). A truncated stream is not an error: decompressobj
    hands back everything that the bytes so far decode to. Concatenated members are followed.
    """
    out = bytearray()
    rest = data
    while rest and len(out) < max_length:
        dec = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out += dec.decompress(rest, max_length - len(out))
        except zlib.error as exc:
            return bytes(out), False, f"gzip data is corrupt: {exc}"
        if not dec.eof:
            return bytes(out), False, None
        rest = dec.unused_data
        if rest and not rest.startswith(_GZIP_MAGIC):
            # Trailing garbage after the last member is ignored, as gzip(1) does.
            break
    return bytes(out), len(out) < max_length or not rest, None


def _kib(n: int) -> str:
    return f"{n // 1024} KiB" if n >= 1024 else f"{n} bytes"


def _hex(
    data: bytes, *, truncated: bool, layers: tuple[str, ...], read: int, notes: list[str]
) -> Preview:
    shown = data[:MAX_HEX_BYTES]
    if len(data) > len(shown):
        notes.append(f"Hex dump of the first {len(shown):,} bytes.")
    return Preview(
        kind=PreviewKind.HEX,
        hex_lines=tuple(hex_lines(shown)),
        layers=layers,
        truncated=truncated,
        bytes_read=read,
        decoded_bytes=len(data),
        notes=tuple(notes),
    )


def build_preview(
    name: str, content_type: str, head: bytes, size_bytes: int | None = None
) -> Preview:
    """The preview of an object whose content starts with `head`.

    `size_bytes` (when known) tells whether the head is the whole content; without it a
    head of exactly HEAD_BYTES is assumed to be cut.
    """
    truncated = len(head) < size_bytes if size_bytes is not None else len(head) >= HEAD_BYTES
    notes: list[str] = []
    if not head:
        return Preview(kind=PreviewKind.EMPTY, notes=("The object is empty.",))
    data = head
    layers: tuple[str, ...] = ()
    inner_name = name
    inner_truncated = truncated
    if head.startswith(_GZIP_MAGIC) or content_type in ("gzip", "tgz"):
        if head.startswith(_GZIP_MAGIC):
            data, reached_end, error = gunzip_head(head)
            layers = ("gzip",)
            inner_name = strip_compression_suffix(name)
            if error:
                notes.append(error)
            # Output capped or input cut: either way there is more than what is shown.
            inner_truncated = truncated or not reached_end
        else:
            notes.append(f"Declared {content_type}, but the content is not gzip.")
    if looks_like_tar(data):
        listing = list_members(data)
        if listing.members or listing.complete:
            if listing.error:
                notes.append(listing.error.capitalize() + "; the list stops there.")
            elif not listing.complete:
                notes.append(f"… more members beyond the first {_kib(len(head))}.")
            return Preview(
                kind=PreviewKind.TAR,
                members=listing.members,
                layers=(*layers, "tar"),
                truncated=not listing.complete,
                bytes_read=len(head),
                decoded_bytes=len(data),
                notes=tuple(notes),
            )
    elif content_type in ("tar", "tgz"):
        notes.append(f"Declared {content_type}, but no tar header was found.")
    text = decode_text(data, truncated=inner_truncated)
    if text is not None:
        if inner_truncated:
            notes.append("Showing the start only; the content goes on.")
        return Preview(
            kind=PreviewKind.TEXT,
            text=make_inert(text),
            lexer=guess_lexer(inner_name),
            layers=layers,
            truncated=inner_truncated,
            bytes_read=len(head),
            decoded_bytes=len(data),
            notes=tuple(notes),
        )
    return _hex(data, truncated=inner_truncated, layers=layers, read=len(head), notes=notes)
