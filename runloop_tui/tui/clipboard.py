"""Copying text: OSC 52 through the terminal, plus the local system clipboard when there is one.

OSC 52 reaches the user's own machine even over SSH and through tmux (with
`set -g set-clipboard on`), but nothing reports whether the terminal honoured it. pyperclip
reaches the clipboard of the machine the TUI runs on, which is only the user's clipboard when
the session is local. macOS Terminal.app ignores OSC 52, so there pyperclip comes first.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from textual.app import App

# Tests switch this off so they never touch the developer's real clipboard.
SYSTEM_CLIPBOARD_ENABLED = True


@dataclass(frozen=True, slots=True)
class CopyResult:
    osc52: bool
    system: bool

    @property
    def how(self) -> str:
        """`via OSC 52`, `via the system clipboard`, or both."""
        ways = []
        if self.system:
            ways.append("the system clipboard")
        if self.osc52:
            ways.append("OSC 52")
        return "via " + " and ".join(ways) if ways else "nowhere"


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


def _system_copy(text: str) -> bool:
    try:
        import pyperclip

        pyperclip.copy(text)
    except Exception:  # pyperclip raises its own exception types, and OSError from subprocesses
        return False
    return True


def copy_text(app: App[object], text: str) -> CopyResult:
    """Put `text` on every clipboard within reach; `app.clipboard` always holds it afterwards."""
    system = False
    if SYSTEM_CLIPBOARD_ENABLED and (has_local_clipboard() or prefers_system_clipboard()):
        system = _system_copy(text)
    # Always emit OSC 52 too: it is harmless where unsupported and sets app.clipboard.
    app.copy_to_clipboard(text)
    osc52 = not (prefers_system_clipboard() and system)
    return CopyResult(osc52=osc52, system=system)


def copy_and_notify(app: App[object], text: str, what: str) -> CopyResult:
    """Copy and tell the user what was copied and how; never echoes the text itself."""
    result = copy_text(app, text)
    app.notify(f"Copied {what} {result.how}", title="Clipboard", timeout=4)
    return result
