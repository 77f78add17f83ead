"""Web mode: why this browser tab cannot take a copy. The availability rule
(tui/availability.py) greys the copy keys with it, and copying says it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from textual.app import App

# Set by runloop_tui.web.server in each tab's environment (a test keeps the names equal; the
# TUI must not import the web server): empty when the page may write the clipboard.
NO_CLIPBOARD_ENV = "RUNLOOP_TUI_WEB_NO_CLIPBOARD"


def clipboard_refusal(app: App[object], env: Mapping[str, str] | None = None) -> str | None:
    """Why this tab's browser will not take a copy (None: it will, or this is a terminal)."""
    if not app.is_web:
        return None
    why = (os.environ if env is None else env).get(NO_CLIPBOARD_ENV, "")
    return why or None
