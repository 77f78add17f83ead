"""The real program as a child process: on pipes (``run_cli``) or on a pseudo-terminal that
is its controlling terminal (``run_in_pty``), as a user's shell would start it."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Mapping
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

ESCAPES = re.compile(r"\x1b(\[[0-9;?<>=$]*[ -/]*[@-~]|\][^\x07]*\x07|[@-Z\\-_])")


def run_cli(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m runloop_tui ARGS`` with this environment plus ``env``; stdin is not a
    terminal (it is /dev/null)."""
    return subprocess.run(
        [sys.executable, "-m", "runloop_tui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def _controlling_terminal() -> None:
    """In the child: a session of its own whose terminal is the pty (stdin), so that ^C
    typed there becomes SIGINT, as in a real terminal."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def run_in_pty(
    args: list[str],
    env: Mapping[str, str],
    send: str,
    when: Callable[[str], bool],
    *,
    size: tuple[int, int] = (80, 24),
    timeout: float = 60.0,
    raw: bool = False,
) -> tuple[int, str]:
    """``python -m runloop_tui ARGS`` on a ``size`` pseudo-terminal: once ``when(what it
    wrote so far)``, type ``send`` in one write (as a paste or a burst arrives); read all it
    writes until it exits. Returns the exit status and that text, escape sequences removed
    (kept with ``raw``: to check what reached the terminal)."""
    main_fd, child_fd = pty.openpty()
    columns, rows = size
    fcntl.ioctl(child_fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "runloop_tui", *args],
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
        cwd=REPO_ROOT,
        env={**os.environ, "TERM": "xterm-256color", **env},
        close_fds=True,
        preexec_fn=_controlling_terminal,
    )
    os.close(child_fd)
    seen = b""
    sent = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main_fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(main_fd, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
            if not sent and when(ESCAPES.sub("", seen.decode("utf-8", "replace"))):
                os.write(main_fd, send.encode())
                sent = True
            if process.poll() is not None and not ready:
                break
        status = process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(main_fd)
    text = seen.decode("utf-8", "replace")
    text = text if raw else ESCAPES.sub("", text)
    assert sent, f"the moment to type {send!r} never came; saw: {text[-2000:]!r}"
    return status, text
