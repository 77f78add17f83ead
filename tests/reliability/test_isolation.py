"""Two accounts, through the real client: nothing of one account reaches the other.

And presigned URLs: any change to id, expiry, purpose or signature, or an expired URL, is a
403; an upload URL cannot download and a download URL cannot upload.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from runloop_tui.api import (
    ContentType,
    ForbiddenError,
    ListFilters,
    NotFoundError,
    ObjectsClient,
    ObjectState,
    ObjectView,
    RetryPolicy,
)
from runloop_tui.server.datadir import load_or_create_secret
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.server.signing import DOWNLOAD, UPLOAD, UrlSigner
from tests.conftest import OTHER_API_KEY

SECRET_KEY = "victim-secret-key"
SECRET_VALUE = "victim-secret-value"
FAST = RetryPolicy(max_retries=1, timeout_seconds=10, initial_backoff_seconds=0.01)


@pytest.fixture
async def other(server: EmbeddedServer) -> AsyncIterator[ObjectsClient]:
    async with ObjectsClient(server.base_url, OTHER_API_KEY, retry=FAST) as api:
        yield api


async def _victim_objects(client: ObjectsClient, tmp_path: Path) -> dict[str, ObjectView]:
    source = tmp_path / "victim.txt"
    source.write_text("victim content")
    done = await client.upload_path(
        source, name="victim-done.txt", metadata={SECRET_KEY: SECRET_VALUE}
    )
    pending = await client.create_object(
        "victim-pending.txt", ContentType.TEXT, metadata={SECRET_KEY: "pending"}
    )
    public = await client.upload_path(source, name="victim-public.txt", is_public=True)
    return {"done": done, "pending": pending, "public": public}


async def test_other_account_can_touch_nothing(
    client: ObjectsClient, other: ObjectsClient, tmp_path: Path
) -> None:
    victim = await _victim_objects(client, tmp_path)
    for obj in (victim["done"], victim["pending"]):  # private (the public one: below)
        for attempt in (
            other.get_object(obj.id),
            other.complete_object(obj.id),
            other.delete_object(obj.id),
            other.download_url(obj.id),
            other.read_head(obj.id),
            other.download_to(obj.id, tmp_path / "stolen.bin"),
        ):
            with pytest.raises(NotFoundError) as info:
                await attempt
            # the 404 does not confirm the object exists or name it
            assert "victim" not in str(info.value)
    assert not (tmp_path / "stolen.bin").exists()

    # listing, searching and filtering show none of the victim's objects
    for filters in (
        None,
        ListFilters(name="victim-done.txt"),
        ListFilters(search="victim"),
        ListFilters(state=ObjectState.UPLOADING),
        ListFilters(content_type=ContentType.TEXT),
    ):
        page = await other.list_objects(filters=filters, include_total_count=True)
        assert page.objects == [] and page.total_count in (0, None), filters
    assert await other.count_objects() == 0

    # the public object can be read and downloaded, never completed or deleted
    public = victim["public"]
    assert (await other.get_object(public.id)).name == "victim-public.txt"
    await other.download_to(public.id, tmp_path / "shared.bin")
    assert (tmp_path / "shared.bin").read_text() == "victim content"
    for attempt in (other.complete_object(public.id), other.delete_object(public.id)):
        with pytest.raises(ForbiddenError, match="only its owner"):
            await attempt

    # metadata keys and values stay private
    assert SECRET_KEY not in await other.metadata_keys()
    assert (await other.metadata_values(SECRET_KEY)).values == []

    # the victim's objects are exactly as they were
    for obj in victim.values():
        assert (await client.get_object(obj.id)).state is obj.state
    assert SECRET_KEY in await client.metadata_keys()
    assert set((await client.metadata_values(SECRET_KEY)).values) == {SECRET_VALUE, "pending"}


async def test_list_public_shows_only_public_objects(
    client: ObjectsClient, other: ObjectsClient, tmp_path: Path
) -> None:
    victim = await _victim_objects(client, tmp_path)
    mine = tmp_path / "mine.txt"
    mine.write_text("other's own")
    own_private = await other.upload_path(mine, name="own-private.txt")
    own_public = await other.upload_path(mine, name="own-public.txt", is_public=True)
    for viewer in (client, other):
        public = await viewer.list_objects(public=True, limit=100)
        assert {o.id for o in public.objects} == {victim["public"].id, own_public.id}
        assert all(o.id != own_private.id for o in public.objects)
    # what the public listing shows, the other account can open (read-only)
    assert (await other.get_object(victim["public"].id)).id == victim["public"].id
    with pytest.raises(NotFoundError):
        await other.get_object(victim["done"].id)


# --- presigned URLs ---


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return parts._replace(query=urlencode(query)).geturl()


def _with_id(url: str, object_id: str) -> str:
    parts = urlsplit(url)
    return parts._replace(path=f"/_blobs/{object_id}").geturl()


def _assert_403(response: httpx.Response) -> None:
    assert response.status_code == 403, (response.status_code, response.text[:200])
    assert response.json()["error"]["message"]


async def test_presigned_urls_cannot_be_altered(
    server: EmbeddedServer, client: ObjectsClient, tmp_path: Path
) -> None:
    source = tmp_path / "a.txt"
    source.write_text("precious")
    first = await client.upload_path(source, name="first.txt")
    second = await client.upload_path(source, name="second.txt")
    url = await client.download_url(first.id, duration_seconds=60)
    expires = parse_qs(urlsplit(url).query)["X-Expires"][0]
    signature = parse_qs(urlsplit(url).query)["X-Signature"][0]
    async with httpx.AsyncClient(timeout=10) as http:
        assert (await http.get(url)).content == b"precious"  # the untouched URL works
        tampered = {
            "other id": _with_id(url, second.id),
            "later expiry": _with_query(url, **{"X-Expires": str(int(expires) + 3600)}),
            "earlier expiry": _with_query(url, **{"X-Expires": str(int(expires) - 1)}),
            "flipped signature": _with_query(
                url, **{"X-Signature": signature[:-1] + ("0" if signature[-1] != "0" else "1")}
            ),
            "truncated signature": _with_query(url, **{"X-Signature": signature[:32]}),
            "no signature": _with_query(url, **{"X-Signature": ""}),
            "purpose changed": _with_query(url, **{"X-Purpose": UPLOAD}),
        }
        for case, bad in tampered.items():
            response = await http.get(bad)
            assert response.status_code == 403, case
            _assert_403(response)
            assert b"precious" not in response.content

        # An expired URL, correctly signed (made with the store's own key), is refused too.
        signer = UrlSigner(load_or_create_secret(server.data_dir))
        expired = signer.url(server.base_url, DOWNLOAD, first.id, 1_000_000_000)
        response = await http.get(expired)
        _assert_403(response)
        assert "expired" in response.json()["error"]["message"]


async def test_upload_url_cannot_download_and_download_url_cannot_upload(
    client: ObjectsClient, tmp_path: Path
) -> None:
    source = tmp_path / "a.txt"
    source.write_text("original")
    done = await client.upload_path(source)
    pending = await client.create_object("pending.txt", ContentType.TEXT)
    assert pending.upload_url
    download = await client.download_url(done.id)
    async with httpx.AsyncClient(timeout=10) as http:
        _assert_403(await http.get(pending.upload_url))
        head = await http.head(pending.upload_url)
        assert head.status_code == 403
        _assert_403(await http.put(download, content=b"overwritten"))
        # a download URL cannot be re-signed into an upload URL by editing the purpose
        _assert_403(await http.put(_with_query(download, **{"X-Purpose": UPLOAD}), content=b"x"))
        # nor can an upload URL be pointed at another (finished) object
        _assert_403(await http.put(_with_id(pending.upload_url, done.id), content=b"overwritten"))
        assert (await http.get(download)).content == b"original"
    assert (await client.get_object(pending.id)).state is ObjectState.UPLOADING


async def test_expired_upload_url_is_refused_and_object_stays_uploading(
    server: EmbeddedServer, client: ObjectsClient
) -> None:
    pending = await client.create_object("late.txt", ContentType.TEXT)
    signer = UrlSigner(load_or_create_secret(server.data_dir))
    expired = signer.url(server.base_url, UPLOAD, pending.id, 1_000_000_000)
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.put(expired, content=b"too late")
        _assert_403(response)
        assert "expired" in response.json()["error"]["message"]
    assert (await client.get_object(pending.id)).size_bytes is None
