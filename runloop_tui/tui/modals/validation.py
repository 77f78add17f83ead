"""Validators and the small pieces every form modal shares: a message shown AT its field.

The limits and text rules come from runloop_tui.limits, which the local server enforces too, so
a form refuses what the server would refuse, with the reason next to the field.
"""

from __future__ import annotations

import stat
from pathlib import Path

from textual.content import Content
from textual.suggester import Suggester
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label

from runloop_tui.limits import MAX_DURATION_S, MAX_NAME, MAX_TTL_MS, MIN_DURATION_S, text_problem
from runloop_tui.query.units import UnitError, parse_duration


def expand_path(text: str) -> Path:
    """A typed path with `~` expanded; relative paths stay relative to the working directory.

    `~nosuchuser` (or a NUL after `~`) cannot be expanded: it is then taken literally, and
    the field reports that nothing exists there instead of the app crashing.
    """
    raw = text.strip()
    try:
        return Path(raw).expanduser()
    except (RuntimeError, ValueError, KeyError, OSError):
        return Path(raw)


def probe(path: Path) -> tuple[str | None, str | None]:
    """(kind, problem): kind is "file", "dir", "other" or None (nothing there).

    Never raises: a NUL byte, a name too long or a permission error become the problem.
    """
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None, None
    except ValueError:
        return None, "The path contains a NUL character."
    except OSError as exc:
        return None, f"Cannot use this path: {exc.strerror or exc}."
    if stat.S_ISDIR(mode):
        return "dir", None
    if stat.S_ISREG(mode):
        return "file", None
    return "other", None


class PathValidator(Validator):
    """A path typed in a field: refused when empty or when it cannot be looked at, before
    ``check`` sees it (with what `probe` found there)."""

    empty_message = "Enter a path."

    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            return self.failure(self.empty_message)
        path = expand_path(value)
        kind, problem = probe(path)
        problem = problem or self.check(path, kind)
        return self.failure(problem) if problem else self.success()

    def check(self, path: Path, kind: str | None) -> str | None:
        """Why ``path`` (a ``kind`` from probe) will not do; None when it will."""
        raise NotImplementedError


class ExistingPath(PathValidator):
    """A file or a directory that exists and can be read."""

    empty_message = "Choose a file or a directory to upload."

    def check(self, path: Path, kind: str | None) -> str | None:
        if kind is None:
            return f"No such file or directory: {path}"
        if kind == "other":
            return "Only regular files and directories can be uploaded."
        if kind == "file":
            try:
                with path.open("rb"):
                    pass
            except OSError as exc:
                return f"Cannot read it: {exc.strerror or exc}"
        return None


class ObjectName(Validator):
    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            return self.failure("The name cannot be empty.")
        if len(value) > MAX_NAME:
            return self.failure(f"The name is {len(value):,} characters; at most {MAX_NAME:,}.")
        if why := text_problem(value):
            return self.failure(f"The name {why}.")
        return self.success()


class Duration(Validator):
    """A human duration (`30m`, `12h`, `7d`) within bounds; empty allowed when `optional`."""

    def __init__(self, min_seconds: float, max_seconds: float, *, optional: bool, what: str):
        super().__init__()
        self.min_seconds = min_seconds
        self.max_seconds = max_seconds
        self.optional = optional
        self.what = what

    def validate(self, value: str) -> ValidationResult:
        if not value.strip():
            if self.optional:
                return self.success()
            return self.failure(f"Enter {self.what}, e.g. 30m, 12h or 7d.")
        try:
            seconds = parse_duration(value)
        except UnitError as exc:
            return self.failure(str(exc).capitalize() + ".")
        if not self.min_seconds <= seconds <= self.max_seconds:
            return self.failure(
                f"{self.what.capitalize()} must be between {_span(self.min_seconds)} "
                f"and {_span(self.max_seconds)}."
            )
        return self.success()


def _span(seconds: float) -> str:
    for unit, size in (("years", 365 * 86400), ("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size and seconds % size == 0:
            n = int(seconds // size)
            return f"{n} {unit[:-1] if n == 1 else unit}"
    n = int(seconds)
    return f"{n} second" if n == 1 else f"{n} seconds"


def ttl_validator() -> Duration:
    return Duration(1, MAX_TTL_MS // 1000, optional=True, what="the time to live")


def url_duration_validator() -> Duration:
    return Duration(MIN_DURATION_S, MAX_DURATION_S, optional=False, what="the validity")


def duration_seconds(text: str) -> int | None:
    """The whole seconds in a valid optional duration field (None when empty)."""
    if not text.strip():
        return None
    return max(1, round(parse_duration(text)))


class FieldError(Label):
    """The message under a field; empty (and hidden) while the field is fine."""

    DEFAULT_CSS = """
    FieldError { color: $error; height: auto; display: none; padding: 0 1; }
    FieldError.-shown { display: block; }
    """

    def show(self, message: str | None) -> None:
        self.update(Content(message or ""))  # plain: paths and names may hold [brackets]
        self.set_class(bool(message), "-shown")


def checked_input(
    field_id: str,
    validator: Validator,
    value: str = "",
    *,
    placeholder: str = "",
    suggester: Suggester | None = None,
) -> Input:
    """A form field checked as it changes and on Enter; its message goes in the FieldError
    with the id ``<field_id>-error``."""
    return Input(
        value,
        placeholder=placeholder,
        id=field_id,
        suggester=suggester,
        validators=[validator],
        validate_on=["changed", "submitted"],
        compact=True,
    )


def first_failure(result: ValidationResult | None) -> str | None:
    if result is None or result.is_valid:
        return None
    return result.failure_descriptions[0] if result.failure_descriptions else "Invalid value."
