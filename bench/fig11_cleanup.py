"""Figure 11: cleanup at scale. The prefix aggregation behind `du` and the usage view, and
`runloop-tui rm` through a remote API's round trip.

11a, 11b (in this process, pure CPU): 100k objects named like agent output (agent-runs/DAY/
RUN/file, logs/sandbox-N/file, loose files). 11a builds the usage index and its top level,
sorted by size; 11b is the slowest of drilling into each top-level prefix and of re-sorting
the top level by each key. Baseline: the plainest possible grouping, one Python loop that
counts objects per top-level name, over the same objects, in the same run.

11c (from outside): `runloop-tui rm FILTER --yes` as a real process, timed from spawn to exit
(startup, listing and all), through bench/latency_proxy.py (20 ms round trip). Baseline:
as many other objects deleted one by one with the same client class, as a script calling
`rli` in a loop would. The filter (a metadata term) matches exactly the objects of one
seeded batch; the listing reads both batches.
"""

from __future__ import annotations

import gc
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial

from bench.core import Row, median
from bench.server import REPO_ROOT, BenchContext, bench_env
from runloop_tui.api.models import ContentType, ObjectState, ObjectView
from runloop_tui.query.usage import SORT_KEYS, UsageIndex, sort_entries

AGGREGATE_OBJECTS = 100_000
RUNS = 5
RM_ACCOUNT = "rm_remote"


def _objects(n: int) -> list[ObjectView]:

    rng = random.Random(8)
    states = [ObjectState.READ_ONLY] * 18 + [ObjectState.UPLOADING, ObjectState.ERROR]
    files = ("result.json", "checkpoint.bin", "trajectory.jsonl", "workspace.tgz")
    objects: list[ObjectView] = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.6:
            day = rng.randint(1, 60)
            date = f"2026-{10 + day // 31:02d}-{day % 31 + 1:02d}"
            run_id = f"run-{rng.randrange(16**4):04x}"
            name = f"agent-runs/{date}/{run_id}/{rng.choice(files)}"
        elif roll < 0.9:
            name = f"logs/sandbox-{rng.randrange(3000)}/{i}.log.gz"
        else:
            name = f"{rng.choice(('scratch', 'tmp', 'datasets'))}-{i}.bin"
        objects.append(
            ObjectView(
                id=f"obj_{i:024d}",
                name=name,
                state=rng.choice(states),
                content_type=ContentType.BINARY,
                create_time_ms=1_790_000_000_000 + rng.randrange(5_000_000_000),
                size_bytes=rng.randrange(1, 50_000_000),
            )
        )
    return objects


