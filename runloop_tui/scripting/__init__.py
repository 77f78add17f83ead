"""``runloop-tui ls | du | rm``: the app's filter language and bulk delete, for scripts.

No Textual here. The commands use the same settings (profiles, environment, flags) and the
same rules as the TUI: the filter's server-side parts are pushed down to the list request,
the rest is applied locally; rm deletes through the TUI's bounded, adaptive engine
(runloop_tui/api/bulk.py) after the same count-typing confirmation.
"""

from runloop_tui.scripting.common import run_command

__all__ = ["run_command"]
