"""runloop-tui: a terminal UI for Runloop Storage Objects."""

__version__ = "0.1.0"
