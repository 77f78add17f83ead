"""Figure 12: the server on real engines (PostgreSQL, S3), beside same-run baselines.

* 12a: p50 of ``GET /v1/objects?name=...&limit=100`` on a PostgreSQL store of 100k objects,
  against p50 of the very SQL the store runs for it (count, then page) on a plain psycopg
  connection to the same database. The replica's list-page cache is off: every page is read.
* 12b: list throughput with two replicas over one PostgreSQL, against one replica alone
  (the same wrk load, alternated), with the CPU per request of each process; with each
  replica's list-page cache (the default), and again without it (12b', information).
* 12c: the API server's CPU per GiB moved through S3 presigned URLs (upload and download),
  against the same transfer with directory content (the bytes go through the server).

It starts a throwaway PostgreSQL cluster and moto's S3 server itself (tests/server/engines).
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.core import MB, Row, median, percentile
from bench.fig10_server_load import parse_wrk
from bench.server import BenchContext, bench_env

NAME = "object-00012"  # 100 matches in every 100k seeded names
KEY = "rk_bench_scale_0123456789abcdef"
CONCURRENCY = 16
LUA = str(Path(__file__).resolve().parent / "load_list.lua")


def _die_with_parent() -> None:
    """A replica never outlives a bench run that was killed (Linux: PR_SET_PDEATHSIG)."""
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def _replica(
    work: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[int, str]]:
    work.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "runloop_tui.server", "--port", "0", "--data-dir", str(work)),
            *("--api-key", KEY, "--log-level", "warning", *args),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**bench_env(), **(env or {})},
        preexec_fn=_die_with_parent,
    )
    try:
        assert proc.stdout is not None
        match = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline())
        if not match:
            raise RuntimeError("replica did not start")
        url = match.group(0)
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/openapi.yml", timeout=2).raise_for_status()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield proc.pid, url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _seed_postgres(url: str, count: int) -> None:
    import psycopg

    from runloop_tui.server.ids import account_of, new_object_id

    account = account_of(KEY)
    now = int(time.time() * 1000)
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        with cursor.copy(
            "COPY objects (id, account, name, name_fold, state, content_type, size_bytes,"
            " create_time_ms, metadata) FROM STDIN"
        ) as copy:
            for i in range(count):
                name = f"object-{i:07d}"
                meta = f'{{"batch": "{i % 10}"}}'
                copy.write_row(
                    (new_object_id(), account, name, name, "READ_ONLY", "text", 10, now - i, meta)
                )
        cursor.execute("ANALYZE objects")


def _raw_list(conn: Any, account: str) -> tuple[int, int]:
    """The statement PostgresMetadata.list_objects runs for this request, nothing else."""
    from runloop_tui.server.records import ListQuery
    from runloop_tui.server.storage.listing import POSTGRES, list_statement
    from runloop_tui.server.storage.postgres import COLUMNS

    query = ListQuery(limit=100, name=NAME)
    statement = list_statement(POSTGRES, COLUMNS, account, query, int(time.time() * 1000))
    rows = conn.execute(statement.sql, statement.params).fetchall()
    return (int(rows[0][-1]) if rows else 0), min(len(rows), 100)


def _fig_9a(url: str, db_url: str, requests: int, n: int) -> Row:
    import psycopg

    from runloop_tui.server.ids import account_of

    account = account_of(KEY)
    http_s: list[float] = []
    sql_s: list[float] = []
    with (
        psycopg.connect(db_url, autocommit=True) as conn,
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"}) as http,
    ):
        expected = _raw_list(conn, account)
        for i in range(5 + requests):
            start = time.perf_counter()
            page = http.get("/v1/objects", params={"name": NAME, "limit": "100"}).json()
            middle = time.perf_counter()
            got = _raw_list(conn, account)
            end = time.perf_counter()
            if (page["total_count"], len(page["objects"])) != expected or got != expected:
                raise RuntimeError(f"server and raw query disagree: {page.get('total_count')}")
            if i >= 5:
                http_s.append(middle - start)
                sql_s.append(end - middle)
    row = Row(
        number="12a",
        what=f"PostgreSQL list name~'{NAME}' limit 100, {n:,} objects: p50",
        figure=median(http_s) * 1000,
        baseline=median(sql_s) * 1000,
        unit="ms",
        target=3.0,
        target_text="≤ 3x",
    )
    row.notes.append(
        f"{requests} requests; {expected[0]} matches; p95 HTTP "
        f"{percentile(http_s, 95) * 1000:.1f} ms, raw SQL {percentile(sql_s, 95) * 1000:.1f} ms"
    )
    return row


def _children_cpu(parent: int) -> float:
    """CPU seconds of ``parent``'s live children (PostgreSQL's backends under its postmaster)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == parent:
                total += _cpu_seconds(int(stat.parent.name))
    return total


