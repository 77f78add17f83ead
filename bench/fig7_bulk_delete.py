"""Figure 7: bulk delete of marked objects, through the TUI.

Figure: the real app, headless, fully loaded; the objects are marked, then "D", the count
typed, Enter; timed from Enter until the table no longer holds any of them (the progress
modal has run the deletes with the UI's bounded concurrency and closed). Baseline: the same
number of other objects deleted one by one in sequence with the same client class.
"""

from __future__ import annotations

import json

from bench.core import Row
from bench.server import BenchContext


def run(ctx: BenchContext) -> list[Row]:
    n = ctx.sizes.delete_objects
    ids = ctx.seeded("delete", 2 * n)
    sequential_file = ctx.server.work_dir / "delete-sequential.json"
    bulk_file = ctx.server.work_dir / "delete-bulk.json"
    # Both halves are spread over the whole list: every other object.
    sequential_file.write_text(json.dumps(ids[0::2]))
    bulk_file.write_text(json.dumps(ids[1::2]))
    sequential = ctx.child("delete-sequential", {"ids_file": str(sequential_file)}, "delete")
    bulk = ctx.child("delete-tui", {"ids_file": str(bulk_file)}, "delete")
    if bulk["marked"] != n or bulk["remaining"] != 0:
        raise RuntimeError(f"bulk delete: marked {bulk['marked']}, left {bulk['remaining']}")
    row = Row(
        number="7",
        what=f"Bulk delete of {n:,} marked objects",
        figure=float(bulk["seconds"]) * 1000,  # type: ignore[arg-type]
        baseline=float(sequential["seconds"]) * 1000,  # type: ignore[arg-type]
        unit="ms",
        target=0.25,
        target_text="≤ 0.25x (≥ 4x faster)",
    )
    speedup = row.baseline / row.figure if row.figure else float("inf")
    row.notes.append(
        f"{speedup:.1f}x faster than one by one; the TUI keeps 8 deletes in flight "
        "(tui/actions/bulk.py DEFAULT_CONCURRENCY)"
    )
    return [row]
