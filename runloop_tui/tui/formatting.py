"""Human-readable sizes, times and safe display strings, shared by the browser's widgets.

Everything here is pure (no Textual), so the table, the detail pane and the header agree
on how a size or a time reads.
"""

from __future__ import annotations

from datetime import datetime

from runloop_tui.api.models import valid_time_ms
from runloop_tui.api.wire import inert_text
from runloop_tui.query.units import format_duration

INVALID_TIME = "invalid time"
NO_NAME = "(no name)"

_SIZE_STEPS = ("KB", "MB", "GB", "TB", "PB")


def display_text(text: str) -> str:
    """User text made safe for one table cell: control and invisible formatting characters
    become a visible '\N{REPLACEMENT CHARACTER}'."""
    return inert_text(text)


def display_lines(text: str) -> str:
    """``display_text`` for a message of several lines: the line breaks are kept."""
    return "\n".join(display_text(line) for line in text.split("\n"))


def display_name(name: str) -> str:
    """An object's name for display: safe, and never an empty cell."""
    return display_text(name) if name.strip() else NO_NAME


TITLE_NAME_CHARS = 200


def title_name(name: str, limit: int = TITLE_NAME_CHARS) -> str:
    """``display_name`` for a dialog's title line: a name past ``limit`` characters (a
    server's 5,000) is cut with an ellipsis, so the title stays a line or two."""
    if len(name) <= limit:
        return display_name(name)
    return display_text(name[:limit]) + "\N{HORIZONTAL ELLIPSIS}"


def human_size(size: int | None) -> str:
    """`512 B`, `1.5 KB`, `12 MB` (decimal units, as the filter language reads `MB`)."""
    if size is None:
        return "-"
    if size < 0:
        return "invalid size"
    if size < 1000:
        return f"{size} B"
    value = float(size)
    for unit in _SIZE_STEPS:
        value /= 1000
        if value < 1000 or unit == _SIZE_STEPS[-1]:
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
    raise AssertionError("unreachable")


def exact_bytes(size: int | None) -> str:
    if size is not None and size < 0:
        return f"invalid: {size:,}"
    return "-" if size is None else f"{size:,} bytes"


def relative_time(when_ms: int, now_ms: int) -> str:
    """`5m ago` for the past, `in 3h 5m` for the future, `now` within a second."""
    if not valid_time_ms(when_ms):
        return INVALID_TIME
    delta = (when_ms - now_ms) / 1000
    if abs(delta) < 1:
        return "now"
    text = format_duration(delta)
    return f"in {text}" if delta > 0 else f"{text} ago"


def _one_unit(seconds: float) -> str:
    seconds = abs(seconds)
    for size, unit in ((86400 * 365, "y"), (86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def short_relative_time(when_ms: int, now_ms: int) -> str:
    """A table cell's relative time, one unit: `5m ago`, `12h ago`, `in 3d`."""
    if not valid_time_ms(when_ms):
        return "invalid"  # the cell is narrow; the detail pane says the rest
    delta = (when_ms - now_ms) / 1000
    if abs(delta) < 1:
        return "now"
    return f"in {_one_unit(delta)}" if delta > 0 else f"{_one_unit(delta)} ago"


def expires_text(delete_after_ms: int | None, now_ms: int) -> str:
    """The Expires cell: `-` (never), `expired`, or the time left (`3h 5m left`)."""
    if delete_after_ms is None:
        return "-"
    if not valid_time_ms(delete_after_ms):
        return INVALID_TIME
    left = (delete_after_ms - now_ms) / 1000
    if left <= 0:
        return "expired"
    return f"{format_duration(left)} left"


def expires_soon(delete_after_ms: int | None, now_ms: int, within_seconds: float = 3600) -> bool:
    return delete_after_ms is not None and (delete_after_ms - now_ms) / 1000 < within_seconds


def local_time(when_ms: int) -> str:
    """An absolute local timestamp, e.g. `2026-11-28 19:14:21`; `invalid time (N ms)` for a
    value no clock can show (a server's garbage must never crash the UI)."""
    if valid_time_ms(when_ms):
        try:
            moment = datetime.fromtimestamp(when_ms / 1000).astimezone()
            return moment.strftime("%Y-%m-%d %H:%M:%S %Z")
        except (ValueError, OverflowError, OSError):
            pass  # the local zone's offset pushed it past year 9999
    return f"{INVALID_TIME} ({when_ms:,} ms)"


def lifetime_fraction(create_ms: int, delete_after_ms: int | None, now_ms: int) -> float | None:
    """How much of an object's TTL is used up, 0..1; None when it never expires."""
    if delete_after_ms is None:
        return None
    if not (valid_time_ms(create_ms) and valid_time_ms(delete_after_ms)):
        return None
    total = delete_after_ms - create_ms
    if total <= 0:
        return 1.0
    return min(1.0, max(0.0, (now_ms - create_ms) / total))


def count_text(count: int) -> str:
    return f"{count:,}"


def count_noun(count: int, noun: str, plural: str | None = None) -> str:
    """`1 object`, `2 objects`, `1,000 objects`."""
    return f"{count:,} {noun if count == 1 else (plural or noun + 's')}"
