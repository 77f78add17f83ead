"""The request machinery under ObjectsClient: two httpx clients, retries, errors, redaction.

The API client carries the key in its default headers and nowhere else; presigned URLs
(upload PUT, download GET) go through a second client that carries no Authorization and none
of our default headers, because those URLs may point at S3.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Self

import h11
import httpcore
import httpx
from h11._receivebuffer import ReceiveBuffer

from runloop_tui.api.errors import (
    ApiError,
    ApiTimeoutError,
    HttpStatusError,
    NetworkError,
    ProtocolError,
    error_for_status,
)
from runloop_tui.api.leftovers import LeftBehind
from runloop_tui.api.models import ObjectView
from runloop_tui.api.retry import (
    RetryEvent,
    RetryHook,
    RetryPolicy,
    backoff_seconds,
    out_of_patience,
    should_retry_response,
)
from runloop_tui.api.tls import lazy_tls_context
from runloop_tui.api.transfers import CHUNK_SIZE
from runloop_tui.api.wire import (
    api_headers,
    parse_or_fail,
    presigned_label,
    server_message,
    transport_message,
)

DEFAULT_BASE_URL = "https://api.runloop.ai"
# Cleanup after a failed upload must not hang the UI forever.
CLEANUP_TIMEOUT_SECONDS = 15.0

# httpcore reads a response body 64 KiB at a time and every read costs about 0.2 ms of Python
# (httpcore, h11, anyio): downloads were CPU-bound at ~250 MB/s on a fast link. Bigger reads
# cut the CPU per byte (64 -> 256 KiB: 206 -> 329 MB/s on loopback). It is a class constant,
# so it applies to every httpcore connection in the process: install() sets it, never an
# import. It is only an upper bound: a read returns what the connection has (at most 256 KiB,
# asyncio's own read size, unless widen_reads raised that for a download).
BODY_READ_BYTES = 1024 * 1024


def widen_reads(response: httpx.Response) -> None:
    """Let a large download's plain-TCP connection read up to BODY_READ_BYTES per recv.

    asyncio's socket transport reads at most 256 KiB at a time (its ``max_size``), so each
    MiB costs four trips through asyncio, anyio, httpcore and h11; reading what the socket
    holds in one go saves ~0.3 s of CPU per GiB. Reached through private attributes of
    httpcore's anyio stream, so every step is looked up and anything unexpected (another
    backend, TLS, whose transport has no such limit to raise) leaves the connection as is.
    """
    stream = response.extensions.get("network_stream")
    transport = getattr(getattr(stream, "_stream", None), "_transport", None)
    if isinstance(transport, asyncio.Transport) and isinstance(
        getattr(transport, "max_size", None), int
    ):
        transport.max_size = max(transport.max_size, BODY_READ_BYTES)  # type: ignore[attr-defined]


def _adopt_when_empty(self: ReceiveBuffer, data: bytes | bytearray) -> ReceiveBuffer:
    """h11's ReceiveBuffer.__iadd__, keeping a received ``bytes`` as is when nothing waits."""
    held: bytes | bytearray = self._data
    if not held and type(data) is bytes:
        self._data = data  # type: ignore[assignment]  # bytes until a part must be cut off
    elif type(held) is bytes:
        self._data = bytearray(held) + data
    else:
        held += data
    return self


def _extract_part(self: ReceiveBuffer, count: int) -> bytearray:
    """h11's ReceiveBuffer._extract (which deletes in place and returns bytearrays)."""
    held: bytes | bytearray = self._data
    if type(held) is bytes:
        self._data = bytearray(held)
    return _h11_extract(self, count)


def _extract_whole_buffer(self: ReceiveBuffer, count: int) -> bytes | bytearray | None:
    """h11's ReceiveBuffer.maybe_extract_at_most, handing over the whole buffer uncopied.

    h11 (0.14-0.16) copies every body read three times: into its bytearray buffer, into a
    slice to test for emptiness, into the slice it returns; httpcore then copies it once more
    (``bytes(event.data)``). A large body arrives one socket read at a time, each consumed
    whole, so the buffer keeps the received ``bytes`` object and hands it on untouched (and
    ``bytes()`` of a bytes is the same object): no copy at all, ~0.5 s of CPU per GiB
    downloaded. Partial extractions (headers, chunk framing) take h11's own path.
    """
    data: bytes | bytearray = self._data
    if count <= 0 or count < len(data):
        return _h11_extract_at_most(self, count)
    if not data:
        return None
    self._data = bytearray()
    self._next_line_search = 0
    self._multiple_lines_search = 0
    return data


_h11_extract = ReceiveBuffer._extract
_h11_extract_at_most = ReceiveBuffer.maybe_extract_at_most
_ORIGINALS: dict[str, Any] = {}


