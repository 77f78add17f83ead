"""Web mode: `runloop-tui web` serves the TUI to browsers with textual-serve.

It never imports the TUI: every browser tab gets its own `runloop-tui` process, whose
Textual web driver speaks to the page through this server.
"""
