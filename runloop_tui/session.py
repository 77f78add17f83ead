"""What every entry point shares (the TUI, ``ls``/``du``/``rm``, ``web``): the program's name
and usage exit status, one-line errors, the flags that choose where objects live, and the
local session, an embedded server around the command.

Its own module so that cli.py (which starts the commands) and the commands (which need these)
import it from both sides without importing each other.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from runloop_tui.config import CONFIG_ENV, Settings, prepare_data_dir

PROG = "runloop-tui"
EXIT_USAGE = 2
DEMO_PREFIX = "runloop-tui-demo-"


class StartupError(Exception):
    """The local store could not start; ``str()`` is one line."""


def one_line(message: str) -> str:
    """One printable line: config values, paths and variables may carry escape sequences,
    which must reach the terminal as visible text (``\\x1b``), never as control bytes."""
    text = " ".join(message.split())
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def add_connection_flags(parser: argparse.ArgumentParser) -> None:
    """The flags that choose where objects live; shared by the TUI and ls/du/rm."""
    parser.add_argument("--profile", metavar="NAME", help="use [profiles.NAME] from the config")
    parser.add_argument("--base-url", metavar="URL", help="Objects API base URL (needs an API key)")
    parser.add_argument(
        "--local", action="store_true", help="use the local store even when a key is set"
    )
    parser.add_argument(
        "--read-only", action="store_true", help="disable every action that changes objects"
    )
    parser.add_argument("--data-dir", metavar="DIR", help="local store directory (implies --local)")
    parser.add_argument("--config", metavar="FILE", help=f"config file (overrides ${CONFIG_ENV})")


@contextmanager
def local_session(settings: Settings) -> Iterator[Settings]:
    """Start the embedded server and yield Settings pointing at it.

    For --demo the store is a fresh temporary directory seeded with sample objects, and it
    is removed on the way out, whatever happens.
    """
    from runloop_tui.server.embedded import EmbeddedServer

    temporary: Path | None = None
    if settings.demo:
        remove_abandoned_demo_stores()
        temporary = Path(tempfile.mkdtemp(prefix=f"{DEMO_PREFIX}{os.getpid()}-"))
        data_dir = temporary
    else:
        assert settings.local_data_dir is not None  # is_local and not demo
        data_dir = prepare_data_dir(settings.local_data_dir, "local store")
    try:
        try:
            server = EmbeddedServer(data_dir)
            if settings.demo:
                # Seeded before the server starts, so its first list already shows everything.
                from runloop_tui.server.demo import seed_demo

                seed_demo(data_dir, server.api_key)
            server.start()
        except Exception as error:  # reported as one line, not a traceback
            raise StartupError(f"cannot start the local store at {data_dir}: {error}") from error
        try:
            yield replace(
                settings,
                base_url=server.base_url,
                api_key=server.api_key,
                local_data_dir=data_dir,
            )
        finally:
            server.stop()
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


def remove_abandoned_demo_stores(temp_root: Path | None = None) -> list[Path]:
    """Remove demo stores left behind by killed runs (SIGKILL, a dropped SSH session).

    A demo store is named after the pid that made it; it is abandoned once that process is
    gone. Only directories of the current user are touched.
    """
    removed: list[Path] = []
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process there
        return removed
    root = Path(temp_root or tempfile.gettempdir())
    try:
        candidates = list(root.glob(f"{DEMO_PREFIX}*-*"))
    except OSError:
        return removed
    for path in candidates:
        match = re.fullmatch(rf"{re.escape(DEMO_PREFIX)}(\d+)-\w+", path.name)
        if match is None or _process_alive(int(match.group(1))):
            continue
        try:
            if not path.is_dir() or path.is_symlink() or path.stat().st_uid != os.getuid():
                continue
        except OSError:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _process_alive(pid: int) -> bool:
    from runloop_tui.server.procs import process_alive  # one check, shared with recovery

    return process_alive(pid)
