"""``serve`` with backends it cannot use: one clear line (exit 2 for a flag value of the wrong
kind, 1 for a store it cannot reach), never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    done = subprocess.run(
        [
            *(sys.executable, "-m", "runloop_tui.server", "--port", "0"),
            *("--data-dir", str(tmp_path), *args),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        env={**os.environ, **(env or {})},
    )
    return done.returncode, done.stderr


@pytest.mark.parametrize(
    ("args", "status", "words"),
    [
        (["--metadata-url", "postgresql://u:hunter2@127.0.0.1:1/db"], 1, ["cannot connect"]),
        # A flag value of the wrong kind is a usage error (2), like every bad flag value.
        (["--metadata-url", "mysql://x/y"], 2, ["--metadata-url", "postgresql://"]),
        (["--content-url", "ftp://x/y"], 2, ["--content-url", "s3://BUCKET/PREFIX"]),
        (["--public-url", "evil.example"], 2, ["--public-url", "http(s)://"]),
        (["--signing-key-file", "/nonexistent/key"], 2, ["/nonexistent/key", "does not exist"]),
        (["--sweep-seconds", "0"], 2, ["--sweep-seconds"]),
    ],
)
def test_unusable_backend_settings_are_one_line(
    tmp_path: Path, args: list[str], status: int, words: list[str]
) -> None:
    got, err = _serve(tmp_path, *args)
    assert got == status and "Traceback" not in err, err
    assert err.startswith("runloop-tui serve: error: ") and err.count("\n") == 1, err
    assert "[Errno" not in err
    for word in words:
        assert word in err, (word, err)
    assert "hunter2" not in err  # a password in the URL is never echoed
