"""The request machinery under ObjectsClient: two httpx clients, retries, errors, redaction.

The API client carries the key in its default headers and nowhere else; presigned URLs
(upload PUT, download GET) go through a second client that carries no Authorization and none
of our default headers, because those URLs may point at S3.

The HTTP stack (httpx, httpcore, h11, anyio: ~55 ms of imports) loads with the first request,
not at import: when the first list page comes from ``api/prefetch.py``, the app paints its
first rows before it loads any of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

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

if TYPE_CHECKING:
    import httpx

    from runloop_tui.api.prefetch import Prefetch

DEFAULT_BASE_URL = "https://api.runloop.ai"
# Cleanup after a failed upload must not hang the UI forever.
CLEANUP_TIMEOUT_SECONDS = 15.0

_speedups_wanted = False


def install() -> None:
    """Opt in to the process-wide download speed-ups (``api/http_speedups.py``); the app's
    entry points call this. They apply when a client loads the HTTP stack, or now if
    something has loaded it already."""
    global _speedups_wanted
    _speedups_wanted = True
    if "httpcore" in sys.modules:
        load_http_stack()


def uninstall() -> None:
    """Undo install() (for tests that need stock httpcore and h11 again)."""
    global _speedups_wanted
    _speedups_wanted = False
    if "runloop_tui.api.http_speedups" in sys.modules:
        from runloop_tui.api.http_speedups import uninstall as undo_speedups

        undo_speedups()


def load_http_stack() -> None:
    """Import httpx and its stack, applying the speed-ups if the program opted in."""
    from runloop_tui.api.http_speedups import install as apply_speedups

    if _speedups_wanted:
        apply_speedups()


def client_options(base_url: str, headers: dict[str, str], retry: RetryPolicy) -> dict[str, Any]:
    """The API client's httpx settings, shared with the first-page prefetch's client."""
    return {
        "base_url": base_url,
        "verify": lazy_tls_context(),
        "headers": headers,
        "timeout": retry.api_timeout(),
        "follow_redirects": True,
    }


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
        prefetch: Prefetch | None = None,
    ) -> None:
        """``transport``: an httpx transport for both clients instead of the network, e.g.
        ``httpx.MockTransport`` or ``httpx.ASGITransport`` in fast unit tests. ``prefetch``:
        the first list page, already on its way (api/prefetch.py)."""
        self._base_url = base_url.rstrip("/")
        self._retry = retry or RetryPolicy()
        self.on_retry = on_retry
        self._chunk_size = chunk_size
        self._background: set[asyncio.Task[None]] = set()
        # Half-made objects of failed uploads still to delete (api/leftovers.py).
        self.left_behind = LeftBehind()
        self._prefetch = prefetch
        self._clients: tuple[httpx.AsyncClient, httpx.AsyncClient] | None = None
        # Made at the first request. The key waits in this closure, not in an attribute.
        headers = api_headers(api_key)
        del api_key
        self._make_clients: Callable[[], tuple[httpx.AsyncClient, httpx.AsyncClient]] = lambda: (
            self._build_clients(headers, transport)
        )

    def _build_clients(
        self, headers: dict[str, str], transport: httpx.AsyncBaseTransport | None
    ) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
        load_http_stack()
        import httpx

        options = client_options(self._base_url, headers, self._retry)
        api = httpx.AsyncClient(**options, transport=transport)
        # Presigned URLs: nothing of ours but what the URL itself carries; one TLS context.
        presigned = httpx.AsyncClient(
            verify=options["verify"],
            timeout=self._retry.transfer_timeout(),
            follow_redirects=True,
            transport=transport,
        )
        return api, presigned

    def _client_pair(self) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
        if self._clients is None:
            self._clients = self._make_clients()
        return self._clients

    @property
    def _http(self) -> httpx.AsyncClient:
        return self._client_pair()[0]

    @property
    def _presigned(self) -> httpx.AsyncClient:
        return self._client_pair()[1]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._base_url!r})"

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def prefetching(self) -> bool:
        """The first list page is on its way already (api/prefetch.py)."""
        return self._prefetch is not None

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._retry

    async def aclose(self) -> None:
        if self._background:  # let best-effort cleanups (orphan deletes) finish first
            await asyncio.wait(self._background, timeout=CLEANUP_TIMEOUT_SECONDS)
        if self._prefetch is not None:
            self._prefetch.discard()
            self._prefetch = None
        if self._clients is not None:
            for client in self._clients:
                await client.aclose()

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
        if self._prefetch is not None and self._prefetch.lists(method, path):
            prefetch, self._prefetch = self._prefetch, None  # used once, or ended
            body = await prefetch.body(params)
            if body is not None:  # else: asked again below, and answered as any request
                with contextlib.suppress(ValueError):
                    return await _decode(body, off_loop)
        headers: dict[str, str] = {}
        content: bytes | None = None
        if json_body is not None:
            # As httpx encodes ``json=``: compact UTF-8, no NaN.
            content = json.dumps(
                json_body, ensure_ascii=False, separators=(",", ":"), allow_nan=False
            ).encode()
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
            return await _decode(response.content, off_loop)
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
        import httpx  # loaded with the client

        request_id = str(uuid.uuid4())
        all_headers = dict(headers or {})
        if api:
            all_headers["x-request-id"] = request_id
        label = url if api else presigned_label(url)

        # A streamed body (a download) is read by the caller, under the transfer timeout.
        deadline = None if stream else self._retry.answer_deadline()

        async def attempt() -> Attempt:
            try:
                async with asyncio.timeout(deadline):
                    # No `request` local: its repr shows the full (maybe presigned) URL, and
                    # crash tracebacks print locals.
                    response = await http.send(
                        http.build_request(
                            method, url, params=params, headers=all_headers, content=content
                        ),
                        stream=stream,
                    )
            except TimeoutError:
                failure: ApiError = ApiTimeoutError("the server's answer did not end in time")
                return Attempt(failure=failure, reason="timed out")
            except httpx.ConnectTimeout:
                failure = NetworkError("could not connect in time")
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


async def _decode(body: bytes, off_loop: bool) -> Any:
    """JSON from a response body (ValueError if it is none), as httpx's ``Response.json``."""
    if off_loop and len(body) >= OFF_LOOP_BYTES:
        # A 5,000-object page is ~2 MB of JSON: parse it without holding up the UI.
        return await asyncio.to_thread(json.loads, body)
    return json.loads(body)
