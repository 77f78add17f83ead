"""Every field of the selected object: sizes exact and human, times absolute and relative,
a TTL bar, metadata as a key/value table. Never the upload URL or headers.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, cast

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from runloop_tui.api.models import (
    SENT_AS_IS,
    ObjectState,
    ObjectView,
    json_text,
    valid_time_ms,
)
from runloop_tui.tui.formatting import (
    display_name,
    display_text,
    exact_bytes,
    expires_soon,
    human_size,
    lifetime_fraction,
    local_time,
    relative_time,
)

if TYPE_CHECKING:
    from textual.css.styles import RulesMap

_LABEL_WIDTH = 9
_BAR_WIDTH = 16
# The pane shows a bounded amount, whatever the server sends (5,000 keys and a 1 MB value
# froze the app when it was all laid out): the first keys in order, each text cut short.
MAX_METADATA_KEYS_SHOWN = 50
MAX_KEY_CHARS = 64
MAX_VALUE_CHARS = 300
MAX_NAME_CHARS = 1100  # a name runs to 1,024; a longer one is the server's doing
_STATE_STYLE = {
    ObjectState.UPLOADING: "$text-warning",
    ObjectState.READ_ONLY: "$text-success",
    ObjectState.ERROR: "bold $text-error",
    ObjectState.DELETED: "$text-muted strike",
}


def _field(label: str, *parts: str | tuple[str, str]) -> Content:
    return Content.assemble((f"{label:<{_LABEL_WIDTH}}", "bold $text-primary"), *parts)


def ttl_bar(fraction: float, width: int = _BAR_WIDTH) -> str:
    filled = round(fraction * width)
    return "█" * filled + "░" * (width - filled)


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis that says how much is left out,
    made inert; cut first, so a megabyte value costs no more than a short one."""
    if len(text) <= limit:
        return display_text(text)
    return display_text(text[:limit]) + f"… ({len(text) - limit:,} more characters)"


def metadata_block(metadata: dict[str, str] | None) -> Content:
    """The Metadata section: at most MAX_METADATA_KEYS_SHOWN keys (the first in sort order)
    and "… and K more keys"; heapq walks the keys once, never sorting them all."""
    if not metadata:
        return Content.assemble(("Metadata", "bold $text-primary"), ("  none", "$text-muted"))
    keys = heapq.nsmallest(MAX_METADATA_KEYS_SHOWN, metadata)
    shown = [clip(k, MAX_KEY_CHARS) for k in keys]
    key_width = min(24, max(cell_len(k) for k in shown))
    lines = [Content.assemble(("Metadata", "bold $text-primary"))]
    for key, shown_key in zip(keys, shown, strict=True):
        pad = " " * max(0, key_width - cell_len(shown_key))
        lines.append(
            Content.assemble(
                "  ", (shown_key, "$text-accent"), pad, " = ", clip(metadata[key], MAX_VALUE_CHARS)
            )
        )
    more = len(metadata) - len(keys)
    if more:
        noun = "key" if more == 1 else "keys"
        lines.append(
            Content.assemble(("  … and ", "$text-muted"), (f"{more:,} more {noun}", "$text-muted"))
        )
    return Content("\n").join(lines)


def describe(obj: ObjectView, now_ms: int, metadata: Content | None = None) -> Content:
    """The pane's text for one object (user strings go in as plain text: inert);
    ``metadata``: the object's metadata_block, when the caller kept it from last time."""
    lines: list[Content] = [
        _field(
            "Name",
            display_name(obj.name)
            if len(obj.name) <= MAX_NAME_CHARS
            else clip(obj.name, MAX_NAME_CHARS),
        ),
        _field("ID", display_text(obj.id)),
        _field("State", (display_text(str(obj.state)), _STATE_STYLE.get(obj.state, ""))),
        _field("Type", display_text(str(obj.content_type))),
        _field("Size", human_size(obj.size_bytes)),
        _field("", (exact_bytes(obj.size_bytes), "$text-muted")),
        _field("Created", local_time(obj.create_time_ms)),
        _field("", (relative_time(obj.create_time_ms, now_ms), "$text-muted")),
    ]
    if obj.delete_after_time_ms is None:
        lines.append(_field("Expires", ("never", "$text-muted")))
    elif not valid_time_ms(obj.delete_after_time_ms):
        # Said once; no "expired invalid time", and no TTL bar made up from it.
        shown = f"invalid expiry ({obj.delete_after_time_ms:,} ms)"
        lines.append(_field("Expires", (shown, "$text-warning")))
    else:
        expiring = expires_soon(obj.delete_after_time_ms, now_ms)
        when = relative_time(obj.delete_after_time_ms, now_ms)
        if obj.delete_after_time_ms <= now_ms:
            when = f"expired {when}"
        fraction = lifetime_fraction(obj.create_time_ms, obj.delete_after_time_ms, now_ms)
        bar_style = "$text-warning" if expiring else "$text-success"
        lines += [
            _field("Expires", local_time(obj.delete_after_time_ms)),
            _field("", (when, "$text-warning" if expiring else "$text-muted")),
        ]
        if fraction is not None:  # None: the creation time is one no clock can show
            lines.append(_field("TTL", (ttl_bar(fraction), bar_style), f" {fraction:.0%} used"))
    lines.append(Content(""))
    lines.append(metadata_block(obj.metadata) if metadata is None else metadata)
    # A field's value as sent (SENT_AS_IS) is shown above, as JSON text.
    other = sorted(k for k in obj.extra if k not in SENT_AS_IS)
    if other:
        lines.append(Content(""))
        lines.append(Content.assemble(("Other fields", "bold $text-primary")))
        for key in other:
            lines.append(
                Content.assemble(
                    "  ",
                    clip(key, MAX_KEY_CHARS),
                    " = ",
                    clip(json_text(obj.extra[key]), MAX_VALUE_CHARS),
                )
            )
    return Content("\n").join(lines)


class DetailPane(VerticalScroll, can_focus=False):
    """Shows the object the table's cursor is on (the screen calls show())."""

    DEFAULT_CSS = """
    DetailPane { padding: 0 1; }
    DetailPane > #detail-body { width: 1fr; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._obj: ObjectView | None = None
        self._now_ms = 0
        # The last metadata block and the dict it shows (equal metadata is one shared dict):
        # the clock's tick and a move between alike objects reuse it.
        self._metadata: tuple[dict[str, str] | None, Content] = (None, metadata_block(None))

    def compose(self) -> ComposeResult:
        yield Static(Content("No object selected."), id="detail-body")

    @property
    def shown_object(self) -> ObjectView | None:
        return self._obj

    def show(self, obj: ObjectView | None, now_ms: int) -> None:
        if obj is self._obj and now_ms // 1000 == self._now_ms // 1000:
            return
        self._obj = obj
        self._now_ms = now_ms
        body = self.query_one("#detail-body", Static)
        if obj is None:
            content = Content("No object selected.")
        else:
            if self._metadata[0] is not obj.metadata:
                self._metadata = (obj.metadata, metadata_block(obj.metadata))
            content = describe(obj, now_ms, self._metadata[1])
        # A layout pass lays out and repaints the whole screen (most of a filter keystroke's
        # cost when the cursor lands on another object, and once a second for the clock):
        # skip it when the new text takes as many lines as the old.
        width, height = body.content_size
        same_height = (
            width > 0 and content.get_height(cast("RulesMap", body.styles), width) == height
        )
        body.update(content, layout=not same_height)
