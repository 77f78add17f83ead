"""`runloop-tui du` against the real local server."""

from __future__ import annotations

import json

import pytest

from tests.scripting.conftest import NOW_MS, run

pytestmark = pytest.mark.usefixtures("remote_env")
DAY_MS = 86_400_000


def test_json_groups_by_top_prefix_with_every_field() -> None:
    result = run("du", "--format", "json")
    assert result.status == 0, result.err
    rows = json.loads(result.out)
    assert [r["prefix"] for r in rows] == ["agent-runs/", "logs/", "", "scratch/"]
    runs = rows[0]
    assert runs == {
        "prefix": "agent-runs/",
        "count": 4,
        "size_bytes": 5_000_057,
        "oldest_create_time_ms": runs["oldest_create_time_ms"],
        "newest_create_time_ms": runs["newest_create_time_ms"],
        "states": {"READ_ONLY": 2, "UPLOADING": 2},
    }
    # Seeded 3 days and 0.1 day ago (to the millisecond, minus the seeding offset).
    assert abs(runs["oldest_create_time_ms"] - (NOW_MS - 3 * DAY_MS)) < 100
    assert abs(runs["newest_create_time_ms"] - (NOW_MS - DAY_MS // 10)) < 100
    assert rows[1]["states"] == {"READ_ONLY": 1, "ERROR": 1}
    assert rows[2]["count"] == 1 and rows[2]["size_bytes"] == 900  # README.txt, no "/"


def test_depth_and_filter_and_sort() -> None:
    result = run("du", "name:agent-runs/", "--depth", "2", "--sort", "name", "--format", "json")
    rows = json.loads(result.out)
    assert [(r["prefix"], r["count"]) for r in rows] == [
        ("agent-runs/2026-11-28/", 1),
        ("agent-runs/2026-11-29/", 3),
    ]
    by_count = json.loads(run("du", "--sort", "count", "--format", "json").out)
    assert by_count[0]["prefix"] == "agent-runs/"
    by_age = json.loads(run("du", "--sort", "age", "--format", "json").out)
    assert [r["prefix"] for r in by_age] == ["", "logs/", "agent-runs/", "scratch/"]


def test_table_shows_counts_sizes_shares_and_states() -> None:
    result = run("du")
    lines = result.out.splitlines()
    assert lines[0].split() == ["PREFIX", "COUNT", "SIZE", "SHARE", "OLDEST", "NEWEST", "STATES"]
    runs = lines[1]
    assert runs.startswith("agent-runs/") and "5.0 MB" in runs and "97.6%" in runs
    assert "2 UPLOADING · 2 READ_ONLY" in runs
    assert lines[3].startswith("(top level)")


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_an_empty_result(fmt: str) -> None:
    result = run("du", "name:nothing-here", "--format", fmt)
    assert result.status == 0
    assert result.out == ("[]\n" if fmt == "json" else "")


def test_an_invalid_filter_and_depth_are_usage_errors() -> None:
    bad = run("du", "expires:soon")
    assert bad.status == 2 and "'expires:soon' (characters 1-12)" in bad.err
    zero = run("du", "--depth", "0")
    assert zero.status == 2 and "expected 1 or more" in zero.err