def install() -> None:
    """The process-wide speed-ups for large downloads; called by the app's entry points.

    Importing this module changes nothing: other httpx users in the same process (the
    official SDK in our own tests, a host application) keep stock httpcore and h11 unless
    the program opts in. Only on the h11 code this was written against (its private
    attributes): elsewhere h11 runs unchanged, merely slower. Everything else in
    ReceiveBuffer (find, regex search, slices, len) works the same on bytes and bytearray.
    """
    if _ORIGINALS:
        return
    if hasattr(httpcore.AsyncHTTP11Connection, "READ_NUM_BYTES"):
        _ORIGINALS["read_num_bytes"] = httpcore.AsyncHTTP11Connection.READ_NUM_BYTES
        httpcore.AsyncHTTP11Connection.READ_NUM_BYTES = BODY_READ_BYTES
    if str(getattr(h11, "__version__", "")).startswith(("0.14.", "0.15.", "0.16.")):
        _ORIGINALS["__iadd__"] = ReceiveBuffer.__iadd__
        _ORIGINALS["_extract"] = ReceiveBuffer._extract
        _ORIGINALS["maybe_extract_at_most"] = ReceiveBuffer.maybe_extract_at_most
        ReceiveBuffer.__iadd__ = _adopt_when_empty  # type: ignore[method-assign]
        ReceiveBuffer._extract = _extract_part  # type: ignore[method-assign]
        ReceiveBuffer.maybe_extract_at_most = _extract_whole_buffer  # type: ignore[method-assign,assignment]
    _ORIGINALS.setdefault("installed", True)


def uninstall() -> None:
    """Undo install() (for tests that need stock httpcore and h11 again)."""
    if "read_num_bytes" in _ORIGINALS:
        httpcore.AsyncHTTP11Connection.READ_NUM_BYTES = _ORIGINALS["read_num_bytes"]
    for name in ("__iadd__", "_extract", "maybe_extract_at_most"):
        if name in _ORIGINALS:
            setattr(ReceiveBuffer, name, _ORIGINALS[name])
    _ORIGINALS.clear()


@dataclass(slots=True)
class Attempt:
    """One try of a request: a successful response, or a failure and whether to retry it."""

    response: httpx.Response | None = None
    failure: ApiError | None = None
    reason: str = ""  # for the RetryEvent: "HTTP 503", "connection failed", "timed out"
    retryable: bool = True
    unreachable: bool = False  # nothing reached the server (refused, no route, connect timeout)
    retry_headers: httpx.Headers | None = None


# Response bodies this big are parsed off the event loop (``_json(off_loop=True)``).
OFF_LOOP_BYTES = 256 * 1024


