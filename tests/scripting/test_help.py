"""Each command's --help: examples, the cron line, and no secret."""

from __future__ import annotations

import pytest

from runloop_tui.config import API_KEY_ENV
from tests.scripting.conftest import run_process

SECRET = "rk_secret_do_not_print_4242"


@pytest.mark.parametrize("command", ["ls", "du", "rm"])
def test_help_shows_examples_and_the_shared_flags(command: str) -> None:
    result = run_process(command, "--help", env={API_KEY_ENV: SECRET})
    assert result.status == 0 and result.err == ""
    assert f"usage: runloop-tui {command}" in result.out
    assert "examples:" in result.out and f"  runloop-tui {command} " in result.out
    for flag in ("--profile", "--base-url", "--local", "--data-dir", "--read-only", "--config"):
        assert flag in result.out
    assert SECRET not in result.out


def test_rm_help_has_a_nightly_cron_line() -> None:
    out = run_process("rm", "--help").out
    assert "15 3 * * *  runloop-tui rm 'state:uploading' 'age>1d' --yes" in out


def test_the_main_help_points_at_the_commands() -> None:
    assert "runloop-tui ls|du|rm --help" in run_process("--help").out


def test_an_unknown_option_is_one_line_exit_2() -> None:
    result = run_process("ls", "--colour")
    assert result.status == 2 and result.err.count("\n") == 1
    assert "unknown flag --colour" in result.err
