"""A presigned download URL: choose how long it lives, see it, copy it or a ready curl command.

The URL is fetched in a worker and shown only here, where the user asked for it; it is never
logged, notified or put in a worker description.
"""

from __future__ import annotations

import ipaddress
import shlex
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, TextArea

from runloop_tui.api.errors import ApiError
from runloop_tui.api.models import ObjectView
from runloop_tui.api.retry import RetryEvent, RetryHook
from runloop_tui.query.units import format_duration
from runloop_tui.tui.actions.naming import download_file_name
from runloop_tui.tui.availability import Availability, unavailable_reason
from runloop_tui.tui.browser_keys import refused_key
from runloop_tui.tui.clipboard import copy_and_notify
from runloop_tui.tui.formatting import display_text, title_name
from runloop_tui.tui.modals.dialog import dialog_css
from runloop_tui.tui.modals.validation import (
    FieldError,
    checked_input,
    duration_seconds,
    first_failure,
    url_duration_validator,
)
from runloop_tui.tui.web_rules import clipboard_refusal

PRESETS: tuple[tuple[str, int], ...] = (("15m", 900), ("1h", 3600), ("24h", 86400), ("7d", 604800))
DEFAULT_SECONDS = 3600

# (seconds, on_retry) -> the URL; on_retry hears the client's retries, to show them.
FetchUrl = Callable[[int, RetryHook], Awaitable[str]]


def curl_command(file_name: str, url: str) -> str:
    """`curl -fL -o NAME 'URL'`, both quoted for a POSIX shell."""
    return f"curl -fL -o {shlex.quote(file_name)} {shlex.quote(url)}"


def validity_text(seconds: int) -> str:
    """A validity as the user chose it: a preset by its own label (`24h`, not `1d`)."""
    for label, preset in PRESETS:
        if preset == seconds:
            return label
    return format_duration(seconds)


def ttl_warning(obj: ObjectView, seconds: int, now_ms: int) -> str | None:
    """A sentence when the URL would outlive the object itself."""
    if obj.delete_after_time_ms is None:
        return None
    left_ms = obj.delete_after_time_ms - now_ms
    if left_ms <= 0:
        return "⚠ The object has already expired; the URL may not work at all."
    if seconds * 1000 > left_ms:
        return (
            f"⚠ The object expires in {format_duration(left_ms / 1000)}: "
            f"the URL stops working then, not after {validity_text(seconds)}."
        )
    return None


