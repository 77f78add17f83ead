"""Figure 13: a million objects (issue 16, target 3).

The store is seeded straight into the local server's SQLite (seed_bulk), a year back so the
keystroke runs see no clock tick. Per run, in turn:

- 13a-c, the load: the real app, headless in its own process, until the loaded count equals
  the total (bench/child.py ``load-app``: total time, longest event-loop stall after the
  first painted rows, peak RSS as VmHWM); baseline, the same page requests by a bare httpx
  loop that only parses the JSON (``load-httpx``), same server, same run.
- 13e-f, keystrokes from outside: the app on a pty (bench/terminal.py), the whole list
  loaded, then figure 8's 74 keys typed; baseline, figure 8's floor app with the same
  million names. Each run starts both afresh.

``BENCH_FIG13=load`` runs the load alone (13a-c: no typing, no 13d or 13g), for quick
rounds while working on the load path: ``BENCH_FIG13=load python -m bench --only 13
--no-write`` (``--quick``: 100,000 objects, one run).

13d compares the two ways a filter that does not narrow the previous one can find its rows,
in this process, on the same names: one pass over the per-row names (a list comprehension,
what every key paid before) and the names buffer (query/terms.py ``name_hits``: one
``str.find`` scan in C, a bisect per hit). 13g is the memory one loaded object costs the
browser's model (tracemalloc), for the analysis.
"""

from __future__ import annotations

import gc
import os
import time
from typing import Any

from bench.core import Row, median, percentile
from bench.fig8_keystroke import QUIET_S, typing
from bench.outside import seeded_old, start_app, start_bare
from bench.server import BenchContext
from bench.terminal import KeySample

ACCOUNT = "million"
PARAMS = {"first_page_size": 100, "page_size": 5000}  # RunloopApp's defaults
# Non-narrowing filters for 13d: few hits, some hits, none, and every row.
NEEDLES = ("object-0001", "7/obj", "logs 2024", "99", "bulk")


def _type_run(ctx: BenchContext, count: int) -> tuple[list[KeySample], list[KeySample]]:
    with start_bare("floor", count) as term:
        term.wait_for(lambda s: "object-" in s, 300, "the floor app's rows")
        term.settle(QUIET_S)
        floor = [term.press(key, QUIET_S) for key, _ in typing()]
    with start_app(ctx, ACCOUNT) as term:
        term.wait_for(lambda s: f"{count:,} shown" in s, 900, "the whole list loaded")
        term.settle(QUIET_S)
        term.press("/", QUIET_S)
        app = [term.press(key, QUIET_S) for key, _ in typing()]
    return floor, app


def _search_compare(count: int) -> dict[str, Any]:
    """Time both ways of a non-narrowing name search over ``count`` seeded names."""
    from bench.bare_apps import bench_names
    from runloop_tui.query.terms import NameBuffer

    names = bench_names(count)  # as the index keeps them: lower case already
    index = NameBuffer()
    for start in range(0, count, PARAMS["page_size"]):  # page by page, as the app loads
        index.extend(names[start : start + PARAMS["page_size"]])
    index.hits("warm-up")  # joins the pages once, as the first search after a load does
    out: dict[str, Any] = {"per_row_ms": {}, "buffer_ms": {}, "hits": {}}
    for needle in NEEDLES:
        t0 = time.perf_counter()
        per_row = [i for i, name in enumerate(names) if needle in name]
        t1 = time.perf_counter()
        hits = index.hits(needle)
        t2 = time.perf_counter()
        if hits is not None and hits != per_row:
            raise RuntimeError(f"the names buffer disagrees for {needle!r}")
        out["per_row_ms"][needle] = (t1 - t0) * 1000
        out["buffer_ms"][needle] = None if hits is None else (t2 - t1) * 1000
        out["hits"][needle] = len(per_row)
    return out


def _bytes_per_object(count: int = 100_000) -> float:
    """What one loaded object costs the browser's model, parsed from JSON as the client does."""
    import json
    import tracemalloc

    from runloop_tui.api.models import ObjectListView
    from runloop_tui.tui.browser_model import BrowserModel

    now = int(time.time() * 1000)
    pages = [
        json.dumps(
            {
                "objects": [
                    {
                        "id": f"obj_{i:024d}",
                        "name": f"bulk/{i // 1000:04d}/object-{i:07d}.txt",
                        "state": "READ_ONLY",
                        "content_type": ("text", "binary", "unspecified", "gzip")[i % 4],
                        "create_time_ms": now - i * 1000,
                        "size_bytes": 0,
                        "metadata": {"batch": f"b{i // 1000}"},
                    }
                    for i in range(start, min(count, start + 5000))
                ],
                "has_more": True,
            }
        )
        for start in range(0, count, 5000)
    ]
    gc.collect()
    tracemalloc.start()
    model = BrowserModel()
    for page in pages:
        model.ingest(ObjectListView.from_json(json.loads(page)).objects, now)
    gc.collect()
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return held / count


