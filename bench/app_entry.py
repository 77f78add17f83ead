"""``runloop-tui`` as a user's install runs it, for the figures that start it on a pty.

The test extras install h2 (the official SDK's tests use HTTP/2), and httpcore imports it
whenever it is installed: 30-45 ms on every start that `pip install runloop-tui` does not
pay (the same as bench/child.py does).
"""

from __future__ import annotations

import sys

sys.modules.setdefault("h2", None)  # type: ignore[arg-type]

from runloop_tui.cli import main  # noqa: E402 - after the h2 block, on purpose

if __name__ == "__main__":
    raise SystemExit(main())
