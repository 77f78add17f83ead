"""`runloop-tui ls [FILTER ...]`: the objects a filter matches, as a table, JSON, CSV or ids."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from runloop_tui.api.client import ObjectsClient
from runloop_tui.api.models import ObjectView
from runloop_tui.config import Settings
from runloop_tui.export import to_csv, to_json
from runloop_tui.scripting.common import (
    Streams,
    UsageError,
    command_parser,
    compile_words,
    now_ms,
    plain,
    run_session,
    whole_number,
)
from runloop_tui.scripting.listing import (
    SORT_CHOICES,
    matching_objects,
    sort_objects,
    tell_listing,
)
from runloop_tui.scripting.output import (
    Column,
    for_stream,
    inert_json,
    output_width,
    render_table,
    write_text,
)
from runloop_tui.tui.formatting import expires_text, human_size, short_relative_time

FORMATS = ("table", "json", "csv", "ids")
BATCH = 1000  # objects per piece of JSON or CSV text
EXAMPLES = """\
  runloop-tui ls                               every object, newest first
  runloop-tui ls 'state:uploading' 'age>1d'    uploads stuck for more than a day
  runloop-tui ls name:logs/ --sort -size --limit 20
  runloop-tui ls type:tgz --format json > tarballs.json
  runloop-tui ls 'size>1GB' --format ids | wc -l
  runloop-tui ls --public --format csv"""


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "ls", "List the objects a filter matches (all objects without one).", EXAMPLES
    )
    parser.add_argument(
        "--sort",
        type=plain,
        choices=SORT_CHOICES,
        metavar="KEY",
        help="name, size, created, expires, state or type; -KEY for descending "
        "(default: the server's order, newest first)",
    )
    parser.add_argument(
        "--limit", type=whole_number(0), metavar="N", help="print at most N objects"
    )
    parser.add_argument(
        "--public", action="store_true", help="list public objects (of every account)"
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (aligned, fits the terminal), json (the API's fields), csv, or ids "
        "(one id per line)",
    )
    return parser


def run(args: argparse.Namespace, settings: Settings, io: Streams) -> int:
    compiled = compile_words(args.filter)
    sort: str | None = args.sort
    limit: int | None = args.limit

    async def work(client: ObjectsClient) -> int:
        now = now_ms()
        # Without a sort the first N matches in the server's order are the answer, so paging
        # can stop early; a sort needs every match first.
        listing = await matching_objects(
            client,
            compiled,
            now,
            public=args.public,
            limit=None if sort else limit,
            max_objects=settings.max_objects,
        )
        objects = listing.objects
        if sort:
            objects = sort_objects(objects, sort)
            if limit is not None:
                objects = objects[:limit]
        write(io, args.format, objects, now)
        return tell_listing(io.err, "ls", listing)

    return run_session(settings, work)


def write(io: Streams, fmt: str, objects: Sequence[ObjectView], now: int) -> None:
    if fmt == "json":
        write_json(io, objects)
    elif fmt == "csv":
        write_csv(io, objects)
    elif fmt == "ids":
        write_ids(io, objects)
    elif fmt == "table" and not objects:
        print("No objects match.", file=io.err)
    elif fmt == "table":
        for line in render_table(table_columns(now), objects, output_width(io.out)):
            print(line, file=io.out)
    else:  # argparse's choices keep this out
        raise UsageError(f"unknown format {fmt!r}")
    io.out.flush()


def write_json(io: Streams, objects: Sequence[ObjectView]) -> None:
    """The export's JSON array, the same text, made and written a batch at a time: the whole
    text of a million objects at once took 2.4 GB."""
    if not objects:
        write_text(io.out, inert_json(to_json(objects)))
        return
    write_text(io.out, "[\n")
    for start in range(0, len(objects), BATCH):
        # to_json gives "[\n  {...},\n  {...}\n]\n": the inside is this batch's part.
        inside = to_json(objects[start : start + BATCH])[2:-3]
        write_text(io.out, (",\n" if start else "") + inert_json(inside))
    write_text(io.out, "\n]\n")


def write_csv(io: Streams, objects: Sequence[ObjectView]) -> None:
    """The export's CSV, the same text, made and written a batch at a time."""
    write_text(io.out, for_stream(to_csv(objects[:BATCH]), io.out))
    for start in range(BATCH, len(objects), BATCH):
        rows = to_csv(objects[start : start + BATCH]).split("\n", 1)[1]  # its own header
        write_text(io.out, for_stream(rows, io.out))


def write_ids(io: Streams, objects: Sequence[ObjectView]) -> None:
    """One id per line. An id with control characters would split or corrupt a pipeline;
    it is reported on stderr instead of printed."""
    for obj in objects:
        if obj.id.isprintable() and obj.id.strip() == obj.id and obj.id:
            print(obj.id, file=io.out)
        else:
            print(f"runloop-tui: skipped an unprintable id {obj.id!r}", file=io.err)


def table_columns(now: int) -> list[Column[ObjectView]]:
    return [
        Column("NAME", lambda o: o.name, flex=True),
        Column("SIZE", lambda o: human_size(o.size_bytes), ">", priority=1),
        Column("STATE", lambda o: str(o.state), priority=2),
        Column("CREATED", lambda o: short_relative_time(o.create_time_ms, now), ">", priority=3),
        Column("ID", lambda o: o.id, priority=4),
        Column("TYPE", lambda o: str(o.content_type), priority=5),
        Column("EXPIRES", lambda o: expires_text(o.delete_after_time_ms, now), priority=6),
    ]
