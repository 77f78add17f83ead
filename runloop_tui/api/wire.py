"""Wire-level helpers for the client: query and path encoding, error text, presigned URLs.

Kept apart from client.py so the client reads as the list of operations it implements.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from runloop_tui.api.errors import ApiError, ApiTimeoutError, NetworkError, ProtocolError
from runloop_tui.api.models import ContentType, ObjectState

if TYPE_CHECKING:
    import httpx  # loaded with the first client (api/transport.py); imported where used

# Server messages shown to the user are cut here: an HTML error page is not a sentence.
_MAX_MESSAGE_CHARS = 300
_S3_MESSAGE = re.compile(r"<Message>(.*?)</Message>", re.S)
# C0/C1 control characters and DEL, and the invisible characters that change how text around
# them reads: bidi overrides and isolates (U+202E makes `exe.txt` read as `txt.exe`),
# zero-width spaces and joiners, the word joiner and BOM, and the line/paragraph separators.
# Text from a server must reach the terminal inert: an error message holding ESC ] 52 would
# otherwise write the user's clipboard. One definition: tui.formatting uses it too.
UNSAFE_CHARS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb]"
)


def inert_text(text: str) -> str:
    """Text with every unsafe character replaced by a visible U+FFFD."""
    return UNSAFE_CHARS.sub("\N{REPLACEMENT CHARACTER}", text)


_T = TypeVar("_T")
USER_AGENT = "runloop-tui"


@dataclass(frozen=True, slots=True)
class ListFilters:
    """The filters the server understands on list and list_public."""

    name: str | None = None
    content_type: ContentType | None = None
    state: ObjectState | None = None
    search: str | None = None


def query_bool(value: bool) -> str:
    return "true" if value else "false"


def path_segment(value: str) -> str:
    """One path segment: an id or key typed by a user must not escape its place in the URL."""
    return quote(value, safe="")


class QuietUrl(str):
    """A presigned URL that keeps its signature out of reprs (crash tracebacks show locals)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'<presigned URL>'"


def list_path(public: bool) -> str:
    return "/v1/objects/list_public" if public else "/v1/objects"


def list_params(
    limit: int | None,
    starting_after: str | None,
    filters: ListFilters | None,
    include_total_count: bool | None,
) -> dict[str, str]:
    params: dict[str, str] = {}
    if limit is not None:
        params["limit"] = str(limit)
    if starting_after is not None:
        params["starting_after"] = starting_after
    if filters is not None:
        if filters.name:
            params["name"] = filters.name
        if filters.content_type is not None:
            params["content_type"] = str(filters.content_type)
        if filters.state is not None:
            params["state"] = str(filters.state)
        if filters.search:
            params["search"] = filters.search
    if include_total_count is not None:
        params["include_total_count"] = query_bool(include_total_count)
    return params


def api_headers(api_key: str | None) -> dict[str, str]:
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    return headers


def parse_or_fail(parser: Callable[[Any], _T], data: Any, method: str, path: str) -> _T:
    try:
        return parser(data)
    except ValueError as exc:
        raise ProtocolError(str(exc), method=method, path=path) from None


def _json_message(data: Any) -> str | None:
    """The sentence inside a JSON error body, in the shapes servers use; None if there is none.

    {"error": {"message"}} (Runloop), {"error": "..."}, {"message"}, {"detail": "..."} and
    FastAPI's {"detail": [{"loc", "msg"}]}, {"errors": [...]}; an error with only a code
    ("invalid_argument") reads as words.
    """
    if not isinstance(data, dict):
        return None
    error = data.get("error")
    if isinstance(error, dict):
        if error.get("message"):
            return str(error["message"])
        code = error.get("code") or error.get("type")
        if isinstance(code, str) and code:
            return code.replace("_", " ")
    if isinstance(error, str) and error:
        return error
    if data.get("message"):
        return str(data["message"])
    for key in ("detail", "errors"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, list) and value:
            parts = [_item_message(item) for item in value[:3]]
            return "; ".join(p for p in parts if p) or None
    return None


def _item_message(item: Any) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        text = item.get("msg") or item.get("message") or ""
        loc = item.get("loc")
        where = ".".join(str(p) for p in loc if p != "body") if isinstance(loc, list) else ""
        return f"{where}: {text}" if where and text else str(text)
    return ""


def server_message(response: httpx.Response) -> str:
    """The server's own words: {"error": {"message"}}, S3's <Message>, or the text, cut short.

    Never raw JSON: a JSON body with no sentence in it reads as the HTTP reason phrase.
    """
    text = response.text.strip()
    message: str | None = None
    try:
        data = response.json()
    except ValueError:
        data = None
    else:
        message = _json_message(data)
        if message is None:
            text = ""  # JSON without a message: not something to show a person
    if message is None and text.startswith("<"):
        match = _S3_MESSAGE.search(text)
        if match:
            message = match.group(1).strip()
    if message is None:
        message = text or response.reason_phrase or "no details given"
    message = inert_text(" ".join(message.split()))
    if len(message) > _MAX_MESSAGE_CHARS:
        message = message[: _MAX_MESSAGE_CHARS - 1] + "…"
    return message


def transport_message(exc: httpx.TransportError) -> str:
    import httpx

    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed: {detail}"
    return detail


def presigned_label(url: str) -> str:
    """Host and path of a presigned URL: the signature in its query is nobody's business."""
    import httpx

    parsed = httpx.URL(url)
    return f"{parsed.host}{parsed.path}"


def content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


async def raw_chunks(response: httpx.Response, method: str, url: str) -> AsyncIterator[bytes]:
    """The raw body (stored bytes, no decoding), with transport errors mapped to ours."""
    import httpx

    stream = response.aiter_raw()
    while True:
        failure: ApiError | None = None
        try:
            chunk = await anext(stream)
        except StopAsyncIteration:
            return
        except httpx.TimeoutException:
            failure = ApiTimeoutError(
                "the download stalled", method=method, path=presigned_label(url)
            )
        except httpx.TransportError as exc:
            failure = NetworkError(transport_message(exc), method=method, path=presigned_label(url))
        if failure is not None:
            raise failure
        yield chunk
