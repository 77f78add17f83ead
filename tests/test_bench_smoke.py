"""The benchmark harness runs: its cheapest figure, on a tiny store, yields real numbers.

No assertion on any time: only that the figure and its baseline were measured.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_bench_help_lists_every_figure() -> None:
    from bench import FIGURES

    out = subprocess.run(
        [sys.executable, "-m", "bench", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    assert "--quick" in out and "--only" in out
    for number, (_, title) in FIGURES.items():
        assert f"{number}  {title}" in out


def test_bench_rejects_an_unknown_figure() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "99"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 2
    assert "no figure" in proc.stderr


@pytest.mark.timeout(60)
def test_list_figure_measures_numbers_on_a_small_store() -> None:
    from bench import Sizes
    from bench.fig6_list import run
    from bench.report import markdown_table, text_table
    from bench.server import BenchContext

    ctx = BenchContext(Sizes.small(), log=lambda _line: None)
    try:
        rows = run(ctx, objects=2_000, requests=5)
    finally:
        ctx.close()
    assert not ctx.server.work_dir.exists()  # the server's temporary store is gone
    (row,) = rows
    assert row.number == "6"
    assert "2,000-object store" in row.what
    for value in (row.figure, row.baseline, row.ratio):
        assert math.isfinite(value) and value > 0
    assert row.verdict in ("PASS", "MISS")
    assert "5 requests" in row.notes[0]
    assert "| 6 |" in markdown_table(rows)
    assert row.what in text_table(rows)
