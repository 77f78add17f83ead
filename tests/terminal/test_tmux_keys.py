"""The new keys through a real tmux with its default configuration (prefix ctrl+b): tmux
decodes each key and encodes it again for the program, as it does for a user's keyboard.

Skips when tmux is missing; RUNLOOP_TUI_REQUIRE_TMUX=1 (set by .ci/run) turns that skip into
a failure.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator

import pytest

from tests.support.terminal import DEMO_READY

pytestmark = pytest.mark.timeout(120)


class Tmux:
    """One detached session on a private tmux server (its own socket, no user config)."""

    def __init__(self) -> None:
        self.socket = f"runloop-tui-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        command = f"{sys.executable} -m runloop_tui --demo"
        self.run("new-session", "-d", "-s", "t", "-x", "80", "-y", "24", command)
        self.path = self.run("display-message", "-p", "#{socket_path}").strip()

    def run(self, *args: str) -> str:
        argv = ["tmux", "-L", self.socket, "-f", "/dev/null", *args]
        return subprocess.run(argv, check=True, capture_output=True, text=True).stdout

    def keys(self, *keys: str) -> None:
        """Keys by tmux's names (S-Down, Escape, C-b), as its key table knows them."""
        self.run("send-keys", "-t", "t", *keys)

    def text(self) -> str:
        return self.run("capture-pane", "-p", "-t", "t")

    def wait_for(self, test: str | Callable[[str], bool], timeout: float = 20) -> str:
        check = (lambda text: test in text) if isinstance(test, str) else test
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.text()
            if check(text):
                return text
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {test!r}; the pane:\n{text}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
        with contextlib.suppress(OSError):
            os.unlink(self.path)  # tmux leaves its socket file behind


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        if os.environ.get("RUNLOOP_TUI_REQUIRE_TMUX") == "1":
            pytest.fail("tmux is missing, and RUNLOOP_TUI_REQUIRE_TMUX=1 requires this test")
        pytest.skip("tmux is not installed")
    session = Tmux()
    try:
        assert session.run("show-options", "-g", "prefix").split() == ["prefix", "C-b"]
        session.wait_for(DEMO_READY, timeout=60)
        yield session
    finally:
        session.close()


def column_title(title: str) -> Callable[[str], bool]:
    """The table's header line (the fourth) shows ``title``."""
    return lambda text: title in text.splitlines()[3]


def test_the_new_keys_reach_the_app_through_tmux(tmux: Tmux) -> None:
    tmux.keys("j", "S-Down", "S-Down")
    tmux.wait_for("marked 3")
    tmux.keys("S-Up", "S-Up", "S-Up")  # row 1 (marked) and row 0: one more
    tmux.wait_for("marked 4")
    tmux.keys("j", "j", "j", "j", "J")  # rows 4 and 5
    tmux.wait_for("marked 6")
    for key, title in [
        ("M", "Name▲"),
        ("H", "State▲"),
        ("F", "Type▲"),
        ("Z", "Size▼"),
        ("O", "Created▼"),
        ("L", "Expires▲"),
        ("#", "sorted by id▲"),
    ]:
        tmux.run("send-keys", "-t", "t", "-l", key)
        tmux.wait_for(column_title(title))
    tmux.keys("c", "V", "j", "j")
    tmux.wait_for(lambda text: "VISUAL 3 rows" in text and "marked 3" in text)
    tmux.keys("Escape")
    tmux.wait_for(lambda text: "VISUAL" not in text and "marked 3" in text)
    tmux.keys("W")
    tmux.wait_for("wide names")
    tmux.keys("c", "d")
    tmux.wait_for("Yes, delete")
    tmux.keys("n")
    tmux.wait_for(lambda text: "Yes, delete" not in text and DEMO_READY in text)
    tmux.keys("d")
    tmux.wait_for("Yes, delete")
    tmux.keys("y")
    tmux.wait_for("223 shown")
