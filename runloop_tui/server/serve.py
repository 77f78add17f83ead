"""``runloop-tui serve``: the local Objects API as a standalone server."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import ipaddress
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TypeVar
from urllib.parse import urlsplit

import uvicorn

from runloop_tui.flag_types import port_number
from runloop_tui.server.datadir import (
    API_KEY_FILE,
    data_dir_warning,
    default_data_dir,
    ensure_data_dir,
    load_or_create_api_key,
    read_key_file,
    read_secret_file,
)
from runloop_tui.server.storage.base import BackendUnavailable
from runloop_tui.server.storage.pagecache import DEFAULT_CACHE_BYTES
from runloop_tui.server.storage.select import BackendError, StorageConfig

DEFAULT_PORT = 8765
PROG = "runloop-tui serve"
MIB = 1024 * 1024
_T = TypeVar("_T")


def _number(low: float, high: float) -> Callable[[str], float]:
    """An argparse `type`: a finite number from `low` to `high`."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not low <= value <= high:  # also refuses nan and inf
            raise argparse.ArgumentTypeError(f"must be {low:g} to {high:g}, got {text}")
        return value

    return parse


def _url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise argparse.ArgumentTypeError(
            f"must be an http(s)://host[:port][/path] URL, got {text!r}"
        )
    return text.rstrip("/")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One clear line, no usage dump, no traceback.
        self.exit(2, f"{PROG}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Serve the Runloop Objects API locally (SQLite metadata, content on disk).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT}; 0 = any)",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help=f"store location (default {default_data_dir()})"
    )
    parser.add_argument(
        "--api-key",
        action="append",
        default=[],
        metavar="KEY",
        help="accept this bearer key (repeatable; each key is one account)",
    )
    parser.add_argument(
        "--api-key-file", type=Path, default=None, metavar="FILE", help="keys, one a line"
    )
    parser.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"]
    )
    team = parser.add_argument_group("running it for a team (see README)")
    team.add_argument(
        "--metadata-url",
        metavar="URL",
        help="a SQLite file (default: objects.db in the data dir) or postgresql://...",
    )
    team.add_argument(
        "--content-url",
        metavar="URL",
        help="a directory (default: the data dir) or s3://BUCKET/PREFIX (settings from AWS_*)",
    )
    team.add_argument(
        "--public-url",
        type=_url,
        metavar="URL",
        help="the base URL clients use to reach this server (presigned URLs use it, not Host)",
    )
    team.add_argument(
        "--signing-key-file",
        type=Path,
        metavar="FILE",
        help="the presigned-URL key in directory mode, shared by all replicas",
    )
    team.add_argument(
        "--stale-upload-hours",
        type=_number(0, 24 * 365 * 100),
        metavar="HOURS",
        help="collect objects still UPLOADING after this long (default: 24 with S3; 0 = never)",
    )
    team.add_argument(
        "--sweep-seconds",
        type=_number(0.05, 3600),
        default=5.0,
        metavar="S",
        help="how often each replica expires TTLs and removes deleted content (default 5)",
    )
    team.add_argument(
        "--list-cache-mb",
        type=_number(0, 1024 * 1024),
        default=DEFAULT_CACHE_BYTES / MIB,
        metavar="MB",
        help="each replica's cache of list pages with PostgreSQL, checked against the database"
        f" on every hit (default {DEFAULT_CACHE_BYTES // MIB}; 0 = none)",
    )
    team.add_argument(
        "--s3-public-endpoint",
        type=_url,
        metavar="URL",
        help="the S3 endpoint clients reach, when it differs from AWS_ENDPOINT_URL",
    )
    return parser


class _Terminated(Exception):
    pass


def _terminated(signum: int, frame: object) -> None:
    raise _Terminated


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _http_stack() -> str:
    """The HTTP parser uvicorn's "auto" setting picks: httptools when it imports (the
    `speed` extra), else h11. The event loop is always asyncio's: see EVENT_LOOP."""
    try:
        importlib.import_module("httptools")
    except ImportError:
        return "h11 + asyncio (faster: pip install 'runloop-tui[speed]')"
    return "httptools + asyncio"


# Not uvloop: with list pages answered on the event loop, uvloop left some connections
# waiting for seconds at saturation (200 connections: p99 7.1 s vs 0.35 s on asyncio's loop,
# at the same CPU per request; bench/RESULTS.md, figure 10).
EVENT_LOOP = "asyncio"


def _error(message: str) -> None:
    """One line on stderr, whatever the message held (a driver's error may span several)."""
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)


def _os_text(error: OSError) -> str:
    """An OSError as words, without its `[Errno N]`."""
    if not error.strerror:
        return str(error)
    return f"{error.filename}: {error.strerror}" if error.filename else error.strerror


class _BadFlag(Exception):
    """A flag whose value cannot be used: one line, exit status 2."""


