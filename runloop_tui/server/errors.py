"""Errors the server answers with: one exception type, one JSON shape.

Every error body is ``{"error": {"code": ..., "message": ...}}`` and the message names
the offending field or state, so a client can show it to a person unchanged.
"""

from __future__ import annotations

from starlette.responses import JSONResponse


class ApiError(Exception):
    status = 400
    code = "invalid_argument"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        return error_response(self.status, self.code, self.message, headers)


class InvalidArgument(ApiError):
    status = 400
    code = "invalid_argument"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"


class RangeNotSatisfiable(ApiError):
    status = 416
    code = "range_not_satisfiable"


class InsufficientStorage(ApiError):
    status = 507
    code = "insufficient_storage"


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )
