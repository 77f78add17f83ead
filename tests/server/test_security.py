"""Auth, account isolation, presigned URL integrity and hostile paths."""

from __future__ import annotations

import json
import socket
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from runloop_tui.server.datadir import load_or_create_secret
from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.server.signing import DOWNLOAD, UPLOAD, UrlSigner
from tests.conftest import API_KEY
from tests.server.conftest import (
    create,
    download_url,
    expect_error,
    make_object,
    validate,
)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer  x y",
        "Basic dXNlcjpwYXNz",
        f"Token {API_KEY}",
        "Bearer wrong-key",
    ],
)
def test_missing_or_unknown_key_is_401(shared_server: EmbeddedServer, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    with httpx.Client(base_url=shared_server.base_url, headers=headers) as http:
        for response in (
            http.get("/v1/objects"),
            http.post("/v1/objects", json={"name": "a", "content_type": "text"}),
            http.get("/v1/objects/metadata/keys"),
        ):
            expect_error(response, 401)
            assert response.headers["www-authenticate"] == "Bearer"
            assert API_KEY not in response.text


def test_bearer_scheme_is_case_insensitive(server: EmbeddedServer) -> None:
    headers = {"Authorization": f"bearer {API_KEY}"}
    assert httpx.get(f"{server.base_url}/v1/objects", headers=headers).status_code == 200


def test_accounts_are_isolated(api: httpx.Client, other_api: httpx.Client) -> None:
    mine = make_object(api, "secret-plan.txt", metadata={"project": "x"})
    pending = create(api, "pending")
    oid = mine["id"]
    for response in (
        other_api.get(f"/v1/objects/{oid}"),
        other_api.post(f"/v1/objects/{pending['id']}/complete"),
        other_api.post(f"/v1/objects/{oid}/delete"),
        other_api.get(f"/v1/objects/{oid}/download"),
    ):
        error = expect_error(response, 404)
        assert "secret-plan" not in json.dumps(error)
    listed = other_api.get("/v1/objects").json()
    assert listed == {"objects": [], "has_more": False, "total_count": 0}
    expect_error(other_api.get("/v1/objects", params={"starting_after": oid}), 400)
    assert other_api.get("/v1/objects", params={"search": oid}).json()["objects"] == []
    assert other_api.get("/v1/objects/metadata/keys").json() == {"keys": []}
    values = other_api.get("/v1/objects/metadata/keys/project/values").json()
    assert values == {"key": "project", "values": []}
    # Nothing changed for the owner.
    assert api.get(f"/v1/objects/{oid}").json()["state"] == "READ_ONLY"
    assert api.get(f"/v1/objects/{pending['id']}").json()["state"] == "UPLOADING"


def test_list_public_spans_accounts_but_only_public(
    api: httpx.Client, other_api: httpx.Client
) -> None:
    mine = make_object(api, "mine-public", is_public=True)
    make_object(api, "mine-private")
    theirs = make_object(other_api, "their-public", is_public=True)
    gone = make_object(other_api, "their-deleted-public", is_public=True)
    other_api.post(f"/v1/objects/{gone['id']}/delete")
    for client in (api, other_api):
        body = client.get("/v1/objects/list_public").json()
        validate("ObjectListView", body)
        assert [o["id"] for o in body["objects"]] == [theirs["id"], mine["id"]]
        assert body["total_count"] == 2
    page = api.get("/v1/objects/list_public", params={"limit": 1}).json()
    assert page["has_more"] is True
    rest = api.get(
        "/v1/objects/list_public", params={"starting_after": page["objects"][0]["id"]}
    ).json()
    assert [o["id"] for o in rest["objects"]] == [mine["id"]]
    private = api.get("/v1/objects", params={"name": "mine-private"}).json()["objects"][0]["id"]
    expect_error(api.get("/v1/objects/list_public", params={"starting_after": private}), 400)
    # Listed to another account means readable by it (see the next test).
    assert other_api.get(f"/v1/objects/{mine['id']}").status_code == 200


def test_a_public_object_is_readable_by_every_account_but_managed_by_its_owner(
    api: httpx.Client, other_api: httpx.Client
) -> None:
    shared = make_object(api, "pub-a", content=b"for everyone", is_public=True)
    pending = create(api, "pub-pending", is_public=True)
    private = make_object(api, "priv-a", content=b"mine only")
    oid = shared["id"]
    # Another account reads its metadata and downloads it, as listed by list_public.
    seen = other_api.get(f"/v1/objects/{oid}")
    assert seen.status_code == 200, seen.text
    validate("ObjectView", seen.json())
    assert seen.json() == api.get(f"/v1/objects/{oid}").json()
    assert httpx.get(download_url(other_api, oid, duration_seconds=60)).content == b"for everyone"
    # An unfinished public object has no content yet: the same 400 as for its owner.
    expect_error(other_api.get(f"/v1/objects/{pending['id']}/download"), 400, "UPLOADING")
    # It cannot complete or delete it: 403 saying why (its existence is no secret).
    expect_error(other_api.post(f"/v1/objects/{oid}/delete"), 403, "owner", "delete")
    expect_error(other_api.post(f"/v1/objects/{pending['id']}/complete"), 403, "owner")
    assert api.get(f"/v1/objects/{oid}").json()["state"] == "READ_ONLY"
    assert api.get(f"/v1/objects/{pending['id']}").json()["state"] == "UPLOADING"
    assert oid in {o["id"] for o in other_api.get("/v1/objects/list_public").json()["objects"]}
    # Still not in its own list, keys or search.
    assert other_api.get("/v1/objects", params={"search": oid}).json()["objects"] == []
    # A private object of the same owner stays a 404 for every operation.
    for response in (
        other_api.get(f"/v1/objects/{private['id']}"),
        other_api.get(f"/v1/objects/{private['id']}/download"),
        other_api.post(f"/v1/objects/{private['id']}/delete"),
    ):
        expect_error(response, 404, "not found")
    # Once its owner deletes it, every account sees it DELETED and gets no URL.
    assert api.post(f"/v1/objects/{oid}/delete").json()["state"] == "DELETED"
    assert other_api.get(f"/v1/objects/{oid}").json()["state"] == "DELETED"
    expect_error(other_api.get(f"/v1/objects/{oid}/download"), 400, "deleted")
    assert oid not in {o["id"] for o in other_api.get("/v1/objects/list_public").json()["objects"]}


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(query)}"


