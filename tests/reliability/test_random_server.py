"""The real app against a server that speaks the contract but says random things.

tests/support/odd_server.py (a real process) answers every request with a random body that
the spec's schemas admit (tests/support/schemas: vendored from the spec), for a fixed number
of responses; then its lists end. The app is driven through listing, refreshes, the cursor,
the detail pane, the filter, Preview and the URL modal. After each run: no crash, a bounded
number of requests, bounded memory, and nothing raw on screen.

RUNLOOP_FUZZ_SECONDS=600 turns this into a long fuzz run over fresh seeds (done once and
reported; CI runs the fixed seeds below in well under 30 s).
"""

from __future__ import annotations

import os
import resource
import time
from typing import Any

import pytest

from runloop_tui.api import ObjectsClient
from runloop_tui.config import Settings
from runloop_tui.tui.app import RunloopApp
from tests.conftest import API_KEY
from tests.reliability.tuihelp import assert_alive, drain, screen_lines
from tests.support.odd_proc import OddServer
from tests.tui.conftest import browser, fixed_clock, quick_retry

RESPONSES = 40
SEEDS = (1, 2)
# Raw things that must never reach the screen: escape sequences, invisible bidi controls,
# Python reprs and tracebacks, undigested JSON bodies.
RAW_MARKERS = (
    "\x1b",
    "\u202e",
    "\u200b",
    "\u2028",
    "Traceback",
    "ObjectView(",
    "object at 0x",
    '"objects"',
    '"error"',
    '{"',
)
KEYS = ("down", "down", "i", "end", "home", "p", "escape", "y", "escape", "r", "space", "pagedown")
MAX_RSS_GROWTH_KB = 400 * 1024


def _rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def _one_run(seed: int, responses: int) -> dict[str, Any]:
    with OddServer("random", seed=seed, responses=responses) as odd:
        client = ObjectsClient(odd.base_url, API_KEY, retry=quick_retry())
        app = RunloopApp(
            Settings(base_url=odd.base_url, api_key=API_KEY, max_objects=20_000),
            client,
            clock=fixed_clock,
            live_refresh=False,
            page_size=1000,
            first_page_size=100,
        )
        before = _rss_kb()
        async with app.run_test(size=(100, 30)) as pilot:
            await drain(app, pilot)
            screens: list[str] = ["\n".join(screen_lines(app))]
            for round_ in range(3):
                for key in KEYS:
                    await pilot.press(key)
                    await pilot.pause()
                await drain(app, pilot)
                browser(app).set_filter(f"a size<{10**round_}KB")
                await drain(app, pilot)
                screens.append("\n".join(screen_lines(app)))
                assert_alive(app)
            # Back to the browser (a modal may be open).
            while len(app.screen_stack) > 2:
                app.pop_screen()
                await pilot.pause()
            await drain(app, pilot)
            # Then refresh until the server has said all it will (bounded: each listing
            # takes at least one random response), looking at the screen now and then.
            screen = browser(app)
            for listing in range(responses):
                if odd.stats()["random"] >= responses:
                    break
                screen.refresh_now()
                await drain(app, pilot)
                await pilot.press("down", "i")
                if listing % 10 == 0:
                    screens.append("\n".join(screen_lines(app)))
                assert_alive(app)
            assert odd.stats()["random"] >= responses
            screens.append("\n".join(screen_lines(app)))
            assert_alive(app)
        stats = odd.stats()
    for text in screens:
        for marker in RAW_MARKERS:
            assert marker not in text, f"seed {seed}: {marker!r} on screen:\n{text}"
    # Bounded: the random responses, plus each action's few requests (lists end after them).
    assert stats["requests"] <= 2 * responses + 20 * len(KEYS), stats
    growth = _rss_kb() - before
    assert growth < MAX_RSS_GROWTH_KB, f"seed {seed}: RSS grew {growth} KiB"
    return {"seed": seed, **stats, "rss_growth_kb": growth}


@pytest.mark.parametrize("seed", SEEDS)
async def test_the_app_survives_a_random_schema_valid_server(seed: int) -> None:
    await _one_run(seed, RESPONSES)


@pytest.mark.skipif(
    not os.environ.get("RUNLOOP_FUZZ_SECONDS"), reason="long fuzz run: set RUNLOOP_FUZZ_SECONDS"
)
@pytest.mark.timeout(float(os.environ.get("RUNLOOP_FUZZ_SECONDS") or 0) + 300)
async def test_long_fuzz_run_against_the_random_server() -> None:
    seconds = float(os.environ["RUNLOOP_FUZZ_SECONDS"])
    start = time.monotonic()
    seed = int(os.environ.get("RUNLOOP_FUZZ_SEED", "1000"))
    runs: list[dict[str, Any]] = []
    while time.monotonic() - start < seconds:
        runs.append(await _one_run(seed, RESPONSES * 3))
        seed += 1
    total = sum(r["requests"] for r in runs)
    print(
        f"\nFUZZ {len(runs)} runs, seeds {runs[0]['seed']}..{runs[-1]['seed']}, "
        f"{total} requests, {sum(r['random'] for r in runs)} random responses, "
        f"max RSS growth {max(r['rss_growth_kb'] for r in runs)} KiB, "
        f"{time.monotonic() - start:.0f} s"
    )


def test_the_random_bodies_are_valid_under_the_specs_schemas() -> None:
    """The random server must say only what the contract allows, or a crash proves nothing."""
    import jsonschema

    from tests.support.schema_random import SchemaRandom

    generator = SchemaRandom(seed=7)
    definitions = generator.definitions
    for name in ("ObjectListView", "ObjectView", "ObjectDownloadUrlView", "MetadataKeysView"):
        validator = jsonschema.Draft7Validator(
            {"definitions": definitions, "$ref": f"#/definitions/{name}"}
        )
        for _ in range(60):
            validator.validate(generator.value(name))
