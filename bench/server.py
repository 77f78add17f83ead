"""The benchmark's own local server: a separate process, seeded through the store layer.

A separate process (``python -m runloop_tui.server``) so the server's work never shares a GIL
with what is being measured, exactly as for a remote API; the same server answers the
figure and its baseline. One account per workload keeps the figures independent.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from bench.core import Sizes

REPO_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 120.0  # a store of a million objects starts slowly on a busy machine
DELETE_VS_RUNS = 3
STOP_TIMEOUT_S = 10.0


def bench_env() -> dict[str, str]:
    """Environment for child processes: the repo importable, no user key leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNLOOP_")}
    env["PYTHONPATH"] = str(REPO_ROOT) + (
        os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""
    )
    return env


class BenchServer:
    """Accounts are named; ``key(name)`` gives a fresh API key for each, fixed at start."""

    def __init__(
        self,
        accounts: list[str],
        work_dir: Path | None = None,
        module: str = "runloop_tui.server",
    ) -> None:
        self.module = module  # what `python -m` runs (bench.stock_server: no speed extra)
        self._own_dir = work_dir is None
        self.work_dir = Path(work_dir or tempfile.mkdtemp(prefix="runloop-bench-"))
        self.data_dir = self.work_dir / "store"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.keys = {name: f"rk_bench_{name}_{secrets.token_hex(12)}" for name in accounts}
        self._proc: subprocess.Popen[bytes] | None = None
        self.base_url = ""

    def key(self, account: str) -> str:
        return self.keys[account]

    def seed(self, account: str, count: int, newest_ms: int | None = None) -> list[str]:
        """``count`` small objects for ``account`` (ids newest first); the server may run.

        The newest is created at ``newest_ms`` (default now), the others a second apart.
        """
        from runloop_tui.server.demo import seed_bulk

        # Ids come from a seeded RNG: a distinct seed per account keeps them unique.
        seed = 1 + list(self.keys).index(account)
        return seed_bulk(self.data_dir, self.keys[account], count, now_ms=newest_ms, seed=seed)

    def start(self) -> None:
        key_file = self.work_dir / "keys.txt"
        key_file.write_text("\n".join(self.keys.values()) + "\n")
        key_file.chmod(0o600)
        out = self.work_dir / "server.out"
        with open(out, "wb") as sink:
            self._proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    self.module,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--data-dir",
                    str(self.data_dir),
                    "--api-key-file",
                    str(key_file),
                    "--log-level",
                    "warning",
                ],
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=bench_env(),
                cwd=REPO_ROOT,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        marker = "serving at "
        while not self.base_url:
            text = out.read_text(errors="replace")
            if marker in text:
                self.base_url = text.split(marker, 1)[1].split()[0].strip()
                break
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the bench server did not start:\n{text[-2000:]}")
            time.sleep(0.02)
        # uvicorn prints nothing once it accepts: poll a cheap endpoint until it answers.
        while True:
            try:
                if httpx.get(self.base_url + "/openapi.yml", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the bench server did not answer in time")
            time.sleep(0.02)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def cpu_seconds(self) -> float:
        """CPU time (user + system, all threads) the server process has used so far."""
        if self._proc is None:
            return 0.0
        try:
            with open(f"/proc/{self._proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return 0.0

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # SIGINT is ignored in background jobs
            try:
                proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(STOP_TIMEOUT_S)

    def cleanup(self) -> None:
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    def __enter__(self) -> BenchServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with contextlib.suppress(Exception):
            self.cleanup()


RESULT_PREFIX = "BENCH-RESULT "


def run_child(
    mode: str, params: Mapping[str, object], api_key: str, timeout: float = 900
) -> dict[str, Any]:
    """Run ``python -m bench.child MODE`` and return its result, plus ``parent_spawn`` (the
    wall-clock time just before the process was started)."""
    import json

    env = bench_env()
    env["BENCH_API_KEY"] = api_key
    spawn = time.time()
    proc = subprocess.run(
        [sys.executable, "-m", "bench.child", mode, json.dumps(params)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=timeout,
        check=False,
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line[len(RESULT_PREFIX) :])
            result["parent_spawn"] = spawn
            return result
    tail = (proc.stderr or proc.stdout)[-3000:]
    raise RuntimeError(f"bench child {mode!r} failed (exit {proc.returncode}):\n{tail}")


class BenchContext:
    """One server for the whole run; accounts are seeded on first use."""

    def __init__(self, sizes: Sizes, log: Callable[[str], None] = print) -> None:
        self.sizes = sizes
        self.log = log
        self.server = BenchServer(
            [
                "launch",
                "big",
                "small",
                "delete",
                "delete_remote",
                "transfer",
                "term",
                "term_small",
                "load",
                "rm_remote",
                # Figure 7c: a fresh store for each run of the TUI and of the raw client.
                *(f"delete_vs_{i}" for i in range(2 * DELETE_VS_RUNS)),
                "million",
            ]
        )
        self._seeded: dict[str, list[str]] = {}
        self.started = False
        self._proxy: subprocess.Popen[str] | None = None
        self._proxy_url = ""

    @property
    def url(self) -> str:
        if not self.started:
            self.server.start()
            self.started = True
        return self.server.base_url

    def key(self, account: str) -> str:
        return self.server.key(account)

    def seeded(self, account: str, count: int, newest_ms: int | None = None) -> list[str]:
        """Ids (newest first) of ``count`` objects in ``account``, seeding them once."""
        ids = self._seeded.get(account)
        if ids is None:
            started = time.perf_counter()
            ids = self.server.seed(account, count, newest_ms)
            self._seeded[account] = ids
            self.log(f"  seeded {count:,} objects in {time.perf_counter() - started:.1f} s")
        elif len(ids) != count:
            raise ValueError(f"account {account} already holds {len(ids)} objects, not {count}")
        return ids

    def child(
        self, mode: str, params: Mapping[str, object], account: str, url: str | None = None
    ) -> dict[str, Any]:
        """Run a bench child against the server; adds ``server_cpu_s`` used meanwhile."""
        url = url or self.url
        before = self.server.cpu_seconds()
        result = run_child(mode, {"url": url, **params}, self.key(account))
        result["server_cpu_s"] = self.server.cpu_seconds() - before
        return result

    def remote_url(self, delay_ms: float) -> str:
        """The server behind a loopback proxy adding ``delay_ms`` each way (a remote API)."""
        if self._proxy is None:
            upstream = self.url.removeprefix("http://")
            self._proxy = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bench.latency_proxy",
                    "--upstream",
                    upstream,
                    "--delay-ms",
                    str(delay_ms),
                ],
                stdout=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                text=True,
                env=bench_env(),
                cwd=REPO_ROOT,
            )
            assert self._proxy.stdout is not None
            line = self._proxy.stdout.readline()  # the proxy prints its port at once
            if not line.startswith("LISTENING "):
                self._stop_proxy()
                raise RuntimeError("the latency proxy did not start")
            self._proxy_url = f"http://127.0.0.1:{int(line.split()[1])}"
        return self._proxy_url

    def _stop_proxy(self) -> None:
        proxy, self._proxy = self._proxy, None
        if proxy is not None and proxy.poll() is None:
            proxy.terminate()
            try:
                proxy.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proxy.kill()
                proxy.wait(STOP_TIMEOUT_S)

    def close(self) -> None:
        self._stop_proxy()
        self.server.cleanup()
