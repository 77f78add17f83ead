"""What ls, du and rm share: parsing, settings, the session, the filter, and error mapping.

Exit status: 0 done; 1 an API or startup failure (or, for rm, some deletes failed);
2 a usage error or a refusal; 3 done, but the listing was incomplete (cut short by
--max-objects or by the server, or unreadable objects skipped; stderr says which); 130
interrupted; 141 the reader of stdout went away (`| head`), as for a program SIGPIPE ends.
Every error is one line on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import importlib
import os
import re
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import NoReturn, TextIO

from runloop_tui.api.client import ObjectsClient, RetryPolicy
from runloop_tui.api.errors import ApiError
from runloop_tui.config import (
    DEFAULT_MAX_OBJECTS,
    ConfigError,
    Overrides,
    Settings,
    load_settings,
)
from runloop_tui.query.filter import CompiledFilter, compile_filter
from runloop_tui.session import (
    EXIT_USAGE,
    PROG,
    StartupError,
    add_connection_flags,
    local_session,
    one_line,
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INCOMPLETE = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for `seq 1e9 | head -1`

# argparse takes any word starting with "-" for an option, but "-tmp" and "-state:error" are
# negated filter terms. Such words are hidden behind this marker while parsing.
_DASH_MARK = "\x00"
_RM_FAILED = " or some deletes failed"


class UsageError(Exception):
    """A bad command line or a refusal: one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments: "):
            unknown = message.removeprefix("unrecognized arguments: ").split()
            flags = sorted(_options(self)[1])
            near = [
                f"did you mean {match[0]}?"
                for word in unknown
                if (match := difflib.get_close_matches(word, flags, n=1))
            ]
            message = f"unknown flag {' '.join(unknown)}" + (f"; {' '.join(near)}" if near else "")
        raise UsageError(f"{message} (see {self.prog} --help)")


# A single dash and one or two letters (`-f`, `-y`, `-rf`) is how short flags look; these
# commands have none (but -h), and as a negated term such a word would match almost every
# object, so it is refused rather than guessed at.
_SHORT_FLAG = re.compile(r"-[A-Za-z]{1,2}")


def hide_negations(argv: Sequence[str], parser: argparse.ArgumentParser | None = None) -> list[str]:
    """Mark single-dash words (`-tmp`, `-size>1GB`) so argparse keeps them as values; after
    `--` every word is a filter word. Before `--`, a word that looks like a flag (`-rf`,
    `-yes` for `--yes`) is a UsageError: it must never silently become a filter term."""
    takes_value, flags = _options(parser)
    out: list[str] = []
    rest = False
    value_next = False
    for arg in argv:
        if arg == "--" and not rest:
            rest = True
            continue
        dashed = arg.startswith("-") and not arg.startswith("--") and arg not in ("-h", "-")
        if dashed and not rest and not value_next:
            _refuse_flag_like(arg, flags, parser)
        value_next = not rest and arg in takes_value
        out.append(_DASH_MARK + arg if rest or dashed else arg)
    return out


def _options(parser: argparse.ArgumentParser | None) -> tuple[set[str], set[str]]:
    """The long options that take a value, and every long option, of `parser`."""
    if parser is None:
        return set(), set()
    takes_value: set[str] = set()
    flags: set[str] = set()
    for action in parser._actions:  # argparse has no public list of its options
        longs = {o for o in action.option_strings if o.startswith("--")}
        flags |= longs
        if action.nargs != 0:
            takes_value |= longs
    return takes_value, flags


def _refuse_flag_like(arg: str, flags: set[str], parser: argparse.ArgumentParser | None) -> None:
    prog = parser.prog if parser is not None else PROG
    hint = (
        f"to filter on names without {arg[1:]!r}, write the term after --: {prog} [flags] -- {arg}"
    )
    if "-" + arg in flags:
        raise UsageError(f"{arg!r} is not a flag; did you mean -{arg}? ({hint})")
    if _SHORT_FLAG.fullmatch(arg):
        raise UsageError(f"unknown flag {arg!r} (see {prog} --help); {hint}")


