"""Figure 7: bulk delete of marked objects, through the TUI.

Figure: the real app, headless, fully loaded; the objects are marked, then "D", the count
typed, Enter; timed from Enter until the table no longer holds any of them (the progress
modal has run the deletes with the UI's bounded concurrency and closed). Baseline: the same
number of other objects deleted one by one in sequence with the same client class.

7a talks to the local server directly. 7b goes through a loopback proxy that adds a remote
API's round trip (20 ms), which is what the UI's concurrency is for: on loopback a delete is
pure CPU on both ends, so there is little waiting to overlap, and the UI's adaptive limit
keeps only 2-4 deletes in flight there (up to 8 through the proxy).
"""

from __future__ import annotations

import json

from bench.core import Row
from bench.server import BenchContext


def _measure(
    ctx: BenchContext, account: str, n: int, url: str | None, tag: str
) -> tuple[float, float, float]:
    """(bulk seconds, sequential seconds, server CPU seconds per delete in the bulk run)."""
    ids = ctx.seeded(account, 2 * n)
    sequential_file = ctx.server.work_dir / f"delete-sequential-{tag}.json"
    bulk_file = ctx.server.work_dir / f"delete-bulk-{tag}.json"
    # Both halves are spread over the whole list: every other object.
    sequential_file.write_text(json.dumps(ids[0::2]))
    bulk_file.write_text(json.dumps(ids[1::2]))
    sequential = ctx.child(
        "delete-sequential", {"ids_file": str(sequential_file)}, account, url=url
    )
    bulk = ctx.child("delete-tui", {"ids_file": str(bulk_file)}, account, url=url)
    if bulk["marked"] != n or bulk["remaining"] != 0:
        raise RuntimeError(f"bulk delete: marked {bulk['marked']}, left {bulk['remaining']}")
    return (
        float(bulk["seconds"]),
        float(sequential["seconds"]),
        float(sequential["server_cpu_s"]) / n,
    )


def _row(number: str, what: str, bulk_s: float, seq_s: float, note: str) -> Row:
    row = Row(
        number=number,
        what=what,
        figure=bulk_s * 1000,
        baseline=seq_s * 1000,
        unit="ms",
        target=0.25,
        target_text="≤ 0.25x (≥ 4x faster)",
    )
    row.notes.append(f"speed-up over one by one: {seq_s / bulk_s:.1f}x{note}")
    return row


def run(ctx: BenchContext) -> list[Row]:
    sizes = ctx.sizes
    n = sizes.delete_objects
    bulk_s, seq_s, server_cpu = _measure(ctx, "delete", n, None, "local")
    local = _row(
        "7a",
        f"Bulk delete of {n:,} marked objects (loopback)",
        bulk_s,
        seq_s,
        f" ({seq_s / n * 1000:.2f} ms per sequential delete, of which {server_cpu * 1000:.2f} ms "
        "is server CPU); the TUI keeps up to 8 deletes in flight, fewer while more would only "
        "queue (api/bulk.py AdaptiveLimit)",
    )
    m = sizes.remote_delete_objects
    remote_url = ctx.remote_url(sizes.remote_delay_ms)
    bulk_s, seq_s, _ = _measure(ctx, "delete_remote", m, remote_url, "remote")
    remote = _row(
        "7b",
        f"Bulk delete of {m:,} marked objects, {2 * sizes.remote_delay_ms:g} ms round trip",
        bulk_s,
        seq_s,
        f"; through bench/latency_proxy.py, which holds every chunk {sizes.remote_delay_ms:g} ms "
        "each way, like a nearby remote API",
    )
    return [local, remote]
