"""One hierarchy for every way an Objects API call can fail.

Each error carries the HTTP status, the server's message and the request id, and its
``str()`` is one human sentence. None of them ever holds the API key.
"""

from __future__ import annotations


class ApiError(Exception):
    """Base class: something went wrong talking to the Objects API."""

    status: int | None = None
    kind = "API error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.request_id = request_id
        self.method = method
        self.path = path

    def __str__(self) -> str:
        where = f" ({self.method} {self.path})" if self.method and self.path else ""
        status = f"HTTP {self.status} " if self.status is not None else ""
        text = self.message.rstrip(".")
        return f"{status}{self.kind}{where}: {text}."

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, message={self.message!r}, "
            f"request_id={self.request_id!r})"
        )


class HttpStatusError(ApiError):
    """The server answered with an error status."""


class BadRequestError(HttpStatusError):
    status = 400
    kind = "Bad request"


class UnauthorizedError(HttpStatusError):
    status = 401
    kind = "Unauthorized"


class ForbiddenError(HttpStatusError):
    status = 403
    kind = "Forbidden"


class NotFoundError(HttpStatusError):
    status = 404
    kind = "Not found"


class ConflictError(HttpStatusError):
    status = 409
    kind = "Conflict"


class RateLimitedError(HttpStatusError):
    status = 429
    kind = "Rate limited"


class ServerError(HttpStatusError):
    status = 500
    kind = "Server error"


class NetworkError(ApiError):
    """The server could not be reached, or the connection broke."""

    kind = "Network error"


class ApiTimeoutError(NetworkError):
    """The server did not answer in time."""

    kind = "Timed out"


class TransferCancelled(ApiError):
    """A transfer was cancelled by the user."""

    kind = "Cancelled"


class ProtocolError(ApiError):
    """The server answered, but not with what the contract promises."""

    kind = "Unexpected response"


_BY_STATUS: dict[int, type[HttpStatusError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitedError,
}


def error_for_status(status: int) -> type[HttpStatusError]:
    """The error class that stands for an HTTP status."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    return HttpStatusError


class UploadSourceError(ApiError):
    """The local file or directory being uploaded could not be read to the end."""

    kind = "Upload failed"
