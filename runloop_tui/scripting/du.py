"""`runloop-tui du [FILTER ...]`: where the space went, by name prefix (query/usage.py)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

from runloop_tui.api.client import ObjectsClient
from runloop_tui.config import Settings
from runloop_tui.query.usage import SORT_KEYS, UsageEntry, UsageIndex, sort_entries, states_text
from runloop_tui.scripting.common import (
    Streams,
    command_parser,
    compile_words,
    now_ms,
    run_session,
    whole_number,
)
from runloop_tui.scripting.listing import matching_objects, tell_listing
from runloop_tui.scripting.output import (
    Column,
    output_width,
    render_table,
    share_bar,
    write_text,
)
from runloop_tui.tui.formatting import human_size, short_relative_time

TOP_LEVEL = "(top level)"
EXAMPLES = """\
  runloop-tui du                                   space per top-level prefix, biggest first
  runloop-tui du name:agent-runs/ --depth 2        one level deeper
  runloop-tui du 'state:uploading' --sort count    where stuck uploads pile up
  runloop-tui du --format json | jq '.[0]'

Each object counts once, under its name cut at the depth-th "/"; a name with fewer "/"
counts under the deepest prefix it has ("" for names without any)."""


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "du", "Sum the objects a filter matches by name prefix, cut at '/'.", EXAMPLES
    )
    parser.add_argument(
        "--depth",
        type=whole_number(1),
        default=1,
        metavar="N",
        help="how many '/' to cut at (default 1)",
    )
    parser.add_argument(
        "--sort",
        choices=SORT_KEYS,
        default="size",
        help="size or count (biggest first), age (oldest first), name",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    return parser


def run(args: argparse.Namespace, settings: Settings, io: Streams) -> int:
    compiled = compile_words(args.filter)

    async def work(client: ObjectsClient) -> int:
        now = now_ms()
        listing = await matching_objects(client, compiled, now, max_objects=settings.max_objects)
        index = UsageIndex(listing.objects)
        entries = sort_entries(index.level("", args.depth, objects_as_entries=False), args.sort)
        if args.format == "json":
            # ensure_ascii (the default) writes every non-ASCII character as \\uXXXX: inert.
            write_text(io.out, json.dumps([e.to_json() for e in entries], indent=2) + "\n")
        elif not entries:
            print("No objects match.", file=io.err)
        else:
            columns = table_columns(now, index.total_bytes)
            for line in render_table(columns, entries, output_width(io.out)):
                print(line, file=io.out)
        io.out.flush()
        return tell_listing(io.err, "du", listing)

    return run_session(settings, work)


def share_text(size: int, total: int) -> str:
    fraction = size / total if total > 0 else 0.0
    return f"{share_bar(fraction)} {fraction * 100:5.1f}%"


def table_columns(now: int, total: int) -> Sequence[Column[UsageEntry]]:
    return [
        Column("PREFIX", lambda e: e.prefix or TOP_LEVEL, flex=True),
        Column("COUNT", lambda e: f"{e.count:,}", ">", priority=2),
        Column("SIZE", lambda e: human_size(e.size_bytes), ">", priority=1),
        Column("SHARE", lambda e: share_text(e.size_bytes, total), priority=3),
        Column(
            "OLDEST", lambda e: short_relative_time(e.oldest_create_time_ms, now), ">", priority=5
        ),
        Column(
            "NEWEST", lambda e: short_relative_time(e.newest_create_time_ms, now), ">", priority=6
        ),
        Column("STATES", lambda e: states_text(e.states), priority=4),
    ]
