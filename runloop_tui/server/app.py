"""The ASGI application: the Objects API routes, auth, errors and the TTL reaper."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from runloop_tui.server import blobs
from runloop_tui.server.context import ServerContext, context_of, now_ms
from runloop_tui.server.datadir import load_or_create_secret
from runloop_tui.server.errors import (
    ApiError,
    InvalidArgument,
    NotFound,
    PayloadTooLarge,
    Unauthorized,
    error_response,
)
from runloop_tui.server.ids import account_of, is_object_id
from runloop_tui.server.records import READ_ONLY, ObjectRecord
from runloop_tui.server.signing import DOWNLOAD, UPLOAD, UrlSigner
from runloop_tui.server.store import Store
from runloop_tui.server.validation import (
    MAX_JSON_BODY,
    check_empty_record,
    check_metadata_key,
    parse_duration,
    parse_json_body,
    parse_list_query,
    validate_create,
)

log = logging.getLogger("runloop_tui.server")

UPLOAD_URL_SECONDS = 3600
# How long an idle keep-alive connection stays open (uvicorn's default is 5 s). It must outlast
# the client's own idle limit (httpx: 5 s), or a client can reuse a connection at the moment
# the server closes it: a failed, retried request, every so often, on a 5 s live refresh.
KEEP_ALIVE_SECONDS = 65
MAX_REQUEST_ID = 256


def _account(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise Unauthorized("missing Authorization header (expected 'Bearer <API key>')")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("the Authorization header must be 'Bearer <API key>'")
    account = account_of(token)
    if account not in context_of(request).accounts:
        raise Unauthorized("the API key is not valid")
    return account


def _object_id(request: Request) -> str:
    object_id: str = request.path_params["id"]
    if not is_object_id(object_id):
        raise NotFound(f"object {object_id[:80]!r} not found")
    return object_id


def _request_id(request: Request) -> str | None:
    value = request.headers.get("x-request-id")
    return value if value and len(value) <= MAX_REQUEST_ID else None


def _base_url(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def _check_utf8(request: Request) -> None:
    """Reject percent-escapes that are not UTF-8 instead of matching on U+FFFD."""
    try:
        unquote_to_bytes(request.scope.get("raw_path", b"").decode("latin-1")).decode("utf-8")
        query = request.scope.get("query_string", b"").decode("latin-1")
        unquote_to_bytes(query.replace("+", " ")).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidArgument("the URL path or query string is not valid UTF-8") from None


async def _json_body(request: Request) -> Any:
    """The decoded JSON body; reading stops past the size limit (never buffers a huge body)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_JSON_BODY:
        raise PayloadTooLarge(f"the request body is larger than {MAX_JSON_BODY} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_JSON_BODY:
            raise PayloadTooLarge(f"the request body is larger than {MAX_JSON_BODY} bytes")
    return parse_json_body(bytes(body), request.headers.get("content-type"))


class _AnyTextConvertor(Convertor[str]):
    """Like ``path`` but also matches newlines, so a bad key gets a 400, not a 404."""

    regex = r"[\s\S]*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("anytext", _AnyTextConvertor())


# --- operations ---


async def create_object(request: Request) -> Response:
    account = _account(request)
    params = validate_create(await _json_body(request))
    context = context_of(request)
    # One clock reading for the write and the view: even a 1 ms TTL is UPLOADING here.
    now = now_ms()
    record = await run_in_threadpool(
        lambda: context.store.create(account, **params, now_ms=now, request_id=_request_id(request))
    )
    view = record.view(now)
    if view["state"] == "UPLOADING":
        expires = now // 1000 + UPLOAD_URL_SECONDS
        view["upload_url"] = context.signer.url(_base_url(request), UPLOAD, record.id, expires)
    return JSONResponse(view)


async def objects_collection(request: Request) -> Response:
    if request.method == "POST":
        return await create_object(request)
    return await list_objects(request)


async def list_objects(request: Request) -> Response:
    return await _list(request, public=False)


async def list_public_objects(request: Request) -> Response:
    return await _list(request, public=True)


async def _list(request: Request, *, public: bool) -> Response:
    account = _account(request)
    _check_utf8(request)
    query = parse_list_query(request.query_params)
    now = now_ms()
    store = context_of(request).store

    def page() -> bytes:
        # Query and encoding both off the event loop: a 5000-object page is real work.
        result = store.list_objects(None if public else account, query, now)
        body = {
            "objects": [record.view(now) for record in result.records],
            "has_more": result.has_more,
            "total_count": result.total_count,
        }
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    return Response(await run_in_threadpool(page), media_type="application/json")


async def metadata_keys(request: Request) -> Response:
    account = _account(request)
    keys = await run_in_threadpool(context_of(request).store.metadata_keys, account, now_ms())
    return JSONResponse({"keys": keys})


async def metadata_values(request: Request) -> Response:
    account = _account(request)
    _check_utf8(request)
    key: str = request.path_params["key"]
    check_metadata_key(key)
    values = await run_in_threadpool(
        context_of(request).store.metadata_values, account, key, now_ms()
    )
    return JSONResponse({"key": key, "values": values})


async def get_object(request: Request) -> Response:
    account = _account(request)
    object_id = _object_id(request)
    record = await run_in_threadpool(context_of(request).store.get, account, object_id)
    return JSONResponse(record.view(now_ms()))


# (account, object_id, now_ms, request_id) -> the changed record: Store.complete or Store.delete.
Transition = Callable[[str, str, int, str | None], ObjectRecord]


async def _transition(request: Request, change: Transition) -> Response:
    """complete and delete: an EmptyRecord body (or none), then one store transition."""
    account = _account(request)
    object_id = _object_id(request)
    check_empty_record(await _json_body(request))
    record = await run_in_threadpool(change, account, object_id, now_ms(), _request_id(request))
    return JSONResponse(record.view(now_ms()))


async def complete_object(request: Request) -> Response:
    return await _transition(request, context_of(request).store.complete)


async def delete_object(request: Request) -> Response:
    return await _transition(request, context_of(request).store.delete)


async def download_url(request: Request) -> Response:
    account = _account(request)
    object_id = _object_id(request)
    duration = parse_duration(request.query_params)
    context = context_of(request)
    record = await run_in_threadpool(context.store.get, account, object_id)
    now = now_ms()
    state = record.effective_state(now)
    if state != READ_ONLY:
        detail = "has been deleted" if state == "DELETED" else f"is {state}, not READ_ONLY"
        raise InvalidArgument(f"object {object_id} {detail}: no download URL")
    url = context.signer.url(_base_url(request), DOWNLOAD, object_id, now // 1000 + duration)
    return JSONResponse({"download_url": url})


async def openapi_spec(request: Request) -> Response:
    text = resources.files("runloop_tui.server").joinpath("openapi.yml").read_bytes()
    return Response(text, media_type="application/yaml")


# --- errors ---


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
    extra = getattr(exc, "headers", None)
    if extra:
        headers = {**(headers or {}), **extra}
    return exc.response(headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(404, "not_found", f"no such endpoint: {request.url.path[:200]}")
    if exc.status_code == 405:
        return error_response(
            405,
            "method_not_allowed",
            f"{request.method} is not allowed on {request.url.path[:200]}",
            dict(exc.headers or {}),
        )
    return error_response(exc.status_code, "http_error", str(exc.detail))


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.exception("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal", "internal server error")


# --- lifecycle ---


async def _reaper(context: ServerContext) -> None:
    """Removes content of expired objects; reads already treat them as DELETED."""
    while True:
        await asyncio.sleep(context.reaper_interval_s)
        try:
            while await run_in_threadpool(context.store.reap, now_ms()) > 0:
                pass
        except Exception:
            log.exception("reaper pass failed")


def create_app(data_dir: Path, api_keys: list[str], *, reaper_interval_s: float = 5.0) -> Starlette:
    """The app over the store in ``data_dir``; each key in ``api_keys`` is one account."""
    if not api_keys:
        raise ValueError("at least one API key is required")
    store = Store(data_dir)
    context = ServerContext(
        store=store,
        signer=UrlSigner(load_or_create_secret(data_dir)),
        accounts=frozenset(account_of(key) for key in api_keys),
        reaper_interval_s=reaper_interval_s,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        report = await run_in_threadpool(store.recover)
        if report.temp_files_removed or report.orphan_blobs_removed or report.objects_marked_error:
            log.warning("store recovery: %s", report)
        await run_in_threadpool(store.reap, now_ms())
        task = asyncio.create_task(_reaper(context))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            store.close()

    routes = [
        Route("/openapi.yml", openapi_spec, methods=["GET"]),
        # One Route per path, so a 405 lists every allowed method in Allow.
        Route("/v1/objects", objects_collection, methods=["GET", "POST"]),
        # Literal paths before /v1/objects/{id}, so they are never taken for an id.
        Route("/v1/objects/list_public", list_public_objects, methods=["GET"]),
        Route("/v1/objects/metadata/keys", metadata_keys, methods=["GET"]),
        Route("/v1/objects/metadata/keys/{key:anytext}/values", metadata_values, methods=["GET"]),
        Route("/v1/objects/{id}", get_object, methods=["GET"]),
        Route("/v1/objects/{id}/complete", complete_object, methods=["POST"]),
        Route("/v1/objects/{id}/delete", delete_object, methods=["POST"]),
        Route("/v1/objects/{id}/download", download_url, methods=["GET"]),
        Route("/_blobs/{id}", blobs.transfer, methods=["GET", "HEAD", "PUT"]),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _internal_error,
        },
    )
    # An API answers a stray trailing slash with a JSON 404, not a redirect.
    app.router.redirect_slashes = False
    app.state.context = context
    return app
