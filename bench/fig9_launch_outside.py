"""Figure 9: launch to the first rows on screen, from outside: the process is started on a
pty and timed until its screen (a pyte terminal) first shows an object's name.

Figure: ``runloop-tui`` on the bench server, at 1,000 and at 100,000 objects. Baseline: the
floor app of figure 8 (an Input above 30 rows of the same names) until its rows show: what
starting Python and Textual and painting a first screen costs. Runs alternate between the
two; the medians are compared.
"""

from __future__ import annotations

import os
import time

from bench.core import Row, median
from bench.outside import seeded_old, start_app, start_bare
from bench.server import BenchContext
from bench.terminal import PtyApp

ROW_TEXT = "object-"  # every seeded name holds it; nothing else on either screen does


def _cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU time (user + system) the process has used, and its ended children (the app's
    first-page prefetch, api/prefetch.py): insensitive to the machine's load."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def _first_rows(
    term: PtyApp, cpu: list[float] | None = None, child_cpu: list[float] | None = None
) -> float:
    with term:
        shown = term.wait_for(lambda s: ROW_TEXT in s, 120, "the first rows")
        if cpu is not None:
            own, children = _cpu_seconds(term.proc.pid)  # read at once: ms after the paint
            cpu.append(own)
            if child_cpu is not None:
                child_cpu.append(children)
        return shown - term.spawned


def run(ctx: BenchContext) -> list[Row]:
    rows: list[Row] = []
    runs = ctx.sizes.launch_runs
    for number, account, count in (("9a", "term_small", 1_000), ("9b", "term", None)):
        count = count or ctx.sizes.terminal_objects
        seeded_old(ctx, account, count)
        _first_rows(start_bare("floor", count))  # warm-up: page cache, .pyc files
        _first_rows(start_app(ctx, account))
        app_s: list[float] = []
        floor_s: list[float] = []
        app_cpu: list[float] = []
        floor_cpu: list[float] = []
        child_cpu: list[float] = []
        for _ in range(runs):
            floor_s.append(_first_rows(start_bare("floor", count), floor_cpu))
            app_s.append(_first_rows(start_app(ctx, account), app_cpu, child_cpu))
            time.sleep(0.2)  # let the previous app's exit settle
        row = Row(
            number,
            f"Launch to first rows on screen, from outside (pty), {count:,} objects",
            median(app_s) * 1000,
            median(floor_s) * 1000,
            "ms",
            1.5,
            target_text="≤ 1.5x the floor app",
        )
        ratios = sorted(a / f for a, f in zip(app_s, floor_s, strict=True))
        row.notes += [
            f"median of {runs} fresh processes each, after a warm-up; app runs (ms): "
            + ", ".join(f"{s * 1000:.0f}" for s in app_s)
            + "; floor-app runs (ms): "
            + ", ".join(f"{s * 1000:.0f}" for s in floor_s),
            f"ratio of each run to the floor run beside it: {ratios[0]:.2f}-{ratios[-1]:.2f}x",
            f"CPU seconds of the process when its rows showed (less sensitive to load): app "
            f"{median(app_cpu) * 1000:.0f} ms, floor app {median(floor_cpu) * 1000:.0f} ms "
            f"({median(app_cpu) / median(floor_cpu):.2f}x); the app's first-page prefetch "
            f"child used {median(child_cpu) * 1000:.0f} ms more, on the other core",
        ]
        rows.append(row)
    return rows
