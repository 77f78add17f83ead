"""Errors the server answers with: one exception type, one JSON shape.

Every error body is ``{"error": {"code": ..., "message": ...}}`` and the message names
the offending field or state, so a client can show it to a person unchanged.
"""

from __future__ import annotations

from starlette.responses import JSONResponse


class ProblemResponse(Exception):
    """A request the server refuses: ``status`` and ``code`` make the JSON error answer.

    Not ``ApiError``: that name belongs to the client (``api/errors.py``), which *receives*
    such answers; this one is raised inside the server to *send* them.
    """

    status = 400
    code = "invalid_argument"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        return error_response(self.status, self.code, self.message, headers)


class InvalidArgument(ProblemResponse):
    status = 400
    code = "invalid_argument"


class Unauthorized(ProblemResponse):
    status = 401
    code = "unauthorized"


class Forbidden(ProblemResponse):
    status = 403
    code = "forbidden"


class NotFound(ProblemResponse):
    status = 404
    code = "not_found"


class Conflict(ProblemResponse):
    status = 409
    code = "conflict"


class PayloadTooLarge(ProblemResponse):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(ProblemResponse):
    status = 415
    code = "unsupported_media_type"


class RangeNotSatisfiable(ProblemResponse):
    status = 416
    code = "range_not_satisfiable"


class InsufficientStorage(ProblemResponse):
    status = 507
    code = "insufficient_storage"


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )
