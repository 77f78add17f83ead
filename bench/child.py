"""Measurements that need a process of their own: ``python -m bench.child MODE PARAMS_JSON``.

The API key comes in ``BENCH_API_KEY`` (never argv). The result is one line on stdout,
``BENCH-RESULT {json}``. Heavy imports happen inside each mode, so the launch figure pays
for exactly what the real program imports.
"""

from __future__ import annotations

import time

SPAWNED_AT = time.time()  # as early as possible, for the launch figure

import asyncio  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

RESULT_PREFIX = "BENCH-RESULT "
Params = dict[str, Any]

# Measure the program as a user installs it (`pip install runloop-tui`). The test extras add
# h2 (the official SDK's tests use HTTP/2), and httpcore imports it whenever it is installed:
# 30-45 ms on every start that a user's install does not pay.
sys.modules.setdefault("h2", None)  # type: ignore[arg-type]


def _emit(result: dict[str, Any]) -> None:
    sys.stdout.write(RESULT_PREFIX + json.dumps(result) + "\n")
    sys.stdout.flush()


def _key() -> str:
    return os.environ["BENCH_API_KEY"]


def _make_app(params: Params, **kwargs: Any) -> Any:
    """The real app, built as ``runloop-tui`` builds it (cli._run_app), on the bench server."""
    from runloop_tui.api.client import ObjectsClient, RetryPolicy
    from runloop_tui.api.transport import install
    from runloop_tui.config import Settings
    from runloop_tui.tui.app import RunloopApp

    install()  # as cli._run_app does

    settings = Settings(base_url=params["url"], api_key=_key())
    client = ObjectsClient(
        settings.base_url,
        settings.api_key,
        retry=RetryPolicy(
            max_retries=settings.max_retries, timeout_seconds=settings.timeout_seconds
        ),
    )
    return RunloopApp(settings, client, **kwargs)


async def _wait_for(
    condition: Callable[[], bool], limit_s: float, what: str, poll_s: float = 0.002
) -> float:
    deadline = time.perf_counter() + limit_s
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(poll_s)
    return time.perf_counter()


def _fully_loaded(app: Any) -> bool:
    from runloop_tui.tui.screens.browser import BrowserScreen

    screen = app.screen
    if not isinstance(screen, BrowserScreen) or screen.is_loading:
        return False
    total = screen.total_count
    return total is not None and len(screen.model.index) >= total


# --- figure 1: launch ---


def _rows_painted_probe() -> Any:
    """Marks when the object table renders a line holding an object row."""
    from bench.probes import FrameProbe
    from runloop_tui.tui.widgets.object_table import ObjectTable

    probe = FrameProbe()
    render_line = ObjectTable.render_line

    def patched(self: ObjectTable, y: int) -> Any:
        if probe.armed_at is None and 1 <= y <= self.row_count:
            probe.arm()
        return render_line(self, y)

    ObjectTable.render_line = patched  # type: ignore[method-assign]
    return probe


async def launch_app(params: Params) -> dict[str, Any]:
    from runloop_tui.cli import prepare_tui_process  # the real entry point's imports

    prepare_tui_process()  # as `runloop-tui` does before it imports the TUI
    from bench.probes import SIZE, probe_display

    app = _make_app(params)
    imported = time.time()
    probe = _rows_painted_probe()
    probe_display(app, probe)
    async with app.run_test(size=SIZE):
        await probe.wait(limit_s=30)
        cpu = time.process_time()  # CPU since the process started: load-insensitive
        painted = time.time() - (time.perf_counter() - probe.painted_at)
        rows = app.screen.table.row_count
    return {
        "spawned": SPAWNED_AT,
        "imported": imported,
        "painted": painted,
        "cpu": cpu,
        "rows": rows,
    }


async def launch_minimal(params: Params) -> dict[str, Any]:
    from bench.probes import SIZE, FrameProbe, MinimalApp

    probe = FrameProbe()
    app = MinimalApp(probe)
    imported = time.time()
    async with app.run_test(size=SIZE):
        await probe.wait(limit_s=30)
        cpu = time.process_time()
        painted = time.time() - (time.perf_counter() - probe.painted_at)  # type: ignore[operator]
    return {"spawned": SPAWNED_AT, "imported": imported, "painted": painted, "cpu": cpu, "rows": 1}


# --- figure 2: load everything ---


