"""Create/complete/delete input validation: every bad input is a clear 4xx JSON error."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.server.conftest import create, expect_error, validate

VALID = {"name": "a.txt", "content_type": "text"}


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({}, "name"),
        ({"content_type": "text"}, "name"),
        ({**VALID, "name": ""}, "name"),
        ({**VALID, "name": "x" * 1025}, "name"),
        ({**VALID, "name": 7}, "name"),
        ({**VALID, "name": None}, "name"),
        ({**VALID, "name": "a\x00b"}, "name"),
        ({**VALID, "name": "line\nbreak"}, "name"),
        ({**VALID, "name": "esc\x1b[31m"}, "name"),
        ({**VALID, "name": "del\x7f"}, "name"),
        ({"name": "a"}, "content_type"),
        ({**VALID, "content_type": "pdf"}, "content_type"),
        ({**VALID, "content_type": None}, "content_type"),
        ({**VALID, "metadata": ["a"]}, "metadata"),
        ({**VALID, "metadata": {"k": 1}}, "metadata"),
        ({**VALID, "metadata": {"k": None}}, "metadata"),
        ({**VALID, "metadata": {f"k{i}": "v" for i in range(51)}}, "metadata"),
        ({**VALID, "metadata": {"k" * 257: "v"}}, "metadata key"),
        ({**VALID, "metadata": {"": "v"}}, "metadata key"),
        ({**VALID, "metadata": {"k": "v" * 4097}}, "metadata"),
        ({**VALID, "metadata": {"k\n": "v"}}, "metadata key"),
        ({**VALID, "ttl_ms": 0}, "ttl_ms"),
        ({**VALID, "ttl_ms": -5}, "ttl_ms"),
        ({**VALID, "ttl_ms": "10"}, "ttl_ms"),
        ({**VALID, "ttl_ms": 1.5}, "ttl_ms"),
        ({**VALID, "ttl_ms": True}, "ttl_ms"),
        ({**VALID, "ttl_ms": 2**63 - 1}, "ttl_ms"),
        ({**VALID, "is_public": "yes"}, "is_public"),
        ({**VALID, "size_bytes": 3}, "size_bytes"),
        ({**VALID, "upload_headers": {}}, "upload_headers"),
        ({**VALID, "id": "obj_x"}, "id"),
    ],
)
def test_create_rejects(shared_api: httpx.Client, body: dict[str, Any], word: str) -> None:
    expect_error(shared_api.post("/v1/objects", json=body), 400, word)


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "word"),
    [
        (b"", "application/json", 400, "name"),
        (b"null", "application/json", 400, "name"),
        (b"[]", "application/json", 400, "object"),
        (b'"text"', "application/json", 400, "object"),
        (b'{"name": "a",', "application/json", 400, "JSON"),
        (b'{"name": NaN, "content_type": "text"}', "application/json", 400, "JSON"),
        (b'{"name": "\xff\xfe", "content_type": "text"}', "application/json", 400, "JSON"),
        (b'{"name": "\\ud800", "content_type": "text"}', "application/json", 400, "Unicode"),
        (b'{"name": "a", "content_type": "text"}', "text/plain", 415, "Content-Type"),
        (b"name=a&content_type=text", "application/x-www-form-urlencoded", 415, "Content-Type"),
        (b'{"name": "a", "content_type": "text"}', None, 415, "Content-Type"),
    ],
)
def test_create_rejects_raw_bodies(
    shared_api: httpx.Client, raw: bytes, content_type: str | None, status: int, word: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    expect_error(shared_api.post("/v1/objects", content=raw, headers=headers), status, word)


def test_create_rejects_huge_body(api: httpx.Client) -> None:
    raw = b'{"name": "' + b"x" * (1024 * 1024 + 10) + b'", "content_type": "text"}'
    expect_error(
        api.post("/v1/objects", content=raw, headers={"Content-Type": "application/json"}),
        413,
        "larger",
    )


def test_create_accepts_edges(api: httpx.Client) -> None:
    longest = create(api, "n" * 1024)
    assert len(longest["name"]) == 1024
    many = create(api, "m", metadata={f"k{i}": "v" * 4096 for i in range(50)})
    assert len(many["metadata"]) == 50
    unicode = create(api, "données/日本語/😀.txt", metadata={"ключ": "значение\tok"})
    assert unicode["name"] == "données/日本語/😀.txt"
    assert unicode["metadata"] == {"ключ": "значение\tok"}
    nulls = create(api, "n", metadata=None, ttl_ms=None)
    assert nulls["metadata"] == {} and nulls["delete_after_time_ms"] is None
    public = create(api, "p", is_public=True, content_type="tgz")
    assert public["content_type"] == "tgz"
    markup = create(api, "[bold]x[/bold] $(rm -rf) ../../etc/passwd")
    assert markup["name"] == "[bold]x[/bold] $(rm -rf) ../../etc/passwd"


@pytest.mark.parametrize("op", ["complete", "delete"])
def test_complete_and_delete_accept_sdk_body_shapes(api: httpx.Client, op: str) -> None:
    shapes: list[dict[str, Any]] = [
        {},
        {"headers": {"Content-Type": "application/json"}},
        {"content": b"", "headers": {"Content-Type": "application/json"}},
        {"json": {}},
        {"content": b"{}", "headers": {"Content-Type": "application/json; charset=utf-8"}},
    ]
    for shape in shapes:
        view = create(api)
        response = api.post(f"/v1/objects/{view['id']}/{op}", **shape)
        assert response.status_code == 200, (shape, response.text)
        validate("ObjectView", response.json())


@pytest.mark.parametrize("op", ["complete", "delete"])
def test_complete_and_delete_reject_bad_bodies(shared_api: httpx.Client, op: str) -> None:
    api = shared_api
    view = create(api)
    url = f"/v1/objects/{view['id']}/{op}"
    expect_error(api.post(url, json={"force": True}), 400, "force")
    expect_error(api.post(url, json=[1]), 400, "object")
    expect_error(
        api.post(url, content=b"{", headers={"Content-Type": "application/json"}), 400, "JSON"
    )
    expect_error(api.post(url, content=b"x=1", headers={"Content-Type": "text/plain"}), 415)
    # Nothing happened to the object.
    assert api.get(f"/v1/objects/{view['id']}").json()["state"] == "UPLOADING"