class ApiTransport:
    """Sends requests with the official SDK's retry behaviour and turns failures into ApiError."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str | None = None,
        *,
        retry: RetryPolicy | None = None,
        on_retry: RetryHook | None = None,
        chunk_size: int = CHUNK_SIZE,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """``transport``: an httpx transport for both clients instead of the network, e.g.
        ``httpx.MockTransport`` or ``httpx.ASGITransport`` in fast unit tests."""
        self._base_url = base_url.rstrip("/")
        self._retry = retry or RetryPolicy()
        self.on_retry = on_retry
        self._chunk_size = chunk_size
        self._background: set[asyncio.Task[None]] = set()
        # Half-made objects of failed uploads still to delete (api/leftovers.py).
        self.left_behind = LeftBehind()
        # One TLS context for both clients; its certificates load at the first handshake.
        tls = lazy_tls_context()
        self._http = httpx.AsyncClient(
            base_url=self._base_url,
            verify=tls,
            headers=api_headers(api_key),
            timeout=self._retry.api_timeout(),
            follow_redirects=True,
            transport=transport,
        )
        del api_key
        # Presigned URLs: nothing of ours but what the URL itself carries.
        self._presigned = httpx.AsyncClient(
            verify=tls,
            timeout=self._retry.transfer_timeout(),
            follow_redirects=True,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._base_url!r})"

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._retry

    async def aclose(self) -> None:
        if self._background:  # let best-effort cleanups (orphan deletes) finish first
            await asyncio.wait(self._background, timeout=CLEANUP_TIMEOUT_SECONDS)
        await self._http.aclose()
        await self._presigned.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # --- request machinery ---
    async def _object(
        self,
        method: str,
        path: str,
        *,
        json_body: dict[str, Any] | None = None,
        empty_body: bool = False,
        on_retry: RetryHook | None = None,
    ) -> ObjectView:
        data = await self._json(
            method, path, json_body=json_body, empty_body=empty_body, on_retry=on_retry
        )
        return parse_or_fail(ObjectView.from_json, data, method, path)

    async def _json(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        empty_body: bool = False,
        off_loop: bool = False,
        on_retry: RetryHook | None = None,
    ) -> Any:
        headers: dict[str, str] = {}
        content: bytes | None = None
        if json_body is not None:
            content = httpx.Request("POST", "/", json=json_body).content
            headers["Content-Type"] = "application/json"
        elif empty_body:
            # As the official SDK: no body, but a JSON content type.
            headers["Content-Type"] = "application/json"
        response = await self._send(
            self._http,
            method,
            path,
            params=params,
            headers=headers,
            content=content,
            api=True,
            on_retry=on_retry,
        )
        try:
            if off_loop and len(response.content) >= OFF_LOOP_BYTES:
                # A 5,000-object page is ~2 MB of JSON: parse it without holding up the UI.
                return await asyncio.to_thread(response.json)
            return response.json()
        except ValueError:
            raise ProtocolError(
                "the response is not valid JSON",
                status=response.status_code,
                request_id=response.headers.get("x-request-id"),
                method=method,
                path=path,
            ) from None

    async def _send(
        self,
        http: httpx.AsyncClient,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        stream: bool = False,
        api: bool = False,
        on_retry: RetryHook | None = None,
    ) -> httpx.Response:
        """Send with retries; return a successful response (open if ``stream``) or raise.

        One x-request-id for the logical request, the same on every retry: it is the
        server's idempotency key for create. ``on_retry`` hears this request's retries only
        (besides the client-wide ``self.on_retry``).
        """
        request_id = str(uuid.uuid4())
        all_headers = dict(headers or {})
        if api:
            all_headers["x-request-id"] = request_id
        label = url if api else presigned_label(url)

        async def attempt() -> Attempt:
            try:
                # No `request` local: its repr shows the full (maybe presigned) URL, and
                # crash tracebacks print locals.
                response = await http.send(
                    http.build_request(
                        method, url, params=params, headers=all_headers, content=content
                    ),
                    stream=stream,
                )
            except httpx.ConnectTimeout:
                failure: ApiError = NetworkError("could not connect in time")
                return Attempt(failure=failure, reason="connection failed", unreachable=True)
            except httpx.TimeoutException:
                failure = ApiTimeoutError("the server did not answer in time")
                return Attempt(failure=failure, reason="timed out")
            except httpx.TransportError as exc:
                unreachable = isinstance(exc, httpx.ConnectError)
                failure = NetworkError(transport_message(exc))
                return Attempt(failure=failure, reason="connection failed", unreachable=unreachable)
            except Exception as exc:
                # A bug under us (httpx, httpcore, h11): the frames below hold the request
                # headers, the key among them, and a crash screen prints frame locals. It
                # becomes our own error, raised without those frames, and is not retried.
                text = self._redact(f"unexpected {type(exc).__name__} in the HTTP client: {exc}")
                return Attempt(failure=ProtocolError(text), retryable=False)
            if response.is_success:
                return Attempt(response=response)
            if stream:
                await response.aread()
                await response.aclose()
            return Attempt(
                failure=self._status_error(response, method, label, request_id),
                reason=f"HTTP {response.status_code}",
                retryable=should_retry_response(response),
                retry_headers=response.headers,
            )

        return await self._with_retries(attempt, method, label, request_id, on_retry)

    async def _with_retries(
        self,
        attempt: Callable[[], Awaitable[Attempt]],
        method: str,
        label: str,
        request_id: str,
        on_retry: RetryHook | None,
    ) -> httpx.Response:
        """The one retry loop (API calls, presigned GETs and upload PUTs): the SDK's backoff,
        the unreachable budget, and a RetryEvent before each sleep."""
        policy = self._retry
        started = time.monotonic()
        for retries_done in range(policy.max_retries + 1):
            outcome = await attempt()
            failure = outcome.failure
            if failure is None:
                assert outcome.response is not None
                return outcome.response
            delay = backoff_seconds(policy, retries_done, outcome.retry_headers)
            if (
                not outcome.retryable
                or retries_done >= policy.max_retries
                or (outcome.unreachable and out_of_patience(policy, started, delay))
            ):
                if failure.request_id is None:
                    failure.request_id = request_id or None
                failure.method = failure.method or method
                failure.path = failure.path or label
                # Raised here, outside any except block: no chained httpx exception (and its
                # request headers) rides along into tracebacks.
                raise failure
            self._notify_retry(
                RetryEvent(
                    attempt=retries_done + 1,
                    max_retries=policy.max_retries,
                    delay_seconds=delay,
                    reason=outcome.reason,
                    method=method,
                    path=label,
                    request_id=request_id,
                ),
                on_retry,
            )
            await asyncio.sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _notify_retry(self, event: RetryEvent, call_hook: RetryHook | None = None) -> None:
        for hook in (self.on_retry, call_hook):
            if hook is not None:
                with contextlib.suppress(Exception):  # a UI hook must never break a request
                    hook(event)

    def _status_error(
        self, response: httpx.Response, method: str, path: str, request_id: str
    ) -> HttpStatusError:
        status = response.status_code
        cls = error_for_status(status)
        return cls(
            self._redact(server_message(response)),
            status=status,
            request_id=response.headers.get("x-request-id") or request_id,
            method=method,
            path=path,
        )

    def _redact(self, text: str) -> str:
        """Servers should never echo the key; if one does, it still never reaches the screen."""
        auth = self._http.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        if len(token) >= 4 and token in text:
            text = text.replace(token, "[redacted]")
        return text