def plain(value: str) -> str:
    """An argparse `type`: undo hide_negations on a value."""
    return value.removeprefix(_DASH_MARK)


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse `type`: a whole number of at least `minimum`."""

    def parse(text: str) -> int:
        try:
            value = int(plain(text))
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {minimum} or more, not {value}")
        return value

    return parse


def command_parser(
    command: str, summary: str, examples: str, *, filter_required: bool = False
) -> argparse.ArgumentParser:
    parser = _Parser(
        prog=f"{PROG} {command}",
        allow_abbrev=False,
        description=summary,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            f"examples:\n{examples}\n\n"
            "The words of FILTER join into one expression of the filter bar's language\n"
            "(press ? in the app, or see the README). Quote terms that hold spaces or\n"
            "shell characters such as > and <. Negated terms (-tmp) work as they are,\n"
            "except those that look like flags (-f, -rf): write them after --, where\n"
            "every word is a filter word.\n\n"
            f"exit status: 0 done, 1 API error{_RM_FAILED if command == 'rm' else ''}, "
            "2 usage error or refusal,\n3 done but the listing was incomplete (cut short, or "
            "unreadable objects skipped;\nstderr says which), 141 stdout closed early (| head)"
        ),
    )
    parser.add_argument(
        "filter",
        nargs="+" if filter_required else "*",
        type=plain,
        metavar="FILTER",
        help="filter terms, e.g. 'state:uploading' 'age>1d' name:logs/ -keep",
    )
    parser.add_argument(
        "--max-objects",
        type=plain,
        metavar="N",
        help=f"read at most N objects from the server (default {DEFAULT_MAX_OBJECTS:,}, or "
        "max_objects in the config file); past it the listing is cut short, said on stderr",
    )
    add_connection_flags(parser)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    overrides = Overrides(
        profile=args.profile,
        base_url=args.base_url,
        local=args.local,
        read_only=args.read_only,
        data_dir=args.data_dir,
        config=args.config,
        max_objects=args.max_objects,
    )
    return load_settings(overrides, os.environ)


def compile_words(words: Sequence[str]) -> CompiledFilter:
    """The joined filter; UsageError naming every bad term and where it sits."""
    compiled = compile_filter(" ".join(words))
    if compiled.errors:
        parts = [
            f"{e.term!r} (characters {e.start + 1}-{e.end}): {e.message}" for e in compiled.errors
        ]
        raise UsageError(f"invalid filter {compiled.text!r}: " + "; ".join(parts))
    return compiled


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class Streams:
    """Where a command writes: data on `out`, messages, prompts and progress on `err`."""

    out: TextIO
    err: TextIO
    inp: TextIO

    @staticmethod
    def system() -> Streams:
        return Streams(sys.stdout, sys.stderr, sys.stdin)


Work = Callable[[ObjectsClient], Awaitable[int]]


def run_session(settings: Settings, work: Work) -> int:
    """Run `work` with a client for the settings; for the local store, around an embedded
    server, exactly as the TUI does."""

    async def with_client(connected: Settings) -> int:
        retry = RetryPolicy(
            max_retries=connected.max_retries, timeout_seconds=connected.timeout_seconds
        )
        async with ObjectsClient(connected.base_url, connected.api_key, retry=retry) as client:
            return await work(client)

    if not settings.is_local:
        return asyncio.run(with_client(settings))
    with local_session(settings) as connected:
        return asyncio.run(with_client(connected))


Command = Callable[[argparse.Namespace, Settings, Streams], int]


def _command(name: str) -> tuple[Callable[[], argparse.ArgumentParser], Command]:
    module = importlib.import_module(f"runloop_tui.scripting.{name}")
    return module.build_parser, module.run


def run_command(name: str, argv: Sequence[str], streams: Streams | None = None) -> int:
    """`runloop-tui NAME ARGV...`: the exit status; every failure is one line on stderr."""
    io = streams or Streams.system()
    build, command = _command(name)
    prefix = f"{PROG} {name}"
    try:
        try:
            parser = build()
            args = parser.parse_intermixed_args(hide_negations(argv, parser))
        except SystemExit as exit_:  # --help
            return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
        settings = settings_from(args)
        return command(args, settings, io)
    except (UsageError, ConfigError) as error:
        return fail(io, prefix, str(error), EXIT_USAGE)
    except StartupError as error:
        return fail(io, prefix, str(error), EXIT_FAILED)
    except ApiError as error:
        return fail(io, prefix, str(error), EXIT_FAILED)
    except BrokenPipeError:
        # `runloop-tui ls | head`: the reader left; say nothing more (and write nothing more).
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("", file=io.err)
        return fail(io, prefix, "interrupted", EXIT_INTERRUPTED)


def fail(io: Streams, prefix: str, message: str, status: int) -> int:
    print(f"{prefix}: {one_line(message)}", file=io.err, flush=True)
    return status


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
