"""Run a program in a real pseudo-terminal and read its screen, as a user's terminal would.

Keys are written in one ``os.write`` each call, as SSH and tmux deliver a burst or a paste:
the program reads them in one go, which Pilot (one key at a time) can never show.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pyte


class Terminal:
    """A child process on a pty of a fixed size, with a pyte screen fed by a reader thread."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        size: tuple[int, int] = (120, 36),
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        unset: Sequence[str] = (),
    ) -> None:
        columns, lines = size
        self.screen = pyte.Screen(columns, lines)
        self._stream = pyte.ByteStream(self.screen)
        self._lock = threading.Lock()
        self.raw = bytearray()
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        full_env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "", "LINES": ""}
        full_env.pop("COLUMNS")
        full_env.pop("LINES")
        full_env.update(env or {})
        for name in unset:
            full_env.pop(name, None)
        self.process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full_env,
            cwd=cwd,
            start_new_session=True,  # the pty becomes its controlling terminal: hangups work
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )
        os.close(slave)
        self._master = master
        self._stopping = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while not self._stopping:
            try:
                ready, _, _ = select.select([self._master], [], [], 0.1)
                if not ready:
                    if self.process.poll() is not None:
                        return
                    continue
                data = os.read(self._master, 65536)
            except (OSError, ValueError):  # closed under us
                return
            if not data:
                return
            with self._lock:
                self.raw += data
                self._stream.feed(data)

    # --- input ---
    def write(self, data: str | bytes) -> None:
        """One write: every byte reaches the program in the same read, like a burst."""
        payload = data.encode() if isinstance(data, str) else data
        os.write(self._master, payload)

    # --- output ---
    def text(self) -> str:
        with self._lock:
            return "\n".join(self.screen.display)

    def line(self, y: int) -> str:
        with self._lock:
            return str(self.screen.display[y])

    def wait_for(
        self, predicate: str | Callable[[str], bool], timeout: float = 15.0, *, settle: float = 0
    ) -> str:
        """Wait until the screen shows ``predicate`` (a substring or a test); its text."""
        test = (lambda text: predicate in text) if isinstance(predicate, str) else predicate
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.text()
            if test(text):
                if settle:
                    time.sleep(settle)
                    text = self.text()
                return text
            if self.process.poll() is not None:
                raise AssertionError(
                    f"the program exited ({self.process.returncode}) while waiting for "
                    f"{predicate!r}; its screen:\n{text}\nits output tail:\n{self.tail()}"
                )
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {predicate!r}; the screen:\n{self.text()}")

    def wait_quiet(self, quiet: float = 0.4, timeout: float = 10.0) -> str:
        """Wait until the output has not changed for ``quiet`` seconds; the screen's text."""
        deadline = time.monotonic() + timeout
        last = len(self.raw)
        since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.05)
            now = len(self.raw)
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                break
        return self.text()

    def tail(self, n: int = 4000) -> str:
        with self._lock:
            return bytes(self.raw[-n:]).decode(errors="replace")

    # --- ending ---
    def wait_exit(self, timeout: float = 15.0) -> int:
        return self.process.wait(timeout=timeout)

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def hang_up(self) -> None:
        """Close the terminal, as a dropped SSH connection does: the kernel sends SIGHUP."""
        self._stop_reader()
        with contextlib.suppress(OSError):
            os.close(self._master)
        self._master = -1

    def _stop_reader(self) -> None:
        self._stopping = True
        self._reader.join(timeout=2)

    def close(self) -> None:
        self._stop_reader()
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
        if self._master >= 0:
            with contextlib.suppress(OSError):
                os.close(self._master)
            self._master = -1

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def runloop_tui_argv(*args: str) -> list[str]:
    """The installed app, as a user starts it (``python -m runloop_tui`` of this interpreter)."""
    return [sys.executable, *(os.environ.get("RT_ENTRY", "-m runloop_tui").split()), *args]


DEMO_READY = "224 shown"  # what the header says once the demo store is fully loaded


@contextlib.contextmanager
def demo_terminal(size: tuple[int, int], *, timeout: float = 60.0) -> Iterator[Terminal]:
    """``runloop-tui --demo`` in a real pty of ``size``, its demo store fully loaded."""
    with Terminal(runloop_tui_argv("--demo"), size=size) as terminal:
        terminal.wait_for(DEMO_READY, timeout=timeout)
        yield terminal
