"""Manual benchmark for the filter language (not a test; pytest does not collect it).

Run: .venv/bin/python tests/query/bench_filter.py
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from functools import partial

from runloop_tui.api.models import ContentType, ObjectState, ObjectView
from runloop_tui.query.filter import ObjectIndex, compile_filter

NOW = 1_800_000_000_000
DAY = 86_400_000
FILTERS = [
    "report",
    "report state:read_only",
    "report -state:error",
    "state:uploading,error type:tgz",
    "age>7d size>1MB",
    "expires<1d -expired",
    "meta:agent=claude",
    'report state:read_only age<30d size>10KB -tmp meta:agent "run 4"',
]


def make_objects(n: int, seed: int = 1) -> list[ObjectView]:
    rng = random.Random(seed)
    words = ["report", "build", "tmp", "dataset", "checkpoint", "logs", "run", "model"]
    states = list(ObjectState)
    types = list(ContentType)
    out = []
    for i in range(n):
        name = f"{rng.choice(words)}-{rng.choice(words)}/run {i % 97}/{rng.randrange(10**6)}.tgz"
        out.append(
            ObjectView(
                id=f"obj_{i:024x}",
                name=name,
                state=rng.choice(states),
                content_type=rng.choice(types),
                create_time_ms=NOW - rng.randrange(60 * DAY),
                size_bytes=None if i % 10 == 0 else rng.randrange(10**8),
                delete_after_time_ms=None if i % 3 else NOW + rng.randrange(-5 * DAY, 60 * DAY),
                metadata={"agent": rng.choice(["claude", "codex"])} if i % 2 else None,
            )
        )
    return out


def best_ms(fn: Callable[[], object], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return min(times)


def main() -> None:
    for n in (10_000, 100_000):
        objects = make_objects(n)
        t0 = time.perf_counter()
        index = ObjectIndex(objects)
        build = (time.perf_counter() - t0) * 1000
        print(f"\n{n:,} objects (index build {build:.1f} ms)")
        print(f"{'filter':62} {'compile':>8} {'filter':>8} {'hits':>7}")
        for text in FILTERS:
            compiled = compile_filter(text)
            compile_ms = best_ms(partial(compile_filter, text))
            hits = len(compiled.filter_indices(index, NOW))
            ms = best_ms(partial(compiled.filter_indices, index, NOW))
            print(f"{text:62} {compile_ms:7.3f}ms {ms:7.2f}ms {hits:7,}")


if __name__ == "__main__":
    main()
