"""``python -m runloop_tui.server``: same as ``runloop-tui serve``."""

import sys

from runloop_tui.server.serve import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
