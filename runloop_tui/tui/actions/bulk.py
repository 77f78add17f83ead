"""Delete many objects with bounded concurrency; every object's outcome is kept.

No Textual here: the progress modal drives this and renders the outcome.
"""

from __future__ import annotations

import asyncio
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


async def delete_many(
    delete: Callable[[str], Awaitable[object]],
    objects: Sequence[ObjectView],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_result: Callable[[ObjectView, str | None], None] | None = None,
    stop: StopFlag | None = None,
) -> BulkDeleteOutcome:
    """Call `delete(id)` for each object, at most `concurrency` at once, in order.

    An ApiError (or a network error the client wraps) becomes a failure for that object only;
    `on_result(obj, error_or_None)` is called as each finishes. After `stop`, no new delete
    starts; those already sent are awaited.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    deleted: dict[int, ObjectView] = {}
    failed: dict[int, DeleteFailure] = {}
    attempted: set[int] = set()
    semaphore = asyncio.Semaphore(concurrency)

    async def one(index: int, obj: ObjectView) -> None:
        async with semaphore:
            if stop is not None and stop.stopped:
                return
            attempted.add(index)
            error: str | None = None
            try:
                await delete(obj.id)
            except ApiError as exc:
                error = str(exc)
            except OSError as exc:  # a transport error the client did not wrap
                error = f"Network error: {exc}"
            if error is None:
                deleted[index] = obj
            else:
                failed[index] = DeleteFailure(obj, error)
            if on_result is not None:
                on_result(obj, error)

    # One task per object, gated by the semaphore: start order is the table's order.
    async with asyncio.TaskGroup() as group:
        for index, obj in enumerate(objects):
            group.create_task(one(index, obj))
    return BulkDeleteOutcome(
        requested=len(objects),
        deleted=tuple(deleted[i] for i in sorted(deleted)),
        failed=tuple(failed[i] for i in sorted(failed)),
        skipped=tuple(obj for i, obj in enumerate(objects) if i not in attempted),
    )
