"""Delete many objects with bounded concurrency; every object's outcome is kept.

No Textual here: the TUI's progress modal and `runloop-tui rm` drive this.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from runloop_tui.api.errors import ApiError
from runloop_tui.api.models import ObjectView

# Eight requests in flight keep a remote API busy without tripping its rate limits.
DEFAULT_CONCURRENCY = 8


@dataclass(frozen=True, slots=True)
class DeleteFailure:
    obj: ObjectView
    error: str


@dataclass(frozen=True, slots=True)
class BulkDeleteOutcome:
    requested: int
    deleted: tuple[ObjectView, ...]
    failed: tuple[DeleteFailure, ...]
    # Never attempted because the user stopped the run.
    skipped: tuple[ObjectView, ...]

    @property
    def stopped(self) -> bool:
        return bool(self.skipped)


class StopFlag:
    def __init__(self) -> None:
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


class AdaptiveLimit:
    """How many requests to keep in flight: at most `maximum`, and at least two (or one).

    More requests in flight only help while they wait on the network. Once one end is busy
    (on loopback every delete is CPU on both ends) extra requests just queue, and each costs
    CPU on both sides (connection pool scans, server threads) without finishing sooner.
    TCP Vegas's estimate tells the two apart: with the fastest round trip seen as the time
    on the wire, `limit * (1 - fastest / typical)` requests are waiting behind others.
    Fewer than `GROW_BELOW`: one more; more than `SHRINK_ABOVE`: one fewer (both spread over
    a window of results). Until the first sign of queueing it grows by one per result (slow
    start), so a remote API gets all `maximum` within a few round trips; after that the
    round trip is smoothed over recent results, so one slow frame of the UI does not count.
    """

    GROW_BELOW = 2.0
    SHRINK_ABOVE = 3.0
    SMOOTHING = 0.2  # weight of the newest round trip in the running average

    def __init__(self, maximum: int) -> None:
        if maximum < 1:
            raise ValueError("maximum must be at least 1")
        self.maximum = maximum
        # Two in flight always overlap one request's client work with the other's server work.
        self._floor = min(2.0, float(maximum))
        self._value = self._floor
        self._fastest = math.inf
        self._typical = 0.0
        self._slow_start = True

    @property
    def current(self) -> int:
        return min(self.maximum, max(1, int(self._value)))

    def _queued(self, round_trip: float) -> float:
        return self._value * (1 - self._fastest / round_trip)

    def observe(self, seconds: float) -> None:
        """One request took `seconds` from send to answer."""
        if seconds <= 0:
            return
        self._fastest = min(self._fastest, seconds)
        if self._typical == 0.0:
            self._typical = seconds
        else:
            self._typical += self.SMOOTHING * (seconds - self._typical)
        # Slow start stops at the first answer that queued; everything else, growing again
        # included, goes by the smoothed round trip.
        recent = seconds if self._slow_start else self._typical
        if self._queued(recent) < self.GROW_BELOW:
            step = 1.0 if self._slow_start else 1 / self._value
            self._value = min(float(self.maximum), self._value + step)
            return
        self._slow_start = False
        if self._queued(self._typical) > self.SHRINK_ABOVE:
            self._value = max(self._floor, self._value - 1 / self._value)


async def delete_many(
    delete: Callable[[str], Awaitable[object]],
    objects: Sequence[ObjectView],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    adaptive: bool = False,
    on_result: Callable[[ObjectView, str | None], None] | None = None,
    stop: StopFlag | None = None,
) -> BulkDeleteOutcome:
    """Call `delete(id)` for each object, at most `concurrency` at once, in order.

    With `adaptive`, fewer run at once while more would only queue (see AdaptiveLimit).
    An ApiError (or a network error the client wraps) becomes a failure for that object only;
    `on_result(obj, error_or_None)` is called as each finishes. After `stop`, no new delete
    starts; those already sent are awaited.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    limit = AdaptiveLimit(concurrency) if adaptive else None
    deleted: dict[int, ObjectView] = {}
    failed: dict[int, DeleteFailure] = {}
    in_flight = 0
    slot_free = asyncio.Event()

    async def one(index: int, obj: ObjectView) -> None:
        nonlocal in_flight
        started = time.perf_counter()
        error: str | None = None
        try:
            await delete(obj.id)
        except ApiError as exc:
            error = str(exc)
        except OSError as exc:  # a transport error the client did not wrap
            error = f"Network error: {exc}"
        finally:
            if limit is not None:
                limit.observe(time.perf_counter() - started)
            in_flight -= 1
            slot_free.set()
        if error is None:
            deleted[index] = obj
        else:
            failed[index] = DeleteFailure(obj, error)
        if on_result is not None:
            on_result(obj, error)

    # Tasks are started one by one as slots free up, so start order is the table's order
    # and a thousand objects never mean a thousand idle tasks.
    attempted = 0
    async with asyncio.TaskGroup() as group:
        for index, obj in enumerate(objects):
            while in_flight >= (limit.current if limit is not None else concurrency):
                slot_free.clear()
                await slot_free.wait()
            if stop is not None and stop.stopped:
                break
            in_flight += 1
            attempted = index + 1
            group.create_task(one(index, obj))
    return BulkDeleteOutcome(
        requested=len(objects),
        deleted=tuple(deleted[i] for i in sorted(deleted)),
        failed=tuple(failed[i] for i in sorted(failed)),
        skipped=tuple(objects[attempted:]),
    )
