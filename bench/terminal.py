"""A real terminal for the bench: a process on a pty, its output fed to a pyte screen.

What the user feels is measured from outside the process: a key is written to the pty and
timed until the screen stops changing. The screen's state is its text plus the cursor's
position: a blinking cursor changes attributes, not text, and Textual ends every frame by
moving the terminal's cursor to the focused input's cursor, so a key that changes no text
(a space typed at the end of the filter, or erased) still shows as the cursor moving.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pyte

COLUMNS, LINES = 120, 36
_FRAME_END = re.compile(rb"\x1b\[\d+;\d+H$")


@dataclass(frozen=True, slots=True)
class KeySample:
    """One key: from its write to the last screen change before ``quiet_s`` of stillness."""

    key: str
    seconds: float
    changes: int  # screen updates (text changes) the key caused
    largest_gap_s: float  # longest stillness between two of them (vs the settle window)


class PtyApp:
    """``argv`` running on a pty of COLUMNS x LINES with TERM=xterm-256color."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], cwd: str | None = None) -> None:
        self.screen = pyte.Screen(COLUMNS, LINES)
        self._stream = pyte.ByteStream(self.screen)
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        full_env = {**env, "TERM": "xterm-256color", "COLUMNS": "", "LINES": ""}
        full_env = {k: v for k, v in full_env.items() if v}
        self.spawned = time.perf_counter()
        self.proc = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full_env,
            cwd=cwd,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self._fd = master
        self._text: tuple[str, ...] = tuple(self.screen.display)
        self._cursor = (0, 0)
        self.last_change = self.spawned

    # --- reading ---
    def _pump(self, timeout: float) -> bool:
        """Read what is there (waiting up to ``timeout``); True if the screen changed.

        ``last_change`` is the arrival time of the read that changed it. A frame can span
        several reads, and half a frame has the cursor somewhere in the middle of the screen:
        the state is looked at only once nothing more is waiting and the output ends the way
        each Textual frame ends, with a cursor move (ESC [ row ; col H).
        """
        ready, _, _ = select.select([self._fd], [], [], max(0.0, timeout))
        if not ready:
            return False
        arrived = time.perf_counter()
        tail = b""
        while True:
            try:
                data = os.read(self._fd, 1 << 16)
            except OSError:  # the process ended (EIO on Linux)
                raise EOFError("the app's terminal closed") from None
            if not data:
                raise EOFError("the app's terminal closed")
            arrived = time.perf_counter()
            self._stream.feed(data)
            tail = (tail + data)[-16:]
            more, _, _ = select.select([self._fd], [], [], 0.0)
            if more:
                continue
            if _FRAME_END.search(tail):
                break
            more, _, _ = select.select([self._fd], [], [], 0.05)  # the rest of the frame
            if not more:
                break
        text = tuple(self.screen.display)
        cursor = (self.screen.cursor.x, self.screen.cursor.y)
        if text == self._text and cursor == self._cursor:
            return False
        self._text, self._cursor = text, cursor
        self.last_change = arrived
        return True

    def text(self) -> str:
        return "\n".join(self._text)

    def wait_for(self, condition: Callable[[str], bool], limit_s: float, what: str) -> float:
        """Read until the screen text satisfies ``condition``; returns when it first did."""
        deadline = time.perf_counter() + limit_s
        while not condition(self.text()):
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"timed out waiting for {what}; screen:\n{self.text()}")
            self._pump(min(left, 0.05))
        return self.last_change

    def settle(self, quiet_s: float, limit_s: float = 30.0) -> None:
        """Read until the screen has not changed for ``quiet_s``."""
        deadline = time.perf_counter() + limit_s
        while time.perf_counter() < deadline:
            if not self._pump(quiet_s) and time.perf_counter() - self.last_change >= quiet_s:
                return

    # --- typing ---
    def press(self, key: str, quiet_s: float, limit_s: float = 30.0) -> KeySample:
        """Write one key; time it until the screen text has been still for ``quiet_s``.

        The key must change the screen (every key here echoes in an input); a key that
        changes nothing within ``limit_s`` counts as ``limit_s``.
        """
        data = b"\x7f" if key == "backspace" else key.encode()
        written = time.perf_counter()
        os.write(self._fd, data)
        changes, gap, previous = 0, 0.0, written
        deadline = written + limit_s
        while True:
            now = time.perf_counter()
            if now > deadline:
                break
            if self._pump(min(quiet_s, deadline - now)):
                changes += 1
                if changes > 1:
                    gap = max(gap, self.last_change - previous)
                previous = self.last_change
            elif changes and time.perf_counter() - self.last_change >= quiet_s:
                break
        end = self.last_change if changes else deadline
        return KeySample(key, end - written, changes, gap)

    # --- ending ---
    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        with contextlib.suppress(OSError):
            os.close(self._fd)

    def __enter__(self) -> PtyApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
