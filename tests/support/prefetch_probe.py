"""A fresh process that prefetches the first list page as the app does, then lists
(tests/api/test_prefetch.py). Prints one JSON report on stdout.

``python -m tests.support.prefetch_probe URL KEY list|body [--prefetch-limit N] [--deadline S]``

``URL`` ``silent``: a local socket that takes the connection and never answers.
``list``: list every page (first page 2) through a client holding the prefetch.
``body``: only wait for the child's body.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
from typing import Any

from runloop_tui.api.client import ObjectsClient
from runloop_tui.api.errors import ApiError
from runloop_tui.api.prefetch import Prefetch
from runloop_tui.api.retry import RetryPolicy
from runloop_tui.api.transport import client_options
from runloop_tui.api.wire import api_headers, list_params, list_path

RETRY = RetryPolicy(max_retries=0, timeout_seconds=10.0, unreachable_seconds=0.5)


def _children() -> list[str]:
    pid = os.getpid()
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return f.read().split()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def _list(client: ObjectsClient, report: dict[str, Any]) -> None:
    pages = client.iter_pages(page_size=1000, first_page_size=2)
    try:
        first = await anext(pages)
        report["stack_loaded_at_first_page"] = "httpx" in sys.modules
        report["children_after_first_page"] = _children()
        report["first_page"] = [o.name for o in first.objects]
        names = list(report["first_page"])
        async for page in pages:
            names += [o.name for o in page.objects]
        report["names"] = names
    except ApiError as error:
        report["stack_loaded_at_first_page"] = "httpx" in sys.modules
        report["error"] = type(error).__name__
    finally:
        await pages.aclose()


async def main(
    args: argparse.Namespace, url: str, prefetch: Prefetch | None, params: dict[str, str]
) -> dict[str, Any]:
    report: dict[str, Any] = {"started": prefetch is not None}
    if args.mode == "body":
        assert prefetch is not None
        report["body"] = await prefetch.body(params)
        report["child_alive"] = _alive(prefetch._pid)
    else:
        async with ObjectsClient(url, args.key, retry=RETRY, prefetch=prefetch) as client:
            await _list(client, report)
    report["children_at_end"] = _children()
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("key")
    parser.add_argument("mode", choices=("list", "body"))
    parser.add_argument("--prefetch-limit", type=int, default=2)
    parser.add_argument("--deadline", type=float, default=10.0)
    args = parser.parse_args()
    silent: socket.socket | None = None
    url = args.url
    if url == "silent":
        silent = socket.create_server(("127.0.0.1", 0))  # listens; never accepts nor answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
    params = list_params(args.prefetch_limit, None, None, include_total_count=False)
    prefetch = Prefetch.start(
        lambda: client_options(url, api_headers(args.key), RETRY),
        list_path(public=False),
        params,
        args.deadline,
    )
    print(json.dumps(asyncio.run(main(args, url, prefetch, params))))
