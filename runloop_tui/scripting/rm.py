"""`runloop-tui rm FILTER ...`: delete every object a filter matches, as the TUI's bulk delete.

Safety, in order: an empty filter, or one of negations only (`-keep`), needs --all; read-only
mode refuses; without --yes a terminal must type the count (as in the TUI) and a non-terminal
gets the summary and exit 2. A listing cut short (--max-objects, or a server that stops paging
early) is said to be so; --yes then deletes nothing unless --partial says a batch is meant.
An object listed in a state that can still change (UPLOADING, ERROR) is fetched again just
before its delete; if it no longer matches, it is reported and left alone, never guessed at.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import time
from collections import Counter
from collections.abc import Iterator, Sequence

from runloop_tui.api.bulk import DEFAULT_CONCURRENCY, BulkDeleteOutcome, StopFlag, delete_many
from runloop_tui.api.client import ObjectsClient
from runloop_tui.api.models import ObjectState, ObjectView
from runloop_tui.config import Settings
from runloop_tui.query.filter import CompiledFilter
from runloop_tui.scripting.common import (
    EXIT_FAILED,
    EXIT_OK,
    Streams,
    UsageError,
    command_parser,
    compile_words,
    fail,
    now_ms,
    run_session,
)
from runloop_tui.scripting.listing import matching_objects, tell_listing
from runloop_tui.scripting.ls import write_ids
from runloop_tui.tui.formatting import display_text, human_size

EXIT_REFUSED = 2
FIRST_NAMES = 10
PROGRESS_SECONDS = 0.1
EXAMPLES = """\
  runloop-tui rm 'state:uploading' 'age>1d' --dry-run     what would go
  runloop-tui rm 'state:uploading' 'age>1d'               asks you to type the count
  runloop-tui rm name:scratch/ type:text --yes
  runloop-tui rm 'state:error' --dry-run --format ids > doomed.txt

  nightly, from crontab (03:15; failures reach cron's mail, exit status 1):
  15 3 * * *  runloop-tui rm 'state:uploading' 'age>1d' --yes"""


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "rm",
        "Delete every object a filter matches. Deleting cannot be undone: without --yes it\n"
        "shows what would go and asks you to type the count; off a terminal it only shows.",
        EXAMPLES,
    )
    parser.add_argument(
        "--yes", action="store_true", help="delete without asking (for scripts and cron)"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="show what would be deleted, delete nothing"
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="allow an empty filter (every object is deleted) or one of negations only",
    )
    parser.add_argument(
        "--partial",
        action="store_true",
        help="with --yes, delete the matches even when the listing was cut short "
        "(--max-objects reached, or the server stopped paging early); run again for the rest",
    )
    parser.add_argument(
        "--format",
        choices=("text", "ids"),
        default="text",
        help="ids: print the ids (to be) deleted on stdout, the report on stderr",
    )
    return parser


def run(args: argparse.Namespace, settings: Settings, io: Streams) -> int:
    compiled = compile_words(args.filter)
    if compiled.is_empty and not args.all:
        raise UsageError(
            "refusing to delete without a filter; give one, or --all to delete every object"
        )
    if compiled.only_negations and not args.all:
        raise UsageError(
            f"refusing to delete with only negated terms ({compiled.text!r} matches every "
            "object but those): add a term that says what to delete, or --all"
        )
    if settings.read_only and not args.dry_run:
        raise UsageError("refusing to delete in read-only mode (--read-only or the profile)")

    async def work(client: ObjectsClient) -> int:
        return await _remove(client, compiled, args, io, settings.max_objects)

    return run_session(settings, work)


async def _remove(
    client: ObjectsClient,
    compiled: CompiledFilter,
    args: argparse.Namespace,
    io: Streams,
    max_objects: int,
) -> int:
    listing = await matching_objects(client, compiled, now_ms(), max_objects=max_objects)
    listed = listing.objects
    # Said first, so it is read before the summary and the question.
    whole = tell_listing(io.err, "rm", listing)
    # Deleting a DELETED object again is a no-op the server accepts; it is no work to do.
    objects = [o for o in listed if o.state is not ObjectState.DELETED]
    report = io.err if args.format == "ids" else io.out
    if len(listed) > len(objects):
        gone = len(listed) - len(objects)
        print(f"{plural(gone, 'matching object')} already DELETED; skipped.", file=report)
    if not objects:
        so_far = f" among the {plural(listing.read, 'object')} read" if listing.incomplete else ""
        print(f"No objects match{so_far}; nothing to delete.", file=report)
        return whole
    summary = summary_lines(objects, incomplete=listing.incomplete)
    if args.dry_run:
        _print(report, [*summary, "Dry run: nothing deleted."])
        if args.format == "ids":
            write_ids(io, objects)
        return whole
    if listing.incomplete and args.yes and not args.partial:
        _print(io.err, summary)
        return fail(
            io,
            "runloop-tui rm",
            "the listing was cut short, so more objects may match; nothing was deleted. "
            "Pass --partial to delete these anyway (and run again for the rest), or narrow "
            "the filter or raise --max-objects",
            EXIT_REFUSED,
        )
    if not args.yes:
        if not io.inp.isatty():
            _print(io.err, summary)
            return fail(
                io,
                "runloop-tui rm",
                "not a terminal, so nothing was deleted; pass --yes to delete without "
                "asking, or --dry-run to only look",
                EXIT_REFUSED,
            )
        if not _confirmed(io, summary, len(objects)):
            print("Nothing deleted.", file=io.err)
            return EXIT_REFUSED
    outcome, changed = await _delete(client, compiled, objects, io)
    status = _report(io, report, args.format, outcome, changed)
    return status if status != EXIT_OK else whole


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def summary_lines(objects: Sequence[ObjectView], *, incomplete: bool = False) -> list[str]:
    """Count, total size, states, and the first names: what the TUI's summary shows.
    `incomplete`: the listing was cut short, so these are the matches found so far."""
    size = sum(max(0, o.size_bytes or 0) for o in objects)
    states = Counter(str(o.state) for o in objects)
    # A state the client does not know is kept as the server sent it: free text too.
    by_state = " · ".join(f"{display_text(state)} {n:,}" for state, n in states.most_common())
    lines = [
        f"{plural(len(objects), 'object')} · {human_size(size)} ({size:,} bytes)",
        f"By state: {by_state}",
    ]
    if incomplete:
        lines.insert(0, "The listing was cut short: these are the matches found so far.")
    lines += [f"  • {display_text(o.name)}" for o in objects[:FIRST_NAMES]]
    if len(objects) > FIRST_NAMES:
        lines.append(f"  … and {len(objects) - FIRST_NAMES:,} more")
    return lines


def _print(stream: object, lines: Sequence[str]) -> None:
    for line in lines:
        print(line, file=stream)  # type: ignore[call-overload]


def _confirmed(io: Streams, summary: Sequence[str], count: int) -> bool:
    """The TUI's friction: the exact count must be typed; anything else deletes nothing."""
    _print(io.err, [f"Delete {plural(count, 'object')}? This cannot be undone.", *summary])
    io.err.write(f"Type {count} to delete them (anything else cancels): ")
    io.err.flush()
    typed = io.inp.readline()  # blocking on purpose: nothing else runs until the answer
    return typed.strip().replace(",", "") == str(count)


async def _delete(
    client: ObjectsClient, compiled: CompiledFilter, objects: Sequence[ObjectView], io: Streams
) -> tuple[BulkDeleteOutcome, dict[str, str]]:
    by_id = {o.id: o for o in objects}
    changed: dict[str, str] = {}

    async def delete(object_id: str) -> None:
        before = by_id[object_id]
        if before.state is not ObjectState.READ_ONLY:  # READ_ONLY can only become DELETED
            now = await client.get_object(object_id)
            if now.id != object_id:
                # Not the object that was listed: nothing about ours is known.
                changed[object_id] = display_text(
                    f"could not confirm: the server answered with another object ({now.id})"
                )
                return
            if now.state is ObjectState.DELETED:
                changed[object_id] = "already DELETED by someone else"
                return
            if not compiled.matches(now, now_ms()):
                changed[object_id] = display_text(
                    f"{before.state} → {now.state} since the listing; no longer matches"
                )
                return
        await client.delete_object(object_id)

    stop = StopFlag()
    with _stop_on_interrupt(stop), _Progress(io, len(objects)) as progress:
        outcome = await delete_many(
            delete,
            objects,
            concurrency=DEFAULT_CONCURRENCY,
            adaptive=True,
            on_result=progress.result,
            stop=stop,
        )
    return outcome, changed


@contextlib.contextmanager
def _stop_on_interrupt(stop: StopFlag) -> Iterator[None]:
    """Ctrl+C starts no new delete; those in flight finish and the report says what is left."""
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGINT, stop.stop)
    except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)


