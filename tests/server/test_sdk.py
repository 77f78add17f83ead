"""Runloop's official Python SDK (runloop-api-client 3.0.0) pointed at the local server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from runloop_api_client import AsyncRunloop, Runloop
from runloop_api_client.sdk import RunloopSDK

from runloop_tui.server.embedded import EmbeddedServer
from tests.conftest import API_KEY


@pytest.fixture
def sdk_client(server: EmbeddedServer) -> Runloop:
    return Runloop(bearer_token=API_KEY, base_url=server.base_url, max_retries=0)


def test_sdk_full_flow(sdk_client: Runloop) -> None:
    created = sdk_client.objects.create(
        name="agent-runs/run-1/trajectory.jsonl",
        content_type="text",
        metadata={"agent": "swe", "env": "dev"},
        ttl_ms=3_600_000,
    )
    assert created.state == "UPLOADING" and created.upload_url
    assert created.delete_after_time_ms == created.create_time_ms + 3_600_000
    put = httpx.put(created.upload_url, content=b'{"step": 1}\n')
    assert put.status_code == 200
    done = sdk_client.objects.complete(created.id)
    assert done.state == "READ_ONLY" and done.size_bytes == 12
    for i in range(5):
        sdk_client.objects.create(name=f"extra-{i}", content_type="binary")
    page = sdk_client.objects.list(limit=2)
    assert len(page.objects) == 2 and page.has_more
    everything = list(sdk_client.objects.list(limit=2))  # the SDK follows starting_after
    assert len(everything) == 6 and len({o.id for o in everything}) == 6
    assert sdk_client.objects.list(limit=0, include_total_count=True).total_count == 6
    assert sdk_client.objects.retrieve(created.id).metadata == {"agent": "swe", "env": "dev"}
    url = sdk_client.objects.download(created.id, duration_seconds=60).download_url
    assert httpx.get(url).content == b'{"step": 1}\n'
    deleted = sdk_client.objects.delete(created.id)
    assert deleted.state == "DELETED"
    assert sdk_client.objects.retrieve(created.id).state == "DELETED"
    assert [o.id for o in sdk_client.objects.list_public()] == []


def test_sdk_errors_map_to_sdk_exceptions(sdk_client: Runloop, server: EmbeddedServer) -> None:
    from runloop_api_client import AuthenticationError, BadRequestError, NotFoundError

    with pytest.raises(NotFoundError):
        sdk_client.objects.retrieve("obj_" + "0" * 22)
    view = sdk_client.objects.create(name="x", content_type="text")
    with pytest.raises(BadRequestError):
        sdk_client.objects.download(view.id)
    bad = Runloop(bearer_token="nope", base_url=server.base_url, max_retries=0)
    with pytest.raises(AuthenticationError):
        bad.objects.list()


def test_high_level_sdk_helpers(server: EmbeddedServer, tmp_path: Path) -> None:
    sdk = RunloopSDK(bearer_token=API_KEY, base_url=server.base_url, max_retries=0)
    text = sdk.storage_object.upload_from_text("hello from the SDK", name="greeting.txt")
    assert text.download_as_text() == "hello from the SDK"
    folder = tmp_path / "workspace"
    folder.mkdir()
    (folder / "a.py").write_text("print('a')\n")
    archive = sdk.storage_object.upload_from_dir(folder, ttl=timedelta(hours=1))
    info = archive.refresh()
    assert info.name == "workspace.tar.gz" and info.content_type == "tgz"
    assert info.state == "READ_ONLY" and (info.size_bytes or 0) > 0
    assert {o.id for o in sdk.storage_object.list()} == {text.id, archive.id}
    archive.delete()
    assert archive.refresh().state == "DELETED"


async def test_async_sdk(server: EmbeddedServer) -> None:
    client = AsyncRunloop(bearer_token=API_KEY, base_url=server.base_url, max_retries=0)
    created = await client.objects.create(name="async.bin", content_type="binary")
    async with httpx.AsyncClient() as http:
        assert (await http.put(created.upload_url or "", content=b"\x00\x01")).status_code == 200
    done = await client.objects.complete(created.id)
    assert done.size_bytes == 2
    listed = await client.objects.list()
    assert [o.id for o in listed.objects] == [created.id]
    assert (await client.objects.delete(created.id)).state == "DELETED"
