"""``serve`` with backends it cannot use: one clear line and exit status 1, never a traceback."""

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
    ("args", "words"),
    [
        (["--metadata-url", "postgresql://u:hunter2@127.0.0.1:1/db"], ["cannot connect"]),
        (["--metadata-url", "mysql://x/y"], ["--metadata-url", "postgresql://"]),
        (["--content-url", "ftp://x/y"], ["--content-url", "s3://BUCKET/PREFIX"]),
        (["--public-url", "evil.example"], ["--public-url", "http(s)://"]),
        (["--signing-key-file", "/nonexistent/key"], ["/nonexistent/key"]),
        (["--sweep-seconds", "0"], ["--sweep-seconds"]),
    ],
)
def test_unusable_backend_settings_are_one_line(
    tmp_path: Path, args: list[str], words: list[str]
) -> None:
    status, err = _serve(tmp_path, *args)
    assert status == 1 and "Traceback" not in err, err
    assert err.startswith("runloop-tui serve: error: ")
    for word in words:
        assert word in err, (word, err)
    assert "hunter2" not in err  # a password in the URL is never echoed
