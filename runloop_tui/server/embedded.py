"""Run the server inside this process, on a loopback port, in a daemon thread.

Used by ``runloop-tui --local``/``--demo`` and by the tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn

from runloop_tui.server.app import KEEP_ALIVE_SECONDS, create_app
from runloop_tui.server.context import ServerContext
from runloop_tui.server.datadir import ensure_data_dir, load_or_create_api_key
from runloop_tui.server.storage.base import MetadataStore
from runloop_tui.server.storage.select import StorageConfig

START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 10.0
_log_lock = threading.Lock()
_log_files: set[Path] = set()


def _log_to_file(data_dir: Path) -> None:
    """Server logs go to data_dir/server.log, never to the terminal the TUI draws on."""
    path = (data_dir / "server.log").resolve()
    with _log_lock:
        if path in _log_files:
            return
        with contextlib.suppress(OSError):  # private from the start: it may name objects
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        handler = logging.FileHandler(path, encoding="utf-8", delay=True)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.setLevel(logging.WARNING)
        for name in ("uvicorn", "runloop_tui.server"):
            logger = logging.getLogger(name)
            logger.addHandler(handler)
            logger.propagate = False
            if logger.level == logging.NOTSET or logger.level > logging.WARNING:
                logger.setLevel(logging.WARNING)
        _log_files.add(path)


class _PromptServer(uvicorn.Server):
    """Wakes up as soon as stop() asks, instead of at uvicorn's next 100 ms tick."""

    _loop: asyncio.AbstractEventLoop | None = None
    _wake: asyncio.Event | None = None

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)
            should_exit = await self.on_tick(counter)

    def request_exit(self) -> None:
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # loop already closed
                loop.call_soon_threadsafe(wake.set)


class EmbeddedServer:
    def __init__(
        self,
        data_dir: Path,
        api_keys: list[str] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        storage: StorageConfig | None = None,
        public_url: str | None = None,
        reaper_interval_s: float = 5.0,
    ) -> None:
        self._storage = storage
        self._public_url = public_url
        self._reaper_interval_s = reaper_interval_s
        self._data_dir = ensure_data_dir(Path(data_dir))
        self._api_keys = list(api_keys) if api_keys else [load_or_create_api_key(self._data_dir)]
        self._host = host
        self._port = port
        self._server: _PromptServer | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._bound_port: int | None = None
        self._context: ServerContext | None = None

    def __repr__(self) -> str:
        return f"EmbeddedServer(data_dir={str(self._data_dir)!r}, port={self._bound_port})"

    @property
    def data_dir(self) -> Path:
        return self._data_dir

    @property
    def api_key(self) -> str:
        return self._api_keys[0]

    @property
    def metadata(self) -> MetadataStore:
        """The running server's metadata store (the tests look at its list-page cache)."""
        if self._context is None:
            raise RuntimeError("the server is not started")
        return self._context.metadata

    @property
    def base_url(self) -> str:
        if self._bound_port is None:
            raise RuntimeError("the server is not started")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._bound_port}"

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the server is already started")
        _log_to_file(self._data_dir)
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        # An explicit IPPROTO_TCP makes asyncio set TCP_NODELAY on accepted connections;
        # without it every response waits ~40 ms for a delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self._host, self._port))
            app = create_app(
                self._data_dir,
                self._api_keys,
                storage=self._storage,
                public_url=self._public_url,
                reaper_interval_s=self._reaper_interval_s,
            )
        except BaseException:
            sock.close()
            raise
        self._bound_port = sock.getsockname()[1]
        self._context = app.state.context
        config = uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=3,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
            # The TUI and the tests never need more; keeps one slow client from starving others.
            limit_concurrency=256,
        )
        server = _PromptServer(config)
        self._server = server

        def run() -> None:
            try:
                asyncio.run(server.serve(sockets=[sock]))
            except BaseException as exc:  # reported by start() or stop()
                self._error = exc
            finally:
                sock.close()

        thread = threading.Thread(target=run, name="runloop-tui-server", daemon=True)
        self._thread = thread
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                reason = self._error or "startup did not finish in time"
                raise RuntimeError(f"the local Objects API server failed to start: {reason}")
            time.sleep(0.01)

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.request_exit()
        thread.join(STOP_TIMEOUT_S)
        if thread.is_alive():
            server.force_exit = True
            thread.join(STOP_TIMEOUT_S)
        self._server = None
        self._thread = None

    def __enter__(self) -> EmbeddedServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with contextlib.suppress(Exception):
            self.stop()
