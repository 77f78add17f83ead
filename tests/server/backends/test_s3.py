"""S3 content against moto's S3 server on loopback (it checks neither signatures nor expiry:
those tests stay on the directory backend)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.server.records import CreateRequest
from runloop_tui.server.storage.select import StorageConfig
from tests.conftest import API_KEY
from tests.server.conftest import client_for, complete, create, expect_error, upload
from tests.server.engines import PostgresCluster, S3Server, s3_keys, wait_for


@pytest.fixture
def s3_config(pg_cluster: PostgresCluster, s3_env: S3Server) -> StorageConfig:
    return StorageConfig(
        metadata_url=pg_cluster.new_database(),
        content_url=s3_env.new_prefix(),
        stale_upload_s=1.0,
    )


@pytest.fixture
def s3_server(s3_config: StorageConfig, data_dir: Path) -> Iterator[EmbeddedServer]:
    with EmbeddedServer(data_dir, [API_KEY], storage=s3_config, reaper_interval_s=0.2) as running:
        yield running


@pytest.fixture
def s3_api(s3_server: EmbeddedServer) -> Iterator[httpx.Client]:
    with client_for(s3_server, API_KEY) as client:
        yield client


def _keys(s3: S3Server, config: StorageConfig) -> list[str]:
    return s3_keys(s3, config.content_url or "")


def test_urls_point_at_the_store_not_the_api_server(
    s3_api: httpx.Client, s3_server: EmbeddedServer, s3_env: S3Server, s3_config: StorageConfig
) -> None:
    view = create(s3_api, "data.bin", content_type="binary")
    store_host = urlsplit(s3_env.endpoint).netloc
    assert urlsplit(view["upload_url"]).netloc == store_host
    assert "X-Amz-Signature=" in view["upload_url"] and "upload_headers" not in view
    upload(view, b"straight to S3")
    assert _keys(s3_env, s3_config) == [view["id"]]
    done = complete(s3_api, view["id"])
    assert done["size_bytes"] == len(b"straight to S3")
    url = s3_api.get(f"/v1/objects/{view['id']}/download").json()["download_url"]
    assert urlsplit(url).netloc == store_host
    assert httpx.get(url).content == b"straight to S3"
    # The API server has no content route at all in S3 mode.
    assert httpx.get(f"{s3_server.base_url}/_blobs/{view['id']}").status_code == 404


def test_complete_with_nothing_uploaded_fails_cleanly(s3_api: httpx.Client) -> None:
    view = create(s3_api)
    expect_error(s3_api.post(f"/v1/objects/{view['id']}/complete"), 400, "nothing was uploaded")
    assert s3_api.get(f"/v1/objects/{view['id']}").json()["state"] == "UPLOADING"
    upload(view, b"")
    assert complete(s3_api, view["id"])["size_bytes"] == 0


def test_download_duration_is_capped_at_seven_days(s3_api: httpx.Client) -> None:
    view = create(s3_api)
    upload(view, b"x")
    complete(s3_api, view["id"])
    too_long = s3_api.get(f"/v1/objects/{view['id']}/download?duration_seconds=604801")
    expect_error(too_long, 400, "7 days", "604800")
    ok = s3_api.get(f"/v1/objects/{view['id']}/download?duration_seconds=604800")
    assert ok.status_code == 200 and "X-Amz-Expires=604800" in ok.json()["download_url"]


def test_delete_is_immediate_and_content_goes_in_the_background(
    s3_api: httpx.Client, s3_env: S3Server, s3_config: StorageConfig
) -> None:
    view = create(s3_api)
    upload(view, b"to be removed")
    complete(s3_api, view["id"])
    assert _keys(s3_env, s3_config) == [view["id"]]
    assert s3_api.post(f"/v1/objects/{view['id']}/delete").json()["state"] == "DELETED"
    assert s3_api.get(f"/v1/objects/{view['id']}").json()["state"] == "DELETED"
    wait_for(lambda: _keys(s3_env, s3_config) == [])


def test_expired_content_is_reaped_from_the_store(
    s3_api: httpx.Client, s3_env: S3Server, s3_config: StorageConfig
) -> None:
    view = create(s3_api, ttl_ms=1500)
    upload(view, b"short-lived")
    complete(s3_api, view["id"])
    assert _keys(s3_env, s3_config) == [view["id"]]
    wait_for(lambda: _keys(s3_env, s3_config) == [])
    assert s3_api.get(f"/v1/objects/{view['id']}").json()["state"] == "DELETED"


def test_stuck_uploads_are_garbage_collected(
    s3_api: httpx.Client, s3_env: S3Server, s3_config: StorageConfig
) -> None:
    view = create(s3_api)
    upload(view, b"abandoned before complete")
    wait_for(lambda: s3_api.get(f"/v1/objects/{view['id']}").json()["state"] == "DELETED")
    wait_for(lambda: _keys(s3_env, s3_config) == [])


async def test_unreachable_store_keeps_the_content_queued(
    pg_cluster: PostgresCluster, s3_env: S3Server, data_dir: Path
) -> None:
    from runloop_tui.server.app import _sweep
    from runloop_tui.server.context import ServerContext
    from runloop_tui.server.storage.postgres import PostgresMetadata
    from runloop_tui.server.storage.s3 import S3Content, S3Error

    metadata = PostgresMetadata(pg_cluster.new_database())
    await metadata.open()
    content = S3Content.from_url(s3_env.new_prefix())
    await content.open()
    try:
        record = await metadata.create(
            CreateRequest(
                account="a",
                name="x",
                content_type="text",
                metadata=None,
                ttl_ms=None,
                is_public=False,
                now_ms=1,
            )
        )
        await metadata.delete("a", record.id, 2, None)
        content.bucket = "no-such-bucket"  # every DeleteObjects now fails
        context = ServerContext(metadata, content, frozenset(), 1.0)
        with pytest.raises(S3Error):
            await _sweep(context)
        # Still queued, with the attempt counted: a later pass (any replica) retries it.
        import time

        later = int(time.time() * 1000) + 3_600_000
        assert await metadata.claim_purges(later, 10) == [record.id]
    finally:
        await content.close()
        await metadata.close()
