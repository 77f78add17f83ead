"""Every operation in the spec, every status it lists, bodies validated against its schemas."""

from __future__ import annotations

import httpx
import yaml

from runloop_tui.server.embedded import EmbeddedServer
from tests.server.conftest import (
    SPEC_PATH,
    complete,
    create,
    download_url,
    expect_error,
    make_object,
    spec,
    validate,
)

MISSING = "obj_" + "0" * 22


def test_spec_is_served_without_auth(anon: httpx.Client) -> None:
    response = anon.get("/openapi.yml")
    assert response.status_code == 200
    assert yaml.safe_load(response.content) == yaml.safe_load(SPEC_PATH.read_bytes())


def test_create_200_has_upload_url_and_exact_fields(api: httpx.Client) -> None:
    view = create(api, "dir/a.txt", metadata={"k": "v"}, ttl_ms=60_000)
    assert set(view) == {
        "id",
        "name",
        "state",
        "size_bytes",
        "content_type",
        "create_time_ms",
        "delete_after_time_ms",
        "metadata",
        "upload_url",
    }
    assert view["state"] == "UPLOADING"
    assert view["size_bytes"] is None
    assert view["metadata"] == {"k": "v"}
    assert view["delete_after_time_ms"] == view["create_time_ms"] + 60_000
    assert view["id"].startswith("obj_") and len(view["id"]) == 26


def test_create_400_and_401(api: httpx.Client, anon: httpx.Client) -> None:
    expect_error(api.post("/v1/objects", json={"content_type": "text"}), 400, "name")
    expect_error(anon.post("/v1/objects", json={"name": "a", "content_type": "text"}), 401)


def test_list_200_and_401(api: httpx.Client, anon: httpx.Client) -> None:
    make_object(api, "one")
    create(api, "two")
    response = api.get("/v1/objects")
    assert response.status_code == 200
    body = response.json()
    validate("ObjectListView", body)
    assert [o["name"] for o in body["objects"]] == ["two", "one"]
    assert body["has_more"] is False and body["total_count"] == 2
    assert all("upload_url" not in o for o in body["objects"])
    expect_error(anon.get("/v1/objects"), 401)


def test_list_public_200_and_401(api: httpx.Client, anon: httpx.Client) -> None:
    make_object(api, "shared", is_public=True)
    make_object(api, "private")
    response = api.get("/v1/objects/list_public")
    assert response.status_code == 200
    validate("ObjectListView", response.json())
    assert [o["name"] for o in response.json()["objects"]] == ["shared"]
    expect_error(anon.get("/v1/objects/list_public"), 401)


def test_metadata_keys_and_values_200_400(api: httpx.Client) -> None:
    make_object(api, "a", metadata={"env": "prod", "agent": "x"})
    make_object(api, "b", metadata={"env": "staging"})
    create(api, "c", metadata={"env": "dev"})
    keys = api.get("/v1/objects/metadata/keys")
    assert keys.status_code == 200
    validate("MetadataKeysView", keys.json())
    assert keys.json() == {"keys": ["agent", "env"]}
    values = api.get("/v1/objects/metadata/keys/env/values")
    assert values.status_code == 200
    validate("MetadataValuesView", values.json())
    assert values.json() == {"key": "env", "values": ["dev", "prod", "staging"]}
    expect_error(api.get("/v1/objects/metadata/keys//values"), 400, "key")
    expect_error(api.get("/v1/objects/metadata/keys/" + "k" * 300 + "/values"), 400, "key")


def test_get_200_401_404(api: httpx.Client, anon: httpx.Client) -> None:
    view = create(api)
    response = api.get(f"/v1/objects/{view['id']}")
    assert response.status_code == 200
    validate("ObjectView", response.json())
    assert "upload_url" not in response.json()
    expect_error(anon.get(f"/v1/objects/{view['id']}"), 401)
    expect_error(api.get(f"/v1/objects/{MISSING}"), 404, MISSING)


def test_complete_200_401_404_409(api: httpx.Client, anon: httpx.Client) -> None:
    view = create(api)
    expect_error(anon.post(f"/v1/objects/{view['id']}/complete"), 401)
    done = complete(api, view["id"])
    assert done["state"] == "READ_ONLY" and done["size_bytes"] == 0
    expect_error(api.post(f"/v1/objects/{view['id']}/complete"), 409, "READ_ONLY")
    expect_error(api.post(f"/v1/objects/{MISSING}/complete"), 404)


def test_delete_200_401_404(api: httpx.Client, anon: httpx.Client) -> None:
    view = make_object(api)
    expect_error(anon.post(f"/v1/objects/{view['id']}/delete"), 401)
    response = api.post(f"/v1/objects/{view['id']}/delete")
    assert response.status_code == 200
    validate("ObjectView", response.json())
    assert response.json()["state"] == "DELETED"
    again = api.get(f"/v1/objects/{view['id']}")
    assert again.status_code == 200 and again.json()["state"] == "DELETED"
    expect_error(api.post(f"/v1/objects/{MISSING}/delete"), 404)


def test_download_200_400_401_404(api: httpx.Client, anon: httpx.Client) -> None:
    view = make_object(api, content=b"payload")
    url = download_url(api, view["id"])
    assert httpx.get(url).content == b"payload"
    expect_error(api.get(f"/v1/objects/{view['id']}/download?duration_seconds=0"), 400, "duration")
    pending = create(api)
    expect_error(api.get(f"/v1/objects/{pending['id']}/download"), 400, "UPLOADING")
    expect_error(anon.get(f"/v1/objects/{view['id']}/download"), 401)
    expect_error(api.get(f"/v1/objects/{MISSING}/download"), 404)
    api.post(f"/v1/objects/{view['id']}/delete")
    expect_error(api.get(f"/v1/objects/{view['id']}/download"), 400, "deleted")


def test_every_spec_operation_is_covered_here() -> None:
    operations = {op["operationId"] for path in spec()["paths"].values() for op in path.values()}
    assert operations == {
        "createObject",
        "listObjects",
        "listPublicObjects",
        "getObjectMetadataKeys",
        "getObjectMetadataValues",
        "getObject",
        "completeObject",
        "deleteObject",
        "generateDownloadUrl",
    }


def test_unknown_route_and_method_are_json_errors(
    api: httpx.Client, server: EmbeddedServer
) -> None:
    expect_error(api.get("/v2/whatever"), 404)
    expect_error(api.delete("/v1/objects"), 405)
    expect_error(api.put(f"/v1/objects/{MISSING}"), 405)
    assert server.base_url.startswith("http://127.0.0.1:")
