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
_SYNC_QUERY = b"\x1b[?2026$p"  # DECRQM: is synchronized output supported?
_SYNC_SUPPORTED = b"\x1b[?2026;2$y"  # yes (currently reset)
_SYNC_BEGIN, _SYNC_END = b"\x1b[?2026h", b"\x1b[?2026l"


@dataclass(frozen=True, slots=True)
class KeySample:
    """One key: from its write to the last screen change before ``quiet_s`` of stillness."""

    key: str
    seconds: float
    changes: int  # screen updates (text changes) the key caused
    largest_gap_s: float  # longest stillness between two of them (vs the settle window)
    change_times: tuple[float, ...] = ()  # when each change arrived, from the write


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
        # Input and output on separate opens of the pty: a non-blocking stdin (an app may set
        # O_NONBLOCK on it) must not make its frame writes fail half-way when we read late.
        out = os.open(os.ttyname(slave), os.O_RDWR | os.O_NOCTTY)
        self.proc = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=out,
            stderr=out,
            env=full_env,
            cwd=cwd,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        os.close(out)
        self._fd = master
        self._text: tuple[str, ...] = tuple(self.screen.display)
        self._cursor = (0, 0)
        self._in_frame = False
        self.last_change = self.spawned

    # --- reading ---
    def _pump(self, timeout: float) -> bool:
        """Read what is there (waiting up to ``timeout``); True if the screen changed.

        ``last_change`` is the arrival time of the read that changed it. A frame spans
        several reads, and half a frame is a screen nobody sees (on a busy machine, the
        writer may stall mid-frame): the terminal answers Textual's query for synchronized
        output (mode 2026, which kitty, WezTerm, iTerm2 and others support), so every frame
        comes between ESC[?2026h and ESC[?2026l, and the screen is looked at between frames
        only. What is read is fed to pyte once nothing more is pending: pyte (pure Python)
        takes ~1 ms per KB, and parsing each chunk of a 30 KB frame before reading the
        next one would add the bench's own parsing to the frame's arrival time.
        """
        ready, _, _ = select.select([self._fd], [], [], max(0.0, timeout))
        if not ready:
            return False
        arrived = time.perf_counter()
        chunks: list[bytes] = []
        while True:
            try:
                data = os.read(self._fd, 1 << 16)
            except OSError:  # the process ended (EIO on Linux)
                raise EOFError("the app's terminal closed") from None
            if not data:
                raise EOFError("the app's terminal closed")
            arrived = time.perf_counter()
            if _SYNC_QUERY in data:
                os.write(self._fd, _SYNC_SUPPORTED)
            chunks.append(data)
            begin, end = data.rfind(_SYNC_BEGIN), data.rfind(_SYNC_END)
            if begin > end:
                self._in_frame = True
            elif end > begin:
                self._in_frame = False
            if self._in_frame:
                more, _, _ = select.select([self._fd], [], [], 5.0)  # the rest of the frame
                if more:
                    continue
            more, _, _ = select.select([self._fd], [], [], 0.0)
            if not more:
                break
        self._stream.feed(b"".join(chunks))
        return self._changed(arrived)

    def _changed(self, arrived: float) -> bool:
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
        times: list[float] = []
        deadline = written + limit_s
        while True:
            now = time.perf_counter()
            if now > deadline:
                break
            # Output that changes nothing (a cursor blink) must not restart the quiet window.
            wait = quiet_s - (now - self.last_change) if changes else quiet_s
            if wait <= 0:
                break
            if self._pump(min(wait, deadline - now)):
                changes += 1
                times.append(self.last_change - written)
                if changes > 1:
                    gap = max(gap, self.last_change - previous)
                previous = self.last_change
        end = self.last_change if changes else deadline
        return KeySample(key, end - written, changes, gap, tuple(times))

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