@dataclass
class Throughput:
    rps: float
    errors: int
    # CPU milliseconds per request: each replica together, PostgreSQL, the load generator.
    replicas_ms: float
    postgres_ms: float
    wrk_ms: float


def _throughput(urls: list[str], pids: list[int], postmaster: int, seconds: int) -> Throughput:
    """wrk in two processes at once (C, so the load costs little CPU), one per URL given, or
    both on the one URL: the same client load either way."""
    env = {**bench_env(), "BENCH_API_KEY": KEY}
    path = "/v1/objects?limit=20&include_total_count=false"
    argv = ["wrk", "-t1", f"-c{CONCURRENCY // 2}", f"-d{seconds}s", "--latency", "-s", LUA]
    replica_cpu = [_cpu_seconds(pid) for pid in pids]
    pg_cpu = _children_cpu(postmaster)
    wrk_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    procs = [
        subprocess.Popen(
            [*argv, urls[n % len(urls)] + path], stdout=subprocess.PIPE, text=True, env=env
        )
        for n in range(2)
    ]
    results = [parse_wrk(proc.communicate(timeout=seconds + 60)[0]) for proc in procs]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    requests = sum(r.requests for r in results) or 1
    used = sum(_cpu_seconds(pid) - cpu for pid, cpu in zip(pids, replica_cpu, strict=True))
    wrk_s = after.ru_utime + after.ru_stime - wrk_cpu.ru_utime - wrk_cpu.ru_stime
    return Throughput(
        rps=sum(r.rps for r in results),
        errors=sum(r.errors for r in results),
        replicas_ms=used * 1000 / requests,
        postgres_ms=(_children_cpu(postmaster) - pg_cpu) * 1000 / requests,
        wrk_ms=wrk_s * 1000 / requests,
    )


def _fig_9b(
    urls: list[str],
    pids: list[int],
    postmaster: int,
    rounds: int,
    seconds: int,
    *,
    cached: bool = True,
) -> Row:
    one: list[Throughput] = []
    two: list[Throughput] = []
    for _ in range(rounds):
        one.append(_throughput(urls[:1], pids[:1], postmaster, seconds))
        two.append(_throughput(urls, pids, postmaster, seconds))
    how = "page cache on" if cached else "page cache off (--list-cache-mb 0)"
    row = Row(
        number="12b" if cached else "12b'",
        what=f"List throughput, two replicas vs one (PostgreSQL, limit 20, no count), {how}",
        figure=median([t.rps for t in two]),
        baseline=median([t.rps for t in one]),
        unit="req/s",
        target=1.5 if cached else None,
        direction="min",
        target_text="≥ 1.5x" if cached else "(info)",
    )

    def cpu(runs: list[Throughput]) -> str:
        replicas, pg = median([t.replicas_ms for t in runs]), median([t.postgres_ms for t in runs])
        load = median([t.wrk_ms for t in runs])
        return f"replicas {replicas:.2f}, PostgreSQL {pg:.2f}, wrk {load:.2f}"

    row.notes += [
        f"wrk, 2 processes x {CONCURRENCY // 2} connections, {rounds} alternated rounds of"
        f" {seconds} s; {os.cpu_count()} CPUs shared with PostgreSQL and wrk; errors"
        f" {sum(t.errors for t in one + two)}",
        f"per run: one {', '.join(f'{t.rps:.0f}' for t in one)} req/s; two"
        f" {', '.join(f'{t.rps:.0f}' for t in two)} req/s",
        f"CPU ms per request, one replica: {cpu(one)}; two: {cpu(two)}",
    ]
    return row


