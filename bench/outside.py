"""Launching the real app and the bare baseline apps on a pty, for the figures measured
from outside the process (8: keystrokes, 9: launch)."""

from __future__ import annotations

import compileall
import sys
import time

from bench.server import REPO_ROOT, BenchContext, bench_env
from bench.terminal import PtyApp

# The stores these figures type into are seeded a year back: relative times then read "1y"
# all through a run, so no clock tick repaints a cell while a key is being timed.
YEAR_MS = 365 * 24 * 3600 * 1000


def compile_sources() -> None:
    """Write the .pyc files a user's install has (pip compiles on install). Without them
    (PYTHONDONTWRITEBYTECODE set, or a fresh clone) every start compiles the app's modules
    first: 70-100 ms of CPU that a user never pays."""
    for package in ("runloop_tui", "bench"):
        compileall.compile_dir(REPO_ROOT / package, quiet=1)


def seeded_old(ctx: BenchContext, account: str, count: int) -> None:
    ctx.seeded(account, count, newest_ms=int(time.time() * 1000) - YEAR_MS)


def start_app(ctx: BenchContext, account: str) -> PtyApp:
    """``runloop-tui`` on the bench server, as a user starts it, with no periodic refresh
    (a refresh landing mid-sequence would time the refresh, not the key)."""
    env = bench_env()
    home = ctx.server.work_dir / "home"
    env.update(
        RUNLOOP_API_KEY=ctx.key(account),
        RUNLOOP_BASE_URL=ctx.url,
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
    )
    argv = [sys.executable, "-m", "bench.app_entry", "--refresh", "3600"]
    return PtyApp(argv, env, cwd=str(REPO_ROOT))


def start_bare(mode: str, count: int) -> PtyApp:
    argv = [sys.executable, "-m", "bench.bare_apps", mode, str(count)]
    return PtyApp(argv, bench_env(), cwd=str(REPO_ROOT))
