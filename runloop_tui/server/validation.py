"""Request validation: every rejection names the offending field.

Limits (documented for users; the real service's exact limits are not published):
name 1..1024 characters; metadata at most 50 keys, keys 1..256 characters, values at most
4096 characters; ttl_ms 1 ms .. 100 years; download duration 1 s .. 7 days; list limit 0..5000;
JSON request bodies at most 1 MiB. Text must be valid Unicode without control characters
(tab excepted in metadata values).
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.datastructures import QueryParams

from runloop_tui.limits import (
    MAX_DURATION_S,
    MAX_METADATA_KEY,
    MAX_METADATA_KEYS,
    MAX_METADATA_VALUE,
    MAX_NAME,
    MAX_TTL_MS,
    MIN_DURATION_S,
    text_problem,
)
from runloop_tui.server.errors import InvalidArgument, PayloadTooLarge, UnsupportedMediaType
from runloop_tui.server.records import CONTENT_TYPES, STATES, ListQuery

DEFAULT_DURATION_S = 3600
DEFAULT_LIMIT = 20
MAX_LIMIT = 5000
MAX_JSON_BODY = 1024 * 1024
CREATE_FIELDS = ("name", "content_type", "metadata", "ttl_ms", "is_public")


def parse_json_body(body: bytes, content_type: str | None) -> Any:
    """The decoded body, or None when empty; strict about media type and syntax."""
    if not body.strip():
        return None
    if len(body) > MAX_JSON_BODY:
        raise PayloadTooLarge(f"the request body is larger than {MAX_JSON_BODY} bytes")
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType(
            f"Content-Type must be application/json, not {media or 'missing'}"
        )
    try:
        return json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise InvalidArgument(f"the request body is not valid JSON: {exc}") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def check_empty_record(body: Any) -> None:
    """complete and delete take no parameters: nothing, or ``{}``."""
    if body is None:
        return
    if not isinstance(body, dict):
        raise InvalidArgument("the request body must be a JSON object (or empty)")
    if body:
        raise InvalidArgument(f"unknown field {sorted(body)[0]!r}: this operation takes none")


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return math.isfinite(value) and value.is_integer()
    return isinstance(value, int)


def validate_create(body: Any) -> dict[str, Any]:
    """Checked create parameters: name, content_type, metadata, ttl_ms, is_public."""
    if body is None:
        raise InvalidArgument("name is required (the request body is empty)")
    if not isinstance(body, dict):
        raise InvalidArgument("the request body must be a JSON object")
    unknown = sorted(set(body) - set(CREATE_FIELDS))
    if unknown:
        raise InvalidArgument(f"unknown field {unknown[0]!r}")
    name = body.get("name")
    if name is None:
        raise InvalidArgument("name is required")
    if not isinstance(name, str):
        raise InvalidArgument("name must be a string")
    if not name:
        raise InvalidArgument("name must not be empty")
    if len(name) > MAX_NAME:
        raise InvalidArgument(f"name is longer than {MAX_NAME} characters")
    if why := text_problem(name):
        raise InvalidArgument(f"name {why}")
    content_type = body.get("content_type")
    if content_type is None:
        raise InvalidArgument("content_type is required")
    if content_type not in CONTENT_TYPES:
        raise InvalidArgument(f"content_type must be one of {', '.join(CONTENT_TYPES)}")
    ttl_ms = body.get("ttl_ms")
    if ttl_ms is not None:
        if not _is_int(ttl_ms):
            raise InvalidArgument("ttl_ms must be an integer number of milliseconds")
        ttl_ms = int(ttl_ms)
        if not 1 <= ttl_ms <= MAX_TTL_MS:
            raise InvalidArgument(f"ttl_ms must be between 1 and {MAX_TTL_MS} (100 years)")
    is_public = body.get("is_public", False)
    if not isinstance(is_public, bool):
        raise InvalidArgument("is_public must be true or false")
    return {
        "name": name,
        "content_type": content_type,
        "metadata": validate_metadata(body.get("metadata")),
        "ttl_ms": ttl_ms,
        "is_public": is_public,
    }


def validate_metadata(metadata: Any) -> dict[str, str] | None:
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        raise InvalidArgument("metadata must be an object of string keys to string values")
    if len(metadata) > MAX_METADATA_KEYS:
        raise InvalidArgument(f"metadata has more than {MAX_METADATA_KEYS} keys")
    for key, value in metadata.items():
        check_metadata_key(key, field="metadata key")
        if not isinstance(value, str):
            raise InvalidArgument(f"metadata[{key!r}] must be a string")
        if len(value) > MAX_METADATA_VALUE:
            raise InvalidArgument(
                f"metadata[{key!r}] is longer than {MAX_METADATA_VALUE} characters"
            )
        if why := text_problem(value, allow_tab=True):
            raise InvalidArgument(f"metadata[{key!r}] {why}")
    return dict(metadata)


def check_metadata_key(key: str, *, field: str = "key") -> None:
    if not key:
        raise InvalidArgument(f"{field} must not be empty")
    if len(key) > MAX_METADATA_KEY:
        raise InvalidArgument(f"{field} is longer than {MAX_METADATA_KEY} characters")
    if why := text_problem(key):
        raise InvalidArgument(f"{field} {why}")


def _param(params: QueryParams, name: str) -> str | None:
    """A query parameter; empty counts as absent (the spec allows empty values)."""
    value = params.get(name)
    return value if value else None


def _int_param(params: QueryParams, name: str, default: int, low: int, high: int) -> int:
    raw = _param(params, name)
    if raw is None:
        return default
    try:
        value = int(raw.strip(), 10)
    except ValueError:
        raise InvalidArgument(f"{name} must be an integer, not {raw[:40]!r}") from None
    if not low <= value <= high:
        raise InvalidArgument(f"{name} must be between {low} and {high}")
    return value


def _text_param(params: QueryParams, name: str) -> str | None:
    value = _param(params, name)
    if value is not None and (why := text_problem(value, allow_tab=True)):
        raise InvalidArgument(f"{name} {why}")
    return value


def parse_list_query(params: QueryParams) -> ListQuery:
    content_type = _param(params, "content_type")
    if content_type is not None and content_type not in CONTENT_TYPES:
        raise InvalidArgument(f"content_type must be one of {', '.join(CONTENT_TYPES)}")
    state = _param(params, "state")
    if state is not None and state not in STATES:
        raise InvalidArgument(f"state must be one of {', '.join(STATES)}")
    raw_total = _param(params, "include_total_count")
    include_total = True
    if raw_total is not None:
        lowered = raw_total.lower()
        if lowered not in ("true", "false", "1", "0"):
            raise InvalidArgument("include_total_count must be true or false")
        include_total = lowered in ("true", "1")
    return ListQuery(
        limit=_int_param(params, "limit", DEFAULT_LIMIT, 0, MAX_LIMIT),
        starting_after=_text_param(params, "starting_after"),
        name=_text_param(params, "name"),
        content_type=content_type,
        state=state,
        search=_text_param(params, "search"),
        include_total_count=include_total,
    )


def parse_duration(params: QueryParams) -> int:
    try:
        return _int_param(
            params, "duration_seconds", DEFAULT_DURATION_S, MIN_DURATION_S, MAX_DURATION_S
        )
    except InvalidArgument as exc:
        # The cap is SigV4's: an S3 presigned URL lives at most 7 days.
        raise InvalidArgument(
            f"{exc.message} (presigned URLs are capped at 7 days, {MAX_DURATION_S} seconds)"
        ) from None
