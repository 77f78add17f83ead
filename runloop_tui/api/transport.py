"""The request machinery under ObjectsClient: two httpx clients, retries, errors, redaction.

The API client carries the key in its default headers and nowhere else; presigned URLs
(upload PUT, download GET) go through a second client that carries no Authorization and none
of our default headers, because those URLs may point at S3.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any, Self

import httpcore
import httpx

from runloop_tui.api.errors import (
    ApiError,
    ApiTimeoutError,
    HttpStatusError,
    NetworkError,
    ProtocolError,
    error_for_status,
)
from runloop_tui.api.models import ObjectView
from runloop_tui.api.retry import (
    RetryEvent,
    RetryHook,
    RetryPolicy,
    backoff_seconds,
    should_retry_response,
)
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
# (httpcore, h11, anyio): downloads were CPU-bound at ~250 MB/s on a fast link. 256 KiB reads
# cut the CPU per byte in half (measured on loopback: 206 -> 329 MB/s). It is a class
# constant, so it applies to every httpcore connection in the process; for the small API
# responses it only sizes the receive buffer.
if hasattr(httpcore.AsyncHTTP11Connection, "READ_NUM_BYTES"):
    httpcore.AsyncHTTP11Connection.READ_NUM_BYTES = 256 * 1024

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
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._retry = retry or RetryPolicy()
        self.on_retry = on_retry
        self._chunk_size = chunk_size
        self._background: set[asyncio.Task[None]] = set()
        # One TLS context for both clients: building one costs ~50 ms of certificate loading.
        tls = httpx.create_ssl_context()
        self._http = httpx.AsyncClient(
            base_url=self._base_url,
            verify=tls,
            headers=api_headers(api_key),
            timeout=self._retry.api_timeout(),
            follow_redirects=True,
        )
        del api_key
        # Presigned URLs: nothing of ours but what the URL itself carries.
        self._presigned = httpx.AsyncClient(
            verify=tls, timeout=self._retry.transfer_timeout(), follow_redirects=True
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
    ) -> ObjectView:
        data = await self._json(method, path, json_body=json_body, empty_body=empty_body)
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
            self._http, method, path, params=params, headers=headers, content=content, api=True
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
    ) -> httpx.Response:
        """Send with retries; return a successful response (open if ``stream``) or raise.

        One x-request-id for the logical request, the same on every retry: it is the
        server's idempotency key for create.
        """
        request_id = str(uuid.uuid4())
        all_headers = dict(headers or {})
        if api:
            all_headers["x-request-id"] = request_id
        label = url if api else presigned_label(url)
        policy = self._retry
        for retries_done in range(policy.max_retries + 1):
            failure: ApiError | None = None
            raise_now = False
            retry_headers: httpx.Headers | None = None
            try:
                # No `request` local: its repr shows the full (maybe presigned) URL, and
                # crash tracebacks print locals.
                response = await http.send(
                    http.build_request(
                        method, url, params=params, headers=all_headers, content=content
                    ),
                    stream=stream,
                )
            except httpx.TimeoutException:
                failure = ApiTimeoutError(
                    "the server did not answer in time",
                    request_id=request_id,
                    method=method,
                    path=label,
                )
                reason = "timed out"
            except httpx.TransportError as exc:
                failure = NetworkError(
                    transport_message(exc), request_id=request_id, method=method, path=label
                )
                reason = "connection failed"
            except Exception as exc:
                # A bug under us (httpx, httpcore, h11): the frames below hold the request
                # headers, the key among them, and a crash screen prints frame locals. It
                # becomes our own error, raised below without those frames, and is not retried.
                failure = ProtocolError(
                    self._redact(f"unexpected {type(exc).__name__} in the HTTP client: {exc}"),
                    request_id=request_id,
                    method=method,
                    path=label,
                )
                raise_now = True
            else:
                if response.is_success:
                    return response
                if stream:
                    await response.aread()
                    await response.aclose()
                if retries_done >= policy.max_retries or not should_retry_response(response):
                    raise self._status_error(response, method, label, request_id)
                reason = f"HTTP {response.status_code}"
                retry_headers = response.headers
            if failure is not None and (raise_now or retries_done >= policy.max_retries):
                # Raised outside the except block: no chained httpx exception (and its
                # request headers) rides along into tracebacks.
                raise failure
            delay = backoff_seconds(policy, retries_done, retry_headers)
            self._notify_retry(
                RetryEvent(
                    attempt=retries_done + 1,
                    max_retries=policy.max_retries,
                    delay_seconds=delay,
                    reason=reason,
                    method=method,
                    path=label,
                    request_id=request_id,
                )
            )
            await asyncio.sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _notify_retry(self, event: RetryEvent) -> None:
        hook = self.on_retry
        if hook is None:
            return
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