def _transfer_cpu(pid: int, url: str, size: int) -> float:
    """Server CPU seconds per GiB for one upload + complete + download of ``size`` bytes."""
    chunk = b"\x5a" * MB

    def body() -> Iterator[bytes]:
        for _ in range(size // MB):
            yield chunk

    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"}, timeout=300) as api:
        before = _cpu_seconds(pid)
        view = api.post("/v1/objects", json={"name": "big.bin", "content_type": "binary"}).json()
        httpx.put(view["upload_url"], content=body(), timeout=300).raise_for_status()
        api.post(f"/v1/objects/{view['id']}/complete").raise_for_status()
        link = api.get(f"/v1/objects/{view['id']}/download").json()["download_url"]
        got = 0
        with httpx.stream("GET", link, timeout=300) as response:
            for part in response.iter_bytes(MB):
                got += len(part)
        if got != size:
            raise RuntimeError(f"downloaded {got} of {size} bytes")
        used = _cpu_seconds(pid) - before
    return used / (2 * size / (1024 * MB))


def run(ctx: BenchContext) -> list[Row]:
    from tests.server.engines import postgres_cluster, s3_server

    sizes = ctx.sizes
    n = sizes.big_objects
    transfer = min(sizes.transfer_bytes, 256 * MB)
    rows: list[Row] = []
    work = Path(tempfile.mkdtemp(prefix="runloop-bench-scale-"))
    with (
        contextlib.ExitStack() as cleanup,
        postgres_cluster() as cluster,
        s3_server() as s3,
    ):
        cleanup.callback(shutil.rmtree, work, ignore_errors=True)
        db_url = cluster.new_database()
        pg = ("--metadata-url", db_url)
        uncached = ("--list-cache-mb", "0")
        postmaster = int((cluster.root / "data" / "postmaster.pid").read_text().split()[0])
        # 12a measures a page read from PostgreSQL each time: the replica's cache is off.
        with _replica(work / "a", *pg, *uncached) as (_, first):
            ctx.log(f"  seeding {n:,} objects into PostgreSQL …")
            _seed_postgres(db_url, n)
            rows.append(_fig_9a(first, db_url, sizes.list_requests, n))
        # 12b: the default set-up (each replica's page cache, checked on every hit), then the
        # same load with the cache off, for comparison; both ratios against their own baseline.
        for cached, flags in ((True, ()), (False, uncached)):
            with (
                _replica(work / "b", *pg, *flags) as (first_pid, first),
                _replica(work / "c", *pg, *flags) as (second_pid, second),
            ):
                rows.append(
                    _fig_9b(
                        [first, second],
                        [first_pid, second_pid],
                        postmaster,
                        2 if sizes.quick else 3,
                        5,
                        cached=cached,
                    )
                )
        s3_args = ("--metadata-url", cluster.new_database(), "--content-url", s3.new_prefix())
        with _replica(work / "s3", *s3_args, env=s3.env()) as (pid, url):
            via_s3 = _transfer_cpu(pid, url, transfer)
        with _replica(work / "dir") as (pid, url):
            via_server = _transfer_cpu(pid, url, transfer)
    row = Row(
        number="12c",
        what=f"API server CPU per GiB, S3 presigned vs through the server ({transfer // MB} MiB)",
        figure=via_s3,
        baseline=via_server,
        unit="CPU s/GiB",
        target=0.05,
        target_text="≤ 0.05x (~0)",
    )
    row.notes.append("upload + download of the same bytes; CPU read from /proc of the server")
    rows.append(row)
    return rows
