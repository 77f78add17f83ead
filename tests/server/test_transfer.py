"""Presigned transfers: S3-like PUT, streaming, Range and HEAD, concurrency."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator

import httpx
import pytest

from runloop_tui.server.embedded import EmbeddedServer
from tests.server.conftest import complete, create, download_url, expect_error, make_object
from tests.server.test_security import raw_request

CONTENT = bytes(range(256)) * 4  # 1024 bytes


@pytest.fixture(scope="module")
def object_url(shared_api: httpx.Client) -> str:
    view = make_object(shared_api, "bytes.bin", CONTENT, content_type="binary")
    return download_url(shared_api, view["id"])


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-0", 0, 0),
        ("bytes=10-19", 10, 19),
        ("bytes=1000-", 1000, 1023),
        ("bytes=-24", 1000, 1023),
        ("bytes=-5000", 0, 1023),
        ("bytes=1020-99999", 1020, 1023),
        ("BYTES = 5-6", 5, 6),
    ],
)
def test_range_requests(object_url: str, header: str, first: int, last: int) -> None:
    response = httpx.get(object_url, headers={"Range": header})
    assert response.status_code == 206
    assert response.content == CONTENT[first : last + 1]
    assert response.headers["content-range"] == f"bytes {first}-{last}/1024"
    assert response.headers["content-length"] == str(last - first + 1)
    head = httpx.head(object_url, headers={"Range": header})
    assert head.status_code == 206 and head.content == b""
    assert head.headers["content-length"] == str(last - first + 1)


@pytest.mark.parametrize("header", ["bytes=1024-", "bytes=5000-6000", "bytes=-0"])
def test_unsatisfiable_range_is_416(object_url: str, header: str) -> None:
    response = httpx.get(object_url, headers={"Range": header})
    expect_error(response, 416, "range")
    assert response.headers["content-range"] == "bytes */1024"


@pytest.mark.parametrize("header", ["bytes=5-2", "items=0-1", "bytes=0-1,4-5", "bytes=x-y", ""])
def test_ignored_ranges_serve_everything(object_url: str, header: str) -> None:
    response = httpx.get(object_url, headers={"Range": header})
    assert response.status_code == 200 and response.content == CONTENT


def test_head_and_get_headers(object_url: str) -> None:
    head = httpx.head(object_url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == "1024"
    assert head.headers["accept-ranges"] == "bytes"
    assert head.headers["content-type"] == "application/octet-stream"
    get = httpx.get(object_url)
    assert get.headers["content-length"] == "1024" and get.content == CONTENT


def test_empty_object_range_is_416(api: httpx.Client) -> None:
    url = download_url(api, make_object(api, content=b"")["id"])
    assert httpx.get(url).content == b""
    expect_error(httpx.get(url, headers={"Range": "bytes=0-0"}), 416)


def test_put_needs_no_content_type_or_authorization(
    api: httpx.Client, server: EmbeddedServer
) -> None:
    view = create(api)
    target = view["upload_url"].removeprefix(server.base_url)
    # Exactly Host, Connection and Content-Length: nothing else, like a bare S3 PUT.
    status, body = raw_request(server, "PUT", target, b"hello", Content_Length="5")
    assert status == 200, body
    request = httpx.Request("PUT", view["upload_url"], content=b"hello")
    for name in ("content-type", "authorization"):
        assert name not in request.headers
    with httpx.Client() as http:
        response = http.send(request)
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == f'"{hashlib.md5(b"hello").hexdigest()}"'
    assert complete(api, view["id"])["size_bytes"] == 5


def test_large_chunked_upload_streams_to_disk(api: httpx.Client, server: EmbeddedServer) -> None:
    view = create(api, "big.bin", content_type="binary")
    block = os.urandom(256 * 1024)
    blocks = 48  # 12 MiB, sent chunked (no Content-Length)
    digest = hashlib.sha256()

    def body() -> Iterator[bytes]:
        for i in range(blocks):
            chunk = block[i:] + block[:i]
            digest.update(chunk)
            yield chunk

    response = httpx.put(view["upload_url"], content=body(), timeout=60)
    assert response.status_code == 200, response.text
    done = complete(api, view["id"])
    assert done["size_bytes"] == blocks * len(block)
    fetched = hashlib.sha256()
    with httpx.stream("GET", download_url(api, view["id"]), timeout=60) as stream:
        for chunk in stream.iter_bytes():
            fetched.update(chunk)
    assert fetched.hexdigest() == digest.hexdigest()
    assert list((server.data_dir / "tmp").iterdir()) == []


def test_concurrent_uploads_completes_and_deletes(api: httpx.Client) -> None:
    views = [create(api, f"c{i}") for i in range(12)]
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            view = views[i]
            payload = f"content-{i}".encode() * (i + 1)
            with httpx.Client(base_url=str(api.base_url), headers=dict(api.headers)) as http:
                assert httpx.put(view["upload_url"], content=payload).status_code == 200
                done = http.post(f"/v1/objects/{view['id']}/complete")
                assert done.status_code == 200 and done.json()["size_bytes"] == len(payload)
                if i % 3 == 0:
                    assert http.post(f"/v1/objects/{view['id']}/delete").status_code == 200
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(views))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    listed = api.get("/v1/objects").json()
    assert listed["total_count"] == 8
    for view in listed["objects"]:
        i = int(view["name"][1:])
        assert httpx.get(download_url(api, view["id"])).content == f"content-{i}".encode() * (i + 1)


def test_racing_complete_and_put_never_loses_consistency(api: httpx.Client) -> None:
    for _ in range(5):
        view = create(api)
        results: dict[str, int] = {}

        def put(v: dict[str, str] = view, out: dict[str, int] = results) -> None:
            out["put"] = httpx.put(v["upload_url"], content=b"x" * 100_000).status_code

        thread = threading.Thread(target=put)
        thread.start()
        done = api.post(f"/v1/objects/{view['id']}/complete").json()
        thread.join(30)
        assert results["put"] in (200, 409)
        content = httpx.get(download_url(api, view["id"])).content
        assert len(content) == done["size_bytes"]
