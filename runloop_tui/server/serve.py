"""``runloop-tui serve``: the local Objects API as a standalone server."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import ipaddress
import signal
import socket
import sys
from pathlib import Path
from typing import NoReturn

import uvicorn

from runloop_tui.server.datadir import (
    API_KEY_FILE,
    data_dir_warning,
    default_data_dir,
    ensure_data_dir,
    load_or_create_api_key,
    read_key_file,
)
from runloop_tui.server.storage.base import BackendUnavailable
from runloop_tui.server.storage.pagecache import DEFAULT_CACHE_BYTES
from runloop_tui.server.storage.select import BackendError, StorageConfig

DEFAULT_PORT = 8765
PROG = "runloop-tui serve"
MIB = 1024 * 1024


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
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 = any)"
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
        type=float,
        metavar="HOURS",
        help="collect objects still UPLOADING after this long (default: 24 with S3; 0 = never)",
    )
    team.add_argument(
        "--sweep-seconds",
        type=float,
        default=5.0,
        metavar="S",
        help="how often each replica expires TTLs and removes deleted content (default 5)",
    )
    team.add_argument(
        "--list-cache-mb",
        type=float,
        default=DEFAULT_CACHE_BYTES / MIB,
        metavar="MB",
        help="each replica's cache of list pages with PostgreSQL, checked against the database"
        f" on every hit (default {DEFAULT_CACHE_BYTES // MIB}; 0 = none)",
    )
    team.add_argument(
        "--s3-public-endpoint",
        metavar="URL",
        help="the S3 endpoint clients reach, when it differs from AWS_ENDPOINT_URL",
    )
    return parser


def _check_url(value: str | None, flag: str) -> str | None:
    if value is None:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise BackendError(f"{flag} must be an http(s)://host[:port][/path] URL")
    return value.rstrip("/")


def _cache_bytes(megabytes: float) -> int:
    if not 0 <= megabytes <= 1024 * 1024:  # NaN fails too
        raise BackendError("--list-cache-mb must be between 0 and 1048576")
    return int(megabytes * MIB)


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


def main(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a bad flag already reported in one line
        return exc.code if isinstance(exc.code, int) else 2
    if not 0 <= args.port <= 65535:
        print(f"{PROG}: error: --port must be between 0 and 65535", file=sys.stderr)
        return 2
    data_dir: Path = args.data_dir or default_data_dir()
    keys: list[str] = [k.strip() for k in args.api_key if k.strip()]
    try:
        data_dir = ensure_data_dir(data_dir)
        if args.api_key_file is not None:
            keys += read_key_file(args.api_key_file)
            if not keys:
                print(f"{PROG}: error: {args.api_key_file} holds no keys", file=sys.stderr)
                return 2
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
            s3_public_endpoint=_check_url(args.s3_public_endpoint, "--s3-public-endpoint"),
            list_cache_bytes=_cache_bytes(args.list_cache_mb),
        )
        public_url = _check_url(args.public_url, "--public-url")
        if not 0.05 <= args.sweep_seconds <= 3600:
            raise BackendError("--sweep-seconds must be between 0.05 and 3600")
        app = create_app(
            data_dir,
            keys,
            storage=storage,
            public_url=public_url,
            reaper_interval_s=args.sweep_seconds,
        )
        if storage.metadata_url or storage.content_url:
            asyncio.run(check_backends(app))
    except (OSError, UnicodeDecodeError, ValueError, ImportError, BackendUnavailable) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    try:
        infos = socket.getaddrinfo(args.host, args.port, family, socket.SOCK_STREAM)
        # An explicit IPPROTO_TCP makes asyncio set TCP_NODELAY on accepted connections;
        # without it every response waits ~40 ms for a delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(infos[0][4])
    except OSError as exc:
        print(f"{PROG}: error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
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