class _Progress:
    """A one-line bar on stderr, redrawn at most every PROGRESS_SECONDS; only on a terminal."""

    WIDTH = 30

    def __init__(self, io: Streams, total: int) -> None:
        self.err = io.err
        self.enabled = io.err.isatty()
        self.total = total
        self.done = 0
        self.failed = 0
        self._drawn = 0.0

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled and self._drawn:
            self._draw()
            self.err.write("\n")
            self.err.flush()

    def result(self, obj: ObjectView, error: str | None) -> None:
        self.done += 1
        self.failed += error is not None
        if self.enabled and time.monotonic() - self._drawn >= PROGRESS_SECONDS:
            self._draw()

    def _draw(self) -> None:
        self._drawn = time.monotonic()
        filled = self.WIDTH * self.done // max(1, self.total)
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        failed = f"  {self.failed:,} failed" if self.failed else ""
        self.err.write(f"\r{bar} {self.done:,}/{self.total:,}{failed}\x1b[K")
        self.err.flush()


def _report(
    io: Streams, report: object, fmt: str, outcome: BulkDeleteOutcome, changed: dict[str, str]
) -> int:
    deleted = [o for o in outcome.deleted if o.id not in changed]
    size = sum(max(0, o.size_bytes or 0) for o in deleted)
    lines = [
        f"Deleted {len(deleted):,} of {plural(outcome.requested, 'object')} ({human_size(size)})."
    ]
    if changed:
        verb = "was" if len(changed) == 1 else "were"
        lines.append(
            f"{plural(len(changed), 'object')} {verb} left alone (changed since the listing, "
            "or could not be confirmed):"
        )
        lines += [
            f"  {display_text(o.name)} ({display_text(o.id)}): {changed[o.id]}"
            for o in outcome.deleted
            if o.id in changed
        ]
    if outcome.skipped:
        lines.append(f"Stopped: {len(outcome.skipped):,} were not attempted.")
    if outcome.failed:
        lines.append(f"Failed to delete {len(outcome.failed):,}:")
        lines += [
            f"  {display_text(f.obj.name)} ({display_text(f.obj.id)}): {display_text(f.error)}"
            for f in outcome.failed
        ]
    _print(report, lines)
    if fmt == "ids":
        write_ids(io, deleted)
    if outcome.failed or outcome.skipped:
        not_done = len(outcome.failed) + len(outcome.skipped)
        return fail(
            io,
            "runloop-tui rm",
            f"{not_done:,} of {plural(outcome.requested, 'object')} not deleted",
            EXIT_FAILED,
        )
    return EXIT_OK
