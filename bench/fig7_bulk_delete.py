"""Figure 7: bulk delete of marked objects, through the TUI.

Figure: the real app, headless, fully loaded; the objects are marked, then "D", the count
typed, Enter; timed from Enter until the table no longer holds any of them (the progress
modal has run the deletes with the UI's bounded concurrency and closed). Baseline: the same
number of other objects deleted one by one in sequence with the same client class.

7a talks to the local server directly. 7b goes through a loopback proxy that adds a remote
API's round trip (20 ms), which is what the UI's concurrency is for: on loopback a delete is
pure CPU on both ends, so there is little waiting to overlap, and the UI's adaptive limit
keeps only 2-4 deletes in flight there (up to 8 through the proxy).

7c puts the TUI beside the raw client's adaptive bulk delete (api/bulk.py, the engine of
`runloop-tui rm`), in the same run, on loopback: each deletes the same number of objects
(every other one of a fresh store), alternating which goes first, three times. On loopback
the client process is the bottleneck (its CPU per delete exceeds the server's), so every
millisecond the UI spends on the event loop comes straight off the throughput.
"""

from __future__ import annotations

import json

from bench.core import Row, median
from bench.server import DELETE_VS_RUNS, BenchContext


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
    return [local, remote, _tui_vs_client(ctx)]


def _tui_vs_client(ctx: BenchContext) -> Row:
    n = ctx.sizes.delete_objects
    tui: list[tuple[float, float]] = []  # (deletes per second, CPU ms per delete)
    raw: list[tuple[float, float]] = []
    for run in range(DELETE_VS_RUNS):
        # Alternate who goes first, so a drift in the machine's load does not favour one.
        order = ("delete-tui", "delete-client") if run % 2 == 0 else ("delete-client", "delete-tui")
        for slot, mode in enumerate(order):
            account = f"delete_vs_{2 * run + slot}"
            ids = ctx.seeded(account, 2 * n)
            ids_file = ctx.server.work_dir / f"{account}.json"
            ids_file.write_text(json.dumps(ids[1::2]))  # spread over the whole list
            result = ctx.child(mode, {"ids_file": str(ids_file)}, account)
            done = result["marked"] if mode == "delete-tui" else result["deleted"]
            if done != n or result.get("remaining", n) != n or result.get("failed", 0):
                raise RuntimeError(f"{mode}: {result}")
            sample = (n / float(result["seconds"]), float(result["cpu_s"]) * 1000 / n)
            (tui if mode == "delete-tui" else raw).append(sample)
    row = Row(
        number="7c",
        what=f"Bulk delete of {n:,} objects: the TUI vs the raw client (loopback), throughput",
        figure=median([t for t, _ in tui]),
        baseline=median([r for r, _ in raw]),
        unit="deletes/s",
        target=0.85,
        direction="min",
        target_text="≥ 0.85x",
    )
    pairs = list(zip(tui, raw, strict=True))
    ratios = ", ".join(f"{t / r:.2f}x" for (t, _), (r, _) in pairs)
    row.notes.append(
        f"{DELETE_VS_RUNS} runs, alternating, each on a fresh store of {2 * n:,}; per-run "
        f"ratios {ratios}; TUI deletes/s {', '.join(f'{t:.0f}' for t, _ in tui)}; raw client "
        f"{', '.join(f'{r:.0f}' for r, _ in raw)}"
    )
    row.notes.append(
        "client-process CPU per delete (less sensitive to load): TUI "
        f"{', '.join(f'{c:.2f}' for _, c in tui)} ms, raw client "
        f"{', '.join(f'{c:.2f}' for _, c in raw)} ms (raw over TUI, median "
        f"{median([rc / tc for (_, tc), (_, rc) in pairs]):.2f}x; on loopback the client's CPU "
        "bounds the throughput); the TUI's is timed from Enter (confirm, progress modal, "
        "deletes, rows removed), the raw client's is the deletes alone"
    )
    return row
