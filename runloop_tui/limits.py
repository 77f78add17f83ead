"""The Objects API's limits and text rules, written once.

The local server enforces them and the forms check them at the field, so a form refuses
exactly what the server would, with the reason beside the field. The real service does not
publish its limits; these are ours, documented in the README.
"""

from __future__ import annotations

MAX_NAME = 1024
MAX_METADATA_KEYS = 50
MAX_METADATA_KEY = 256
MAX_METADATA_VALUE = 4096
MAX_TTL_MS = 100 * 365 * 24 * 3600 * 1000  # 100 years
# Presigned download URLs: SigV4, which the real service uses, allows at most 7 days.
MIN_DURATION_S = 1
MAX_DURATION_S = 7 * 24 * 3600


def text_problem(value: str, *, allow_tab: bool = False) -> str | None:
    """Why the server refuses this text (invalid Unicode, control characters), or None."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode"
    for ch in value:
        code = ord(ch)
        if (code < 0x20 or 0x7F <= code < 0xA0) and not (allow_tab and ch == "\t"):
            return f"contains the control character U+{code:04X}"
    return None