def _with_id(url: str, object_id: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/_blobs/{object_id}?{parts.query}"


def test_presigned_download_url_tampering_is_403(api: httpx.Client) -> None:
    target = make_object(api, "target", content=b"target")
    other = make_object(api, "other", content=b"other")
    url = download_url(api, target["id"])
    assert httpx.get(url).content == b"target"
    sig = parse_qs(urlsplit(url).query)["X-Signature"][0]
    expires = parse_qs(urlsplit(url).query)["X-Expires"][0]
    tampered = [
        _with_id(url, other["id"]),
        _with_query(url, **{"X-Expires": str(int(expires) + 3600)}),
        _with_query(url, **{"X-Signature": ("0" if sig[0] != "0" else "1") + sig[1:]}),
        _with_query(url, **{"X-Signature": ""}),
        _with_query(url, **{"X-Expires": "soon"}),
        _with_query(url, **{"X-Purpose": UPLOAD}),
        url.split("?")[0],
    ]
    for bad in tampered:
        expect_error(httpx.get(bad), 403)
        assert httpx.head(bad).status_code == 403


def test_upload_and_download_urls_are_not_interchangeable(api: httpx.Client) -> None:
    pending = create(api)
    expect_error(httpx.get(pending["upload_url"]), 403, "upload URL", "downloading")
    done = make_object(api, content=b"abc")
    url = download_url(api, done["id"])
    expect_error(httpx.put(url, content=b"overwrite"), 403, "download URL", "uploading")
    assert httpx.get(url).content == b"abc"


def test_expired_urls_are_403(api: httpx.Client, server: EmbeddedServer) -> None:
    signer = UrlSigner(load_or_create_secret(server.data_dir))
    done = make_object(api, content=b"abc")
    pending = create(api)
    past = 1_000_000_000
    expect_error(httpx.get(signer.url(server.base_url, DOWNLOAD, done["id"], past)), 403, "expired")
    expired_put = httpx.put(signer.url(server.base_url, UPLOAD, pending["id"], past), content=b"x")
    expect_error(expired_put, 403, "expired")
    # The same signer with a future expiry works: only the expiry made the difference.
    future = 4_000_000_000
    assert httpx.get(signer.url(server.base_url, DOWNLOAD, done["id"], future)).content == b"abc"


def test_download_url_duration_bounds(api: httpx.Client) -> None:
    done = make_object(api)
    for ok in ("1", "3600", str(7 * 24 * 3600)):
        assert api.get(f"/v1/objects/{done['id']}/download?duration_seconds={ok}").is_success
    for bad in ("0", "-1", str(7 * 24 * 3600 + 1), "abc", "1.5"):
        expect_error(
            api.get(f"/v1/objects/{done['id']}/download?duration_seconds={bad}"),
            400,
            "duration_seconds",
        )
    url = download_url(api, done["id"], duration_seconds=120)
    expires = int(parse_qs(urlsplit(url).query)["X-Expires"][0])
    created = done["create_time_ms"] // 1000
    assert created + 110 <= expires <= created + 3600


def raw_request(
    server: EmbeddedServer, method: str, target: str, body: bytes = b"", **headers: str
) -> Any:
    """Send an exact request line (no client-side path normalisation); returns (status, body)."""
    host, port = server.base_url.removeprefix("http://").rsplit(":", 1)
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body


@pytest.mark.parametrize(
    "target",
    [
        "/v1/objects/../../etc/passwd",
        "/v1/objects/..%2F..%2Fetc%2Fpasswd",
        "/v1/objects/%2e%2e/complete",
        "/v1/objects/obj_%00%00%00",
        "/v1/objects/obj_aaaaaaaaaaaaaaaaaaaaa%2F",
        "/v1/objects/obj_" + "a" * 21 + "%C3%A9",
        "/v1/objects/" + "x" * 5000,
        "/v1/objects/%ff%fe/download",
        "/v1/objects/obj_..%2F..%2Fobjects.db/delete",
        "/_blobs/..%2Fobjects.db?X-Purpose=download&X-Expires=9999999999&X-Signature=00",
        "/_blobs/../signing.key",
        "/v1/objects/metadata/keys/%ff/values",
        "/v1/objects?limit=%00",
        "/v1/objects?name=%ff%fe&search=%00",
        "/_blobs/obj_"
        + "a" * 22
        + "?X-Purpose=download&X-Expires=9999999999&X-Signature=%C3%A9%ff",
        "/_blobs/obj_" + "a" * 22 + "?X-Purpose=%ff&X-Expires=%C3%A9&X-Signature=%00",
    ],
)
def test_hostile_paths_get_json_4xx(shared_server: EmbeddedServer, target: str) -> None:
    for method in ("GET", "POST", "PUT", "HEAD"):
        status, body = raw_request(
            shared_server, method, target, Authorization=f"Bearer {API_KEY}", Content_Length="0"
        )
        assert 400 <= status < 500, (method, target, status, body[:200])
        if method != "HEAD":
            validate("Error", json.loads(body))
        assert b"signing" not in body.lower() or b"no such endpoint" in body.lower()
