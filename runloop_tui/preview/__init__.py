"""Previews from the first bytes of an object: text, gzip, tar/tgz listings, hex.

Pure: no Textual, no I/O. The TUI reads a head (a ranged GET) and renders the result.
"""

from runloop_tui.preview.decode import HEAD_BYTES, build_preview, gunzip_head
from runloop_tui.preview.hexdump import hex_lines
from runloop_tui.preview.model import Preview, PreviewKind, TarMember
from runloop_tui.preview.tarlist import TarListing, list_members, looks_like_tar
from runloop_tui.preview.text import decode_text, guess_lexer

__all__ = [
    "HEAD_BYTES",
    "Preview",
    "PreviewKind",
    "TarListing",
    "TarMember",
    "build_preview",
    "decode_text",
    "guess_lexer",
    "gunzip_head",
    "hex_lines",
    "list_members",
    "looks_like_tar",
]