def run(ctx: BenchContext) -> list[Row]:
    sizes = ctx.sizes
    n, runs = sizes.million_objects, sizes.million_runs
    seeded_old(ctx, ACCOUNT, n)
    apps: list[dict[str, Any]] = []
    bares: list[dict[str, Any]] = []
    floors: list[list[float]] = []
    typed: list[list[float]] = []
    load_only = os.environ.get("BENCH_FIG13") == "load"
    for _ in range(runs):
        bares.append(ctx.child("load-httpx", PARAMS, ACCOUNT))
        app = ctx.child("load-app", {}, ACCOUNT)
        if app["loaded"] != n or app["total"] != n:
            raise RuntimeError(f"the app loaded {app['loaded']} of {app['total']}, not {n}")
        apps.append(app)
        if load_only:
            continue
        floor, pressed = _type_run(ctx, n)
        floors.append([s.seconds * 1000 for s in floor])
        typed.append([s.seconds * 1000 for s in pressed])

    def med(results: list[dict[str, Any]], key: str) -> float:
        return median([float(r[key]) for r in results])

    def span(results: list[dict[str, Any]], key: str, scale: float = 1.0) -> str:
        return ", ".join(f"{float(r[key]) * scale:.2f}" for r in results)

    label = f"{n:,} objects"
    load = Row(
        "13a",
        f"Load {label}: total time",
        med(apps, "seconds") * 1000,
        med(bares, "seconds") * 1000,
        "ms",
        1.5,
        target_text="≤ 1.5x a bare httpx loop",
    )
    load.notes += [
        f"median of {runs} runs; app (s): {span(apps, 'seconds')}; httpx (s): "
        f"{span(bares, 'seconds')}; per-run ratios: "
        + ", ".join(
            f"{float(a['seconds']) / float(b['seconds']):.2f}x"
            for a, b in zip(apps, bares, strict=True)
        ),
        f"CPU of the measuring process: app {span(apps, 'cpu_s')} s, httpx {span(bares, 'cpu_s')}"
        f" s; server CPU meanwhile: {span(apps, 'server_cpu_s')} / {span(bares, 'server_cpu_s')} s",
    ]
    stall = Row(
        "13b",
        f"Load {label}: longest event-loop stall",
        max(float(a["max_stall_s"]) for a in apps) * 1000,
        max(float(b["max_stall_s"]) for b in bares) * 1000,
        "ms",
        100,
        target_on="absolute",
        target_text="≤ 100 ms",
    )
    stall.notes.append(
        "worst over the runs, from the first painted rows to the last page (5 ms ticker); "
        f"per run (ms): {span(apps, 'max_stall_s', 1000)}"
    )
    rss = Row(
        "13c",
        f"Load {label}: peak RSS",
        max(float(a["peak_rss_mb"]) for a in apps),
        max(float(b["peak_rss_mb"]) for b in bares),
        "MB",
        1024,
        target_on="absolute",
        target_text="≤ 1 GB",
    )
    rss.notes.append(f"whole process (VmHWM), per run (MB): {span(apps, 'peak_rss_mb')}")
    if load_only:
        return [load, stall, rss]
    search = _search_compare(n)
    sparse = [w for w in NEEDLES if search["buffer_ms"][w] is not None]
    buffer_total = sum(search["buffer_ms"][w] for w in sparse)
    per_row_total = sum(search["per_row_ms"][w] for w in sparse)
    index_row = Row(
        "13d",
        f"Non-narrowing name filter, {label}: names buffer vs a pass over every row",
        buffer_total,
        per_row_total,
        "ms",
        None,
        target_text="(measure both, choose)",
    )
    index_row.notes.append(
        "per needle, pass over every row / buffer (hits): "
        + "; ".join(
            f"{w!r} {search['per_row_ms'][w]:.0f} / "
            + (
                "not used (dense)"
                if search["buffer_ms"][w] is None
                else f"{search['buffer_ms'][w]:.0f} ms"
            )
            + f" ({search['hits'][w]:,})"
            for w in NEEDLES
        )
    )
    app_keys = [v for r in typed for v in r]
    floor_keys = [v for r in floors for v in r]
    p95 = Row(
        "13e",
        f"Keystroke to settled screen, p95, {label}, from outside (pty)",
        percentile(app_keys, 95),
        percentile(floor_keys, 95),
        "ms",
        2.0,
        target_text="≤ 2x the floor app",
    )
    p95.notes.append(
        f"{len(typing())} keys x {runs} runs (figure 8's typing); per-run p95 app / floor (ms): "
        + ", ".join(
            f"{percentile(a, 95):.0f} / {percentile(f, 95):.0f}"
            for a, f in zip(typed, floors, strict=True)
        )
        + f"; p50 app {median(app_keys):.0f} ms, floor {median(floor_keys):.0f} ms"
    )
    slowest = Row(
        "13f",
        f"Slowest keystroke, {label}, from outside",
        max(app_keys),
        max(floor_keys),
        "ms",
        500,
        target_on="absolute",
        target_text="≤ 500 ms",
    )
    texts = [text for _, text in typing()]
    worst = sorted(((v, i) for r in typed for i, v in enumerate(r)), reverse=True)[:5]
    slowest.notes.append(
        "app's slowest keys: " + ", ".join(f"{ms:.0f} ms (-> {texts[i]!r})" for ms, i in worst)
    )
    per_object = Row(
        "13g",
        "Browser model memory per loaded object (tracemalloc, 100,000 objects)",
        _bytes_per_object(),
        0,
        "B",
        None,
        target_text="(for the analysis)",
    )
    return [load, stall, rss, index_row, p95, slowest, per_object]
