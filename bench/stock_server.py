"""The Objects API server without the speed extra, for figure 10's comparison: uvicorn falls
back to its pure-Python HTTP parser (h11) and asyncio's own event loop when httptools and
uvloop cannot be imported, as in an install without ``runloop-tui[speed]``."""

from __future__ import annotations

import sys

sys.modules["httptools"] = None  # type: ignore[assignment]
sys.modules["uvloop"] = None  # type: ignore[assignment]

from runloop_tui.server.serve import main  # noqa: E402 - after the blocks, on purpose

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
