"""Typed models for the Objects API (ObjectView, ObjectListView and the enums).

Parsing is tolerant: unknown extra fields are kept aside rather than rejected, and an
unknown enum value becomes a pseudo-member, because the real service adds fields and
states over time and the browser must keep working when it does.

Parsing is also where a server's odd values are made safe for everything downstream: a
negative size becomes unknown (its raw value kept among the extra fields, so the detail pane
still shows what the server said), a negative total_count becomes unknown, non-object
metadata becomes none, and a malformed object in a list page is skipped and counted instead
of failing the whole page. Timestamps stay as sent (sorting and export need the number);
``valid_time_ms`` tells the display which ones are outside what a clock can show.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from enum import StrEnum
from itertools import repeat
from typing import Any


class _TolerantStrEnum(StrEnum):
    @classmethod
    def _missing_(cls, value: object) -> _TolerantStrEnum | None:
        if not isinstance(value, str):
            return None
        pseudo = str.__new__(cls, value)
        pseudo._name_ = value
        pseudo._value_ = value
        return pseudo


class ContentType(_TolerantStrEnum):
    UNSPECIFIED = "unspecified"
    TEXT = "text"
    BINARY = "binary"
    GZIP = "gzip"
    TAR = "tar"
    TGZ = "tgz"


class ObjectState(_TolerantStrEnum):
    UPLOADING = "UPLOADING"
    READ_ONLY = "READ_ONLY"
    DELETED = "DELETED"
    ERROR = "ERROR"


KNOWN_CONTENT_TYPES: tuple[ContentType, ...] = tuple(ContentType)
_TYPE_BY_VALUE: dict[str, ContentType] = {m.value: m for m in ContentType}
_STATE_BY_VALUE: dict[str, ObjectState] = {m.value: m for m in ObjectState}
KNOWN_STATES: tuple[ObjectState, ...] = tuple(ObjectState)


# Milliseconds since the epoch that a datetime can show: 1970-01-01 to 9999-12-31. The service
# never sends times before 1970, so an earlier one is as wrong as one in the year 67508.
MAX_TIME_MS = 253_402_300_799_999
# Where a sanitised value's raw form is kept (shown among the detail pane's other fields).
INVALID_SIZE_KEY = "size_bytes (invalid)"


def valid_time_ms(value: int) -> bool:
    """A timestamp a clock can show; anything else reads as "invalid time"."""
    return 0 <= value <= MAX_TIME_MS


def _opt_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected an integer, got {value!r}")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"expected an integer, got {value!r}")  # also inf and nan
    return int(value)


def _sane(obj: ObjectView) -> ObjectView:
    """Odd values made safe (the rare path: most objects never get here)."""
    size = obj.size_bytes
    if size is not None and size < 0:
        _set_size_bytes(obj, None)
        _set_extra(obj, {**obj.extra, INVALID_SIZE_KEY: size})
    return obj


@dataclass(frozen=True, slots=True)
class ObjectView:
    """One Storage Object, as the API returns it."""

    id: str
    name: str
    state: ObjectState
    content_type: ContentType
    create_time_ms: int
    size_bytes: int | None = None
    delete_after_time_ms: int | None = None
    metadata: dict[str, str] | None = None
    upload_url: str | None = field(default=None, repr=False)
    upload_headers: dict[str, str] | None = field(default=None, repr=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ObjectView:
        """Build from a decoded JSON object; raises ValueError on a malformed one."""
        if not isinstance(data, dict):
            raise ValueError("an object must be a JSON object")
        # Hot path (100k objects per full load): dict lookups instead of Enum calls, no
        # conversions when the JSON already has the right types, no extras dict scan when
        # every key is known.
        try:
            raw_state = data["state"]
            state = _STATE_BY_VALUE.get(raw_state) or ObjectState(raw_state)
            raw_type = data.get("content_type") or "unspecified"
            content_type = _TYPE_BY_VALUE.get(raw_type) or ContentType(raw_type)
            object_id = data["id"]
            name = data["name"]
            created = data["create_time_ms"]
            size = data.get("size_bytes")
            delete_after = data.get("delete_after_time_ms")
            metadata = data.get("metadata")
            headers = data.get("upload_headers")
            extra = (
                _NO_EXTRA
                if data.keys() <= _KNOWN
                else {k: v for k, v in data.items() if k not in _KNOWN}
            )
            if type(name) is not str:
                # null reads "(no name)", anything else as JSON text, never a Python repr;
                # export gives back what was sent (see to_json).
                extra = {**extra, "name": name}
                name = "" if name is None else json_text(name)
            if isinstance(metadata, dict):
                try:
                    metadata = _shared_metadata(metadata)
                except _OddMetadata:
                    extra = {**extra, "metadata": metadata}
                    metadata = {str(k): json_text(v) for k, v in metadata.items()}
            else:
                metadata = None
            obj = _build(
                object_id if type(object_id) is str else str(object_id),
                name,
                state,
                content_type,
                created if type(created) is int else _int(created),
                size if size is None or type(size) is int else _opt_int(size),
                delete_after
                if delete_after is None or type(delete_after) is int
                else _opt_int(delete_after),
                metadata,
                data.get("upload_url"),
                {str(k): str(v) for k, v in headers.items()} if isinstance(headers, dict) else None,
                extra,
            )
        except KeyError as exc:
            raise ValueError(f"object is missing the field {exc.args[0]!r}") from None
        except (TypeError, AttributeError, OverflowError) as exc:
            raise ValueError(f"malformed object: {exc}") from None
        if obj.size_bytes is not None and obj.size_bytes < 0:
            obj = _sane(obj)
        return obj

    def to_json(self) -> dict[str, Any]:
        """The spec's fields, for export; presigned URLs are left out on purpose. A name or
        metadata the server sent in another type than a string is given back as sent."""
        fields = {
            "id": self.id,
            "name": self.name,
            "state": str(self.state),
            "content_type": str(self.content_type),
            "size_bytes": self.size_bytes,
            "create_time_ms": self.create_time_ms,
            "delete_after_time_ms": self.delete_after_time_ms,
            "metadata": dict(self.metadata) if self.metadata is not None else None,
        }
        for key in SENT_AS_IS:
            if key in self.extra:
                fields[key] = self.extra[key]
        return fields

    def is_expired(self, now_ms: int) -> bool:
        return self.delete_after_time_ms is not None and self.delete_after_time_ms <= now_ms

    @property
    def is_live(self) -> bool:
        return self.state is not ObjectState.DELETED


# A frozen dataclass __init__ pays one object.__setattr__ per field; writing the slots
# directly is what it does anyway, minus the overhead (~40% of the time of a 100k-object
# parse). Only from_json uses it; the values are already converted there.
_new_object = object.__new__
(
    _set_id,
    _set_name,
    _set_state,
    _set_content_type,
    _set_create_time_ms,
    _set_size_bytes,
    _set_delete_after_time_ms,
    _set_metadata,
    _set_upload_url,
    _set_upload_headers,
    _set_extra,
) = (
    ObjectView.__dict__[name].__set__
    for name in (
        "id",
        "name",
        "state",
        "content_type",
        "create_time_ms",
        "size_bytes",
        "delete_after_time_ms",
        "metadata",
        "upload_url",
        "upload_headers",
        "extra",
    )
)


# Memory per object matters at a million of them (issue 16: a peak of 1 GB at most).
# - An object with no unknown fields shares one empty ``extra`` (never mutated: _sane
#   builds a new one): 64 bytes each.
# - Equal metadata is shared: agents tag many objects alike (``{"agent": "claude"}``,
#   a batch or run id), and each copy costs a dict and its strings, ~250 bytes. The cache
#   is bounded; it starts afresh when full (what it handed out stays valid). Nothing
#   mutates an ObjectView's metadata (it is frozen in spirit; to_json copies).
_NO_EXTRA: dict[str, Any] = {}
_METADATA_CACHE_MAX = 65_536
_metadata_cache: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}


# Fields whose value as sent is kept in ``extra`` when it was not a string (a null name,
# metadata values that are numbers, nulls or objects): export gives it back unchanged.
SENT_AS_IS = ("name", "metadata")


class _OddMetadata(Exception):
    """Metadata with a value that is not a string: the per-object path converts it."""


def json_text(value: Any) -> str:
    """A JSON value as the text a user reads: ``null``, ``1``, ``{"x": 1}`` (not a repr)."""
    if type(value) is str:
        return value
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        return str(value)


def _shared_metadata(raw: dict[Any, Any]) -> dict[str, str]:
    """The metadata, shared with equal ones seen before; raises _OddMetadata when a value is
    not a string (a cache hit never is: the cache holds strings only)."""
    try:
        # Metadata seen before, as sent (all strings; JSON's other values never equal one).
        shared = _metadata_cache.get(tuple(raw.items()))
    except TypeError:  # an array or an object among the values: not hashable
        shared = None
    if shared is not None:
        return shared
    if not all(type(v) is str for v in raw.values()):
        raise _OddMetadata
    metadata = {str(k): v for k, v in raw.items()}
    key = tuple(metadata.items())
    shared = _metadata_cache.get(key)
    if shared is not None:
        return shared
    if len(_metadata_cache) >= _METADATA_CACHE_MAX:
        _metadata_cache.clear()
    _metadata_cache[key] = metadata
    return metadata


# The JSON keys that are fields; everything else is kept aside in ``extra``.
_KNOWN = frozenset(f.name for f in fields(ObjectView)) - {"extra"}


def _build(
    object_id: str,
    name: str,
    state: ObjectState,
    content_type: ContentType,
    create_time_ms: int,
    size_bytes: int | None,
    delete_after_time_ms: int | None,
    metadata: dict[str, str] | None,
    upload_url: str | None,
    upload_headers: dict[str, str] | None,
    extra: dict[str, Any],
) -> ObjectView:
    obj: ObjectView = _new_object(ObjectView)
    _set_id(obj, object_id)
    _set_name(obj, name)
    _set_state(obj, state)
    _set_content_type(obj, content_type)
    _set_create_time_ms(obj, create_time_ms)
    _set_size_bytes(obj, size_bytes)
    _set_delete_after_time_ms(obj, delete_after_time_ms)
    _set_metadata(obj, metadata)
    _set_upload_url(obj, upload_url)
    _set_upload_headers(obj, upload_headers)
    _set_extra(obj, extra)
    return obj


def _int(value: Any) -> int:
    number = _opt_int(value)
    if number is None:
        raise ValueError("expected an integer, got None")
    return number


@dataclass(frozen=True, slots=True)
class ObjectListView:
    objects: list[ObjectView]
    has_more: bool
    total_count: int | None = None
    # Objects in the page that could not be read (missing fields, wrong types): skipped, so
    # one bad object does not hide the other 999 of its page.
    skipped: int = 0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ObjectListView:
        if not isinstance(data, dict) or not isinstance(data.get("objects"), list):
            raise ValueError("a list response must have an 'objects' array")
        items: list[Any] = data["objects"]
        objects = _plain_page(items)
        skipped = 0
        if objects is None:
            objects = []
            parse = ObjectView.from_json
            for item in items:
                try:
                    objects.append(parse(item))
                except ValueError:
                    skipped += 1
        try:
            total = _opt_int(data.get("total_count"))
        except ValueError:
            total = None
        return cls(
            objects=objects,
            has_more=bool(data.get("has_more", False)),
            # A negative total is no count at all.
            total_count=None if total is None or total < 0 else total,
            skipped=skipped,
        )


_INT = frozenset({int})
_STR = frozenset({str})
_OPT_INT = frozenset({int, type(None)})
_NONE = frozenset({type(None)})
_DICT = frozenset({dict})
# A missing or empty content_type reads as unspecified (as in ObjectView.from_json).
_TYPE_OR_UNSPECIFIED: dict[object, ContentType] = {None: ContentType.UNSPECIFIED}
_TYPE_OR_UNSPECIFIED.update(_TYPE_BY_VALUE)
_TYPE_OR_UNSPECIFIED[""] = ContentType.UNSPECIFIED


def _plain_page(items: list[Any]) -> list[ObjectView] | None:
    """A page parsed column by column, or None when any object needs ObjectView.from_json.

    A list page of 5,000 is the hot path of a load (a million objects: 200 pages): one
    comprehension per field and one check per column cost a fraction of a call per object.
    Only a page where every object is plain takes it: every field of the expected type (no
    conversion needed), known states and content types, no negative size, no unknown field,
    no upload headers. Anything else (a missing field, a float, a bool, an odd value) sends
    the whole page down the per-object path, which converts, sanitises and skips as before,
    so both paths give the same objects.
    """
    if not items or set(map(type, items)) != _DICT:
        return None
    if not all(map(_KNOWN.issuperset, items)):
        return None  # an unknown field: kept aside in ``extra`` by the per-object path
    try:
        ids = [o["id"] for o in items]
        names = [o["name"] for o in items]
        created = [o["create_time_ms"] for o in items]
        states = list(map(_STATE_BY_VALUE.__getitem__, [o["state"] for o in items]))
        kinds = list(map(_TYPE_OR_UNSPECIFIED.__getitem__, [o.get("content_type") for o in items]))
    except (KeyError, TypeError):  # missing, or an unknown or unhashable value
        return None
    sizes = [o.get("size_bytes") for o in items]
    expiries = [o.get("delete_after_time_ms") for o in items]
    urls = [o.get("upload_url") for o in items]
    if not (
        set(map(type, ids)) == _STR
        and set(map(type, names)) == _STR
        and set(map(type, created)) == _INT
        and set(map(type, sizes)) <= _OPT_INT
        and set(map(type, expiries)) <= _OPT_INT
        and set(map(type, [o.get("upload_headers") for o in items])) == _NONE
    ):
        return None
    if min([s for s in sizes if s is not None], default=0) < 0:
        return None  # sanitised by the per-object path
    raw_metadata = [o.get("metadata") for o in items]
    try:
        metadata = [_shared_metadata(m) if type(m) is dict else None for m in raw_metadata]
    except _OddMetadata:
        return None  # a value that is not a string: the per-object path keeps it as sent
    return list(
        map(
            _build,
            ids,
            names,
            states,
            kinds,
            created,
            sizes,
            expiries,
            metadata,
            urls,
            repeat(None),
            repeat(_NO_EXTRA),
        )
    )


@dataclass(frozen=True, slots=True)
class MetadataValues:
    key: str
    values: list[str]
