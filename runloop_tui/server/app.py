"""The ASGI application: the Objects API routes, auth, errors and the TTL reaper."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn
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
from runloop_tui.server.errors import (
    Forbidden,
    InvalidArgument,
    NotFound,
    PayloadTooLarge,
    ProblemResponse,
    Unauthorized,
    error_response,
)
from runloop_tui.server.hosts import public_base_url
from runloop_tui.server.ids import account_of, is_object_id
from runloop_tui.server.records import READ_ONLY, UPLOADING, CreateRequest
from runloop_tui.server.storage.directory import DirectoryContent
from runloop_tui.server.storage.select import (
    StorageConfig,
    open_content,
    open_metadata,
    stale_upload_ms,
)
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


async def _base_url(request: Request) -> str:
    """Only content served here needs this server's URL (S3 URLs name the S3 endpoint)."""
    context = context_of(request)
    if not context.content.served_here:
        return ""
    return await public_base_url(request, context.public_url)


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
    base_url = await _base_url(request)  # before the write: an untrusted Host changes nothing
    # One clock reading for the write and the view: even a 1 ms TTL is UPLOADING here.
    now = now_ms()
    record = await context.metadata.create(
        CreateRequest(account=account, now_ms=now, request_id=_request_id(request), **params)
    )
    view = record.view(now)
    if view["state"] == UPLOADING:
        url, headers = await context.content.upload_target(base_url, record.id, UPLOAD_URL_SECONDS)
        view["upload_url"] = url
        if headers:
            view["upload_headers"] = headers
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
    body = await context_of(request).metadata.list_page(None if public else account, query, now)
    return Response(body, media_type="application/json")


async def metadata_keys(request: Request) -> Response:
    account = _account(request)
    keys = await context_of(request).metadata.metadata_keys(account, now_ms())
    return JSONResponse({"keys": keys})


async def metadata_values(request: Request) -> Response:
    account = _account(request)
    _check_utf8(request)
    key: str = request.path_params["key"]
    check_metadata_key(key)
    values = await context_of(request).metadata.metadata_values(account, key, now_ms())
    return JSONResponse({"key": key, "values": values})


async def get_object(request: Request) -> Response:
    account = _account(request)
    object_id = _object_id(request)
    record = await context_of(request).metadata.readable(account, object_id)
    return JSONResponse(record.view(now_ms()))


async def _transition_request(request: Request) -> tuple[str, str, str | None]:
    """complete and delete: the account, the object id, and an EmptyRecord body (or none)."""
    account = _account(request)
    object_id = _object_id(request)
    check_empty_record(await _json_body(request))
    return account, object_id, _request_id(request)


async def _not_owned(context: ServerContext, account: str, object_id: str, verb: str) -> NoReturn:
    """After a write found no object of ``account``'s: a 403 if it is another account's public
    object (its existence is no secret: list_public shows it), else the 404 stands."""
    await context.metadata.readable(account, object_id)  # raises the 404
    raise Forbidden(
        f"object {object_id} is another account's public object: you can read and download it,"
        f" but only its owner can {verb} it"
    )


def _never_measured() -> int:
    raise AssertionError("complete measured an object that is not UPLOADING")


async def complete_object(request: Request) -> Response:
    account, object_id, request_id = await _transition_request(request)
    context = context_of(request)
    try:
        record = await context.metadata.get(account, object_id)
    except NotFound:
        await _not_owned(context, account, object_id, "complete")
    # Only an UPLOADING object is measured (S3: a HeadObject); the store re-checks the state.
    measure = _never_measured
    if record.effective_state(now_ms()) == UPLOADING:
        measure = await context.content.measure(object_id)
    record = await context.metadata.complete(account, object_id, now_ms(), request_id, measure)
    return JSONResponse(record.view(now_ms()))


async def delete_object(request: Request) -> Response:
    account, object_id, request_id = await _transition_request(request)
    context = context_of(request)
    try:
        record = await context.metadata.delete(account, object_id, now_ms(), request_id)
    except NotFound:
        await _not_owned(context, account, object_id, "delete")
    context.purge_wake.set()  # content goes in the background, with retries
    return JSONResponse(record.view(now_ms()))


