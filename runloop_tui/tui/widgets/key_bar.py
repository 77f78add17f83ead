"""The one-line key bar at the bottom: the screen's shown bindings, greyed out when unavailable.

It replaces Textual's Footer, which mounts one widget per key and rebuilds them all whenever
the bindings refresh (about 25 ms of CPU each time, and a third of the launch's paint phase,
measured). This bar is a single Line-API line: a refresh re-renders one strip.

At 80 columns not every key fits: the keys are kept in the order the screen declares them
(the most useful first) and the rest are dropped whole, never cut in half; the palette key
stays at the right edge, so every other key is one search away.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget


@dataclass(frozen=True, slots=True)
class KeyHint:
    key: str  # the key to simulate when clicked
    display: str  # how the key is shown (respects remapping)
    description: str
    enabled: bool
    action: str = ""  # the binding's action: a click on a dimmed key asks why


class KeyBar(Widget, can_focus=False):
    """The active screen's keys as `key description` pairs; click one to press it."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-bar--key",
        "key-bar--description",
        "key-bar--disabled",
    }
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyBar > .key-bar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .key-bar--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyBar > .key-bar--disabled { text-style: dim; }
    """

    class Pressed(Message):
        """A key in the bar was clicked: the app presses it; a dimmed one the screen explains."""

        def __init__(self, hint: KeyHint) -> None:
            super().__init__()
            self.hint = hint

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._hints: list[KeyHint] = []
        self._palette: KeyHint | None = None
        # (start, end, hint) of each key drawn in the last render, for clicks.
        self._spans: list[tuple[int, int, KeyHint]] = []

    @property
    def hints(self) -> list[KeyHint]:
        """Every shown key, whether or not it fits (for tests and the help screen)."""
        return list(self._hints)

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        hints: list[KeyHint] = []
        palette: KeyHint | None = None
        seen_actions: set[str] = set()
        app = self.app
        for _node, binding, enabled, _tooltip in screen.active_bindings.values():
            is_palette = app.ENABLE_COMMAND_PALETTE and binding.key == app.COMMAND_PALETTE_BINDING
            if not (binding.show or is_palette) or binding.action in seen_actions:
                continue
            seen_actions.add(binding.action)  # one key per action, as Footer does
            hint = KeyHint(
                binding.key,
                app.get_key_display(binding),
                binding.description,
                enabled,
                binding.action,
            )
            if is_palette:
                palette = hint
            else:
                hints.append(hint)
        if (hints, palette) != (self._hints, self._palette):
            self._hints, self._palette = hints, palette
            self.refresh()

    # --- rendering ---
    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y != 0 or width <= 0:
            return Strip.blank(width, base)
        key_style = base + self.get_component_rich_style("key-bar--key")
        text_style = base + self.get_component_rich_style("key-bar--description")
        dim = self.get_component_rich_style("key-bar--disabled")
        right: list[Segment] = []
        right_width = 0
        if self._palette is not None:
            right = self._segments(self._palette, key_style, text_style, dim, lead=" │ ")
            right_width = sum(cell_len(s.text) for s in right)
        room = width - right_width
        segments: list[Segment] = []
        spans: list[tuple[int, int, KeyHint]] = []
        x = 0
        for hint in self._hints:
            parts = self._segments(hint, key_style, text_style, dim, lead=" ")
            size = sum(cell_len(s.text) for s in parts)
            if x + size > room:
                break  # drop whole keys: a cut-off key reads as a different one
            spans.append((x + 1, x + size, hint))
            segments += parts
            x += size
        segments.append(Segment(" " * max(0, room - x), base))
        if right:
            spans.append((room + 3, width, self._palette))  # type: ignore[arg-type]
            segments += right
        self._spans = spans
        return Strip(segments).crop(0, width)

    @staticmethod
    def _segments(
        hint: KeyHint, key_style: Style, text_style: Style, dim: Style, lead: str
    ) -> list[Segment]:
        if not hint.enabled:
            key_style, text_style = key_style + dim, text_style + dim
        parts = [Segment(lead, text_style), Segment(hint.display, key_style)]
        if hint.description:
            parts.append(Segment(f" {hint.description}", text_style))
        return parts

    # --- mouse ---
    def hint_at(self, x: int) -> KeyHint | None:
        for start, end, hint in self._spans:
            if start <= x < end:
                return hint
        return None

    def on_click(self, event: events.Click) -> None:
        hint = self.hint_at(event.x)
        if hint is None:
            return
        event.stop()
        self.post_message(self.Pressed(hint))