async def load_app(params: Params) -> dict[str, Any]:
    from bench.core import StallTicker, current_rss_mb, peak_rss_mb
    from bench.probes import SIZE, FrameProbe, probe_display

    app = _make_app(params, live_refresh=False)
    probe = _rows_painted_probe()
    probe_display(app, probe)
    gc.collect()
    rss_before = current_rss_mb()
    ticker = StallTicker()
    ticker.start()
    start, cpu_start = time.perf_counter(), time.process_time()
    async with app.run_test(size=SIZE):
        await probe.wait(limit_s=60)
        loaded = await _wait_for(lambda: _fully_loaded(app), 600, "the full load")
        cpu = time.process_time() - cpu_start
        screen = app.screen
        count = len(screen.model.index)
        total = screen.total_count
        shown = screen.table.row_count
        peak_loaded = peak_rss_mb()
        refresh: dict[str, float] = {}
        if params.get("refresh"):
            # One live refresh: a whole re-list staged beside the rows shown, then swapped.
            generation = screen.generation
            started = time.perf_counter()
            screen.refresh_now()
            swapped = await _wait_for(
                lambda: screen.generation > generation and not screen.is_loading,
                900,
                "the refresh",
            )
            refresh = {
                "refresh_s": swapped - started,
                "refresh_max_stall_s": ticker.max_gap(started, swapped),
                "refresh_peak_rss_mb": peak_rss_mb(),
            }
    ticker.stop()
    assert isinstance(probe, FrameProbe) and probe.painted_at is not None
    return {
        **refresh,
        "seconds": loaded - start,
        "cpu_s": cpu,
        "first_rows_s": probe.painted_at - start,
        "loaded": count,
        "total": total,
        "shown": shown,
        # "During the load": from the first painted rows (the UI is up) until all are in.
        "max_stall_s": ticker.max_gap(probe.painted_at, loaded),
        "max_stall_with_startup_s": ticker.max_gap(start, loaded),
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak_loaded,
    }


async def load_httpx(params: Params) -> dict[str, Any]:
    """The same page requests as the app's loader, only parsing the JSON."""
    import httpx

    from bench.core import StallTicker, current_rss_mb, peak_rss_mb

    headers = {"Authorization": f"Bearer {_key()}", "Accept": "application/json"}
    gc.collect()
    rss_before = current_rss_mb()
    async with httpx.AsyncClient(base_url=params["url"], headers=headers, timeout=60) as http:
        ticker = StallTicker()
        ticker.start()
        start, cpu_start = time.perf_counter(), time.process_time()
        cursor: str | None = None
        limit, first, count, total = params["first_page_size"], True, 0, None
        while True:
            query = {"limit": str(limit), "include_total_count": "true" if first else "false"}
            if cursor is not None:
                query["starting_after"] = cursor
            response = await http.get("/v1/objects", params=query)
            response.raise_for_status()
            page = response.json()
            if first:
                total = page["total_count"]
            objects = page["objects"]
            count += len(objects)
            if not page["has_more"] or not objects:
                break
            cursor = objects[-1]["id"]
            first, limit = False, params["page_size"]
        end = time.perf_counter()
        cpu = time.process_time() - cpu_start
        ticker.stop()
    return {
        "seconds": end - start,
        "cpu_s": cpu,
        "loaded": count,
        "total": total,
        "max_stall_s": ticker.max_gap(start, end),
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak_rss_mb(),
    }


# --- figure 3: filter keystrokes ---


async def _type_and_time(
    pilot: Any, probe: Any, keys: list[str], budget_s: float, shown: Callable[[], int]
) -> tuple[list[float], list[int]]:
    samples: list[float] = []
    matches: list[int] = []
    started = time.perf_counter()
    for key in keys:
        if samples and time.perf_counter() - started > budget_s:
            break
        probe.disarm()
        t0 = time.perf_counter()
        await pilot.press(key)
        painted = await probe.wait(limit_s=max(60.0, budget_s))
        samples.append(painted - t0)
        matches.append(shown())
        await pilot.pause()
    return samples, matches


def _filter_keys(params: Params) -> list[str]:
    from bench.probes import key_names

    term: str = params["term"]
    one_round = key_names(term) + ["backspace"] * len(term)
    return one_round * int(params["rounds"])


