"""Value checkers for settings: ``(value, where) -> converted value``, or a ConfigError
whose one-line text names ``where`` (a file and key, a variable or a flag)."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Theme variables a profile may use to stand out; hex colours are deliberately not allowed.
ACCENT_COLOURS = ("error", "warning", "success", "accent", "primary", "secondary")

# Textual's built-in themes (textual is pinned; a test checks this list against it). Listed
# here because config must not import textual: it is slow to import and the TUI's business.
# fmt: off
BUILTIN_THEMES = (
    "ansi-dark", "ansi-light", "atom-one-dark", "atom-one-light", "catppuccin-frappe",
    "catppuccin-latte", "catppuccin-macchiato", "catppuccin-mocha", "dracula", "flexoki",
    "gruvbox", "monokai", "nord", "rose-pine", "rose-pine-dawn", "rose-pine-moon",
    "solarized-dark", "solarized-light", "textual-dark", "textual-light", "tokyo-night",
)
# fmt: on

# The most objects one listing loads; past it the filter's server-side parts ask the server.
DEFAULT_MAX_OBJECTS = 1_000_000
MAX_OBJECTS_LIMIT = 100_000_000

Checker = Callable[[object, str], Any]


class ConfigError(Exception):
    """Bad configuration or flags. ``str()`` is one line, naming the culprit."""


def type_name(value: object) -> str:
    return {bool: "a boolean", int: "an integer", float: "a decimal number", str: "a string"}.get(
        type(value), f"a {type(value).__name__}"
    )


def suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def expect_str(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a string, got {type_name(value)}")
    return value


def check_bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false, got {type_name(value)}")
    return value


def _check_number(value: object, where: str, *, low: float, high: float) -> float:
    # bool is an int subclass in Python; `read_only = true` pasted under the wrong key is a typo.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where} must be a number, got {type_name(value)}")
    if not low <= value <= high:
        raise ConfigError(f"{where} must be between {low:g} and {high:g}, got {value:g}")
    return float(value)


def check_refresh(value: object, where: str) -> float | None:
    """Seconds between list refreshes, or "auto" (None) for the adaptive default."""
    if value == "auto":
        return None
    if isinstance(value, str):
        raise ConfigError(f'{where} must be a number of seconds or "auto", got {value!r}')
    return _check_number(value, where, low=0.5, high=3600)


def parse_refresh_flag(text: object, where: str) -> float | None:
    """The flag form of refresh_seconds: text that must read as a number or "auto"."""
    try:
        value: object = text if text == "auto" else float(str(text))
    except ValueError:
        value = text
    return check_refresh(value, where)


def check_retries(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{where} must be an integer, got {type_name(value)}")
    if not 0 <= value <= 20:
        raise ConfigError(f"{where} must be between 0 and 20, got {value}")
    return value


def check_max_objects(value: object, where: str) -> int:
    """How many objects a listing may load: a whole number from 1 to 100,000,000."""
    if isinstance(value, str):
        try:
            value = int(value.replace("_", "").replace(",", "").strip())
        except ValueError:
            raise ConfigError(f"{where} must be a whole number, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{where} must be a whole number, got {type_name(value)}")
    if not 1 <= value <= MAX_OBJECTS_LIMIT:
        raise ConfigError(f"{where} must be between 1 and {MAX_OBJECTS_LIMIT:,}, got {value:,}")
    return value


def check_timeout(value: object, where: str) -> float:
    return _check_number(value, where, low=1, high=3600)


def check_directory(value: object, where: str) -> Path:
    text = expect_str(value, where)
    if not text.strip():
        raise ConfigError(f"{where} must not be empty")
    path = Path(text).expanduser()
    if not path.is_absolute():
        raise ConfigError(f"{where} must be an absolute path (~ is allowed), got {text!r}")
    if not path.is_dir():
        raise ConfigError(f"{where}: {text} is not a directory")
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(f"{where}: {text} is not writable")
    return path


def check_url(value: object, where: str) -> str:
    text = expect_str(value, where).strip()
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise ConfigError(f"{where} must be an http(s) URL with a host, got {text!r}")
    if any(ch.isspace() for ch in text):
        raise ConfigError(f"{where} must not contain spaces, got {text!r}")
    if parts.username or parts.password:
        # Credentials in a URL would end up in the header and in logs.
        raise ConfigError(f"{where} must not contain a user name or password")
    if parts.query or parts.fragment:
        raise ConfigError(f"{where} must not have a query or fragment, got {text!r}")
    return text.rstrip("/")


def check_api_key(value: object, where: str) -> str:
    # Never echo the value: it is a secret even when it is malformed.
    text = expect_str(value, where).strip()
    if not text:
        raise ConfigError(f"{where} is empty")
    if not text.isascii() or not text.isprintable() or " " in text:
        raise ConfigError(f"{where} contains spaces or control characters")
    return text


def check_env_name(value: object, where: str) -> str:
    text = expect_str(value, where)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text):
        raise ConfigError(f"{where} must be an environment variable name, got {text!r}")
    return text


def check_accent(value: object, where: str) -> str:
    text = expect_str(value, where)
    if text not in ACCENT_COLOURS:
        raise ConfigError(f"{where} must be one of {', '.join(ACCENT_COLOURS)}; got {text!r}")
    return text


def check_theme(value: object, where: str) -> str:
    text = expect_str(value, where)
    if text not in BUILTIN_THEMES:
        raise ConfigError(f"{where}: unknown theme {text!r}{suggest(text, BUILTIN_THEMES)}")
    return text


def check_keys(value: object, where: str) -> str:
    text = expect_str(value, where)
    keys = text.split(",")
    if not text or any(not key or any(ch.isspace() for ch in key) for key in keys):
        raise ConfigError(
            f'{where} must be keys separated by commas, like "ctrl+d,delete"; got {text!r}'
        )
    return text
