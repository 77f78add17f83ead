"""Copying text: OSC 52 through the terminal, tmux's buffer, and the local system clipboard.

OSC 52 reaches the user's own machine even over SSH, but nothing reports whether the
terminal honoured it. Inside tmux, a plain OSC 52 only gets through with
`set -g set-clipboard on`; wrapped in tmux's passthrough sequence it gets through with
`allow-passthrough on`; and `tmux load-buffer -w -` fills tmux's paste buffer (prefix + ])
and asks tmux to forward it to the outer terminal itself (lazygit does the same). pyperclip
reaches the clipboard of the machine the TUI runs on, which is only the user's clipboard
when the session is local. macOS Terminal.app ignores OSC 52, so there pyperclip comes first.
In a browser (web mode) the OSC 52 reaches the page, which writes the browser's clipboard;
nothing on the server is touched.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from textual.app import App

from runloop_tui.tui.web_rules import clipboard_refusal

# Tests switch this off so they never touch the developer's real clipboard or tmux buffer.
SYSTEM_CLIPBOARD_ENABLED = True
TMUX_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class CopyResult:
    osc52: bool
    system: bool
    tmux_buffer: bool = False
    tmux_passthrough: bool = False
    browser: bool = False

    @property
    def how(self) -> str:
        """Where the text went, e.g. `to the tmux buffer and via OSC 52 (tmux passthrough)`."""
        if self.browser:
            return "to the browser's clipboard"
        ways = []
        if self.system:
            ways.append("to the system clipboard")
        if self.tmux_buffer:
            ways.append("to the tmux buffer")
        if self.osc52:
            ways.append("via OSC 52 (tmux passthrough)" if self.tmux_passthrough else "via OSC 52")
        return " and ".join(ways) if ways else "nowhere"


def has_local_clipboard(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """A system clipboard that belongs to the user: not over SSH, and a desktop to hold it."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return False
    if platform == "darwin" or platform.startswith("win"):
        return True
    return bool(env.get("WAYLAND_DISPLAY") or env.get("DISPLAY"))


def prefers_system_clipboard(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return env.get("TERM_PROGRAM") == "Apple_Terminal"


def in_tmux(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return bool(env.get("TMUX"))


def osc52(text: str) -> str:
    return f"\x1b]52;c;{base64.b64encode(text.encode('utf-8')).decode('ascii')}\a"


def tmux_passthrough(sequence: str) -> str:
    """Wrap an escape sequence so tmux hands it to the outer terminal (ESCs doubled)."""
    return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"


def tmux_load_buffer(text: str, env: Mapping[str, str] | None = None) -> bool:
    """`tmux load-buffer -w -`: the paste buffer, and the outer clipboard where tmux can.
    tmux before 3.2 has no `-w`: then the paste buffer alone."""
    tmux = shutil.which("tmux")
    if tmux is None:
        return False
    for flags in (["-w"], []):
        try:
            done = subprocess.run(
                [tmux, "load-buffer", *flags, "-"],
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=TMUX_TIMEOUT_SECONDS,
                env=dict(os.environ if env is None else env),
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return False
        if done.returncode == 0:
            return True
    return False


def _system_copy(text: str) -> bool:
    try:
        import pyperclip

        pyperclip.copy(text)
    except Exception:  # pyperclip raises its own exception types, and OSError from subprocesses
        return False
    return True


def copy_text(app: App[object], text: str, env: Mapping[str, str] | None = None) -> CopyResult:
    """Put `text` on every clipboard within reach; `app.clipboard` always holds it afterwards."""
    env = os.environ if env is None else env
    # Always emit OSC 52: it is harmless where unsupported and sets app.clipboard.
    app.copy_to_clipboard(text)
    if app.is_web:
        # The server's clipboard and tmux belong to someone else's screen, not the browser's.
        return CopyResult(osc52=True, system=False, browser=clipboard_refusal(app, env) is None)
    system = tmux_buffer = passthrough = False
    if SYSTEM_CLIPBOARD_ENABLED and (has_local_clipboard(env) or prefers_system_clipboard(env)):
        system = _system_copy(text)
    if in_tmux(env):
        driver = app._driver  # no public way to write raw bytes to the terminal
        if driver is not None:
            driver.write(tmux_passthrough(osc52(text)))
            passthrough = True
        if SYSTEM_CLIPBOARD_ENABLED:
            tmux_buffer = tmux_load_buffer(text, env)
    sent_osc52 = not (prefers_system_clipboard(env) and system)
    return CopyResult(
        osc52=sent_osc52, system=system, tmux_buffer=tmux_buffer, tmux_passthrough=passthrough
    )


def copy_and_notify(app: App[object], text: str, what: str) -> CopyResult:
    """Copy and tell the user what was copied and where; never echoes the text itself."""
    result = copy_text(app, text)
    refused = clipboard_refusal(app)
    if refused is not None:
        app.notify(f"Not copied: {refused}.", title="Clipboard", severity="warning", markup=False)
    else:
        app.notify(f"Copied {what} {result.how}", title="Clipboard", timeout=4, markup=False)
    return result