def loopback_note(url: str) -> str | None:
    """In web mode, a sentence when the URL names this machine's loopback (the embedded local
    server): the browser may be on another machine, through ssh -L."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return (
        f"⚠ This URL is on {parts.netloc}: the machine running runloop-tui, not your browser's"
        f" (unless it is the same). Use it there (curl), or forward that port too:"
        f" ssh -L {port}:{host}:{port} HOST."
    )


class PresignModal(ModalScreen[None]):
    DEFAULT_CSS = (
        dialog_css("PresignModal", 100, buttons=False)
        + """
    PresignModal .presets { height: auto; }
    PresignModal .presets Button { margin-right: 1; min-width: 6; }
    PresignModal .presets Button.-chosen { text-style: bold reverse; }
    PresignModal #duration { width: 20; margin-left: 2; }
    PresignModal #warning, PresignModal #where { color: $warning; height: auto; width: 100%; }
    PresignModal #copy-refusal { color: $text-muted; height: auto; width: 100%; }
    PresignModal .buttons Button.-unavailable { color: $text-disabled; text-style: none; }
    PresignModal TextArea { height: auto; max-height: 5; border: none; padding: 0; }
    PresignModal #url { color: $text-accent; }
    PresignModal .buttons { height: auto; margin-top: 1; }
    PresignModal .buttons Button { margin-right: 2; }
    """
    )

    BINDINGS = [
        Binding("escape", "close", "Close", id="presign.close"),
        Binding("ctrl+u", "copy_url", "Copy URL", id="presign.copy_url", priority=True),
        Binding("ctrl+k", "copy_curl", "Copy curl", id="presign.copy_curl", priority=True),
        # Without these, choosing a preset from the keyboard took several shift+tabs.
        # The duration field and the URL boxes keep their own arrow keys.
        Binding("left", "step_preset(-1)", "Shorter", show=False, id="presign.shorter"),
        Binding("right", "step_preset(1)", "Longer", show=False, id="presign.longer"),
    ]

    def __init__(self, obj: ObjectView, fetch: FetchUrl, now_ms: Callable[[], int]) -> None:
        super().__init__()
        self.obj = obj
        self._fetch = fetch
        self._now_ms = now_ms
        self.seconds = DEFAULT_SECONDS
        self.url: str | None = None
        self.file_name = download_file_name(obj.name, str(obj.content_type), obj.id)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                Content(
                    f"Download URL for {title_name(self.obj.name)}  ({display_text(self.obj.id)})"
                ),
                classes="title",
            )
            yield Label("Valid for  (← → change it)", classes="label")
            with Horizontal(classes="presets"):
                for label, seconds in PRESETS:
                    yield Button(
                        label,
                        id=f"preset-{label}",
                        compact=True,
                        classes="-chosen" if seconds == self.seconds else "",
                    )
                yield checked_input(
                    "duration", url_duration_validator(), placeholder="or type: 2h30m"
                )
            yield FieldError(id="duration-error")
            yield Label("", id="warning")
            yield Label("URL", classes="label")
            yield TextArea("Generating…", id="url", read_only=True, soft_wrap=True)
            where = Label("", id="where")
            where.display = False  # shown only with a loopback URL in web mode
            yield where
            yield Label("Command", classes="label")
            yield TextArea("", id="curl", read_only=True, soft_wrap=True)
            # In a web tab without the clipboard, the copy buttons are greyed and say why.
            refusal = self._copy_refusal("copy_url")
            unavailable = "-unavailable" if refusal else ""
            with Horizontal(classes="buttons"):
                yield Button(
                    "Copy URL  ^U",
                    id="copy-url",
                    variant="default" if refusal else "primary",
                    compact=True,
                    classes=unavailable,
                    tooltip=refusal,
                )
                yield Button(
                    "Copy curl  ^K",
                    id="copy-curl",
                    compact=True,
                    classes=unavailable,
                    tooltip=refusal,
                )
                yield Button("Close", id="close", compact=True)
            if refusal:
                yield Label(Content(refusal), id="copy-refusal")

    def on_mount(self) -> None:
        self._generate(self.seconds)
        self.query_one("#copy-url", Button).focus()

    def _copy_refusal(self, action: str) -> str | None:
        """The app's one rule (tui/availability.py) on the copy actions."""
        availability = Availability(clipboard_refusal=clipboard_refusal(self.app))
        return unavailable_reason(action, availability)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("copy_url", "copy_curl") and self._copy_refusal(action):
            return None  # greyed in the key bar and the palette
        return super().check_action(action, parameters)

    def _refuse(self, action: str) -> bool:
        reason = self._copy_refusal(action)
        if reason is not None:
            self.notify(reason, title="Download URL", severity="warning", markup=False)
        return reason is not None

    def on_key(self, event: Key) -> None:
        """A digit typed anywhere but in a field starts a duration there: Enter still copies
        and ← → still step the presets, yet `2h` typed at once is not lost."""
        if refused_key(self.active_bindings.get(event.key), self, self._refuse):
            event.stop()  # a greyed copy key says why instead of falling through
            event.prevent_default()
            return
        character = event.character
        if character is None or not character.isdigit() or len(character) != 1:
            return
        if isinstance(self.focused, Input):
            return
        event.stop()
        event.prevent_default()
        duration = self.query_one("#duration", Input)
        # Focusing selects all by default, and the rest of a burst would replace the digit.
        duration.select_on_focus = False
        duration.value = character
        duration.cursor_position = 1
        duration.focus()

    def _generate(self, seconds: int) -> None:
        self.seconds = seconds
        self.url = None
        for label, preset in PRESETS:
            self.query_one(f"#preset-{label}", Button).set_class(preset == seconds, "-chosen")
        warning = ttl_warning(self.obj, seconds, self._now_ms())
        self.query_one("#warning", Label).update(Content(warning or ""))
        self.query_one("#url", TextArea).text = "Generating…"
        self.query_one("#curl", TextArea).text = ""
        self.fetch_url(seconds)

    @work(exclusive=True, group="presign", exit_on_error=False, description="Presign URL")
    async def fetch_url(self, seconds: int) -> None:
        def retrying(event: RetryEvent) -> None:
            if seconds == self.seconds:
                self.query_one("#url", TextArea).text = f"Generating… {event.short}"

        try:
            url = await self._fetch(seconds, retrying)
        except ApiError as exc:
            if seconds != self.seconds:
                return  # a newer request is on its way
            self.query_one("#url", TextArea).text = f"No URL: {exc}"
            self.notify(str(exc), title="Download URL", severity="error", markup=False)
            return
        if seconds != self.seconds:
            return  # a newer request is on its way
        self.url = url
        self.query_one("#url", TextArea).text = url
        where = loopback_note(url) if self.app.is_web else None
        note = self.query_one("#where", Label)
        note.update(Content(where or ""))
        note.display = where is not None
        self.query_one("#curl", TextArea).text = curl_command(self.file_name, url)

    @on(Button.Pressed, ".presets Button")
    def _preset(self, event: Button.Pressed) -> None:
        label = str(event.button.id).removeprefix("preset-")
        seconds = dict(PRESETS)[label]
        self.query_one("#duration", Input).value = ""
        self._generate(seconds)

    def action_step_preset(self, delta: int) -> None:
        """The previous/next preset (from a typed duration: the nearest one that way)."""
        seconds = [preset for _, preset in PRESETS]
        if delta > 0:
            following = [p for p in seconds if p > self.seconds]
            target = following[0] if following else seconds[-1]
        else:
            preceding = [p for p in seconds if p < self.seconds]
            target = preceding[-1] if preceding else seconds[0]
        if target != self.seconds:
            self.query_one("#duration", Input).value = ""
            self._generate(target)

    @on(Input.Changed, "#duration")
    def _duration_changed(self, event: Input.Changed) -> None:
        message = first_failure(event.validation_result) if event.value.strip() else None
        self.query_one("#duration-error", FieldError).show(message)

    @on(Input.Submitted, "#duration")
    def _duration_submitted(self, event: Input.Submitted) -> None:
        message = first_failure(event.validation_result)
        self.query_one("#duration-error", FieldError).show(message)
        if message is None:
            seconds = duration_seconds(event.value)
            if seconds is not None:
                self._generate(seconds)
                self.query_one("#copy-url", Button).focus()

    def _validity(self) -> str:
        return validity_text(self.seconds)

    @on(Button.Pressed, "#copy-url")
    def action_copy_url(self) -> None:
        if self._refuse("copy_url"):
            return
        if self.url is None:
            self.notify("The URL is not ready yet.", severity="warning")
            return
        copy_and_notify(self.app, self.url, f"download URL (valid {self._validity()})")

    @on(Button.Pressed, "#copy-curl")
    def action_copy_curl(self) -> None:
        if self._refuse("copy_curl"):
            return
        if self.url is None:
            self.notify("The URL is not ready yet.", severity="warning")
            return
        copy_and_notify(
            self.app,
            curl_command(self.file_name, self.url),
            f"curl command (valid {self._validity()})",
        )

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
