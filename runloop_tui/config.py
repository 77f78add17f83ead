"""Settings and profiles.

Precedence, lowest first: defaults, config.toml, environment, flags.

The connection (base URL + API key) is chosen as one unit so a key is never sent to a URL
it was not configured with:
  1. ``--profile NAME`` (a flag, so it beats the environment);
  2. otherwise ``RUNLOOP_API_KEY`` (+ ``RUNLOOP_BASE_URL``), like Runloop's official SDK;
  3. otherwise ``default_profile`` from the config file;
  4. otherwise no key: the embedded local store.
``--base-url`` then overrides the URL of whichever connection was chosen.

Every problem raises :class:`ConfigError` whose text is one line naming the file, key,
variable or flag at fault, and never contains an API key.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import tomllib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import platformdirs

from runloop_tui.views import (
    View,
    ViewError,
    check_filter,
    check_view_name,
    parse_sort,
    view_from_table,
)

APP_NAME = "runloop-tui"
# Same value as api.client.DEFAULT_BASE_URL (a test keeps them equal); not imported from
# there because importing the client pulls in httpx, and `--version` should be instant.
DEFAULT_BASE_URL = "https://api.runloop.ai"
API_KEY_ENV = "RUNLOOP_API_KEY"
BASE_URL_ENV = "RUNLOOP_BASE_URL"
CONFIG_ENV = "RUNLOOP_TUI_CONFIG"

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

ConnectionKind = Literal["demo", "local", "remote"]


# The most objects one listing loads; past it the filter's server-side parts ask the server.
DEFAULT_MAX_OBJECTS = 1_000_000
MAX_OBJECTS_LIMIT = 100_000_000


class ConfigError(Exception):
    """Bad configuration or flags. ``str()`` is one line, naming the culprit."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the app needs to start, already validated."""

    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = field(default=None, repr=False)
    profile: str | None = None
    # None: run against the embedded local store (no key, or --local / --demo).
    local_data_dir: Path | None = None
    demo: bool = False
    read_only: bool = False
    # None: adaptive (a few seconds for small accounts, slower for large ones).
    refresh_seconds: float | None = None
    download_dir: Path = field(default_factory=Path.cwd)
    # A theme colour name or variable for a production profile, e.g. "error".
    accent: str | None = None
    max_retries: int = 5
    timeout_seconds: float = 30.0
    # Listing stops here (a server that pages forever must not eat the machine's memory).
    max_objects: int = DEFAULT_MAX_OBJECTS
    # Key remapping: binding id -> keys, from the [keys] table.
    keymap: dict[str, str] = field(default_factory=dict)
    # A built-in Textual theme name, e.g. "nord"; None keeps the app's default.
    theme: str | None = None
    # The config file that was read, if any (for messages and the about screen).
    config_path: Path | None = None
    # Named views from [views.NAME], and the view to open with (--view, --filter, --sort).
    views: dict[str, View] = field(default_factory=dict)
    start_view: View = field(default_factory=View)
    # Where the filter history is kept; None keeps it in memory only (tests, snapshots).
    state_dir: Path | None = None

    @property
    def is_local(self) -> bool:
        return self.local_data_dir is not None or self.demo

    @property
    def connection_kind(self) -> ConnectionKind:
        if self.demo:
            return "demo"
        return "local" if self.local_data_dir is not None else "remote"

    @property
    def connection_label(self) -> str:
        """A short text for the header: where the app is connected. Never holds the key."""
        if self.demo:
            return "demo store (temporary)"
        if self.local_data_dir is not None:
            return f"local store {contract_home(self.local_data_dir)}"
        if self.profile is not None:
            return self.profile
        parts = urlsplit(self.base_url)
        return parts.netloc or self.base_url


@dataclass(frozen=True, slots=True)
class Overrides:
    """Values from command-line flags (the highest precedence)."""

    profile: str | None = None
    base_url: str | None = None
    local: bool = False
    demo: bool = False
    read_only: bool = False
    refresh: str | None = None
    data_dir: str | None = None
    config: str | None = None
    theme: str | None = None
    filter: str | None = None
    sort: str | None = None
    view: str | None = None
    max_objects: str | None = None


def contract_home(path: Path) -> str:
    """``/home/me/x`` -> ``~/x``: shorter in a header, and no user name in screenshots."""
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def default_state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))


def default_data_dir() -> Path:
    # The same default as `runloop-tui serve` (server/datadir.py), so both share one store.
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


# --- value checkers: (value, where) -> converted value, or ConfigError naming `where` ---


def _type_name(value: object) -> str:
    return {bool: "a boolean", int: "an integer", float: "a decimal number", str: "a string"}.get(
        type(value), f"a {type(value).__name__}"
    )


