"""Figure 6: the server's list with a name filter (limit 100) on a large store.

Figure: p50 of ``GET /v1/objects?name=...&limit=100`` over HTTP with keep-alive (auth,
parsing, the two SQL statements, JSON out and back). Baseline: p50 of the very SQL the
store runs for that request (the total count, then the page), on a plain sqlite3
connection to the same database file, rows fetched into Python tuples.
"""

from __future__ import annotations

import sqlite3
import time

import httpx

from bench.core import Row, median, percentile
from bench.server import BenchContext

WARMUP = 5
# Matches 100 of every 100k seeded names (object-0001200 ... object-0001299).
NAME = "object-00012"

COLUMNS = (
    "id, name, state, content_type, size_bytes, create_time_ms, delete_after_time_ms, metadata"
)
LIVE = "state != 'DELETED' AND (delete_after_time_ms IS NULL OR delete_after_time_ms > :now)"
WHERE = f"account = :account AND {LIVE} AND instr(name_fold, :name) > 0"
COUNT_SQL = f"SELECT count(*) FROM objects WHERE {WHERE}"
PAGE_SQL = (
    f"SELECT {COLUMNS} FROM objects WHERE {WHERE}"
    " ORDER BY create_time_ms DESC, id DESC LIMIT :fetch"
)


def _raw_query(db: sqlite3.Connection, account: str) -> tuple[int, int]:
    params = {"account": account, "now": int(time.time() * 1000), "name": NAME.casefold()}
    db.execute("BEGIN")
    try:
        total = db.execute(COUNT_SQL, params).fetchone()[0]
        rows = db.execute(PAGE_SQL, {**params, "fetch": 101}).fetchall()
    finally:
        db.execute("COMMIT")
    return int(total), min(len(rows), 100)


def run(ctx: BenchContext, objects: int | None = None, requests: int | None = None) -> list[Row]:
    from runloop_tui.server.ids import account_of

    sizes = ctx.sizes
    n = objects or sizes.big_objects
    count = requests or sizes.list_requests
    ctx.seeded("big", n)
    account = account_of(ctx.key("big"))
    http_s: list[float] = []
    sql_s: list[float] = []
    headers = {"Authorization": f"Bearer {ctx.key('big')}"}
    db = sqlite3.connect(ctx.server.data_dir / "objects.db", isolation_level=None)
    try:
        with httpx.Client(base_url=ctx.url, headers=headers, timeout=60) as http:
            params = {"name": NAME, "limit": "100"}
            expected = _raw_query(db, account)
            for i in range(WARMUP + count):
                # Alternate, so load changes on the machine hit both alike.
                start = time.perf_counter()
                response = http.get("/v1/objects", params=params)
                response.raise_for_status()
                page = response.json()
                middle = time.perf_counter()
                got = _raw_query(db, account)
                end = time.perf_counter()
                if (page["total_count"], len(page["objects"])) != expected or got != expected:
                    raise RuntimeError(f"server and raw query disagree: {page['total_count']}")
                if i >= WARMUP:
                    http_s.append(middle - start)
                    sql_s.append(end - middle)
    finally:
        db.close()
    row = Row(
        number="6",
        what=f"List name~'{NAME}' limit 100, {n:,}-object store: p50",
        figure=median(http_s) * 1000,
        baseline=median(sql_s) * 1000,
        unit="ms",
        target=3.0,
        target_text="≤ 3x",
    )
    row.notes.append(
        f"{count} requests after {WARMUP} warm-ups, keep-alive; {expected[0]} matches; "
        f"p95 HTTP {percentile(http_s, 95) * 1000:.1f} ms, "
        f"raw SQL {percentile(sql_s, 95) * 1000:.1f} ms"
    )
    return [row]
