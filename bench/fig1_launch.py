"""Figure 1: process start until the first object rows are painted (1,000 objects).

Baseline: a minimal Textual app painting one line, started the same way. Each run is a
fresh process (interpreter start and imports included, as a user sees it); the two kinds
alternate so drift hits both, after one discarded warm-up each.
"""

from __future__ import annotations

from bench.core import Row, median
from bench.server import BenchContext


def _launch(ctx: BenchContext, mode: str) -> tuple[float, float, float, int]:
    """(seconds to the painted rows, seconds to the app built, CPU seconds to the paint, rows)."""
    result = ctx.child(mode, {}, "launch")
    spawn = float(result["parent_spawn"])
    painted = float(result["painted"])
    imported = float(result["imported"])
    cpu = float(result["cpu"])
    return painted - spawn, imported - spawn, cpu, int(result["rows"])


def run(ctx: BenchContext) -> list[Row]:
    sizes = ctx.sizes
    ctx.seeded("launch", sizes.launch_objects)
    _launch(ctx, "launch-minimal")
    _launch(ctx, "launch-app")
    app_s: list[float] = []
    app_import_s: list[float] = []
    app_cpu_s: list[float] = []
    floor_s: list[float] = []
    floor_import_s: list[float] = []
    floor_cpu_s: list[float] = []
    rows = 0
    for _ in range(sizes.launch_runs):
        total, imported, cpu, _ = _launch(ctx, "launch-minimal")
        floor_s.append(total)
        floor_import_s.append(imported)
        floor_cpu_s.append(cpu)
        total, imported, cpu, rows = _launch(ctx, "launch-app")
        app_s.append(total)
        app_import_s.append(imported)
        app_cpu_s.append(cpu)
    row = Row(
        number="1",
        what=f"Launch to first rows painted, {sizes.launch_objects:,} objects",
        figure=median(app_s) * 1000,
        baseline=median(floor_s) * 1000,
        unit="ms",
        target=1.5,
        target_text="≤ 1.5x",
    )
    row.notes += [
        f"median of {sizes.launch_runs} fresh processes each, after a warm-up; app runs (ms): "
        + ", ".join(f"{s * 1000:.0f}" for s in app_s)
        + "; minimal-app runs (ms): "
        + ", ".join(f"{s * 1000:.0f}" for s in floor_s),
        f"of which interpreter start + imports + building the app: app "
        f"{median(app_import_s) * 1000:.0f} ms, minimal app {median(floor_import_s) * 1000:.0f} ms",
        f"CPU seconds from process start to the paint (insensitive to machine load): app "
        f"{median(app_cpu_s) * 1000:.0f} ms, minimal app {median(floor_cpu_s) * 1000:.0f} ms "
        f"({median(app_cpu_s) / median(floor_cpu_s):.2f}x)",
        f"the first frame with object rows had {rows} rows loaded (the app asks for a first "
        "page of 100, then streams the rest)",
    ]
    return [row]
