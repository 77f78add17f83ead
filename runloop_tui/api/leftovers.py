"""Objects an upload created but could not delete after it failed: kept to be removed later.

An upload that fails after its create (the server went away mid-PUT) deletes the object it
made. When that delete fails too (the server is still away), the object would stay UPLOADING
for good; its id is kept here instead, and `sweep` deletes it once the server is back.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from runloop_tui.api.errors import ApiError, NotFoundError

# Waits between sweeps while something is left behind: quick at first, then every minute.
BACKOFF_SECONDS = (2.0, 4.0, 8.0, 15.0, 30.0, 60.0)


def backoff_seconds(attempt: int) -> float:
    """The wait before sweep number ``attempt`` (0-based)."""
    return BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS) - 1)]


class LeftBehind:
    """The ids of half-made objects still to delete, oldest first."""

    def __init__(self) -> None:
        self._ids: dict[str, None] = {}

    def __contains__(self, object_id: object) -> bool:
        return object_id in self._ids

    def __bool__(self) -> bool:
        return bool(self._ids)

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    async def try_delete(
        self, object_id: str, delete: Callable[[str], Awaitable[object]], each_seconds: float
    ) -> bool:
        """Delete one (bounded by ``each_seconds``): True once it is gone, else it is kept.

        A 404 counts as gone (the server, or an earlier attempt whose answer was lost, removed
        it). Anything else keeps the id for the next sweep.
        """
        try:
            with contextlib.suppress(NotFoundError):
                await asyncio.wait_for(delete(object_id), each_seconds)
        except (ApiError, OSError, TimeoutError):
            self._ids[object_id] = None
            return False
        self._ids.pop(object_id, None)
        return True

    async def sweep(
        self, delete: Callable[[str], Awaitable[object]], each_seconds: float
    ) -> list[str]:
        """Try to delete each one, oldest first; the ids now gone."""
        return [i for i in self.ids if await self.try_delete(i, delete, each_seconds)]
