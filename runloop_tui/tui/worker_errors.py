"""Worker failures, handled in one place.

Every worker runs with exit_on_error=False, so a bug that is not an ApiError would otherwise
reach only the devtools log. Screens hand Worker.StateChanged(ERROR) here: the user gets a
toast with the message, the traceback goes to the `runloop_tui.tui` logger with every secret
replaced, and the screen then recovers its own state.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable
from typing import Any, Protocol

from textual.notifications import SeverityLevel
from textual.worker import Worker

log = logging.getLogger("runloop_tui.tui")
REDACTED = "[redacted]"


class Notifies(Protocol):
    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None: ...


def redact(text: str, secrets: Iterable[str | None]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return text


def report_worker_failure(
    node: Notifies, worker: Worker[Any], secrets: Iterable[str | None]
) -> None:
    """Say that ``worker`` failed, and log why; never a secret in either."""
    secrets = list(secrets)
    error = worker.error
    what = worker.description or worker.name or "A background task"
    if error is None:  # not a failure
        return
    message = redact(str(error) or type(error).__name__, secrets)
    # Without locals: they may hold the key or presigned URLs.
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    log.error("%s failed:\n%s", what, redact(trace, secrets))
    node.notify(
        f"{message}\n({type(error).__name__}; the screen carries on)",
        title=f"{what} failed",
        severity="error",
        markup=False,
    )