async def filter_app(params: Params) -> dict[str, Any]:
    from bench.probes import SIZE, FrameProbe, probe_display

    app = _make_app(params, live_refresh=False)
    probe = FrameProbe()
    probe_display(app, probe)
    async with app.run_test(size=SIZE) as pilot:
        await _wait_for(lambda: _fully_loaded(app), 600, "the full load")
        await pilot.pause()
        screen = app.screen
        table = screen.table
        set_rows = table.set_rows
        apply_filter = screen._apply_filter
        apply_times: list[float] = []

        def timed_set_rows(*args: Any, **kwargs: Any) -> None:
            set_rows(*args, **kwargs)
            probe.arm()

        def timed_apply(text: str) -> None:
            t0 = time.perf_counter()
            apply_filter(text)
            apply_times.append(time.perf_counter() - t0)

        table.set_rows = timed_set_rows
        screen._apply_filter = timed_apply
        await pilot.press("slash")
        await pilot.pause()
        samples, matches = await _type_and_time(
            pilot, probe, _filter_keys(params), params["budget_s"], lambda: table.row_count
        )
        loaded = len(screen.model.index)
    return {
        "samples_s": samples,
        "matches": matches,
        "apply_s": apply_times,
        "loaded": loaded,
    }


async def filter_datatable(params: Params) -> dict[str, Any]:
    import httpx

    from bench.datatable_app import DataTableFilterApp
    from bench.probes import SIZE, FrameProbe

    rows: list[tuple[str, ...]] = []
    haystacks: list[str] = []
    headers = {"Authorization": f"Bearer {_key()}"}
    async with httpx.AsyncClient(base_url=params["url"], headers=headers, timeout=60) as http:
        cursor = None
        while True:
            query = {"limit": "5000", "include_total_count": "false"}
            if cursor:
                query["starting_after"] = cursor
            page = (await http.get("/v1/objects", params=query)).json()
            for o in page["objects"]:
                rows.append(
                    (
                        o["name"],
                        o["state"],
                        o["content_type"],
                        f"{o['size_bytes'] or 0} B",
                        str(o["create_time_ms"]),
                        str(o["delete_after_time_ms"] or "-"),
                        o["id"],
                    )
                )
                haystacks.append(f"{o['name']}\0{o['id']}".lower())
            if not page["has_more"] or not page["objects"]:
                break
            cursor = page["objects"][-1]["id"]
    probe = FrameProbe()
    # Start with one screenful: filling a DataTable with 100k rows first would take as long
    # as the widest keystroke and measure nothing (each keystroke clears the table anyway).
    app = DataTableFilterApp(rows, haystacks, probe, initial_rows=100)
    async with app.run_test(size=SIZE) as pilot:
        await probe.wait(limit_s=600)
        await pilot.pause()
        samples, matches = await _type_and_time(
            pilot, probe, _filter_keys(params), params["budget_s"], lambda: app.shown
        )
    return {
        "samples_s": samples,
        "matches": matches,
        "loaded": len(rows),
    }


# --- figures 4 and 5: transfers through the client ---


async def _with_client(params: Params, work: Callable[[Any], Awaitable[Any]]) -> dict[str, Any]:
    from bench.core import current_rss_mb, peak_rss_mb
    from runloop_tui.api.client import ObjectsClient
    from runloop_tui.api.transport import install

    install()  # the app's speed-ups: this measures the app's client

    async with ObjectsClient(params["url"], _key()) as client:
        await client.count_objects()  # connection and imports warm, like a running app
        gc.collect()
        rss_before = current_rss_mb()
        start = time.perf_counter()
        value = await work(client)
        seconds = time.perf_counter() - start
        peak = peak_rss_mb()
    return {
        "seconds": seconds,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak,
        "rss_growth_mb": peak - rss_before,
        "value": value,
    }


async def upload_client(params: Params) -> dict[str, Any]:
    async def work(client: Any) -> str:
        obj = await client.upload_path(Path(params["path"]), name=params["name"])
        return str(obj.id)

    return await _with_client(params, work)


async def download_client(params: Params) -> dict[str, Any]:
    async def work(client: Any) -> str:
        dest = await client.download_to(params["object_id"], Path(params["dest"]), overwrite=True)
        return str(dest)

    return await _with_client(params, work)


# --- figure 7: bulk delete ---


def _read_ids(params: Params) -> list[str]:
    ids: list[str] = json.loads(Path(params["ids_file"]).read_text())
    return ids


