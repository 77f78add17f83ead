"""The command line: ``runloop-tui`` runs the TUI, ``runloop-tui serve`` runs the local server,
``runloop-tui ls|du|rm`` are the scripted commands (runloop_tui/scripting/).

The TUI, the client and the server are imported lazily so ``--version``, ``--help`` and
configuration errors answer instantly. Bad input is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from runloop_tui import __version__
from runloop_tui.config import (
    API_KEY_ENV,
    BASE_URL_ENV,
    CONFIG_ENV,
    DEFAULT_BASE_URL,
    ConfigError,
    ConfigProfiles,
    Overrides,
    Settings,
    contract_home,
    default_config_path,
    load_settings,
)
from runloop_tui.session import (
    EXIT_USAGE,
    PROG,
    StartupError,
    add_connection_flags,
    local_session,
    one_line,
)
from runloop_tui.startup import pause_collector

if TYPE_CHECKING:
    from runloop_tui.api.client import ObjectsClient
    from runloop_tui.api.prefetch import Prefetch
    from runloop_tui.api.retry import RetryPolicy

SCRIPT_COMMANDS = ("ls", "du", "rm")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse's default prints the whole usage block first; one line is easier to read.
        self.exit(EXIT_USAGE, f"{self.prog}: error: {one_line(message)} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        allow_abbrev=False,  # "--read" must not silently mean "--read-only".
        description=(
            "A terminal UI for Runloop Storage Objects.\n"
            "Without an API key it runs against a local store on this machine."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "environment:\n"
            f"  {API_KEY_ENV:<20} API key; without one the local store is used\n"
            f"  {BASE_URL_ENV:<20} API base URL (default {DEFAULT_BASE_URL})\n"
            f"  {CONFIG_ENV:<20} config file (default {contract_home(default_config_path())})\n"
            "\n"
            f"scripted cleanup: {PROG} ls|du|rm --help\n"
            f"local Objects API server: {PROG} serve --help\n"
            f"in a web browser: {PROG} web --help"
        ),
    )
    add_connection_flags(parser)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="explore a temporary local store filled with sample objects (removed at exit)",
    )
    parser.add_argument(
        "--refresh", metavar="SECONDS", help='seconds between list refreshes, or "auto"'
    )
    parser.add_argument(
        "--theme", metavar="NAME", help="a Textual theme, e.g. ansi-dark, ansi-light, nord"
    )
    parser.add_argument("--filter", metavar="EXPR", help='open with this filter, e.g. "age>7d"')
    parser.add_argument(
        "--sort",
        metavar="KEY",
        help="open sorted by name, size, created, expires, state or type (-KEY: descending)",
    )
    parser.add_argument("--view", metavar="NAME", help="open [views.NAME] from the config")
    parser.add_argument(
        "--max-objects",
        metavar="N",
        help="load at most N objects per listing (default 1,000,000); the filter's "
        "search/state/type still ask the server past it",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser


def parse_overrides(argv: Sequence[str]) -> Overrides:
    """Flags to Overrides. Raises SystemExit (0 for --help/--version, 2 for bad flags)."""
    argv = list(argv)
    for i, arg in enumerate(argv[:-1]):
        if arg == "--sort" and argv[i + 1].startswith("-"):  # `--sort -created` is a value
            argv[i : i + 2] = [f"--sort={argv[i + 1]}"]
            break
    args = build_parser().parse_args(argv)
    return Overrides(
        profile=args.profile,
        base_url=args.base_url,
        local=args.local,
        demo=args.demo,
        read_only=args.read_only,
        refresh=args.refresh,
        data_dir=args.data_dir,
        config=args.config,
        theme=args.theme,
        filter=args.filter,
        sort=args.sort,
        view=args.view,
        max_objects=args.max_objects,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["serve"]:
        return _serve(args[1:])
    if args[:1] and args[0] in SCRIPT_COMMANDS:
        from runloop_tui.scripting import run_command

        return run_command(args[0], args[1:])
    if args[:1] == ["web"]:
        return _web(args[1:])
    try:
        overrides = parse_overrides(args)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    try:
        settings = load_settings(overrides, os.environ)
        return run(settings, ConfigProfiles(overrides, os.environ))
    except ConfigError as error:
        return _fail(str(error), EXIT_USAGE)
    except StartupError as error:
        return _fail(str(error), 1)
    except KeyboardInterrupt:
        return 130


def _fail(message: str, status: int) -> int:
    print(f"{PROG}: {one_line(message)}", file=sys.stderr)
    return status


def _serve(argv: list[str]) -> int:
    try:
        from runloop_tui.server.serve import main as serve_main
    except ModuleNotFoundError as error:
        if error.name != "runloop_tui.server.serve":
            raise
        return _fail("the local server is not available in this installation", 1)
    status: int = serve_main(argv)
    return status


def _web(argv: list[str]) -> int:
    """`runloop-tui web`: the TUI's own flags are checked once here, then given to every tab."""
    try:
        from runloop_tui.web.server import WebOptions, add_web_arguments, serve_web
    except ModuleNotFoundError as error:
        if error.name is None or error.name.startswith("runloop_tui"):
            raise
        return _fail(f"web mode needs textual-serve: pip install 'runloop-tui[web]' ({error})", 1)
    parser = _Parser(
        prog=f"{PROG} web",
        allow_abbrev=False,
        description=(
            "Serve runloop-tui to web browsers (textual-serve); each tab runs its own app.\n"
            "For a devbox: run it there, then `ssh -L 8000:127.0.0.1:8000 devbox` and open\n"
            "http://127.0.0.1:8000 on your machine."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"Every flag of {PROG} (--profile, --demo, --read-only, --theme...) is passed on.",
    )
    add_web_arguments(parser)
    try:
        options, tui_argv = parser.parse_known_args(argv)
        settings = load_settings(parse_overrides(tui_argv), os.environ)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    except ConfigError as error:
        return _fail(str(error), EXIT_USAGE)
    del settings  # checked here so a mistake is one line now, not a broken page per tab
    return serve_web(WebOptions(options.host, options.port, options.public_url), tui_argv)


def run(settings: Settings, profiles: ConfigProfiles | None = None) -> int:
    """Run the TUI; for the local store, around an embedded server that stops afterwards."""
    if not settings.is_local:
        return _run_app(settings, profiles)
    with local_session(settings) as connected:
        return _run_app(connected, profiles)


def make_client(settings: Settings, prefetch: Prefetch | None = None) -> ObjectsClient:
    from runloop_tui.api.client import ObjectsClient

    return ObjectsClient(
        settings.base_url, settings.api_key, retry=retry_policy(settings), prefetch=prefetch
    )


def retry_policy(settings: Settings) -> RetryPolicy:
    from runloop_tui.api.retry import RetryPolicy

    return RetryPolicy(max_retries=settings.max_retries, timeout_seconds=settings.timeout_seconds)


def first_page_prefetch(settings: Settings) -> Prefetch | None:
    """The browser's first request, started in a child process (runloop_tui/api/prefetch.py).

    It must be the very request the browser sends (the same page size, no filter, the
    account's list): the client takes the child's answer only for an identical request.
    """
    from runloop_tui.api.prefetch import Prefetch
    from runloop_tui.api.transport import client_options
    from runloop_tui.api.wire import api_headers, list_params, list_path
    from runloop_tui.tui.browser_deps import FIRST_PAGE_SIZE

    base_url, api_key, retry = (
        settings.base_url.rstrip("/"),
        settings.api_key,
        retry_policy(settings),
    )
    params = list_params(FIRST_PAGE_SIZE, None, None, include_total_count=False)
    return Prefetch.start(
        lambda: client_options(base_url, api_headers(api_key), retry),
        list_path(public=False),
        params,
        deadline_s=retry.timeout_seconds,
    )


def prepare_tui_process() -> None:
    """What the TUI's process does before it imports the TUI (bench figure 1 does it too).

    httpx imports its command-line tool (click, rich.progress, rich.syntax, pygments)
    whenever click is installed, and uvicorn, which the local server needs, installs it:
    ~50 ms of every start (measured). httpx falls back to a stub `httpx.main` when that
    import fails, and the app never runs httpx's CLI: skip it, in the app's own process
    only (not on a library import). And the cyclic garbage collector waits until the first
    rows are on screen (runloop_tui/startup.py).
    """
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    pause_collector()


def _run_app(settings: Settings, profiles: ConfigProfiles | None = None) -> int:
    prepare_tui_process()
    prefetch = first_page_prefetch(settings)  # before Textual's imports: they run meanwhile
    from runloop_tui.api.transport import install
    from runloop_tui.tui.app import RunloopApp

    install()
    # The app closes its client on exit, and the old one on a profile switch.
    client = make_client(settings, prefetch)
    app = RunloopApp(settings, client, profiles=profiles, make_client=make_client)
    app.run()
    return app.return_code or 0
