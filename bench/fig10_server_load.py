"""Figure 10: the Objects API server under load, measured by wrk (Debian's package) in its own
process on loopback.

- Mixed traffic at 200 connections: 50% list (limit 100), 30% create, 20% delete (each of a
  different seeded object), in a fixed cycle (bench/load_mixed.lua): requests/s, p50, p99,
  errors (socket errors and non-2xx answers). Run against the server as installed (with the
  speed extra, httptools, when present) and against the same server without it
  (bench/stock_server.py), alternately, same run.
- List throughput: the list request alone at 200 connections, against a bare Starlette
  endpoint returning the same bytes from memory on the same uvicorn set-up
  (bench/bare_server.py): what the store and the JSON cost on top of the HTTP stack.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.core import Row, median
from bench.server import REPO_ROOT, BenchContext, BenchServer, bench_env

CONNECTIONS = 200
THREADS = 2
SCRIPT = Path(__file__).resolve().parent / "load_mixed.lua"
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True, slots=True)
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(out: str) -> WrkResult:
    def latency(pct: str) -> float:
        match = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M)
        if match is None:
            raise ValueError(f"no {pct}% latency in wrk's output:\n{out}")
        return _ms(match.group(1))

    requests = re.search(r"(\d+) requests in", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if requests is None or rps is None:
        raise ValueError(f"unexpected wrk output:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return WrkResult(
        float(rps.group(1)), latency("50"), latency("99"), int(requests.group(1)), errors
    )


def _wrk(url: str, seconds: int, env: dict[str, str], script: Path | None = None) -> WrkResult:
    argv = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if script is not None:
        argv += ["-s", str(script)]
    out = subprocess.run(
        [*argv, url], capture_output=True, text=True, env=env, timeout=seconds + 60, check=True
    ).stdout
    return parse_wrk(out)


def _list_env(key: str) -> dict[str, str]:
    return {**bench_env(), "BENCH_API_KEY": key}


def _list_only(base: str, key: str, seconds: int) -> WrkResult:
    # wrk sends the header given with -H; a one-line script keeps it a plain GET.
    script = SCRIPT.with_name("load_list.lua")
    return _wrk(f"{base}/v1/objects?limit=100", seconds, _list_env(key), script)


def _mixed(base: str, key: str, ids: list[str], seconds: int, work: Path) -> WrkResult:
    ids_file = work / "delete-ids.txt"
    ids_file.write_text("\n".join(ids) + "\n")
    env = {**_list_env(key), "BENCH_IDS_FILE": str(ids_file), "BENCH_THREADS": str(THREADS)}
    return _wrk(base, seconds, env, SCRIPT)


def _bare_server(
    body: bytes, work: Path, loop: str = "asyncio"
) -> tuple[subprocess.Popen[str], str]:
    body_file = work / "list-body.json"
    body_file.write_bytes(body)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.bare_server", str(body_file), loop],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=bench_env(),
        cwd=REPO_ROOT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("LISTENING "):
        proc.kill()
        raise RuntimeError("the bare Starlette server did not start")
    return proc, f"http://127.0.0.1:{int(line.split()[1])}"


def _stack() -> str:
    if importlib.util.find_spec("httptools") is None:
        return "h11 + asyncio (speed extra not installed)"
    return "httptools + asyncio"


def run(ctx: BenchContext) -> list[Row]:
    if shutil.which("wrk") is None:
        raise RuntimeError("figure 10 needs wrk (apt-get install wrk)")
    seconds, runs = ctx.sizes.load_seconds, ctx.sizes.load_runs_server
    # Enough objects that no run runs out of ids to delete (20% of ~3,000 requests/s).
    per_run = seconds * 3_000 // 5
    ids = ctx.seeded("load", per_run * runs)
    stock = BenchServer(["load"], module="bench.stock_server")
    bare: subprocess.Popen[str] | None = None
    bare_uv: subprocess.Popen[str] | None = None
    try:
        stock_ids = stock.seed("load", per_run * runs)
        stock.start()
        key, stock_key = ctx.key("load"), stock.key("load")
        body = httpx.get(
            f"{ctx.url}/v1/objects?limit=100", headers={"Authorization": f"Bearer {key}"}
        ).content
        bare, bare_url = _bare_server(body, stock.work_dir)
        if importlib.util.find_spec("uvloop") is not None:
            bare_uv, bare_uv_url = _bare_server(body, stock.work_dir, "uvloop")
        fast: list[WrkResult] = []
        slow: list[WrkResult] = []
        listing: list[WrkResult] = []
        baseline: list[WrkResult] = []
        on_uvloop: list[WrkResult] = []
        for n in range(runs):
            chunk = slice(n * per_run, (n + 1) * per_run)
            listing.append(_list_only(ctx.url, key, seconds))
            baseline.append(_list_only(bare_url, key, seconds))
            if bare_uv is not None:
                on_uvloop.append(_list_only(bare_uv_url, key, seconds))
            fast.append(_mixed(ctx.url, key, ids[chunk], seconds, stock.work_dir))
            slow.append(
                _mixed(stock.base_url, stock_key, stock_ids[chunk], seconds, stock.work_dir)
            )
    finally:
        for proc in (bare, bare_uv):
            if proc is not None:
                proc.kill()
                proc.wait()
        stock.cleanup()

    def span(values: list[float], fmt: str = ".0f") -> str:
        return f"{min(values):{fmt}}-{max(values):{fmt}}"

    rps = median([r.rps for r in fast])
    errors = sum(r.errors for r in fast) + sum(r.errors for r in slow)
    mixed = Row(
        "10a",
        f"Server, mixed traffic at {CONNECTIONS} connections: requests/s "
        "(with the speed extra vs without)",
        rps,
        median([r.rps for r in slow]),
        "req/s",
        None,
        target_text="(info)",
    )
    mixed.notes += [
        f"50% list (limit 100), 30% create, 20% delete; wrk -t{THREADS} -c{CONNECTIONS} "
        f"{seconds} s x {runs} runs; server stack: {_stack()}",
        f"with the extra: requests/s {span([r.rps for r in fast])}, p50 "
        f"{span([r.p50_ms for r in fast], '.1f')} ms, p99 {span([r.p99_ms for r in fast])} ms, "
        f"errors {sum(r.errors for r in fast)} of {sum(r.requests for r in fast):,}",
        f"without (h11 + asyncio): requests/s {span([r.rps for r in slow])}, p50 "
        f"{span([r.p50_ms for r in slow], '.1f')} ms, p99 {span([r.p99_ms for r in slow])} ms, "
        f"errors {sum(r.errors for r in slow)} of {sum(r.requests for r in slow):,}",
    ]
    p99 = Row(
        "10b",
        f"Server, mixed traffic at {CONNECTIONS} connections: p99 latency",
        median([r.p99_ms for r in fast]),
        median([r.p99_ms for r in slow]),
        "ms",
        None,
        target_text="(info; errors: 0 allowed)",
    )
    p99.notes.append(
        f"p50 {median([r.p50_ms for r in fast]):.1f} ms (without the extra "
        f"{median([r.p50_ms for r in slow]):.1f} ms)"
    )
    errs = Row(
        "10c",
        f"Server, mixed traffic at {CONNECTIONS} connections: errors, both servers",
        errors,
        0,
        "",
        0,
        target_on="absolute",
        target_text="0",
    )
    lists = Row(
        "10d",
        f"List throughput (limit 100) at {CONNECTIONS} connections vs a bare "
        "Starlette endpoint with the same bytes",
        median([r.rps for r in listing]),
        median([r.rps for r in baseline]),
        "req/s",
        0.5,
        direction="min",
        target_text="≥ 0.5x",
    )
    lists.notes.append(
        f"per run: server {span([r.rps for r in listing])} req/s (p99 "
        f"{span([r.p99_ms for r in listing])} ms), bare endpoint "
        f"{span([r.rps for r in baseline])} req/s; response {len(body):,} bytes"
    )
    if on_uvloop:
        fast_bare = median([r.rps for r in on_uvloop])
        lists.notes.append(
            f"the same bare endpoint on uvloop (which the server does not use): "
            f"{span([r.rps for r in on_uvloop])} req/s; the server's list is "
            f"{median([r.rps for r in listing]) / fast_bare:.2f}x that"
        )
    return [mixed, p99, errs, lists]
