"""Adaptive in-flight limit for bulk delete: grows while requests wait on the network,
stays low while they would only queue, and never passes the maximum."""

from __future__ import annotations

from pathlib import Path

import pytest

from runloop_tui.api.bulk import AdaptiveLimit, StopFlag, delete_many
from tests.tui.actions_helpers import CountingDeleter, bulk_store, live_ids


def _drive(limit: AdaptiveLimit, round_trip: float, per_extra: float, steps: int) -> list[int]:
    """Feed `steps` results where each request in flight beyond the first adds `per_extra`
    seconds of queueing (a busy server); returns the limit after each result."""
    seen = []
    for _ in range(steps):
        n = limit.current
        limit.observe(round_trip + per_extra * (n - 1))
        seen.append(limit.current)
    return seen


def test_limit_grows_to_the_maximum_while_nothing_queues() -> None:
    limit = AdaptiveLimit(8)
    assert limit.current == 2
    seen = _drive(limit, round_trip=0.020, per_extra=0.0, steps=20)
    assert seen[:4] == [3, 4, 5, 6]  # slow start: one more per result
    assert seen[-1] == 8 and max(seen) == 8


def test_limit_stays_low_when_every_extra_request_only_queues() -> None:
    # Loopback: the round trip is all CPU, so each extra request in flight waits a full one.
    limit = AdaptiveLimit(8)
    seen = _drive(limit, round_trip=0.002, per_extra=0.002, steps=500)
    assert max(seen) <= 5 and min(seen) >= 2
    assert seen[-100:] == [seen[-1]] * 100  # settled, no oscillation


def test_one_slow_answer_does_not_cut_the_limit() -> None:
    # A remote API with the UI busy painting for one frame: one answer takes twice as long.
    limit = AdaptiveLimit(8)
    _drive(limit, round_trip=0.020, per_extra=0.0, steps=20)
    limit.observe(0.045)
    assert limit.current == 8


def test_limit_shrinks_when_the_server_slows_down() -> None:
    limit = AdaptiveLimit(8)
    _drive(limit, round_trip=0.020, per_extra=0.0, steps=20)
    assert limit.current == 8
    seen = _drive(limit, round_trip=0.020, per_extra=0.020, steps=200)
    assert seen[-1] <= 3 and min(seen) >= 2


def test_limit_rejects_a_maximum_below_one_and_keeps_a_maximum_of_one() -> None:
    with pytest.raises(ValueError):
        AdaptiveLimit(0)
    limit = AdaptiveLimit(1)
    assert limit.current == 1
    _drive(limit, round_trip=0.01, per_extra=0.0, steps=10)
    assert limit.current == 1


async def test_adaptive_bulk_delete_keeps_order_and_the_bound(data_dir: Path) -> None:
    async with bulk_store(data_dir, 120) as (api, ids, objects):
        counted = CountingDeleter(api)
        chosen = [objects[i] for i in ids[:100]]
        outcome = await delete_many(counted, chosen, concurrency=4, adaptive=True)
        assert [o.id for o in outcome.deleted] == ids[:100]
        assert not outcome.failed and not outcome.skipped
        assert 1 <= counted.peak <= 4
        assert counted.order == ids[:100]
        assert await live_ids(api) == set(ids[100:])


async def test_stop_leaves_the_rest_untouched(data_dir: Path) -> None:
    async with bulk_store(data_dir, 30) as (api, ids, objects):
        stop = StopFlag()
        results: list[str] = []

        def on_result(obj: object, error: str | None) -> None:
            assert error is None
            results.append(getattr(obj, "id", ""))
            if len(results) == 5:
                stop.stop()

        chosen = [objects[i] for i in ids]
        outcome = await delete_many(
            api.delete_object, chosen, adaptive=True, on_result=on_result, stop=stop
        )
        done = len(outcome.deleted)
        assert 5 <= done < 30 and not outcome.failed
        assert [o.id for o in outcome.deleted] == ids[:done]
        assert [o.id for o in outcome.skipped] == ids[done:]
        assert await live_ids(api) == set(ids[done:])