async def download_url(request: Request) -> Response:
    account = _account(request)
    object_id = _object_id(request)
    duration = parse_duration(request.query_params)
    context = context_of(request)
    base_url = await _base_url(request)
    record = await context.metadata.readable(account, object_id)
    state = record.effective_state(now_ms())
    if state != READ_ONLY:
        detail = "has been deleted" if state == "DELETED" else f"is {state}, not READ_ONLY"
        raise InvalidArgument(f"object {object_id} {detail}: no download URL")
    url = await context.content.download_url(base_url, object_id, duration)
    return JSONResponse({"download_url": url})


async def openapi_spec(request: Request) -> Response:
    text = resources.files("runloop_tui.server").joinpath("openapi.yml").read_bytes()
    return Response(text, media_type="application/yaml")


# --- errors ---


async def _problem_response(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemResponse)
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

PURGE_BATCH = 500
REAP_BATCH = 1000


async def _sweep(context: ServerContext) -> None:
    """One pass: expire TTLs, collect abandoned uploads, remove queued content."""
    metadata = context.metadata
    while await metadata.reap(now_ms(), REAP_BATCH) > 0:
        pass
    if context.stale_upload_ms is not None:
        before = now_ms() - context.stale_upload_ms
        while await metadata.collect_stale_uploads(before, now_ms(), REAP_BATCH) > 0:
            pass
    while ids := await metadata.claim_purges(now_ms(), PURGE_BATCH):
        # A failure leaves the ids queued: the lease runs out and a later pass retries.
        await context.content.remove(ids)
        await metadata.purged(ids)


async def _reaper(context: ServerContext) -> None:
    """Runs on every replica; the stores make sure each object is handled once."""
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(context.purge_wake.wait(), context.reaper_interval_s)
        context.purge_wake.clear()
        try:
            await _sweep(context)
        except Exception:
            log.exception("reaper pass failed")


async def check_backends(app: Starlette) -> None:
    """Open and close both stores once (migrating PostgreSQL): ``serve`` runs this before it
    listens, so an unreachable store is one clear line, not a traceback."""
    context: ServerContext = app.state.context
    await context.content.open()
    try:
        await context.metadata.open()
        await context.metadata.close()
    finally:
        await context.content.close()


def create_app(
    data_dir: Path,
    api_keys: list[str],
    *,
    reaper_interval_s: float = 5.0,
    storage: StorageConfig | None = None,
    public_url: str | None = None,
) -> Starlette:
    """The app over the stores ``storage`` names (default: SQLite and blobs in ``data_dir``);
    each key in ``api_keys`` is one account."""
    if not api_keys:
        raise ValueError("at least one API key is required")
    config = storage or StorageConfig()
    content = open_content(config, data_dir)
    metadata = open_metadata(config, data_dir, content)
    context = ServerContext(
        metadata=metadata,
        content=content,
        accounts=frozenset(account_of(key) for key in api_keys),
        reaper_interval_s=reaper_interval_s,
        public_url=public_url,
        stale_upload_ms=stale_upload_ms(config, content),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await content.open()
        try:
            await metadata.open()
            try:
                report = await metadata.recover()
                if report:
                    log.warning("store recovery: %s", report)
                # SQLite's recovery already did this; with PostgreSQL nobody else does.
                if isinstance(content, DirectoryContent) and (
                    removed := await run_in_threadpool(content.remove_dead_temps)
                ):
                    log.warning("removed %d temp files of dead uploads", removed)
                await _sweep(context)
                task = asyncio.create_task(_reaper(context))
                try:
                    yield
                finally:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            finally:
                await metadata.close()
        finally:
            await content.close()

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
    ]
    if isinstance(content, DirectoryContent):
        routes.append(Route("/_blobs/{id}", blobs.transfer, methods=["GET", "HEAD", "PUT"]))
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            ProblemResponse: _problem_response,
            HTTPException: _http_error,
            Exception: _internal_error,
        },
    )
    # An API answers a stray trailing slash with a JSON 404, not a redirect.
    app.router.redirect_slashes = False
    app.state.context = context
    return app
