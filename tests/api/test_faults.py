"""Every retry path, with a real fault-injecting proxy process in front of the real server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runloop_tui.api import (
    ApiTimeoutError,
    ConflictError,
    ContentType,
    ForbiddenError,
    ListFilters,
    NetworkError,
    RateLimitedError,
    RetryEvent,
    RetryPolicy,
    ServerError,
)
from tests.conftest import FAST, MakeClient
from tests.support.fault_proxy import FaultProxy, closed_port_url
from tests.support.uploads import names_in, still_uploading, upload_bytes, upload_random


def _ids(entries: list[dict[str, object]]) -> set[object]:
    return {e["request_id"] for e in entries}


async def test_5xx_then_success_keeps_one_request_id(
    proxy: FaultProxy, make_client: MakeClient
) -> None:
    events: list[RetryEvent] = []
    api = make_client(proxy.base_url, events=events)
    proxy.configure(match="/v1/objects", method="POST", fail_first=2, fail_status=503)
    created = await api.create_object("x.txt", ContentType.TEXT)
    log = proxy.log("/v1/objects")
    assert [e["fault"] for e in log] == ["fail", "fail", None]
    assert len(_ids(log)) == 1 and None not in _ids(log)
    assert [(e.attempt, e.reason) for e in events] == [(1, "HTTP 503"), (2, "HTTP 503")]
    assert all(e.request_id == log[0]["request_id"] for e in events)
    # the failures never reached the server: exactly one object exists
    assert [o.id for o in (await api.list_objects()).objects] == [created.id]


async def test_each_logical_request_gets_its_own_id(
    proxy: FaultProxy, make_client: MakeClient
) -> None:
    api = make_client(proxy.base_url)
    proxy.configure()
    await api.list_objects()
    await api.list_objects()
    log = proxy.log("/v1/objects")
    assert len(log) == 2 and len(_ids(log)) == 2


async def test_429_honours_retry_after(proxy: FaultProxy, make_client: MakeClient) -> None:
    events: list[RetryEvent] = []
    api = make_client(proxy.base_url, events=events)
    proxy.configure(
        match="/v1/objects", fail_first=1, fail_status=429, fail_headers={"Retry-After": "0.4"}
    )
    await api.list_objects()
    log = proxy.log("/v1/objects")
    assert len(log) == 2 and len(_ids(log)) == 1
    assert [e.delay_seconds for e in events] == [0.4]
    # a sleep is never shorter than asked (lower bound only, no upper timing assertion)
    assert float(log[1]["time"]) - float(log[0]["time"]) >= 0.35


async def test_retry_after_ms_takes_precedence(proxy: FaultProxy, make_client: MakeClient) -> None:
    events: list[RetryEvent] = []
    api = make_client(proxy.base_url, events=events)
    proxy.configure(
        match="/v1/objects",
        fail_first=1,
        fail_status=503,
        fail_headers={"retry-after-ms": "150", "retry-after": "30"},
    )
    await api.list_objects()
    assert [e.delay_seconds for e in events] == [0.15]


async def test_rate_limit_exhausted_raises_rate_limited(
    proxy: FaultProxy, make_client: MakeClient
) -> None:
    api = make_client(proxy.base_url, retry=RetryPolicy(max_retries=2, initial_backoff_seconds=0))
    proxy.configure(match="/v1/objects", fail_first=50, fail_status=429)
    with pytest.raises(RateLimitedError) as info:
        await api.list_objects()
    assert info.value.status == 429
    assert info.value.message == "injected failure"
    assert len(proxy.log("/v1/objects")) == 3


async def test_max_retries_exhausted_raises_server_error(
    proxy: FaultProxy, make_client: MakeClient
) -> None:
    events: list[RetryEvent] = []
    api = make_client(proxy.base_url, events=events)
    proxy.configure(
        match="/v1/objects", fail_first=50, fail_status=502, fail_body="<html>bad gateway"
    )
    with pytest.raises(ServerError) as info:
        await api.get_object("obj_whatever")
    assert info.value.status == 502
    assert "bad gateway" in str(info.value)
    log = proxy.log("/v1/objects")
    assert len(log) == FAST.max_retries + 1 and len(_ids(log)) == 1
    assert info.value.request_id == log[0]["request_id"]
    assert [e.attempt for e in events] == [1, 2, 3]


async def test_x_should_retry_header_is_obeyed(proxy: FaultProxy, make_client: MakeClient) -> None:
    api = make_client(proxy.base_url)
    proxy.configure(
        match="/v1/objects", fail_first=1, fail_status=400, fail_headers={"x-should-retry": "true"}
    )
    await api.list_objects()
    assert len(proxy.log("/v1/objects")) == 2
    proxy.configure(
        match="/v1/objects", fail_first=1, fail_status=503, fail_headers={"x-should-retry": "false"}
    )
    with pytest.raises(ServerError):
        await api.list_objects()
    assert len(proxy.log("/v1/objects")) == 1


async def test_409_is_never_retried(proxy: FaultProxy, make_client: MakeClient) -> None:
    api = make_client(proxy.base_url)
    proxy.configure(match="/complete", fail_first=5, fail_status=409)
    with pytest.raises(ConflictError):
        await api.complete_object("obj_x")
    assert len(proxy.log("/complete")) == 1


async def test_timeout_then_success(proxy: FaultProxy, make_client: MakeClient) -> None:
    events: list[RetryEvent] = []
    policy = RetryPolicy(max_retries=2, timeout_seconds=0.5, initial_backoff_seconds=0.01)
    api = make_client(proxy.base_url, retry=policy, events=events)
    proxy.configure(match="/v1/objects", delay_first=1, delay_seconds=1.5)
    await api.list_objects()
    assert [e.reason for e in events] == ["timed out"]
    assert len(_ids(proxy.log("/v1/objects"))) == 1


async def test_timeout_exhausted_is_timeout_error(
    proxy: FaultProxy, make_client: MakeClient
) -> None:
    policy = RetryPolicy(max_retries=1, timeout_seconds=0.3, initial_backoff_seconds=0.01)
    api = make_client(proxy.base_url, retry=policy)
    proxy.configure(match="/v1/objects", delay_first=5, delay_seconds=1.0)
    with pytest.raises(ApiTimeoutError) as info:
        await api.list_objects()
    assert "Timed out" in str(info.value)
    assert len(proxy.log("/v1/objects")) == 2


async def test_create_retried_after_lost_answer_makes_one_object(
    proxy: FaultProxy, make_client: MakeClient
) -> None:
    """The first create lands upstream but its answer is late: the retry, with the same
    x-request-id, must not make a second object (the server's idempotency key)."""
    policy = RetryPolicy(max_retries=2, timeout_seconds=0.5, initial_backoff_seconds=0.01)
    api = make_client(proxy.base_url, retry=policy)
    proxy.hold_answer("/v1/objects", "POST", 1.5)
    created = await api.create_object("once.txt", ContentType.TEXT)
    assert len(_ids(proxy.log("/v1/objects"))) == 1
    page = await api.list_objects(filters=ListFilters(name="once.txt"))
    assert [o.id for o in page.objects] == [created.id]


async def test_dropped_connection_is_retried(proxy: FaultProxy, make_client: MakeClient) -> None:
    events: list[RetryEvent] = []
    api = make_client(proxy.base_url, events=events)
    proxy.configure(match="/v1/objects", drop_first=2)
    await api.list_objects()
    assert [e.reason for e in events] == ["connection failed", "connection failed"]


async def test_connection_refused_is_network_error_after_retries(make_client: MakeClient) -> None:
    events: list[RetryEvent] = []
    api = make_client(closed_port_url(), events=events)
    with pytest.raises(NetworkError) as info:
        await api.list_objects()
    assert not isinstance(info.value, ApiTimeoutError)
    assert "Network error" in str(info.value)
    assert len(events) == FAST.max_retries


async def test_presigned_requests_carry_no_auth_and_api_calls_do(
    proxy: FaultProxy, make_client: MakeClient, tmp_path: Path
) -> None:
    api = make_client(proxy.base_url)
    proxy.configure()
    done = await upload_bytes(api, tmp_path / "a.bin", b"abc" * 1000)
    await api.download_to(done.id, tmp_path / "copy.bin")
    await api.delete_object(done.id)
    blobs = proxy.log("/_blobs/")
    assert [e["method"] for e in blobs] == ["PUT", "GET"]
    for entry in blobs:
        assert not entry["authorization"]
        assert entry["request_id"] is None
    api_calls = [e for e in proxy.log("/v1/objects")]
    assert api_calls and all(e["authorization"] for e in api_calls)
    posts = [e for e in api_calls if e["path"].endswith(("/complete", "/delete"))]
    assert len(posts) == 2 and all(e["content_type"] == "application/json" for e in posts)


async def test_list_asks_total_count_once_and_not_with_a_small_first_page(
    proxy: FaultProxy, make_client: MakeClient
) -> None:
    api = make_client(proxy.base_url)
    for i in range(5):
        await api.create_object(f"o{i}", ContentType.TEXT)
    proxy.configure(match="/v1/objects", method="GET")
    # A small first page paints at once: the count (costly on a big store) rides on the second.
    pages = [p async for p in api.iter_pages(page_size=2, first_page_size=1)]
    assert [len(p.objects) for p in pages] == [1, 2, 2]
    assert [p.total_count for p in pages] == [None, 5, None]
    queries = [str(e["query"]) for e in proxy.log("/v1/objects")]
    asked = ["include_total_count=true" in q for q in queries]
    assert asked == [False, True, False]
    assert "include_total_count=false" in queries[0] and "include_total_count=false" in queries[2]
    assert all("starting_after=" in q for q in queries[1:])
    # Pages of one size: the first request asks.
    proxy.configure(match="/v1/objects", method="GET")
    pages = [p async for p in api.iter_pages(page_size=2)]
    assert [p.total_count for p in pages] == [5, None, None]


async def test_upload_put_broken_midway_leaves_no_orphan(
    proxy: FaultProxy, make_client: MakeClient, tmp_path: Path
) -> None:
    api = make_client(proxy.base_url)
    proxy.configure(match="/_blobs/", method="PUT", drop_first=1)
    source = tmp_path / "a.bin"
    source.write_bytes(os.urandom(512 * 1024))
    with pytest.raises(NetworkError):
        await api.upload_path(source)
    assert len(proxy.log("/_blobs/")) == 1  # a PUT that may have sent bytes is not retried
    assert await still_uploading(api) == []


async def test_download_cut_midway_leaves_no_partial_file(
    proxy: FaultProxy, make_client: MakeClient, tmp_path: Path
) -> None:
    api = make_client(proxy.base_url)
    done, out = await upload_random(api, tmp_path, 1024 * 1024, "a.bin")
    proxy.configure(match="/_blobs/", method="GET", cut_first=1)
    with pytest.raises(NetworkError):
        await api.download_to(done.id, out / "a.bin")
    assert names_in(out) == []
    # the next attempt works and lands the whole file
    path = await api.download_to(done.id, out / "a.bin")
    assert path.read_bytes() == (tmp_path / "a.bin").read_bytes()


async def test_download_5xx_from_storage_is_retried(
    proxy: FaultProxy, make_client: MakeClient, tmp_path: Path
) -> None:
    api = make_client(proxy.base_url)
    done = await upload_bytes(api, tmp_path / "a.txt", b"hello")
    proxy.configure(match="/_blobs/", method="GET", fail_first=1, fail_status=500)
    path = await api.download_to(done.id, tmp_path / "b.txt")
    assert path.read_text() == "hello"
    assert len(proxy.log("/_blobs/")) == 2


async def test_tampered_presigned_url_is_forbidden(
    proxy: FaultProxy, make_client: MakeClient, tmp_path: Path
) -> None:
    api = make_client(proxy.base_url)
    source = tmp_path / "a.txt"
    done = await upload_bytes(api, source, b"hello")
    proxy.configure(match="/_blobs/", tamper_signature=True)
    with pytest.raises(ForbiddenError) as info:
        await api.download_to(done.id, tmp_path / "b.txt")
    assert info.value.status == 403
    assert "signature" in info.value.message
    assert "X-Signature" not in str(info.value)  # the presigned query stays out of errors
    assert not (tmp_path / "b.txt").exists()
    # an upload to a tampered URL fails the same way and leaves no orphan
    with pytest.raises(ForbiddenError):
        await api.upload_path(source, name="again.txt")
    assert await still_uploading(api) == []


async def test_read_head_from_server_ignoring_range(
    proxy: FaultProxy, make_client: MakeClient, tmp_path: Path
) -> None:
    api = make_client(proxy.base_url)
    data = os.urandom(2 * 1024 * 1024)
    done = await upload_bytes(api, tmp_path / "a.bin", data)
    proxy.configure(match="/_blobs/", strip_range=True)
    assert await api.read_head(done.id, 1000) == data[:1000]
