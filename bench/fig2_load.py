"""Figure 2: load every page of a large account into the table.

Figure: the real app, headless in its own process, from start until the loaded count equals
the total; a ticker task on the same event loop records the longest stall, and the process
reports its peak RSS. Baseline: the same page requests (first page 100, then 5,000, with
``starting_after``) made by a bare httpx loop that only parses the JSON, also in its own
process with the same ticker.
"""

from __future__ import annotations

from typing import Any

from bench.core import Row, median
from bench.server import BenchContext

FIRST_PAGE = 100
PAGE = 5000  # RunloopApp's defaults


def run(ctx: BenchContext) -> list[Row]:
    sizes = ctx.sizes
    n = sizes.big_objects
    ctx.seeded("big", n)
    params = {"first_page_size": FIRST_PAGE, "page_size": PAGE}
    apps: list[dict[str, Any]] = []
    bares: list[dict[str, Any]] = []
    for _ in range(sizes.load_runs):
        bares.append(ctx.child("load-httpx", params, "big"))
        app = ctx.child("load-app", {}, "big")
        if app["loaded"] != n or app["total"] != n:
            raise RuntimeError(f"the app loaded {app['loaded']} of {app['total']}, not {n}")
        apps.append(app)

    def med(results: list[dict[str, Any]], key: str) -> float:
        return median([float(r[key]) for r in results])

    label = f"{n:,} objects"
    total = Row(
        number="2a",
        what=f"Load {label} into the table: total time",
        figure=med(apps, "seconds") * 1000,
        baseline=med(bares, "seconds") * 1000,
        unit="ms",
        target=1.5,
        target_text="≤ 1.5x",
    )
    total.notes.append(
        f"median of {len(apps)} runs; app runs (s): "
        + ", ".join(f"{a['seconds']:.2f}" for a in apps)
        + "; httpx runs (s): "
        + ", ".join(f"{b['seconds']:.2f}" for b in bares)
        + f"; first rows painted after {med(apps, 'first_rows_s') * 1000:.0f} ms",
    )
    after_paint = median([float(a["seconds"]) - float(a["first_rows_s"]) for a in apps])
    total.notes.append(
        "the figure counts from the app's start (CSS, compose, first paint), the baseline has "
        f"no start-up; from the first painted rows to the last page the app took "
        f"{after_paint * 1000:.0f} ms ({after_paint / med(bares, 'seconds'):.2f}x the baseline)"
    )
    total.notes.append(
        f"CPU seconds of the measuring process (all threads; insensitive to machine load): app "
        f"{med(apps, 'cpu_s'):.2f} s, httpx loop {med(bares, 'cpu_s'):.2f} s; the server "
        f"process used {med(apps, 'server_cpu_s'):.2f} s and "
        f"{med(bares, 'server_cpu_s'):.2f} s of CPU meanwhile (its time is part of both wall times)"
    )
    stall = Row(
        number="2b",
        what=f"Load {label}: longest event-loop stall",
        figure=max(float(a["max_stall_s"]) for a in apps) * 1000,
        baseline=max(float(b["max_stall_s"]) for b in bares) * 1000,
        unit="ms",
        target=100,
        target_on="absolute",
        target_text="≤ 100 ms",
    )
    stall.notes.append(
        "worst over the runs, from the first painted rows to the last page (5 ms ticker); "
        "including app start-up (CSS, compose, first layout) it was "
        f"{max(float(a['max_stall_with_startup_s']) for a in apps) * 1000:.0f} ms"
    )
    rss = Row(
        number="2c",
        what=f"Load {label}: peak RSS",
        figure=max(float(a["peak_rss_mb"]) for a in apps),
        baseline=max(float(b["peak_rss_mb"]) for b in bares),
        unit="MB",
        target=300,
        target_on="absolute",
        target_text="≤ 300 MB",
    )
    rss.notes.append(
        f"whole process (VmHWM); before the load: app {med(apps, 'rss_before_mb'):.0f} MB, "
        f"httpx loop {med(bares, 'rss_before_mb'):.0f} MB"
    )
    return [total, stall, rss]
