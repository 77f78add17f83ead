"""The web server: textual-serve, bound to loopback by default, one app process per tab.

textual-serve has no authentication: whoever reaches the port gets the app, with the API key
of the account it runs as. So it binds to 127.0.0.1 (reach it through `ssh -L`), says so
loudly when bound elsewhere, and refuses cross-site websocket connections (a page on another
site must not drive the app from the user's browser) and, on loopback, Host headers that are
not loopback names (DNS rebinding).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import logging
import shlex
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from runloop_tui.flag_types import port_number

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# Set in each tab's environment: empty when its page may write the clipboard, else why not.
CLIPBOARD_ENV = "RUNLOOP_TUI_WEB_NO_CLIPBOARD"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})
TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True, slots=True)
class WebOptions:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    public_url: str | None = None


def is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, port: int) -> str | None:
    """The warning printed when the server is reachable from other machines."""
    if is_loopback(host):
        return None
    return (
        f"warning: serving on {host}:{port}, reachable from other machines, and textual-serve"
        " has NO authentication: anyone who can connect gets the app with this account's API"
        " key (browse, download, delete). Prefer the default --host 127.0.0.1 and"
        f" `ssh -L {port}:127.0.0.1:{port} HOST`."
    )


def _public_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise argparse.ArgumentTypeError(f"must be http(s)://host[:port], got {text!r}")
    return text.rstrip("/")


def add_web_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}; anything else has no authentication)",
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--public-url",
        type=_public_url,
        metavar="URL",
        help="the URL browsers use, when a proxy changes it (default: from each request)",
    )


def tab_command(tui_argv: Sequence[str]) -> str:
    """The shell command each browser tab runs. textual-serve starts it through a shell;
    `exec` leaves one process per tab, which gets textual-serve's signals itself."""
    return "exec " + shlex.join([sys.executable, "-m", "runloop_tui", *tui_argv])


class WebServer(Server):
    """textual-serve's Server, run on our own loop with a known port and stricter checks."""

    def __init__(self, command: str, options: WebOptions) -> None:
        super().__init__(
            command,
            host=options.host,
            port=options.port,
            title="runloop-tui",
            public_url=options.public_url,
            # Our page: textual-serve's loads a Google web font and a missing background image.
            templates_path=TEMPLATES,
        )
        self._fixed_public_url = options.public_url is not None
        self._loopback_only = is_loopback(options.host)
        # A reverse proxy on this machine (--public-url) forwards its own host name.
        self._proxy_host = urlsplit(options.public_url or "").hostname

    def initialize_logging(self) -> None:
        # textual-serve logs every connection at INFO through Rich; problems are enough.
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    async def on_startup(self, app: web.Application) -> None:
        pass  # textual-serve prints a banner here; serve_web prints one line instead

    def _refuse(self, request: web.Request) -> str | None:
        """Why a request must not reach the app (None: it may)."""
        host = (request.url.host or "").lower()
        if self._loopback_only and not is_loopback(host) and host != self._proxy_host:
            return f"Host {request.host!r} is not a loopback name"
        origin = request.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc.lower() != request.host.lower():
            return f"cross-origin request from {origin!r}"
        return None

    async def handle_index(self, request: web.Request) -> Any:
        reason = self._refuse(request)
        if reason is not None:
            raise web.HTTPForbidden(text=reason)
        if not self._fixed_public_url:
            # The page's websocket URL must be the address the browser used (ssh -L may map
            # another local port), not the one we bound.
            self.public_url = f"{request.scheme}://{request.host}"
        return await super().handle_index(request)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One tab: an app process of its own, told whether its page may use the clipboard."""
        reason = self._refuse(request)
        if reason is not None:
            raise web.HTTPForbidden(text=reason)
        websocket = web.WebSocketResponse(heartbeat=15)
        width = _size(request.query.get("width"), 80)
        height = _size(request.query.get("height"), 24)
        env = {CLIPBOARD_ENV: clipboard_env(request.headers.get("Origin"))}
        service: _TabService | None = None
        try:
            await websocket.prepare(request)
            service = _TabService(
                self.command,
                env,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception:
            logging.getLogger("runloop_tui.web").exception("tab failed")
        finally:
            if service is not None:
                await service.stop()
        return websocket


class _TabService(AppService):
    """textual-serve's per-tab process, with a few variables of our own in its environment."""

    def __init__(self, command: str, env: dict[str, str], **kwargs: Any) -> None:
        super().__init__(command, **kwargs)
        self._extra_env = env

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        env: dict[str, str] = super()._build_environment(width, height)
        env.update(self._extra_env)
        return env


def _size(text: str | None, default: int) -> int:
    try:
        value = int(text or default)
    except ValueError:
        return default
    return min(max(value, 10), 1000)


def clipboard_env(origin: str | None) -> str:
    """Browsers give pages the clipboard only in a secure context: https, or a loopback host.
    Empty: allowed; otherwise why not (the app greys its copy actions out with it)."""
    if origin is None:
        return ""
    parts = urlsplit(origin)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" or is_loopback(host) or host.endswith(".localhost"):
        return ""
    return (
        f"the browser gives the clipboard only to https or localhost pages, and this one is"
        f" {parts.scheme}://{parts.netloc}; use ssh -L and http://127.0.0.1"
    )


async def run_server(
    command: str, options: WebOptions, ready: Callable[[str], None], stop: asyncio.Event
) -> None:
    """Serve until `stop` is set; `ready(url)` is called once the socket listens."""
    server = WebServer(command, options)
    server.initialize_logging()
    runner = web.AppRunner(await server._make_app(), handle_signals=False, shutdown_timeout=5)
    await runner.setup()
    try:
        site = web.TCPSite(runner, options.host, options.port)
        await site.start()
        port = options.port
        for address in runner.addresses:
            port = address[1]
            break
        host = f"[{options.host}]" if ":" in options.host else options.host
        ready(f"http://{host}:{port}")
        await stop.wait()
    finally:
        await runner.cleanup()


def serve_web(options: WebOptions, tui_argv: Sequence[str]) -> int:
    """Run the web server in the foreground until Ctrl+C or SIGTERM."""

    def ready(url: str) -> None:
        # Once bound: with --port 0 only the socket knows the port the warning must name.
        warning = exposure_warning(options.host, urlsplit(url).port or options.port)
        if warning is not None:
            print(f"runloop-tui web: {warning}", file=sys.stderr, flush=True)
        public = f", browsers use {options.public_url}" if options.public_url else ""
        print(
            f"runloop-tui web: serving on {url}{public}"
            "  (each browser tab runs its own app; Ctrl+C stops)",
            flush=True,
        )

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await run_server(tab_command(tui_argv), options, ready, stop)

    try:
        asyncio.run(main())
    except OSError as error:  # the port is taken, the address is not ours...
        why = error.strerror or str(error)
        print(
            f"runloop-tui web: cannot listen on {options.host}:{options.port}: {why}",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        pass
    return 0
