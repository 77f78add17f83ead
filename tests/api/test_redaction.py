"""The API key never shows: not in errors (str, repr, tracebacks with locals), reprs or logs."""

from __future__ import annotations

import io
import logging
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from rich.console import Console
from rich.traceback import Traceback

from runloop_tui.api import (
    ApiError,
    ContentType,
    ObjectsClient,
    RetryPolicy,
)
from tests.conftest import API_KEY, MakeClient
from tests.support.fault_proxy import FaultProxy, closed_port_url

SECRET = API_KEY


def _all_renderings(exc: BaseException) -> str:
    """Everything a user or a crash screen could show for this exception."""
    console = Console(file=io.StringIO(), width=5000, color_system=None)
    # Wide and untruncated: what a crash screen could show, without the ellipses.
    console.print(
        Traceback.from_exception(
            type(exc),
            exc,
            exc.__traceback__,
            show_locals=True,
            locals_max_string=100_000,
            locals_max_length=1000,
            width=5000,
        )
    )
    out = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join([str(exc), repr(exc), "".join(traceback.format_exception(exc)), out])


async def _failure(call: Callable[[], Awaitable[object]]) -> ApiError:
    with pytest.raises(ApiError) as info:
        await call()
    return info.value


def test_client_repr_shows_only_base_url() -> None:
    api = ObjectsClient("http://127.0.0.1:9", SECRET)
    assert repr(api) == "ObjectsClient(base_url='http://127.0.0.1:9')"
    assert SECRET not in str(vars(api))  # attributes hold no copy of the key


async def test_no_error_ever_shows_the_key(
    proxy: FaultProxy, make_client: MakeClient, tmp_path: Path
) -> None:
    api = make_client(proxy.base_url, api_key=SECRET)
    wrong = make_client(proxy.base_url, api_key=SECRET + "_wrong")
    created = await api.create_object("a.txt", ContentType.TEXT)
    await api.complete_object(created.id)
    proxy.configure()
    failures = [
        await _failure(lambda: wrong.list_objects()),  # 401
        await _failure(lambda: api.get_object("obj_missing")),  # 404
        await _failure(lambda: api.complete_object(created.id)),  # 409
        await _failure(lambda: api.create_object("x", ContentType("bogus"))),  # 400
    ]
    proxy.configure(match="/v1/objects", fail_first=99, fail_status=500)
    failures.append(await _failure(lambda: api.list_objects()))
    proxy.configure(match="/_blobs/", tamper_signature=True)
    failures.append(await _failure(lambda: api.download_to(created.id, tmp_path / "x")))
    # a server that echoes the key back still never gets it onto the screen
    echo = f'{{"error": {{"code": "bad", "message": "key {SECRET} rejected"}}}}'
    proxy.configure(match="/v1/objects", fail_first=1, fail_status=400, fail_body=echo)
    echoed = await _failure(lambda: api.list_objects())
    assert "[redacted]" in echoed.message
    failures.append(echoed)
    slow = make_client(
        proxy.base_url,
        retry=RetryPolicy(max_retries=0, timeout_seconds=0.3),
        api_key=SECRET,
    )
    proxy.configure(match="/v1/objects", delay_first=1, delay_seconds=1.0)
    failures.append(await _failure(lambda: slow.list_objects()))
    refused = make_client(closed_port_url(), retry=RetryPolicy(max_retries=0), api_key=SECRET)
    failures.append(await _failure(lambda: refused.list_objects()))
    kinds = {type(f).__name__ for f in failures}
    assert kinds >= {
        "UnauthorizedError",
        "NotFoundError",
        "ConflictError",
        "BadRequestError",
        "ServerError",
        "ForbiddenError",
        "ApiTimeoutError",
        "NetworkError",
    }
    for failure in failures:
        text = _all_renderings(failure)
        assert SECRET not in text, type(failure).__name__
        # presigned URLs appear only where the user asked for one, not in crash screens
        assert "X-Signature" not in text, type(failure).__name__
        assert failure.__cause__ is None


async def test_logs_never_show_the_key(
    client: ObjectsClient, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    source = tmp_path / "a.txt"
    source.write_text("x")
    with caplog.at_level(logging.DEBUG):
        done = await client.upload_path(source)
        await client.download_to(done.id, tmp_path / "b.txt")
        with pytest.raises(ApiError):
            await client.get_object("obj_missing")
    assert caplog.records  # httpx did log
    assert API_KEY not in caplog.text
