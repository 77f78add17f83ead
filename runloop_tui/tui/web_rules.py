"""Web mode: what cannot work in this browser tab, and why. One rule, used by check_action
(greyed out in the key bar and the palette, the reason said when pressed) and by copying.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from textual.app import App

# Set by runloop_tui.web.server in each tab's environment (a test keeps the names equal; the
# TUI must not import the web server): empty when the page may write the clipboard.
NO_CLIPBOARD_ENV = "RUNLOOP_TUI_WEB_NO_CLIPBOARD"
CLIPBOARD_ACTIONS = frozenset({"copy_id", "copy_name", "copy_url", "copy_curl"})


def clipboard_refusal(app: App[object], env: Mapping[str, str] | None = None) -> str | None:
    """Why this tab's browser will not take a copy (None: it will, or this is a terminal)."""
    if not app.is_web:
        return None
    why = (os.environ if env is None else env).get(NO_CLIPBOARD_ENV, "")
    return why or None


def web_unavailable_reason(
    app: App[object], action: str, env: Mapping[str, str] | None = None
) -> str | None:
    if action in CLIPBOARD_ACTIONS:
        why = clipboard_refusal(app, env)
        if why is not None:
            return f"Copying does not work in this tab: {why}."
    return None
