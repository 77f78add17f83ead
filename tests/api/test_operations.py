"""Every operation of the spec against the real local server, and the errors it answers."""

from __future__ import annotations

from typing import Any

import pytest

from runloop_tui.api import (
    BadRequestError,
    ConflictError,
    ContentType,
    ListFilters,
    NotFoundError,
    ObjectsClient,
    ObjectState,
    UnauthorizedError,
)
from tests.conftest import OTHER_API_KEY


async def _make(client: ObjectsClient, name: str, **kwargs: Any) -> str:
    created = await client.create_object(name, ContentType.TEXT, **kwargs)
    assert created.state is ObjectState.UPLOADING and created.upload_url
    return created.id


async def test_create_complete_get_delete_lifecycle(client: ObjectsClient) -> None:
    created = await client.create_object(
        "notes.txt", ContentType.TEXT, metadata={"team": "infra"}, ttl_ms=3_600_000
    )
    assert created.name == "notes.txt"
    assert created.content_type is ContentType.TEXT
    assert created.metadata == {"team": "infra"}
    assert created.delete_after_time_ms == created.create_time_ms + 3_600_000
    completed = await client.complete_object(created.id)  # empty upload is allowed
    assert completed.state is ObjectState.READ_ONLY
    assert completed.size_bytes == 0
    fetched = await client.get_object(created.id)
    assert fetched.state is ObjectState.READ_ONLY and fetched.id == created.id
    assert fetched.upload_url is None
    deleted = await client.delete_object(created.id)
    assert deleted.state is ObjectState.DELETED
    # as the real service: retrieve after delete is 200 with state DELETED
    assert (await client.get_object(created.id)).state is ObjectState.DELETED


async def test_complete_twice_is_a_conflict_not_retried(client: ObjectsClient) -> None:
    object_id = await _make(client, "a.txt")
    await client.complete_object(object_id)
    events: list[object] = []
    client.on_retry = events.append
    with pytest.raises(ConflictError) as info:
        await client.complete_object(object_id)
    assert info.value.status == 409
    assert info.value.request_id
    assert "409" in str(info.value) and info.value.message in str(info.value)
    assert events == []  # 409 is never retried


async def test_unknown_id_is_not_found(client: ObjectsClient) -> None:
    with pytest.raises(NotFoundError) as info:
        await client.get_object("obj_doesnotexist000000000")
    assert info.value.status == 404
    assert info.value.message  # the server's own words
    with pytest.raises(NotFoundError):
        await client.delete_object("obj_doesnotexist000000000")


async def test_ids_cannot_escape_their_path_segment(client: ObjectsClient) -> None:
    with pytest.raises((NotFoundError, BadRequestError)):
        await client.get_object("../objects?limit=1")


async def test_download_url_of_deleted_object_is_bad_request(client: ObjectsClient) -> None:
    object_id = await _make(client, "gone.txt")
    await client.complete_object(object_id)
    assert (await client.download_url(object_id, duration_seconds=60)).startswith("http")
    await client.delete_object(object_id)
    with pytest.raises(BadRequestError) as info:
        await client.download_url(object_id)
    assert info.value.status == 400


async def test_create_with_bad_parameters_is_bad_request(client: ObjectsClient) -> None:
    with pytest.raises(BadRequestError) as info:
        await client.create_object("x", ContentType("not-a-type"))
    assert "HTTP 400" in str(info.value)


async def test_wrong_key_is_unauthorized(client: ObjectsClient) -> None:
    bad = ObjectsClient(client.base_url, "rk_wrong_key_000000000000", retry=client.retry_policy)
    async with bad:
        with pytest.raises(UnauthorizedError) as info:
            await bad.list_objects()
    assert info.value.status == 401
    anonymous = ObjectsClient(client.base_url, None, retry=client.retry_policy)
    async with anonymous:
        with pytest.raises(UnauthorizedError):
            await anonymous.get_object("obj_x")


async def test_accounts_are_isolated(client: ObjectsClient) -> None:
    object_id = await _make(client, "mine.txt")
    other = ObjectsClient(client.base_url, OTHER_API_KEY, retry=client.retry_policy)
    async with other:
        with pytest.raises(NotFoundError):
            await other.get_object(object_id)
        assert (await other.list_objects()).objects == []


async def test_list_filters_and_total(client: ObjectsClient) -> None:
    a = await _make(client, "alpha.txt", metadata={"env": "prod"})
    await client.complete_object(a)
    await _make(client, "beta.log", metadata={"env": "dev"})
    page = await client.list_objects(include_total_count=True)
    assert page.total_count == 2 and not page.has_more
    only_done = await client.list_objects(filters=ListFilters(state=ObjectState.READ_ONLY))
    assert [o.id for o in only_done.objects] == [a]
    by_name = await client.list_objects(filters=ListFilters(name="alph"))
    assert [o.name for o in by_name.objects] == ["alpha.txt"]
    by_search = await client.list_objects(filters=ListFilters(search=a))
    assert [o.id for o in by_search.objects] == [a]
    by_type = await client.list_objects(filters=ListFilters(content_type=ContentType.TGZ))
    assert by_type.objects == []
    assert await client.count_objects() == 2


async def test_list_public(client: ObjectsClient) -> None:
    public = await _make(client, "shared.txt", is_public=True)
    await client.complete_object(public)
    await _make(client, "private.txt")
    other = ObjectsClient(client.base_url, OTHER_API_KEY, retry=client.retry_policy)
    async with other:
        page = await other.list_objects(public=True)
    assert [o.id for o in page.objects] == [public]


async def test_metadata_keys_and_values(client: ObjectsClient) -> None:
    await _make(client, "a", metadata={"env": "prod", "team/name": "infra"})
    await _make(client, "b", metadata={"env": "dev"})
    assert sorted(await client.metadata_keys()) == ["env", "team/name"]
    values = await client.metadata_values("env")
    assert values.key == "env" and sorted(values.values) == ["dev", "prod"]
    # a key with a slash survives the trip through the path
    assert (await client.metadata_values("team/name")).values == ["infra"]


async def test_iter_pages_small_first_page_then_large(client: ObjectsClient) -> None:
    ids = {await _make(client, f"obj-{i:02d}") for i in range(23)}
    pages = [page async for page in client.iter_pages(page_size=8, first_page_size=3)]
    assert [len(p.objects) for p in pages] == [3, 8, 8, 4]
    # The small first page paints without waiting for the count; the second brings it.
    assert [p.total_count for p in pages] == [None, 23, None, None]
    seen = [o.id for p in pages for o in p.objects]
    assert len(seen) == len(set(seen)) == 23 and set(seen) == ids


async def test_iter_pages_empty_account(client: ObjectsClient) -> None:
    pages = [page async for page in client.iter_pages()]
    assert len(pages) == 1 and pages[0].objects == [] and pages[0].total_count == 0


async def test_iter_pages_stopped_early_leaves_client_usable(client: ObjectsClient) -> None:
    for i in range(6):
        await _make(client, f"o{i}")
    pages = client.iter_pages(page_size=2, first_page_size=2)
    async for page in pages:
        assert len(page.objects) == 2
        break  # the prefetched next page is cancelled, not leaked
    await pages.aclose()
    assert len((await client.list_objects()).objects) == 6
