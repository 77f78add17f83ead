"""What every handler needs: the store, the URL signer and the known accounts."""

from __future__ import annotations

import time
from dataclasses import dataclass

from starlette.requests import Request

from runloop_tui.server.signing import UrlSigner
from runloop_tui.server.store import Store


@dataclass
class ServerContext:
    store: Store
    signer: UrlSigner
    accounts: frozenset[str]
    reaper_interval_s: float


def context_of(request: Request) -> ServerContext:
    context: ServerContext = request.app.state.context
    return context


def now_ms() -> int:
    return int(time.time() * 1000)
