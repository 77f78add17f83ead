"""The async Objects API client: one class over one shared httpx.AsyncClient.

Presigned URLs (upload PUT, download GET) go through a second httpx client that carries no
Authorization and none of our default headers: those URLs may point at S3.

The API key lives only inside the API httpx client's default headers: never in an attribute,
a repr, an error, or a local variable of a frame that can end up in a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable
from pathlib import Path
from typing import Any

from runloop_tui.api.content_types import default_object_name, infer_content_type
from runloop_tui.api.errors import (
    ApiError,
    ApiTimeoutError,
    ConflictError,
    HttpStatusError,
    NetworkError,
    ProtocolError,
)
from runloop_tui.api.models import (
    ContentType,
    MetadataValues,
    ObjectListView,
    ObjectState,
    ObjectView,
)
from runloop_tui.api.retry import (
    RetryEvent,
    RetryHook,
    RetryPolicy,
)
from runloop_tui.api.transfers import (
    CancelToken,
    PartFile,
    ProgressCallback,
    UploadSource,
    safe_file_name,
    target_exists,
)
from runloop_tui.api.transport import (
    CLEANUP_TIMEOUT_SECONDS,
    DEFAULT_BASE_URL,
    ApiTransport,
    Attempt,
)
from runloop_tui.api.wire import (
    ListFilters,
    QuietUrl,
    content_length,
    list_params,
    list_path,
    parse_or_fail,
    path_segment,
    presigned_label,
    raw_chunks,
    transport_message,
)

# List pages with this many objects are converted to ObjectViews off the event loop.
_OFF_LOOP_OBJECTS = 800

__all__ = [
    "DEFAULT_BASE_URL",
    "CancelToken",
    "ListFilters",
    "ObjectsClient",
    "ProgressCallback",
    "RetryEvent",
    "RetryPolicy",
]


class ObjectsClient(ApiTransport):
    """Every operation of the Objects API, with the official SDK's retry behaviour.

    ``on_retry`` (also settable later as an attribute) is called before each retry sleep, so
    a UI can show "retrying in 2s".

    ``left_behind`` holds the half-made objects of failed uploads whose delete failed too (the
    server was away); ``remove_left_behind`` retries them, and closing the client tries once
    more (bounded).
    """

    async def remove_left_behind(self) -> list[str]:
        """Delete what failed uploads left behind; the ids removed (the rest stay listed)."""
        return await self.left_behind.sweep(self.delete_object, CLEANUP_TIMEOUT_SECONDS)

    async def aclose(self) -> None:
        if self.left_behind:  # one more bounded try at exit
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.remove_left_behind(), CLEANUP_TIMEOUT_SECONDS)
        await super().aclose()

    # --- operations from the spec ---
    async def list_objects(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        filters: ListFilters | None = None,
        include_total_count: bool | None = None,
        public: bool = False,
    ) -> ObjectListView:
        path = list_path(public)
        params = list_params(limit, starting_after, filters, include_total_count)
        data = await self._json("GET", path, params=params, off_loop=True)
        return await self._list_page(data, path)

    async def iter_pages(
        self,
        *,
        page_size: int = 1000,
        first_page_size: int | None = None,
        filters: ListFilters | None = None,
        public: bool = False,
        on_retry: RetryHook | None = None,
    ) -> AsyncGenerator[ObjectListView, None]:
        """Every page in order; one request asks for total_count.

        A small ``first_page_size`` lets the UI paint early; later pages use ``page_size``.
        The first page then comes without the total, which the second request asks for:
        counting costs a big store more than the page itself (100,000 objects: 25 ms against
        3-7 ms on the local server), and the first rows must not wait for it.
        From the second page on, the next page is fetched while the caller works on the
        current one (the cursor is read from the raw JSON first), so the server's time
        overlaps with model building.
        ``on_retry`` hears the retries of this listing's requests.

        Bounded: every round needs a cursor never seen before. A page that says ``has_more``
        but gives no usable cursor (it is empty, or its last id was a cursor already) is the
        last one: it is yielded with ``has_more`` still true, so the caller can tell the user
        the server stopped paging early. How many objects to take is the caller's cap.
        """
        path = list_path(public)
        count_later = first_page_size is not None and first_page_size < page_size

        def fetch(query: dict[str, str]) -> asyncio.Future[Any]:
            return asyncio.ensure_future(
                self._json("GET", path, params=query, off_loop=True, on_retry=on_retry)
            )

        query = list_params(first_page_size or page_size, None, filters, not count_later)
        pending: asyncio.Future[Any] | None = fetch(query)
        seen: set[str] = set()
        first_page = True
        try:
            while pending is not None:
                data = await pending
                pending = None
                more = isinstance(data, dict) and data.get("has_more")
                objects = data.get("objects") if more else None
                after: dict[str, str] | None = None  # the next page's query
                if more and isinstance(objects, list) and objects:
                    last = objects[-1]
                    cursor = last.get("id") if isinstance(last, dict) else None
                    if isinstance(cursor, str) and cursor not in seen:
                        seen.add(cursor)
                        after = list_params(page_size, cursor, filters, count_later)
                        count_later = False
                if after is not None and not first_page:
                    pending = fetch(after)
                yield await self._list_page(data, path)
                if after is not None and first_page:
                    # The second request waits until the caller has taken the first page
                    # (the UI paints it first): it is the one that loads the HTTP stack when
                    # the first page came from api/prefetch.py.
                    pending = fetch(after)
                first_page = False
        finally:
            if pending is not None:
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError, ApiError):
                    await pending

    async def _list_page(self, data: Any, path: str) -> ObjectListView:
        """A decoded list response as a page; a big one is converted in a thread.

        Turning 5,000 JSON objects into ObjectViews takes tens of milliseconds of pure
        Python. In a thread the UI's event loop still gets the GIL every few milliseconds
        (sys.getswitchinterval), so loading 100k objects never freezes the UI.
        """
        objects = data.get("objects") if isinstance(data, dict) else None
        if isinstance(objects, list) and len(objects) >= _OFF_LOOP_OBJECTS:
            return await asyncio.to_thread(
                parse_or_fail, ObjectListView.from_json, data, "GET", path
            )
        return parse_or_fail(ObjectListView.from_json, data, "GET", path)

    async def count_objects(
        self, *, filters: ListFilters | None = None, public: bool = False
    ) -> int | None:
        """The total alone (limit=0, as rli asks); None if the server does not say."""
        page = await self.list_objects(
            limit=0, filters=filters, include_total_count=True, public=public
        )
        return page.total_count

    async def get_object(self, object_id: str) -> ObjectView:
        return await self._object("GET", f"/v1/objects/{path_segment(object_id)}")

    async def create_object(
        self,
        name: str,
        content_type: ContentType = ContentType.UNSPECIFIED,
        *,
        metadata: dict[str, str] | None = None,
        ttl_ms: int | None = None,
        is_public: bool | None = None,
    ) -> ObjectView:
        body: dict[str, Any] = {"name": name, "content_type": str(content_type)}
        if metadata is not None:
            body["metadata"] = metadata
        if ttl_ms is not None:
            body["ttl_ms"] = ttl_ms
        if is_public is not None:
            body["is_public"] = is_public
        return await self._object("POST", "/v1/objects", json_body=body)

    async def complete_object(self, object_id: str) -> ObjectView:
        return await self._object(
            "POST", f"/v1/objects/{path_segment(object_id)}/complete", empty_body=True
        )

    async def delete_object(
        self, object_id: str, *, on_retry: RetryHook | None = None
    ) -> ObjectView:
        return await self._object(
            "POST",
            f"/v1/objects/{path_segment(object_id)}/delete",
            empty_body=True,
            on_retry=on_retry,
        )

    async def download_url(
        self,
        object_id: str,
        duration_seconds: int | None = None,
        *,
        on_retry: RetryHook | None = None,
    ) -> str:
        path = f"/v1/objects/{path_segment(object_id)}/download"
        params = {} if duration_seconds is None else {"duration_seconds": str(duration_seconds)}
        data = await self._json("GET", path, params=params, on_retry=on_retry)
        url = data.get("download_url") if isinstance(data, dict) else None
        if not isinstance(url, str) or not url:
            raise ProtocolError("the response has no download_url", method="GET", path=path)
        return url

    async def metadata_keys(self) -> list[str]:
        path = "/v1/objects/metadata/keys"
        data = await self._json("GET", path)
        keys = data.get("keys", []) if isinstance(data, dict) else None
        if not isinstance(keys, list):
            raise ProtocolError("the response has no keys array", method="GET", path=path)
        return [str(k) for k in keys]

    async def metadata_values(self, key: str) -> MetadataValues:
        path = f"/v1/objects/metadata/keys/{path_segment(key)}/values"
        data = await self._json("GET", path)
        # The spec makes both fields optional: a missing array is an empty one.
        values = data.get("values", []) if isinstance(data, dict) else None
        if not isinstance(values, list):
            raise ProtocolError("the response has no values array", method="GET", path=path)
        return MetadataValues(key=str(data.get("key", key)), values=[str(v) for v in values])

    # --- transfers ---
    async def upload_path(
        self,
        path: Path,
        *,
        name: str | None = None,
        content_type: ContentType | None = None,
        metadata: dict[str, str] | None = None,
        ttl_ms: int | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        on_created: Callable[[ObjectView], None] | None = None,
        is_public: bool | None = None,
    ) -> ObjectView:
        """create -> PUT -> complete; a directory streams as tgz. On failure or cancel the
        half-made object is deleted before the error is raised."""
        path = Path(path)
        source = UploadSource.open(path)  # a bad path fails here, before anything exists remotely
        try:
            if cancel is not None:
                cancel.raise_if_cancelled()
            created = await self._create_or_discard(
                self.create_object(
                    name or default_object_name(path),
                    content_type or infer_content_type(path),
                    metadata=metadata,
                    ttl_ms=ttl_ms,
                    is_public=is_public,
                )
            )
            try:
                if on_created is not None:
                    on_created(created)
                await self._put(created, source, progress, cancel)
                return await self._complete_upload(created.id)
            except BaseException:
                await self._discard(created.id)
                raise
        finally:
            source.close()

    async def download_to(
        self,
        object_id: str,
        dest: Path,
        *,
        overwrite: bool = False,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Path:
        """Save the content to ``dest`` (into it, under the object's name, if it is a directory).

        The bytes land in a hidden part file that is fsynced and renamed into place only when
        complete, and removed on any failure or cancel. An existing file is replaced only with
        ``overwrite=True``; otherwise FileExistsError.
        """
        dest = Path(dest)
        if dest.is_dir():
            obj = await self.get_object(object_id)
            dest = dest / safe_file_name(obj.name, fallback=object_id)
        if not overwrite and dest.exists():
            raise target_exists(dest)
        if cancel is not None:
            cancel.raise_if_cancelled()
        url = QuietUrl(await self.download_url(object_id))
        response = await self._send(
            self._presigned, "GET", url, headers={"Accept-Encoding": "identity"}, stream=True
        )
        from runloop_tui.api.http_speedups import widen_reads  # loaded with the client

        widen_reads(response)
        part: PartFile | None = None
        try:
            total = content_length(response)
            part = PartFile(dest)
            done = 0
            async for chunk in raw_chunks(response, "GET", url):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                await part.append(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
            if cancel is not None:
                cancel.raise_if_cancelled()
            if progress is not None and done == 0:
                progress(0, total)
            return await part.commit(overwrite=overwrite)
        finally:
            if part is not None:
                await part.discard()
            await response.aclose()

    async def read_head(
        self, object_id: str, max_bytes: int = 65536, *, on_retry: RetryHook | None = None
    ) -> bytes:
        """The first max_bytes of the content, by a ranged GET on a download URL.

        A server that ignores Range answers 200 with everything: only max_bytes are read.
        """
        url = QuietUrl(await self.download_url(object_id, on_retry=on_retry))
        if max_bytes <= 0:
            return b""
        headers = {"Range": f"bytes=0-{max_bytes - 1}", "Accept-Encoding": "identity"}
        try:
            response = await self._send(
                self._presigned, "GET", url, headers=headers, stream=True, on_retry=on_retry
            )
        except HttpStatusError as exc:
            if exc.status == 416:  # an empty object has no byte 0
                return b""
            raise
        buffer = bytearray()
        try:
            async for chunk in raw_chunks(response, "GET", url):
                buffer += chunk[: max_bytes - len(buffer)]
                if len(buffer) >= max_bytes:
                    break
        finally:
            await response.aclose()
        return bytes(buffer)

    # --- internals ---
    # --- upload internals ---
    async def _put(
        self,
        created: ObjectView,
        source: UploadSource,
        progress: ProgressCallback | None,
        cancel: CancelToken | None,
    ) -> None:
        """PUT the bytes to the presigned URL with the create response's upload_headers.

        Like the SDK the PUT is not retried once bytes may have gone out (the body is a
        stream, and a half-accepted PUT is not ours to judge). It IS retried on a connect
        error: nothing was sent, so the same stream can start again from the beginning.
        """
        url = QuietUrl(created.upload_url) if created.upload_url else None
        if not url:
            raise ProtocolError("create returned no upload_url", method="POST", path="/v1/objects")
        headers = dict(created.upload_headers or {})
        if source.size is not None:
            headers["Content-Length"] = str(source.size)
        label = presigned_label(url)
        import httpx  # loaded with the client (api/transport.py)

        async def attempt() -> Attempt:
            body = source.chunks(chunk_size=self._chunk_size, progress=progress, cancel=cancel)
            try:
                response = await self._presigned.put(
                    url, content=body, headers=headers, follow_redirects=False
                )
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # Nothing was sent: the same stream can start again from the beginning.
                failure: ApiError = NetworkError(transport_message(exc))
                return Attempt(failure=failure, reason="connection failed", unreachable=True)
            except httpx.TimeoutException:
                failure = ApiTimeoutError("the upload stalled")
                return Attempt(failure=failure, retryable=False)
            except httpx.TransportError as exc:
                return Attempt(failure=NetworkError(transport_message(exc)), retryable=False)
            finally:
                await body.aclose()  # type: ignore[attr-defined]
            if not response.is_success:
                failure = self._status_error(response, "PUT", label, "")
                return Attempt(failure=failure, retryable=False)
            return Attempt(response=response)

        await self._with_retries(attempt, "PUT", label, "", None)
        if progress is not None and source.size == 0:
            progress(0, 0)

    async def _complete_upload(self, object_id: str) -> ObjectView:
        try:
            return await self.complete_object(object_id)
        except ConflictError:
            # A retried complete whose first attempt did land answers 409: the upload is done.
            obj = await self.get_object(object_id)
            if obj.state is ObjectState.READ_ONLY:
                return obj
            raise

    async def _create_or_discard(self, create: Awaitable[ObjectView]) -> ObjectView:
        """Await a create; if the caller is cancelled meanwhile (a quit), the request may
        already have made the object: let it finish (bounded) and delete what it made."""
        task = asyncio.ensure_future(create)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:

            async def discard_when_made() -> None:
                with contextlib.suppress(Exception):
                    made = await asyncio.wait_for(task, CLEANUP_TIMEOUT_SECONDS)
                    await self._delete_or_keep(made.id)

            cleanup = asyncio.ensure_future(discard_when_made())
            self._background.add(cleanup)
            cleanup.add_done_callback(self._background.discard)
            raise

    async def _delete_or_keep(self, object_id: str) -> None:
        """Delete a half-made object; if that fails, keep it in ``left_behind`` for later.
        Only this one: the others wait for the sweeper, so a failure is told at once."""
        await self.left_behind.try_delete(object_id, self.delete_object, CLEANUP_TIMEOUT_SECONDS)

    async def _discard(self, object_id: str) -> None:
        """Delete a half-made object (or keep it in ``left_behind``), shielded from the
        caller's cancellation."""

        async def delete_quietly() -> None:
            with contextlib.suppress(Exception):
                await self._delete_or_keep(object_id)

        task = asyncio.ensure_future(delete_quietly())
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(task)
