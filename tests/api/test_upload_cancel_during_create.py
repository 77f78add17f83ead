"""An upload cancelled while its create request is in flight (a quit at that instant) still
deletes the object the server made: nothing is left UPLOADING."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import httpx

from runloop_tui.server.embedded import EmbeddedServer
from tests.conftest import API_KEY, MakeClient
from tests.support.fault_proxy import FaultProxy


def listed_states(server: EmbeddedServer) -> list[str]:
    response = httpx.get(
        f"{server.base_url}/v1/objects",
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=10,
    )
    return [o["state"] for o in response.json()["objects"]]


async def test_cancel_while_create_is_in_flight_deletes_the_made_object(
    server: EmbeddedServer, proxy: FaultProxy, make_client: MakeClient, tmp_path: Path
) -> None:
    # The create reaches the server at once; only its answer is held back.
    proxy.hold_answer("/v1/objects", "POST", 1.0)
    source = tmp_path / "data.bin"
    source.write_bytes(b"abc")
    client = make_client(proxy.base_url)
    upload = asyncio.create_task(client.upload_path(source))
    deadline = time.monotonic() + 10
    while "UPLOADING" not in listed_states(server):  # made on the server, answer pending
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    upload.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await upload
    await client.aclose()  # waits for the client's clean-up
    assert listed_states(server) == []