def _best_of(runs: int, work: Callable[[], object]) -> float:
    """Median wall time of `runs` calls, in ms."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return median(samples)


def _drill_ms(objects: list[ObjectView], prefix: str) -> float:
    """Median ms to open `prefix` (its level, sorted by size), each time in a fresh index
    whose top level is already shown: levels are remembered, so a repeat would be free."""
    samples = []
    for _ in range(RUNS):
        index = UsageIndex(objects)
        index.level("")
        started = time.perf_counter()
        sort_entries(index.level(prefix), "size")
        samples.append((time.perf_counter() - started) * 1000)
    return median(samples)


def _aggregate_rows(ctx: BenchContext) -> list[Row]:
    n = AGGREGATE_OBJECTS if not ctx.sizes.quick else 20_000
    objects = _objects(n)
    # As the app does with every loaded page: out of the cyclic collector's reach, whose
    # full passes over 100k objects would land in whichever step happens to trigger them.
    gc.freeze()
    try:
        return _measure_aggregation(objects, n)
    finally:
        gc.unfreeze()


def _measure_aggregation(objects: list[ObjectView], n: int) -> list[Row]:

    def baseline() -> None:
        counts: dict[str, int] = {}
        for obj in objects:
            top = obj.name.split("/", 1)[0]
            counts[top] = counts.get(top, 0) + 1

    def aggregate() -> None:
        sort_entries(UsageIndex(objects).level(""), "size")

    base_ms = _best_of(RUNS, baseline)
    aggregate_ms = _best_of(RUNS, aggregate)
    index = UsageIndex(objects)
    top = index.level("")
    prefixes = [e.prefix for e in top if not e.is_object]
    drills = {p: _drill_ms(objects, p) for p in prefixes}
    resorts: dict[str, float] = {}
    for key in SORT_KEYS:
        resorts[key] = _best_of(RUNS, partial(sort_entries, top, key))
    slowest_drill = max(drills, key=drills.__getitem__)
    slowest_sort = max(resorts, key=resorts.__getitem__)
    worst = max(drills[slowest_drill], resorts[slowest_sort])
    a = Row(
        number="11a",
        what=f"Usage view / du: group {n:,} objects by prefix",
        figure=aggregate_ms,
        baseline=base_ms,
        unit="ms",
        target=100,
        target_on="absolute",
        target_text="≤ 100 ms",
    )
    a.notes.append(
        f"index (names, sizes) + top level ({len(top):,} entries) + size sort; "
        f"baseline: one dict-count loop by top-level name ({a.ratio:.1f}x)"
    )
    b = Row(
        number="11b",
        what=f"Usage view: drill in or re-sort, {n:,} objects",
        figure=worst,
        baseline=base_ms,
        unit="ms",
        target=50,
        target_on="absolute",
        target_text="≤ 50 ms",
    )
    b.notes.append(
        f"slowest drill: {slowest_drill} ({len(index.level(slowest_drill)):,} entries) "
        f"{drills[slowest_drill]:.1f} ms; slowest re-sort: by {slowest_sort} "
        f"{resorts[slowest_sort]:.1f} ms"
    )
    return [a, b]


def _rm_row(ctx: BenchContext) -> Row:
    n = ctx.sizes.delete_objects  # 1,000 (200 with --quick)
    ids = ctx.seeded(RM_ACCOUNT, 2 * n)
    url = ctx.remote_url(ctx.sizes.remote_delay_ms)
    # seed_bulk puts objects in batches of 1,000 (metadata batch=bN), newest first.
    batch_size = 1000
    bulk_ids, other_ids = ids[:n], ids[batch_size : batch_size + n]
    if n > batch_size:
        raise ValueError("the rm figure deletes one seeded batch")
    ids_file = ctx.server.work_dir / "rm-sequential.json"
    ids_file.write_text(json.dumps(other_ids))
    sequential = ctx.child("delete-sequential", {"ids_file": str(ids_file)}, RM_ACCOUNT, url=url)
    with tempfile.TemporaryDirectory() as home:
        env = {
            **bench_env(),
            "RUNLOOP_API_KEY": ctx.key(RM_ACCOUNT),
            "RUNLOOP_BASE_URL": url,
            "XDG_CONFIG_HOME": home,  # no user config
        }
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "runloop_tui", "rm", "meta:batch=b0", "--yes"],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            timeout=600,
            check=False,
        )
        seconds = time.perf_counter() - started
    if done.returncode != 0 or f"Deleted {n:,} of {n:,} objects" not in done.stdout:
        raise RuntimeError(f"rm failed (exit {done.returncode}): {done.stdout}{done.stderr}")
    row = Row(
        number="11c",
        what=f"runloop-tui rm of {n:,} objects, {2 * ctx.sizes.remote_delay_ms:g} ms round trip",
        figure=seconds * 1000,
        baseline=float(sequential["seconds"]) * 1000,
        unit="ms",
        target=0.25,
        target_text="≤ 0.25x (≥ 4x faster)",
    )
    row.notes.append(
        f"speed-up over one by one: {row.baseline / row.figure:.1f}x; the figure is the whole "
        f"process (start, list {2 * n:,}, filter, delete {len(bulk_ids):,} with the TUI's "
        "adaptive concurrency); the baseline times the deletes alone"
    )
    return row


def run(ctx: BenchContext) -> list[Row]:
    return [*_aggregate_rows(ctx), _rm_row(ctx)]