def _expect_str(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a string, got {_type_name(value)}")
    return value


def _check_bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false, got {_type_name(value)}")
    return value


def _check_number(value: object, where: str, *, low: float, high: float) -> float:
    # bool is an int subclass in Python; `read_only = true` pasted under the wrong key is a typo.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where} must be a number, got {_type_name(value)}")
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


def parse_refresh_flag(text: str, where: str) -> float | None:
    """The flag form of refresh_seconds: text that must read as a number or "auto"."""
    try:
        value: object = text if text == "auto" else float(text)
    except ValueError:
        value = text
    return check_refresh(value, where)


def _check_retries(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{where} must be an integer, got {_type_name(value)}")
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
        raise ConfigError(f"{where} must be a whole number, got {_type_name(value)}")
    if not 1 <= value <= MAX_OBJECTS_LIMIT:
        raise ConfigError(f"{where} must be between 1 and {MAX_OBJECTS_LIMIT:,}, got {value:,}")
    return value


def _check_timeout(value: object, where: str) -> float:
    return _check_number(value, where, low=1, high=3600)


def check_directory(value: object, where: str) -> Path:
    text = _expect_str(value, where)
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
    text = _expect_str(value, where).strip()
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
    text = _expect_str(value, where).strip()
    if not text:
        raise ConfigError(f"{where} is empty")
    if not text.isascii() or not text.isprintable() or " " in text:
        raise ConfigError(f"{where} contains spaces or control characters")
    return text


def _check_env_name(value: object, where: str) -> str:
    text = _expect_str(value, where)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text):
        raise ConfigError(f"{where} must be an environment variable name, got {text!r}")
    return text


def _check_accent(value: object, where: str) -> str:
    text = _expect_str(value, where)
    if text not in ACCENT_COLOURS:
        raise ConfigError(f"{where} must be one of {', '.join(ACCENT_COLOURS)}; got {text!r}")
    return text


def _check_theme(value: object, where: str) -> str:
    text = _expect_str(value, where)
    if text not in BUILTIN_THEMES:
        raise ConfigError(f"{where}: unknown theme {text!r}{_suggest(text, BUILTIN_THEMES)}")
    return text


def _check_keys(value: object, where: str) -> str:
    text = _expect_str(value, where)
    keys = text.split(",")
    if not text or any(not key or any(ch.isspace() for ch in key) for key in keys):
        raise ConfigError(
            f'{where} must be keys separated by commas, like "ctrl+d,delete"; got {text!r}'
        )
    return text


Checker = Callable[[object, str], Any]

# Keys allowed in [defaults] and, overriding them, in every [profiles.NAME].
_SHARED_KEYS: dict[str, Checker] = {
    "refresh_seconds": check_refresh,
    "download_dir": check_directory,
    "max_retries": _check_retries,
    "timeout_seconds": _check_timeout,
    "max_objects": check_max_objects,
    "theme": _check_theme,
    "read_only": _check_bool,
}
_PROFILE_KEYS: dict[str, Checker] = {
    **_SHARED_KEYS,
    "base_url": check_url,
    "api_key": check_api_key,
    "api_key_env": _check_env_name,
    "accent": _check_accent,
}
_TOP_KEYS = ("default_profile", "defaults", "profiles", "keys", "views")


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_known(table: Mapping[str, object], allowed: Collection[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(f"{where}unknown key {key!r}{_suggest(key, allowed)}")


def _table(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table, got {_type_name(value)}")
    return value


def _validate_table(
    raw: Mapping[str, object], checkers: Mapping[str, Checker], where: str
) -> dict[str, Any]:
    _check_known(raw, checkers, f"{where}: ")
    return {key: checkers[key](value, f"{where} {key}") for key, value in raw.items()}


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """A validated config.toml."""

    path: Path | None = None
    default_profile: str | None = None
    defaults: dict[str, Any] = field(default_factory=dict)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)


def _holds_api_key(node: object) -> bool:
    if isinstance(node, dict):
        return any(key == "api_key" or _holds_api_key(value) for key, value in node.items())
    if isinstance(node, list):
        return any(_holds_api_key(item) for item in node)
    return False


def _check_permissions(path: Path) -> None:
    if os.name == "nt":  # POSIX modes mean nothing there; the user profile ACL protects it.
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        how = "readable" if mode & 0o044 else "writable"
        raise ConfigError(
            f"{path} holds an api_key and is {how} by others (mode {mode:04o});"
            f" run: chmod 600 {path}"
        )


def read_config_file(path: Path, *, named_by: str | None = None) -> ConfigFile:
    """Parse and validate one config file. The default file (``named_by`` None) may be
    absent; one named by a flag or variable must exist."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if named_by is not None:
            raise ConfigError(f"{named_by}: config file {path} does not exist") from None
        return ConfigFile()
    except IsADirectoryError:
        raise ConfigError(f"config file {path} is a directory") from None
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror}") from None
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        # The message already ends with "(at line L, column C)".
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    # Before anything else: even a misplaced key must not sit in a world-readable file.
    if _holds_api_key(raw):
        _check_permissions(path)
    return _validate_document(raw, path)


def _validate_document(raw: dict[str, object], path: Path) -> ConfigFile:
    _check_known(raw, _TOP_KEYS, f"{path}: ")
    where = f"{path}:"
    default_profile = None
    if "default_profile" in raw:
        default_profile = _expect_str(raw["default_profile"], f"{where} default_profile")
    defaults_raw = _table(raw.get("defaults", {}), f"{where} [defaults]")
    defaults = _validate_table(defaults_raw, _SHARED_KEYS, f"{where} [defaults]")
    profiles: dict[str, dict[str, Any]] = {}
    for name, body in _table(raw.get("profiles", {}), f"{where} [profiles]").items():
        label = f"{where} [profiles.{name}]"
        profile = _validate_table(_table(body, label), _PROFILE_KEYS, label)
        if "api_key" in profile and "api_key_env" in profile:
            raise ConfigError(f"{label} sets both api_key and api_key_env; keep one")
        if "api_key" not in profile and "api_key_env" not in profile:
            raise ConfigError(f"{label} needs api_key or api_key_env")
        profiles[name] = profile
    keys_raw = _table(raw.get("keys", {}), f"{where} [keys]")
    keys = {
        binding: _check_keys(value, f"{where} [keys] {binding}")
        for binding, value in keys_raw.items()
    }
    if default_profile is not None and default_profile not in profiles:
        raise ConfigError(
            f"{where} default_profile {default_profile!r} is not a profile"
            f" ({_known_profiles(profiles)})"
        )
    views: dict[str, View] = {}
    for name, body in _table(raw.get("views", {}), f"{where} [views]").items():
        label = f"{where} [views.{name}]"
        try:
            check_view_name(name, label)
            views[name] = view_from_table(_table(body, label), label)
        except ViewError as error:
            raise ConfigError(str(error)) from None
    return ConfigFile(path, default_profile, defaults, profiles, keys, views)


def _known_profiles(profiles: Mapping[str, object]) -> str:
    return "known: " + ", ".join(sorted(profiles)) if profiles else "no profiles are defined"


def _env(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "")
    return value if value.strip() else None


def config_path_for(overrides: Overrides, env: Mapping[str, str]) -> tuple[Path, str | None]:
    """The config file to read, and the flag or variable that named it (None: the default,
    which may be absent)."""
    if overrides.config is not None:
        return Path(overrides.config).expanduser(), "--config"
    from_env = _env(env, CONFIG_ENV)
    if from_env is not None:
        return Path(from_env).expanduser(), CONFIG_ENV
    return default_config_path(), None


def _check_conflicts(flags: Overrides) -> None:
    local_flag = "--demo" if flags.demo else "--local" if flags.local else None
    if flags.demo and flags.data_dir is not None:
        raise ConfigError("--demo uses a temporary store; it cannot be combined with --data-dir")
    if local_flag is None and flags.data_dir is not None:
        local_flag = "--data-dir"  # A data dir only makes sense for the local store.
    if local_flag is not None:
        for name, value in (("--profile", flags.profile), ("--base-url", flags.base_url)):
            if value is not None:
                raise ConfigError(f"{name} cannot be combined with {local_flag}")


def load_settings(
    overrides: Overrides | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Resolve defaults < config file < environment < flags into validated Settings.

    For the local store, base_url/api_key are left for the caller to fill in from the
    embedded server it starts; for --demo, so is local_data_dir (a fresh temporary dir).
    """
    flags = overrides or Overrides()
    environ = os.environ if env is None else env
    _check_conflicts(flags)
    path, named_by = config_path_for(flags, environ)
    config = read_config_file(path, named_by=named_by)

    values: dict[str, Any] = dict(config.defaults)
    wants_local = flags.demo or flags.local or flags.data_dir is not None
    profile_name: str | None = None
    base_url = DEFAULT_BASE_URL
    api_key: str | None = None

    if not wants_local:
        env_key = _env(environ, API_KEY_ENV)
        if flags.profile is not None:
            profile_name = flags.profile
        elif env_key is None:
            profile_name = config.default_profile
        if profile_name is not None:
            if profile_name not in config.profiles:
                known = _known_profiles(config.profiles)
                raise ConfigError(
                    f"--profile: unknown profile {profile_name!r}"
                    f"{_suggest(profile_name, config.profiles)} ({known} in {path})"
                )
            profile = config.profiles[profile_name]
            values.update(profile)
            base_url = profile.get("base_url", DEFAULT_BASE_URL)
            api_key = _profile_key(profile, profile_name, path, environ)
        elif env_key is not None:
            api_key = check_api_key(env_key, API_KEY_ENV)
            env_url = _env(environ, BASE_URL_ENV)
            if env_url is not None:
                base_url = check_url(env_url, BASE_URL_ENV)
        if flags.base_url is not None:
            base_url = check_url(flags.base_url, "--base-url")
            if api_key is None:
                raise ConfigError(
                    f"--base-url needs an API key: set {API_KEY_ENV} or use --profile"
                )

    if flags.read_only:
        values["read_only"] = True
    if flags.refresh is not None:
        values["refresh_seconds"] = parse_refresh_flag(flags.refresh, "--refresh")
    if flags.theme is not None:
        values["theme"] = _check_theme(flags.theme, "--theme")
    start_view = _start_view(flags, config)
    if flags.max_objects is not None:
        values["max_objects"] = check_max_objects(flags.max_objects, "--max-objects")

    local_dir: Path | None = None
    if api_key is None and not flags.demo:
        local_dir = (
            _check_data_dir(flags.data_dir, "--data-dir")
            if flags.data_dir is not None
            else default_data_dir()
        )
    return Settings(
        base_url=base_url,
        api_key=api_key,
        profile=profile_name,
        local_data_dir=local_dir,
        demo=flags.demo,
        read_only=values.get("read_only", False),
        refresh_seconds=values.get("refresh_seconds"),
        download_dir=values.get("download_dir") or Path.cwd(),
        # The production marker only means something on the profile's own remote.
        accent=values.get("accent") if api_key is not None else None,
        max_retries=values.get("max_retries", 5),
        timeout_seconds=values.get("timeout_seconds", 30.0),
        max_objects=values.get("max_objects", DEFAULT_MAX_OBJECTS),
        keymap=dict(config.keys),
        theme=values.get("theme"),
        config_path=config.path,
        views=dict(config.views),
        start_view=start_view,
        state_dir=default_state_dir(),
    )


def _start_view(flags: Overrides, config: ConfigFile) -> View:
    """--view NAME, with --filter and --sort replacing its parts."""
    view = View()
    if flags.view is not None:
        if flags.view not in config.views:
            known = ", ".join(sorted(config.views)) or "none are defined"
            raise ConfigError(
                f"--view: unknown view {flags.view!r}{_suggest(flags.view, config.views)}"
                f" (views: {known}; add [views.NAME] to the config file)"
            )
        view = config.views[flags.view]
    try:
        text = view.filter if flags.filter is None else check_filter(flags.filter, "--filter")
        sort = view.sort if flags.sort is None else parse_sort(flags.sort, "--sort")
    except ViewError as error:
        raise ConfigError(str(error)) from None
    return View(text, sort)


def _profile_key(profile: Mapping[str, Any], name: str, path: Path, env: Mapping[str, str]) -> str:
    if "api_key" in profile:
        return str(profile["api_key"])
    variable = str(profile["api_key_env"])
    value = _env(env, variable)
    where = f"{path}: [profiles.{name}] api_key_env"
    if value is None:
        raise ConfigError(f"{where}: environment variable {variable} is not set")
    return check_api_key(value, f"{where}: environment variable {variable}")


def _check_data_dir(text: str, where: str) -> Path:
    path = Path(text).expanduser().absolute()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{where}: {text} is not a directory")
    return path


def prepare_data_dir(path: Path, where: str = "--data-dir") -> Path:
    """Create the local store directory (owner-only: it holds the local API key)."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"{where}: cannot create {path}: {error.strerror}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(f"{where}: {path} is not writable")
    return path


class ConfigProfiles:
    """The config file's profiles, for switching inside the app (like k9s ``:ctx``).

    Each switch reads the file again, so a profile added while the app runs is there, and
    resolves the profile with the flags the app was started with (``--read-only`` stays on).
    """

    def __init__(self, overrides: Overrides, env: Mapping[str, str]) -> None:
        self._overrides = overrides
        self._env = dict(env)

    def names(self) -> list[str]:
        path, named_by = config_path_for(self._overrides, self._env)
        try:
            return sorted(read_config_file(path, named_by=named_by).profiles)
        except ConfigError:
            return []  # the palette lists nothing; switching reports the error itself

    def settings_for(self, name: str) -> Settings:
        """The Settings of profile ``name``; ConfigError (one line) if it cannot be used."""
        flags = replace(
            self._overrides, profile=name, base_url=None, local=False, demo=False, data_dir=None
        )
        return load_settings(flags, self._env)
