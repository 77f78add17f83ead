"""Bad input at the server: every case a 4xx with a JSON error body, never a 500.

Oversized bodies and metadata, non-UTF-8 and control characters, ``../`` and encoded path
tricks in ids, malformed JSON and wrong Content-Types, sent byte for byte.
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable
from functools import partial

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runloop_tui.api import BadRequestError, ContentType, ObjectsClient
from runloop_tui.server.embedded import EmbeddedServer
from tests.conftest import API_KEY
from tests.reliability.rawhttp import RawResponse, assert_json_4xx, raw_request

JSON = {"Content-Type": "application/json"}
MISSING = "obj_0000000000000000000000"


def _create(name: object = "a.txt", **extra: object) -> bytes:
    return json.dumps({"name": name, "content_type": "text", **extra}).encode()


def _meta(metadata: object) -> bytes:
    return _create(metadata=metadata)


BAD_CREATE_BODIES: dict[str, tuple[bytes, dict[str, str]]] = {
    "truncated json": (b'{"name":"a","content_type":"text"', JSON),
    "not json at all": (b"<xml/>", JSON),
    "invalid utf-8 in name": (b'{"name":"\xff\xfe","content_type":"text"}', JSON),
    "overlong utf-8": (b'{"name":"\xc0\xaf","content_type":"text"}', JSON),
    "lone surrogate": (b'{"name":"\\ud800","content_type":"text"}', JSON),
    "nul in name": (_create("a\x00b"), JSON),
    "escape sequence in name": (_create("\x1b[31mred\x1b]0;title\x07"), JSON),
    "del in name": (_create("a\x7f"), JSON),
    "c1 control in name": (_create("a\x9b31m"), JSON),
    "newline in name": (_create("a\nb"), JSON),
    "empty name": (_create(""), JSON),
    "name too long": (_create("n" * 1025), JSON),
    "name not a string": (_create(["a"]), JSON),
    "oversized body": (_create("a" * (2 * 1024 * 1024)), JSON),
    "deep nesting": (b"[" * 50_000 + b"]" * 50_000, JSON),
    "huge integer": (b'{"name":"a","content_type":"text","ttl_ms":' + b"9" * 5000 + b"}", JSON),
    "nan": (b'{"name":"a","content_type":"text","ttl_ms":NaN}', JSON),
    "ttl not integer": (_create(ttl_ms=1.5), JSON),
    "ttl negative": (_create(ttl_ms=-1), JSON),
    "too many metadata keys": (_meta({f"k{i}": "v" for i in range(51)}), JSON),
    "metadata key too long": (_meta({"k" * 257: "v"}), JSON),
    "metadata value too long": (_meta({"k": "v" * 4097}), JSON),
    "metadata value not a string": (_meta({"k": 1}), JSON),
    "metadata empty key": (_meta({"": "v"}), JSON),
    "metadata key control char": (_meta({"a\x1b": "v"}), JSON),
    "metadata value control char": (_meta({"a": "x\x00y"}), JSON),
    "metadata not an object": (_meta(["k", "v"]), JSON),
    "unknown field": (_create(owner="someone else"), JSON),
    "array body": (b"[]", JSON),
    "string body": (b'"a"', JSON),
    "bad content_type value": (json.dumps({"name": "a", "content_type": "exe"}).encode(), JSON),
    "text/plain content type": (_create(), {"Content-Type": "text/plain"}),
    "form content type": (
        b"name=a&content_type=text",
        {"Content-Type": "application/x-www-form-urlencoded"},
    ),
    "missing content type": (_create(), {}),
    "multipart content type": (_create(), {"Content-Type": "multipart/form-data; boundary=x"}),
}


def _failures(check: Callable[[], object]) -> str | None:
    try:
        check()
    except AssertionError as error:
        return str(error)[:300]
    return None


def test_bad_create_bodies_are_json_4xx(server: EmbeddedServer) -> None:
    # One server for all cases (a server per case costs more than the cases themselves).
    failed = {}
    for case, (body, headers) in BAD_CREATE_BODIES.items():
        response = raw_request(
            server.base_url, "POST", "/v1/objects", body=body, headers=headers, api_key=API_KEY
        )
        if why := _failures(partial(assert_json_4xx, response, 400, 413, 415)):
            failed[case] = why
    assert failed == {}
    # nothing was created by any of them
    listing = raw_request(server.base_url, "GET", "/v1/objects", api_key=API_KEY)
    assert listing.status == 200 and listing.json()["objects"] == []


def test_oversized_and_wrong_type_statuses_are_specific(server: EmbeddedServer) -> None:
    big = raw_request(
        server.base_url,
        "POST",
        "/v1/objects",
        body=BAD_CREATE_BODIES["oversized body"][0],
        headers=JSON,
        api_key=API_KEY,
    )
    assert_json_4xx(big, 413)
    wrong = raw_request(
        server.base_url,
        "POST",
        "/v1/objects",
        body=_create(),
        headers={"Content-Type": "text/plain"},
        api_key=API_KEY,
    )
    assert "application/json" in assert_json_4xx(wrong, 415)["message"]


BAD_EMPTY_BODIES = [
    (b"[]", JSON),
    (b'{"x":1}', JSON),
    (b"{", JSON),
    (b"\xff", JSON),
    (b"{}", {"Content-Type": "text/plain"}),
]


@pytest.mark.parametrize("op", ["complete", "delete"])
def test_bad_bodies_on_complete_and_delete(server: EmbeddedServer, op: str) -> None:
    created = raw_request(
        server.base_url, "POST", "/v1/objects", body=_create(), headers=JSON, api_key=API_KEY
    )
    object_id = created.json()["id"]
    failed = {}
    for body, headers in BAD_EMPTY_BODIES:
        response = raw_request(
            server.base_url,
            "POST",
            f"/v1/objects/{object_id}/{op}",
            body=body,
            headers=headers,
            api_key=API_KEY,
        )
        if why := _failures(partial(assert_json_4xx, response, 400, 415)):
            failed[body] = why
    assert failed == {}
    # ...and the object is untouched
    after = raw_request(server.base_url, "GET", f"/v1/objects/{object_id}", api_key=API_KEY)
    assert after.json()["state"] == "UPLOADING"


PATH_TRICKS = [
    "/v1/objects/..%2F..%2Fetc%2Fpasswd",
    "/v1/objects/%2e%2e",
    "/v1/objects/%2E%2E%2Fobjects.db",
    "/v1/objects/..",
    "/v1/objects/../../objects.db",
    "/v1/objects/obj_%00abc",
    "/v1/objects/%ff%fe%fd",
    "/v1/objects/obj_..%5C..%5Csigning.key",
    "/v1/objects/%252e%252e%252fobjects.db",
    "/v1/objects/" + "a" * 5000,
    "/v1/objects/obj_x/download",
    "/v1/objects/..%2Fobj_x/download",
    "/v1/objects/metadata/keys/%00/values",
    "/_blobs/..%2Fobjects.db",
    "/_blobs/../signing.key",
    "/_blobs/%2e%2e%2fsigning.key",
    "/_blobs/%2e%2e%2fapi_key?X-Purpose=download&X-Expires=9999999999&X-Signature=00",
    "/_blobs/obj_x?X-Purpose=download&X-Expires=-5&X-Signature=ab",
    "/_blobs/obj_x?X-Purpose=download&X-Expires=1e9&X-Signature=ab",
    "/_blobs/obj_x?X-Purpose=delete&X-Expires=9999999999&X-Signature=ab",
    "/_blobs/obj_x",
]


def _check_trick(base_url: str, path: str) -> None:
    for method in ("GET", "HEAD") if path.startswith("/_blobs/") else ("GET",):
        response = raw_request(base_url, method, path, api_key=API_KEY)
        if method == "HEAD":
            assert 400 <= response.status < 500 and response.body == b""
        else:
            assert_json_4xx(response, 400, 403, 404)
            # no file content from the data dir leaks back
            assert b"SQLite" not in response.body
            assert API_KEY.encode() not in response.body
    for op in ("complete", "delete"):
        if path.startswith("/v1/objects/") and path.count("/") == 3:
            response = raw_request(base_url, "POST", f"{path}/{op}", api_key=API_KEY, headers=JSON)
            assert_json_4xx(response, 400, 404)


def test_path_tricks_in_ids_never_reach_files(server: EmbeddedServer) -> None:
    failed = {
        p: why for p in PATH_TRICKS if (why := _failures(partial(_check_trick, server.base_url, p)))
    }
    assert failed == {}


BAD_LIST_QUERIES = [
    "limit=%ff",
    "limit=-1",
    "limit=99999999999999999999999999",
    "limit=1e3",
    "name=%00",
    "search=%1b%5b31m",
    "state=uploading",
    "state=%ff",
    "content_type=exe",
    "include_total_count=maybe",
    "starting_after=%ff%ff",
    "starting_after=..%2F..%2F",
]


def test_bad_list_queries(server: EmbeddedServer) -> None:
    failed = {}
    for query in BAD_LIST_QUERIES:
        for path in ("/v1/objects", "/v1/objects/list_public"):
            response = raw_request(server.base_url, "GET", f"{path}?{query}", api_key=API_KEY)
            if why := _failures(partial(assert_json_4xx, response, 400)):
                failed[f"{path}?{query}"] = why
    assert failed == {}


def test_bad_download_durations(server: EmbeddedServer) -> None:
    created = raw_request(
        server.base_url, "POST", "/v1/objects", body=_create(), headers=JSON, api_key=API_KEY
    )
    object_id = created.json()["id"]
    failed = {}
    for value in ("0", "-1", "604801", "%ff", "1.5", "9" * 400):
        response = raw_request(
            server.base_url,
            "GET",
            f"/v1/objects/{object_id}/download?duration_seconds={value}",
            api_key=API_KEY,
        )
        if why := _failures(partial(assert_json_4xx, response, 400)):
            failed[value] = why
    assert failed == {}


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_non_ascii_presigned_signature_is_403_not_500(server: EmbeddedServer, method: str) -> None:
    purpose = "upload" if method == "PUT" else "download"
    response = raw_request(
        server.base_url,
        method,
        f"/_blobs/{MISSING}?X-Purpose={purpose}&X-Expires=9999999999&X-Signature=%C3%A9%ff",
        body=b"x" if method == "PUT" else None,
    )
    assert_json_4xx(response, 403)


# --- fuzzing: hypothesis over names and raw bodies ---

_names = st.lists(
    st.characters(codec="utf-8", exclude_categories=["Cs"])
    | st.sampled_from(["\x00", "\x1b", "\x07", "\x7f", "\x9b", "/", "..", "%2F", "[", "]", "\\"]),
    max_size=40,
).map("".join)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=_names)
async def test_any_name_is_stored_exactly_or_refused_with_a_reason(
    client: ObjectsClient, name: str
) -> None:
    try:
        created = await client.create_object(name, ContentType.TEXT)
    except BadRequestError as error:
        assert error.status == 400 and error.message
        bad = not name or any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in name)
        assert bad, (name, error.message)
        return
    fetched = await client.get_object(created.id)
    assert fetched.name == name
    await client.delete_object(created.id)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.binary(max_size=200) | st.text(alphabet=string.printable, max_size=200).map(str.encode),
    content_type=st.sampled_from(["application/json", "text/plain", "", "application/json; x=1"]),
    path=st.sampled_from(
        ["/v1/objects", f"/v1/objects/{MISSING}/complete", f"/v1/objects/{MISSING}/delete"]
    ),
)
def test_random_bodies_never_make_a_500(
    server: EmbeddedServer, body: bytes, content_type: str, path: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response: RawResponse = raw_request(
        server.base_url, "POST", path, body=body, headers=headers, api_key=API_KEY
    )
    assert response.status < 500, (response.status, response.body[:200])
    assert response.content_type.startswith("application/json")
