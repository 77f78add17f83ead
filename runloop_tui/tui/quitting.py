"""Quitting with work in flight: what is running, how to say it, and how to stop it cleanly.

Quitting (q, ctrl+q, SIGTERM, SIGHUP) cancels uploads, downloads and deletes before the
client closes, so each runs its own cleanup: an upload deletes its half-made object (nothing
is left UPLOADING), a download removes its part file. The whole clean-up is bounded, so a
dead server cannot hold the terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Iterable, Sequence

from textual.worker import Worker

BULK_DELETE = "bulk-delete"  # the worker group of a bulk delete (modals/bulk_delete.py)
# Worker groups whose work would be lost or left half-made by an exit.
WORK_NOUNS: dict[str, tuple[str, str]] = {
    "upload": ("transfer", "transfers"),
    "download": ("transfer", "transfers"),
    BULK_DELETE: ("bulk delete", "bulk deletes"),
    "delete": ("delete", "deletes"),
}
CLEANUP_SECONDS = 5.0


def work_in_flight(workers: Iterable[Worker[object]]) -> list[Worker[object]]:
    return [w for w in workers if w.group in WORK_NOUNS and not w.is_finished]


def describe(groups: Sequence[str]) -> str:
    """'2 transfers are running', '1 transfer and 1 bulk delete are running'."""
    counts = Counter(WORK_NOUNS[g] for g in groups if g in WORK_NOUNS)
    parts = [f"{n} {nouns[0] if n == 1 else nouns[1]}" for nouns, n in counts.items()]
    if not parts:
        return "Nothing is running"
    phrase = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    verb = "is" if sum(counts.values()) == 1 else "are"
    return f"{phrase} {verb} running"


def quit_question(groups: Sequence[str]) -> str:
    them = "it" if len(groups) == 1 else "them"
    return f"{describe(groups)}. Quit and cancel {them}?"


async def cancel_and_wait(workers: Sequence[Worker[object]], seconds: float) -> int:
    """Cancel the workers and wait (bounded) for their cleanup; how many did not finish."""
    if not workers:
        return 0
    for worker in workers:
        worker.cancel()

    async def finished(worker: Worker[object]) -> None:
        with contextlib.suppress(Exception):
            await worker.wait()

    tasks = [asyncio.ensure_future(finished(w)) for w in workers]
    _, pending = await asyncio.wait(tasks, timeout=seconds)
    for task in pending:
        task.cancel()
    return len(pending)
