"""runloop-tui benchmarks: ``python -m bench`` (see ``python -m bench --help``).

Every figure is measured beside a baseline taken in the same run, and judged on the ratio:
machines are noisy, ratios much less so. Each figure lives in its own module
(``bench.fig1_launch`` ... ``bench.fig7_bulk_delete``); work that needs a clean process
(launch time, peak RSS, headless TUI runs) happens in ``python -m bench.child``.

Importing this package is cheap: no Textual, no server.
"""

from __future__ import annotations

from bench.core import FIGURES, Row, Sizes

__all__ = ["FIGURES", "Row", "Sizes"]
