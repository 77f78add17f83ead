"""The baseline of figure 10's list throughput: a bare Starlette endpoint that answers every
request with the same bytes from memory, on uvicorn configured as the Objects API server is
(the same HTTP parser and event loop: httptools when the speed extra is installed, and
asyncio's loop).

``python -m bench.bare_server BODY_FILE [LOOP]`` (LOOP: asyncio, the default, or uvloop)
prints ``LISTENING <port>`` and serves until killed.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from runloop_tui.server.serve import EVENT_LOOP


def main(argv: list[str]) -> int:
    body = Path(argv[0]).read_bytes()

    async def listing(request: Request) -> Response:
        return Response(body, media_type="application/json")

    app = Starlette(routes=[Route("/v1/objects", listing)])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    print(f"LISTENING {sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(
        app,
        loop=argv[1] if len(argv) > 1 else EVENT_LOOP,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=65,
    )
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