async def delete_tui(params: Params) -> dict[str, Any]:
    """Mark the objects, press D, type the count, Enter: time until the table drops them."""
    from bench.probes import SIZE, key_names
    from runloop_tui.tui.modals.bulk_delete import BulkDeleteProgressModal

    ids = _read_ids(params)
    # "live": as a user runs it, re-listing on its timer (every 5 s below 2,000 objects).
    app = _make_app(params, live_refresh=bool(params.get("live", False)))
    async with app.run_test(size=SIZE) as pilot:
        await _wait_for(lambda: _fully_loaded(app), 600, "the full load")
        screen = app.screen
        screen.mark_objects(ids)
        await pilot.pause()
        marked = len(screen.marked_objects)
        await pilot.press("D")
        await pilot.pause()
        await pilot.press(*key_names(str(len(ids))))
        await pilot.pause()
        seen_progress: list[float] = []

        async def watch() -> None:
            # pilot.press("enter") only returns once the UI is idle again, so the progress
            # modal's life is observed from a separate task, which stops once it has seen it.
            await _wait_for(
                lambda: isinstance(app.screen, BulkDeleteProgressModal), 600, "the progress"
            )
            seen_progress.append(time.perf_counter())

        watcher = asyncio.ensure_future(watch())
        deleted = set(ids)
        start, cpu_start = time.perf_counter(), time.process_time()
        await pilot.press("enter")
        # Polled every 5 ms, not 2: two tasks waking 500 times a second cost the app's
        # process 4 % of a CPU, which on loopback (CPU-bound) is 4 % of its throughput.
        end = await _wait_for(
            lambda: app.screen is screen and not deleted & screen.model.pos_by_id.keys(),
            600,
            "the deletes",
            poll_s=0.005,
        )
        cpu = time.process_time() - cpu_start
        watcher.cancel()
        if not seen_progress:
            raise RuntimeError("the bulk delete never showed its progress modal")
        remaining = len(screen.model.index)
    return {"seconds": end - start, "cpu_s": cpu, "marked": marked, "remaining": remaining}


async def delete_sequential(params: Params) -> dict[str, Any]:
    from runloop_tui.api.client import ObjectsClient

    ids = _read_ids(params)
    async with ObjectsClient(params["url"], _key()) as client:
        await client.count_objects()
        start = time.perf_counter()
        for object_id in ids:
            await client.delete_object(object_id)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "deleted": len(ids)}


async def delete_client(params: Params) -> dict[str, Any]:
    """The raw client's adaptive bulk delete (`runloop-tui rm`'s engine), no UI."""
    from runloop_tui.api.bulk import DEFAULT_CONCURRENCY, delete_many
    from runloop_tui.api.client import ObjectsClient, RetryPolicy
    from runloop_tui.api.transport import install
    from runloop_tui.config import Settings

    install()  # as the app and `runloop-tui rm` do
    wanted = set(_read_ids(params))
    settings = Settings(base_url=params["url"], api_key=_key())
    policy = RetryPolicy(max_retries=settings.max_retries, timeout_seconds=settings.timeout_seconds)
    async with ObjectsClient(settings.base_url, settings.api_key, retry=policy) as client:
        # Listed first, untimed, as the TUI's run has its rows loaded before the Enter.
        objects = [o async for page in client.iter_pages() for o in page.objects if o.id in wanted]
        start, cpu_start = time.perf_counter(), time.process_time()
        outcome = await delete_many(
            client.delete_object, objects, concurrency=DEFAULT_CONCURRENCY, adaptive=True
        )
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return {
        "seconds": seconds,
        "cpu_s": cpu,
        "deleted": len(outcome.deleted),
        "failed": len(outcome.failed),
    }


MODES: dict[str, Callable[[Params], Awaitable[dict[str, Any]]]] = {
    "launch-app": launch_app,
    "launch-minimal": launch_minimal,
    "load-app": load_app,
    "load-httpx": load_httpx,
    "filter-app": filter_app,
    "filter-datatable": filter_datatable,
    "upload-client": upload_client,
    "download-client": download_client,
    "delete-tui": delete_tui,
    "delete-sequential": delete_sequential,
    "delete-client": delete_client,
}


# The modes that run the real app (the others are baselines or the bare client).
APP_MODES = frozenset({"launch-app", "load-app", "filter-app", "delete-tui"})


async def _run(
    mode: Callable[[Params], Awaitable[dict[str, Any]]], params: Params
) -> dict[str, Any]:
    return await mode(params)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in MODES:
        print(f"usage: python -m bench.child {{{','.join(MODES)}}} PARAMS_JSON", file=sys.stderr)
        return 2
    if argv[0] in APP_MODES:
        # As `runloop-tui` does: the tui package (its Textual settings) comes before Textual.
        import runloop_tui.tui  # noqa: F401
    result: dict[str, Any] = asyncio.run(_run(MODES[argv[0]], json.loads(argv[1])))
    _emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
