"""Shared by figures 4 and 5: a large source file, curl, and presigned URLs via the API."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import httpx

from bench.core import MB, Row, median
from bench.server import BenchContext

BLOCK = 1 << 20


def curl_path() -> str:
    found = shutil.which("curl")
    if found is None:
        raise RuntimeError("curl is needed for figures 4 and 5 (apt-get install -y curl)")
    return found


def make_source(path: Path, size: int) -> Path:
    """A real file (not sparse) of incompressible bytes, written once."""
    if path.exists() and path.stat().st_size == size:
        return path
    block = os.urandom(BLOCK)
    with open(path, "wb") as f:
        written = 0
        while written < size:
            # Vary each block a little so nothing along the way can deduplicate it.
            chunk = written.to_bytes(8, "little") + block[8 : min(BLOCK, size - written)]
            f.write(chunk[: size - written])
            written += len(chunk[: size - written])
    return path


def api(ctx: BenchContext, account: str) -> httpx.Client:
    return httpx.Client(
        base_url=ctx.url,
        headers={"Authorization": f"Bearer {ctx.key(account)}"},
        timeout=120,
    )


def _hwm_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def curl(args: list[str]) -> tuple[float, float]:
    """Run curl; returns (seconds, curl's peak RSS in MB, sampled every 20 ms).

    Sampled from /proc, not taken from wait4: ru_maxrss would include this (large) parent,
    which the child was forked from.
    """
    start = time.perf_counter()
    proc = subprocess.Popen([curl_path(), "-sS", "--fail", *args])
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _hwm_kib(proc.pid))
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"curl failed with exit status {proc.returncode}")
    return seconds, peak / 1024


def transfer_rows(
    number: int,
    verb: str,
    size: int,
    client_s: list[float],
    curl_s: list[float],
    growth: list[float],
    curl_rss: list[float],
    *,
    speed_note: str,
    memory_target_text: str,
) -> list[Row]:
    """The throughput row (vs curl) and the memory row (absolute) of figures 4 and 5."""
    mb = size / MB
    label = f"{mb / 1024:g} GiB" if mb >= 1024 else f"{mb:g} MiB"
    speed = Row(
        number=f"{number}a",
        what=f"{verb} {label} through the client: throughput",
        figure=mb / median(client_s),
        baseline=mb / median(curl_s),
        unit="MB/s",
        target=0.8,
        direction="min",
        target_text="≥ 0.8x",
    )
    speed.notes.append(
        f"median of {len(client_s)}; client runs (s): "
        + ", ".join(f"{s:.2f}" for s in client_s)
        + "; curl runs (s): "
        + ", ".join(f"{s:.2f}" for s in curl_s)
        + f"; {speed_note}"
    )
    memory = Row(
        number=f"{number}b",
        what=f"{verb} {label}: client peak RSS growth",
        figure=max(growth),
        baseline=max(curl_rss),
        unit="MB",
        target=64,
        target_on="absolute",
        target_text=memory_target_text,
    )
    memory.notes.append("baseline column: curl's whole peak RSS, for scale")
    return [speed, memory]
