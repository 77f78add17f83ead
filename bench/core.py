"""Shared pieces: result rows, sizes (full/quick), statistics, the stall ticker, machine facts."""

from __future__ import annotations

import asyncio
import math
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

# Figure number -> (module under bench/, what it measures).
FIGURES: dict[int, tuple[str, str]] = {
    1: ("fig1_launch", "Launch until the first rows are painted"),
    2: ("fig2_load", "Load every page into the table"),
    3: ("fig3_filter", "Filter keystroke until the table is repainted"),
    4: ("fig4_upload", "Upload through the client"),
    5: ("fig5_download", "Download through the client"),
    6: ("fig6_list", "Server list, name filter, limit 100"),
    7: ("fig7_bulk_delete", "Bulk delete of marked objects"),
    8: ("fig8_keystroke", "Filter keystroke to settled screen, through a terminal"),
    9: ("fig9_launch_outside", "Launch to first rows on screen, through a terminal"),
    10: ("fig10_server_load", "Server under load (wrk): mixed traffic, list throughput"),
    11: ("fig11_cleanup", "Cleanup at scale: prefix usage, and rm through a round trip"),
    12: ("fig12_scale", "Server on PostgreSQL and S3: list, replicas, CPU/GiB"),
    13: ("fig13_million", "A million objects: load, memory, stalls, filter index, keys"),
}

Direction = Literal["max", "min"]  # "max": ratio must be at most target; "min": at least
MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Sizes:
    """How big each figure's workload is; ``quick`` shrinks everything and says so."""

    quick: bool
    launch_objects: int = 1_000
    launch_runs: int = 5
    # The large store, shared by figures 2, 3 (its larger size) and 6.
    big_objects: int = 100_000
    load_runs: int = 3
    filter_small: int = 10_000
    filter_rounds: int = 2
    datatable_budget_s: float = 30.0
    transfer_bytes: int = 1024 * MB
    transfer_runs: int = 3
    list_requests: int = 50
    delete_objects: int = 1_000
    # Figure 7b: the same through a proxy adding a remote API's round trip.
    remote_delete_objects: int = 300
    remote_delay_ms: float = 10.0  # each way: 20 ms round trip
    # Figures 8 and 9: measured from outside, through a pty.
    terminal_objects: int = 100_000
    terminal_runs: int = 3
    # Figure 10: wrk runs of this many seconds, this many times.
    load_seconds: int = 10
    load_runs_server: int = 3
    # Figure 13: a million objects (seeded once, ~1 minute), loaded and typed into per run.
    million_objects: int = 1_000_000
    million_runs: int = 3

    @classmethod
    def full(cls) -> Sizes:
        return cls(quick=False)

    @classmethod
    def small(cls) -> Sizes:
        return cls(
            quick=True,
            launch_runs=3,
            big_objects=20_000,
            load_runs=1,
            filter_small=2_000,
            filter_rounds=1,
            datatable_budget_s=8.0,
            transfer_bytes=64 * MB,
            transfer_runs=2,
            list_requests=30,
            delete_objects=200,
            remote_delete_objects=100,
            terminal_objects=20_000,
            terminal_runs=1,
            load_seconds=3,
            load_runs_server=1,
            million_objects=100_000,
            million_runs=1,
        )


@dataclass(slots=True)
class Row:
    """One line of the results table: a figure, its same-run baseline, and the verdict."""

    number: str
    what: str
    figure: float
    baseline: float
    unit: str
    target: float | None  # on the ratio figure/baseline, or on the figure if absolute
    direction: Direction = "max"
    # "ratio": the target applies to figure/baseline; "absolute": to the figure itself.
    target_on: Literal["ratio", "absolute"] = "ratio"
    target_text: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        if self.baseline == 0:
            return math.inf if self.figure else 1.0
        return self.figure / self.baseline

    @property
    def passed(self) -> bool | None:
        if self.target is None:
            return None
        value = self.ratio if self.target_on == "ratio" else self.figure
        return value <= self.target if self.direction == "max" else value >= self.target

    @property
    def verdict(self) -> str:
        passed = self.passed
        return "info" if passed is None else ("PASS" if passed else "MISS")


# --- statistics ---


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least pct% at or below it."""
    if not values:
        raise ValueError("no samples")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return float(ordered[rank - 1])


# --- event-loop stalls ---


class StallTicker:
    """A task that sleeps ``interval`` and records every gap between wake-ups.

    Textual is driven by the same asyncio loop, so a long gap is a UI freeze: keys and
    repaints wait that long.
    """

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.ticks: list[tuple[float, float]] = []  # (wake-up time, gap since previous)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(self.interval)
            now = time.perf_counter()
            self.ticks.append((now, now - last))
            last = now

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def max_gap(self, start: float = -math.inf, end: float = math.inf) -> float:
        """The longest gap that overlaps [start, end], in seconds."""
        gaps = [gap for t, gap in self.ticks if t >= start and t - gap <= end]
        return max(gaps, default=0.0)


# --- memory and machine ---


def _status_kib(field_name: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def peak_rss_mb() -> float:
    """This process's peak resident set size so far.

    VmHWM, not ru_maxrss: on Linux ru_maxrss survives exec, so a child started from a big
    parent would report the parent's size.
    """
    kib = _status_kib("VmHWM")
    if kib is None:
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024


def current_rss_mb() -> float:
    kib = _status_kib("VmRSS")
    return peak_rss_mb() if kib is None else kib / 1024


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_facts() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    def ver(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    return {
        "nproc": str(os.cpu_count() or "?"),
        "cpu": cpu_model(),
        "python": f"{platform.python_implementation()} {sys.version.split()[0]}",
        "os": f"{platform.system()} {platform.release()}",
        "textual": ver("textual"),
        "httpx": ver("httpx"),
        "uvicorn": ver("uvicorn"),
    }


def fmt(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value:,.1f} ms" if value < 100 else f"{value:,.0f} ms"
    if unit == "s":
        return f"{value:,.2f} s"
    if unit == "MB":
        return f"{value:,.1f} MB"
    if unit == "MB/s":
        return f"{value:,.0f} MB/s"
    return f"{value:,.3g} {unit}".strip()
