"""Words that look like flags (`-rf`, `-y`, `--force`) are never taken silently as filter
terms, and `rm` with negated terms only needs --all, as an empty filter does (trial #5)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.scripting.conftest import ALL_NAMES, names_in_store, run, run_process

if TYPE_CHECKING:
    from runloop_tui.server.embedded import EmbeddedServer

pytestmark = pytest.mark.usefixtures("remote_env")


@pytest.mark.parametrize(
    "argv",
    [
        ["rm", "-rf", "--yes"],
        ["rm", "--yes", "-y"],
        ["rm", "-f", "name:scratch/", "--yes"],
        ["ls", "-f"],
        ["du", "-rf"],
    ],
)
def test_a_short_flag_word_is_a_usage_error_with_the_way_out(
    seeded: EmbeddedServer, argv: list[str]
) -> None:
    refused = run(*argv)
    assert refused.status == 2, refused
    assert refused.err.count("\n") == 1, refused.err
    assert "unknown flag" in refused.err
    assert "write the term after --" in refused.err
    assert refused.out == ""
    assert names_in_store(seeded) == ALL_NAMES


def test_a_long_flag_with_one_dash_or_misspelt_is_named(seeded: EmbeddedServer) -> None:
    one_dash = run("rm", "name:scratch/", "-yes")
    assert one_dash.status == 2
    assert "did you mean --yes?" in one_dash.err
    misspelt = run("rm", "name:scratch/", "--yse")
    assert misspelt.status == 2
    assert "unknown flag --yse; did you mean --yes?" in misspelt.err
    force = run("rm", "name:scratch/", "--force")
    assert force.status == 2 and "unknown flag --force" in force.err
    assert names_in_store(seeded) == ALL_NAMES


def test_the_real_command_refuses_rm_rf(seeded: EmbeddedServer) -> None:
    done = run_process("rm", "-rf", "--yes")
    assert done.status == 2, done
    assert "unknown flag '-rf'" in done.err
    assert names_in_store(seeded) == ALL_NAMES


@pytest.mark.parametrize("argv", [["--", "-rf"], ["-scratch"], ["-scratch", "-state:error"]])
def test_rm_with_negations_only_needs_all(seeded: EmbeddedServer, argv: list[str]) -> None:
    refused = run("rm", "--yes", *argv)
    assert refused.status == 2, refused
    assert "only negated terms" in refused.err and "--all" in refused.err
    assert names_in_store(seeded) == ALL_NAMES


def test_with_all_negations_only_delete_the_rest(seeded: EmbeddedServer) -> None:
    done = run("rm", "--all", "--yes", "-scratch")
    assert done.status == 0, done.err
    assert names_in_store(seeded) == {"scratch/old.txt"}


def test_a_negation_beside_a_positive_term_still_works(seeded: EmbeddedServer) -> None:
    done = run("rm", "name:agent-runs/", "-checkpoint", "--yes")
    assert done.status == 0, done.err
    assert names_in_store(seeded) == ALL_NAMES - {"agent-runs/2026-11-29/run-1/result.json"}
    listed = run("ls", "-tmp", "--format", "ids", "--sort", "-size")
    assert listed.status == 0, listed.err
    assert len(listed.out.split()) == len(ALL_NAMES) - 1
