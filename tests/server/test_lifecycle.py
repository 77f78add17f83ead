"""Object lifecycle, idempotency, TTL and the reaper, listing and metadata."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.server.ids import account_of
from runloop_tui.server.store import NewObject, Store
from tests.conftest import API_KEY
from tests.server.conftest import (
    complete,
    create,
    download_url,
    expect_error,
    make_object,
    upload,
    validate,
)


def test_full_lifecycle_and_content(api: httpx.Client, server: EmbeddedServer) -> None:
    view = create(api, "run/trajectory.jsonl", metadata={"agent": "a"})
    upload(view, b"first")
    upload(view, b"second wins")  # S3-like: the last PUT before complete is the content
    done = complete(api, view["id"])
    assert done["state"] == "READ_ONLY" and done["size_bytes"] == len(b"second wins")
    assert httpx.get(download_url(api, view["id"])).content == b"second wins"
    assert (server.data_dir / "blobs" / view["id"]).read_bytes() == b"second wins"
    # Content is final once complete.
    put = httpx.put(view["upload_url"], content=b"late")
    expect_error(put, 409, "READ_ONLY")
    deleted = api.post(f"/v1/objects/{view['id']}/delete").json()
    assert deleted["state"] == "DELETED" and deleted["size_bytes"] == len(b"second wins")
    assert not (server.data_dir / "blobs" / view["id"]).exists()
    expect_error(httpx.put(view["upload_url"], content=b"x"), 409, "DELETED")
    expect_error(api.post(f"/v1/objects/{view['id']}/complete"), 409, "DELETED")
    # Deleting again is harmless and still says DELETED.
    again = api.post(f"/v1/objects/{view['id']}/delete")
    assert again.status_code == 200 and again.json()["state"] == "DELETED"


def test_delete_while_uploading_and_empty_upload(api: httpx.Client) -> None:
    pending = create(api)
    assert api.post(f"/v1/objects/{pending['id']}/delete").json()["state"] == "DELETED"
    empty = make_object(api, content=b"")
    assert empty["size_bytes"] == 0
    response = httpx.get(download_url(api, empty["id"]))
    assert response.status_code == 200 and response.content == b""


def test_create_is_idempotent_per_request_id(api: httpx.Client, other_api: httpx.Client) -> None:
    body = {"name": "once", "content_type": "text"}
    headers = {"x-request-id": "req-123"}
    first = api.post("/v1/objects", json=body, headers=headers).json()
    second = api.post("/v1/objects", json=body, headers=headers).json()
    assert first["id"] == second["id"]
    assert second["upload_url"]
    other = other_api.post("/v1/objects", json=body, headers=headers).json()
    assert other["id"] != first["id"]
    third = api.post("/v1/objects", json=body, headers={"x-request-id": "req-456"}).json()
    assert third["id"] != first["id"]
    listed = api.get("/v1/objects").json()
    assert sorted(o["id"] for o in listed["objects"]) == sorted([first["id"], third["id"]])


def test_retried_complete_with_same_request_id_succeeds(api: httpx.Client) -> None:
    view = create(api)
    headers = {"x-request-id": "complete-1"}
    first = api.post(f"/v1/objects/{view['id']}/complete", headers=headers)
    retry = api.post(f"/v1/objects/{view['id']}/complete", headers=headers)
    assert first.status_code == retry.status_code == 200
    assert retry.json()["state"] == "READ_ONLY"
    fresh = api.post(f"/v1/objects/{view['id']}/complete", headers={"x-request-id": "other"})
    expect_error(fresh, 409)


def test_ttl_expiry_acts_as_deleted_before_the_reaper(
    api: httpx.Client, server: EmbeddedServer
) -> None:
    view = create(api, "short", ttl_ms=1)
    assert view["delete_after_time_ms"] == view["create_time_ms"] + 1
    time.sleep(0.005)  # let the 1 ms TTL pass on the server clock
    got = api.get(f"/v1/objects/{view['id']}").json()
    validate("ObjectView", got)
    assert got["state"] == "DELETED"
    expect_error(httpx.put(view["upload_url"], content=b"x"), 409, "DELETED")
    expect_error(api.post(f"/v1/objects/{view['id']}/complete"), 409, "DELETED")
    # A READ_ONLY object past its TTL (seeded while the server runs) is gone at once too.
    expired = _seed_expired(server.data_dir, int(time.time() * 1000))
    assert api.get(f"/v1/objects/{expired}").json()["state"] == "DELETED"
    assert api.get("/v1/objects").json()["objects"] == []
    deleted = api.get("/v1/objects", params={"state": "DELETED"}).json()["objects"]
    assert sorted(o["id"] for o in deleted) == sorted([view["id"], expired])
    assert api.get("/v1/objects", params={"state": "READ_ONLY"}).json()["objects"] == []
    expect_error(api.get(f"/v1/objects/{expired}/download"), 400, "deleted")
    assert api.get("/v1/objects/metadata/keys").json() == {"keys": []}
    keep = make_object(api, "long", ttl_ms=3_600_000)
    assert api.get(f"/v1/objects/{keep['id']}").json()["state"] == "READ_ONLY"


def _seed_expired(data_dir: Path, now_ms: int) -> str:
    store = Store(data_dir)
    try:
        (object_id,) = store.insert_objects(
            [
                NewObject(
                    account=account_of(API_KEY),
                    name="expired.bin",
                    content_type="binary",
                    create_time_ms=now_ms - 10_000,
                    size_bytes=4,
                    delete_after_time_ms=now_ms - 5_000,
                    metadata={"gone": "yes"},
                )
            ]
        )
        store.write_content(object_id, b"data")
        return object_id
    finally:
        store.close()


def test_reaper_removes_expired_content(data_dir: Path) -> None:
    object_id = _seed_expired(data_dir, int(time.time() * 1000))
    blob = data_dir / "blobs" / object_id
    assert blob.exists()
    # The server reaps at startup, then periodically.
    with EmbeddedServer(data_dir, [API_KEY]) as server, httpx.Client() as http:
        assert not blob.exists()
        headers = {"Authorization": f"Bearer {API_KEY}"}
        got = http.get(f"{server.base_url}/v1/objects/{object_id}", headers=headers).json()
        assert got["state"] == "DELETED"
        keys = http.get(f"{server.base_url}/v1/objects/metadata/keys", headers=headers).json()
        assert keys == {"keys": []}


def test_store_reap_marks_deleted(data_dir: Path) -> None:
    now = int(time.time() * 1000)
    object_id = _seed_expired(data_dir, now)
    store = Store(data_dir)
    try:
        assert store.reap(now) == 1
        assert store.reap(now) == 0
        assert store.get(None, object_id).state == "DELETED"
        assert not store.blob_path(object_id).exists()
    finally:
        store.close()


def _seed_many(data_dir: Path, count: int, same_time: bool = False) -> list[str]:
    now = int(time.time() * 1000)
    store = Store(data_dir)
    try:
        ids = store.insert_objects(
            [
                NewObject(
                    account=account_of(API_KEY),
                    name=f"Item-{i:03d}.{'txt' if i % 2 else 'bin'}",
                    content_type="text" if i % 2 else "binary",
                    create_time_ms=now if same_time else now - i * 10,
                    size_bytes=0,
                )
                for i in range(count)
            ]
        )
    finally:
        store.close()
    return ids


def test_list_order_and_pagination(api: httpx.Client, data_dir: Path) -> None:
    ids = _seed_many(data_dir, 45, same_time=True)
    expected = sorted(ids, reverse=True)  # same create time: id descending breaks the tie
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 10}
        if cursor:
            params["starting_after"] = cursor
        body = api.get("/v1/objects", params=params).json()
        validate("ObjectListView", body)
        pages += 1
        seen += [o["id"] for o in body["objects"]]
        assert body["total_count"] == 45
        if not body["has_more"]:
            break
        cursor = body["objects"][-1]["id"]
    assert seen == expected and pages == 5


def test_list_has_more_is_exact_on_full_last_page(api: httpx.Client, data_dir: Path) -> None:
    ids = _seed_many(data_dir, 20)
    first = api.get("/v1/objects", params={"limit": 10}).json()
    assert [o["id"] for o in first["objects"]] == ids[:10] and first["has_more"] is True
    second = api.get("/v1/objects", params={"limit": 10, "starting_after": ids[9]}).json()
    assert [o["id"] for o in second["objects"]] == ids[10:] and second["has_more"] is False
    end = api.get("/v1/objects", params={"starting_after": ids[-1]}).json()
    assert end == {"objects": [], "has_more": False, "total_count": 20}


def test_list_limits(api: httpx.Client, data_dir: Path) -> None:
    _seed_many(data_dir, 25)
    assert len(api.get("/v1/objects").json()["objects"]) == 20
    assert len(api.get("/v1/objects?limit=").json()["objects"]) == 20
    zero = api.get("/v1/objects", params={"limit": 0}).json()
    assert zero == {"objects": [], "has_more": True, "total_count": 25}
    assert len(api.get("/v1/objects", params={"limit": 5000}).json()["objects"]) == 25
    for bad in ("-1", "5001", "abc", "1.5", "99999999999999999999"):
        expect_error(api.get("/v1/objects", params={"limit": bad}), 400, "limit")
    expect_error(
        api.get("/v1/objects", params={"starting_after": "obj_nope"}), 400, "starting_after"
    )


def test_list_total_count_flag(api: httpx.Client, data_dir: Path) -> None:
    _seed_many(data_dir, 3)
    for value, expected in (("true", 3), ("1", 3), ("TRUE", 3), ("false", None), ("0", None)):
        body = api.get("/v1/objects", params={"include_total_count": value}).json()
        validate("ObjectListView", body)
        assert body["total_count"] == expected, value
    expect_error(api.get("/v1/objects?include_total_count=maybe"), 400, "include_total_count")


def test_list_filters(api: httpx.Client, data_dir: Path) -> None:
    ids = _seed_many(data_dir, 12)
    pending = create(api, "pending-ITEM", content_type="gzip")

    def names(**params: str) -> list[str]:
        body = api.get("/v1/objects", params=params).json()
        validate("ObjectListView", body)
        assert body["total_count"] == len(body["objects"])
        return [o["name"] for o in body["objects"]]

    assert names(name="item-00") == [f"Item-00{i}.{'txt' if i % 2 else 'bin'}" for i in range(10)]
    assert names(name="ITEM-011") == ["Item-011.txt"]
    assert len(names(content_type="text")) == 6
    assert names(content_type="gzip") == ["pending-ITEM"]
    assert names(state="UPLOADING") == ["pending-ITEM"]
    assert len(names(state="READ_ONLY")) == 12
    assert names(state="ERROR") == []
    assert names(search=ids[3][5:15]) == ["Item-003.txt"]
    assert names(search=pending["id"]) == ["pending-ITEM"]
    assert len(names(search="item")) == 13
    assert names(name="%") == [] and names(name="_") == []
    for param, value in (("content_type", "pdf"), ("state", "GONE"), ("state", "read_only")):
        expect_error(api.get("/v1/objects", params={param: value}), 400, param)


@pytest.mark.parametrize("deleted_state", ["DELETED"])
def test_list_state_deleted(api: httpx.Client, deleted_state: str) -> None:
    gone = make_object(api, "gone")
    api.post(f"/v1/objects/{gone['id']}/delete")
    live = make_object(api, "live")
    assert [o["id"] for o in api.get("/v1/objects").json()["objects"]] == [live["id"]]
    listed = api.get("/v1/objects", params={"state": deleted_state}).json()
    assert [o["id"] for o in listed["objects"]] == [gone["id"]]


def test_metadata_over_live_objects_only(api: httpx.Client) -> None:
    a = make_object(api, "a", metadata={"env": "prod", "team": "x"})
    make_object(api, "b", metadata={"env": "dev"})
    api.post(f"/v1/objects/{a['id']}/delete")
    assert api.get("/v1/objects/metadata/keys").json() == {"keys": ["env"]}
    assert api.get("/v1/objects/metadata/keys/env/values").json() == {
        "key": "env",
        "values": ["dev"],
    }
    assert api.get("/v1/objects/metadata/keys/team/values").json() == {"key": "team", "values": []}


def test_metadata_keys_with_slashes_and_unicode(api: httpx.Client) -> None:
    make_object(api, "a", metadata={"a/b": "1", "ключ": "2", "values": "3"})
    assert api.get("/v1/objects/metadata/keys/a%2Fb/values").json()["values"] == ["1"]
    assert api.get("/v1/objects/metadata/keys/%D0%BA%D0%BB%D1%8E%D1%87/values").json() == {
        "key": "ключ",
        "values": ["2"],
    }
    assert api.get("/v1/objects/metadata/keys/values/values").json()["values"] == ["3"]
    expect_error(api.get("/v1/objects/metadata/keys/%0A/values"), 400, "key")
