"""Figure 8: a keystroke in the filter, from outside: written to a real terminal (a pty whose
output feeds a pyte screen) until the screen stops changing.

Figure: the real app on the bench server, fully loaded, the filter typed one key at a time.
Baselines, same typing, same run: two bare Textual apps with an Input above 30 rows of the
same names (bench/bare_apps.py): **floor**, where each key changes the whole screenful with
almost no work (what Textual and the terminal cost), and **naive**, which filters every
name with a list comprehension per key. Each run starts the three afresh, in turn.

A key's sample runs from its write to the last screen change before QUIET_S of stillness
(text and cursor position: see bench/terminal.py). The largest gap between two changes of
one key is reported: a freeze longer than QUIET_S in the middle of a key would end it early.
"""

from __future__ import annotations

from collections.abc import Callable

from bench.core import Row, median, percentile
from bench.outside import seeded_old, start_app, start_bare
from bench.server import BenchContext
from bench.terminal import KeySample, PtyApp

QUIET_S = 0.5
BACK = "\b"
# Round 1: narrowing terms, a negation, a field term, then backspaces to nothing. Round 2
# revisits round 1's texts (`7/obj ` -> `7/obj` is the backspace that used to stall), then
# a text not tuned to the data (it matches nothing), typed and erased.
ROUNDS: tuple[tuple[str, str], ...] = (
    ("round 1", "7/obj -71 type:text" + BACK * 19),
    ("round 2", "7/obj -71" + BACK * 9 + "logs 2024" + BACK * 9),
)


def typing() -> list[tuple[str, str]]:
    """(key, filter text after it) for every key of every round."""
    out: list[tuple[str, str]] = []
    text = ""
    for _, script in ROUNDS:
        for ch in script:
            text = text[:-1] if ch == BACK else text + ch
            out.append(("backspace" if ch == BACK else ch, text))
    return out


def _type(term: PtyApp) -> list[KeySample]:
    return [term.press(key, QUIET_S) for key, _ in typing()]


def _app_run(ctx: BenchContext, account: str, count: int) -> list[KeySample]:
    with start_app(ctx, account) as term:
        term.wait_for(lambda s: f"{count:,} shown" in s, 300, "the whole list loaded")
        term.settle(QUIET_S)
        term.press("/", QUIET_S)  # focus the filter
        return _type(term)


def _bare_run(mode: str, count: int) -> list[KeySample]:
    with start_bare(mode, count) as term:
        term.wait_for(lambda s: "object-" in s, 120, "the first rows")
        term.settle(QUIET_S)
        return _type(term)


def _ms(samples: list[KeySample]) -> list[float]:
    return [s.seconds * 1000 for s in samples]


def _span(values: list[float]) -> str:
    return f"{min(values):.0f}-{max(values):.0f}" if len(values) > 1 else f"{values[0]:.0f}"


def run(ctx: BenchContext) -> list[Row]:
    count, runs = ctx.sizes.terminal_objects, ctx.sizes.terminal_runs
    seeded_old(ctx, "term", count)
    per_run: dict[str, list[list[float]]] = {"floor": [], "naive": [], "app": []}
    gaps: list[float] = []
    app_samples: list[list[KeySample]] = []
    for _ in range(runs):
        for mode in ("floor", "naive"):
            samples = _bare_run(mode, count)
            per_run[mode].append(_ms(samples))
            gaps += [s.largest_gap_s for s in samples]
        samples = _app_run(ctx, "term", count)
        app_samples.append(samples)
        per_run["app"].append(_ms(samples))
        gaps += [s.largest_gap_s for s in samples]

    def pooled(mode: str) -> list[float]:
        return [v for run_values in per_run[mode] for v in run_values]

    def stat(mode: str, fn: str) -> list[float]:
        picks: dict[str, Callable[[list[float]], float]] = {
            "p50": median,
            "p95": lambda v: percentile(v, 95),
            "max": max,
        }
        pick = picks[fn]
        return [pick(values) for values in per_run[mode]]

    app, floor = pooled("app"), pooled("floor")
    what = f"{count:,} objects, from outside (pty)"
    rows = [
        Row(
            "8a",
            f"Keystroke to settled screen, p50, {what}",
            median(app),
            median(floor),
            "ms",
            1.2,
            target_text="≤ 1.2x the floor app",
        ),
        Row(
            "8b",
            f"Keystroke to settled screen, p95, {what}",
            percentile(app, 95),
            percentile(floor, 95),
            "ms",
            1.5,
            target_text="≤ 1.5x the floor app",
        ),
        Row(
            "8c",
            f"Slowest keystroke, {what}",
            max(app),
            max(floor),
            "ms",
            250,
            target_on="absolute",
            target_text="≤ 250 ms",
        ),
    ]
    keys = typing()
    worst = sorted(
        ((s.seconds * 1000, i) for samples in app_samples for i, s in enumerate(samples)),
        reverse=True,
    )[:5]
    revisit = len(ROUNDS[0][1]) + 9 + 4  # round 2's backspace from `7/obj ` to `7/obj`
    assert keys[revisit - 1][1] == "7/obj"
    ranges = "; ".join(
        f"{mode}: p50 {_span(stat(mode, 'p50'))}, p95 {_span(stat(mode, 'p95'))}, "
        f"max {_span(stat(mode, 'max'))} ms"
        for mode in ("floor", "naive", "app")
    )
    rows[0].notes += [
        f"{len(keys)} keys per run x {runs} runs, each app started afresh per run; "
        f"settled = {QUIET_S * 1000:.0f} ms without a screen change",
        f"per-run ranges: {ranges}",
        f"naive app (list comprehension over {count:,} names per key): p50 "
        f"{median(pooled('naive')):.0f} ms, p95 {percentile(pooled('naive'), 95):.0f} ms, "
        f"max {max(pooled('naive')):.0f} ms",
        "round 2's backspace `7/obj ` -> `7/obj` (the reported stall), per run: "
        + ", ".join(f"{samples[revisit - 1].seconds * 1000:.0f}" for samples in app_samples)
        + " ms",
        "app's slowest keys: " + ", ".join(f"{ms:.0f} ms (-> {keys[i][1]!r})" for ms, i in worst),
        f"largest gap between two screen changes within one key: {max(gaps) * 1000:.0f} ms "
        f"(a gap over {QUIET_S * 1000:.0f} ms would have ended a sample early)",
    ]
    return rows
