"""Async client for the Runloop Objects API (no UI imports here).

Importing it changes nothing outside it: the process-wide speed-ups (httpcore's read size,
h11's buffer) are applied by ``runloop_tui.api.transport.install()``, which the app's entry
points call.
"""

from runloop_tui.api.client import DEFAULT_BASE_URL, ListFilters, ObjectsClient
from runloop_tui.api.content_types import default_object_name, infer_content_type
from runloop_tui.api.errors import (
    ApiError,
    ApiTimeoutError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    HttpStatusError,
    NetworkError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    ServerError,
    TransferCancelled,
    UnauthorizedError,
    UploadSourceError,
)
from runloop_tui.api.models import (
    ContentType,
    MetadataValues,
    ObjectListView,
    ObjectState,
    ObjectView,
)
from runloop_tui.api.retry import RetryEvent, RetryPolicy
from runloop_tui.api.transfers import CancelToken, ProgressCallback

__all__ = [
    "DEFAULT_BASE_URL",
    "ApiError",
    "ApiTimeoutError",
    "BadRequestError",
    "CancelToken",
    "ConflictError",
    "ContentType",
    "ForbiddenError",
    "HttpStatusError",
    "ListFilters",
    "MetadataValues",
    "NetworkError",
    "NotFoundError",
    "ObjectListView",
    "ObjectState",
    "ObjectView",
    "ObjectsClient",
    "ProgressCallback",
    "ProtocolError",
    "RateLimitedError",
    "RetryEvent",
    "RetryPolicy",
    "ServerError",
    "TransferCancelled",
    "UnauthorizedError",
    "UploadSourceError",
    "default_object_name",
    "infer_content_type",
]