def _data_dir(path: Path, named: bool) -> Path:
    """The data dir, made if absent; a --data-dir that cannot be one is a _BadFlag."""
    try:
        return ensure_data_dir(path)
    except (FileExistsError, NotADirectoryError):
        if not named:
            raise
        raise _BadFlag(f"--data-dir {path} is a file, not a directory") from None
    except OSError as error:
        if not named:
            raise
        raise _BadFlag(f"--data-dir {path}: cannot create it: {error.strerror}") from None


def _read_flag_file(flag: str, path: Path, read: Callable[[Path], _T]) -> _T:
    """``read(path)``, or the flag's one-line error."""
    try:
        return read(path)
    except FileNotFoundError:
        raise _BadFlag(f"{flag} {path} does not exist") from None
    except IsADirectoryError:
        raise _BadFlag(f"{flag} {path} is a directory, not a file") from None
    except UnicodeDecodeError:
        raise _BadFlag(f"{flag} {path} is not UTF-8 text") from None
    except OSError as error:  # unreadable, or (a signing key) too short: the text says which
        why = f"{path}: {error.strerror}" if error.strerror else str(error)
        raise _BadFlag(f"{flag} {why}") from None


def main(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a bad flag already reported in one line
        return exc.code if isinstance(exc.code, int) else 2
    keys: list[str] = [k.strip() for k in args.api_key if k.strip()]
    try:
        data_dir = _data_dir(args.data_dir or default_data_dir(), args.data_dir is not None)
        if args.api_key_file is not None:
            keys += _read_flag_file("--api-key-file", args.api_key_file, read_key_file)
            if not keys:
                raise _BadFlag(f"--api-key-file {args.api_key_file} holds no keys")
        if args.signing_key_file is not None:
            _read_flag_file("--signing-key-file", args.signing_key_file, read_secret_file)
    except _BadFlag as exc:
        _error(str(exc))
        return 2
    except OSError as exc:  # the default data dir
        _error(f"the data dir: {_os_text(exc)}")
        return 1
    try:
        generated = not keys
        if generated:
            keys = [load_or_create_api_key(data_dir)]
        from runloop_tui.server.app import KEEP_ALIVE_SECONDS, check_backends, create_app

        hours = args.stale_upload_hours
        storage = StorageConfig(
            metadata_url=args.metadata_url,
            content_url=args.content_url,
            signing_key_file=args.signing_key_file,
            stale_upload_s=None if hours is None else hours * 3600,
            s3_public_endpoint=args.s3_public_endpoint,
            list_cache_bytes=int(args.list_cache_mb * MIB),
        )
        app = create_app(
            data_dir,
            keys,
            storage=storage,
            public_url=args.public_url,
            reaper_interval_s=args.sweep_seconds,
        )
        if storage.metadata_url or storage.content_url:
            asyncio.run(check_backends(app))
    except BackendError as exc:  # a --metadata-url / --content-url of the wrong kind
        _error(str(exc))
        return 2
    except OSError as exc:
        _error(_os_text(exc))
        return 1
    except (UnicodeDecodeError, ValueError, ImportError, BackendUnavailable) as exc:
        _error(str(exc))
        return 1

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    try:
        infos = socket.getaddrinfo(args.host, args.port, family, socket.SOCK_STREAM)
        # An explicit IPPROTO_TCP makes asyncio set TCP_NODELAY on accepted connections;
        # without it every response waits ~40 ms for a delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(infos[0][4])
    except socket.gaierror as exc:  # not an address nor a name this machine resolves
        _error(f"--host {args.host}: {_os_text(exc)}")
        return 2
    except OSError as exc:
        why = _os_text(exc)
        _error(f"cannot listen on {args.host}:{args.port}: {why}")
        return 1
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    if generated:
        where = f"generated key in {data_dir / API_KEY_FILE} (mode 0600)"
    else:
        where = f"{len(keys)} key(s) from the command line / key file"
    print(f"Runloop Objects API serving at http://{host}:{port}", flush=True)
    print(f"  data dir: {data_dir}", flush=True)
    print(f"  API key:  {where}", flush=True)
    context = app.state.context
    print(f"  metadata: {context.metadata.description}", flush=True)
    print(f"  content:  {context.content.description}", flush=True)
    if warning := data_dir_warning(data_dir):
        print(f"  warning: {warning}", flush=True)
    if not _is_loopback(args.host):
        print(f"  warning: {args.host} is not a loopback address", flush=True)
    print(f"  HTTP:     {_http_stack()}", flush=True)
    print("  Press Ctrl+C to stop.", flush=True)
    config = uvicorn.Config(
        app,
        loop=EVENT_LOOP,
        log_level=args.log_level,
        access_log=False,
        timeout_graceful_shutdown=5,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal: turn
    # that into a normal return so both end with "Stopped." and exit status 0.
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except (KeyboardInterrupt, _Terminated):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()
    print("Stopped.", flush=True)
    return 0
