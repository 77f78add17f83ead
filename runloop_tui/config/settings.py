"""The Settings record, and the table of settings it declares.

Each setting that a config file or a flag may set is one field of :class:`Settings`,
declared with :func:`setting`: its default, its checker, and where it may appear. The
keys allowed in ``[defaults]`` and ``[profiles.NAME]``, and the flags applied on top, are
all derived from those fields, so adding a setting is one line here (plus its flag in
``Overrides`` and the command line, if it has one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from runloop_tui.config.checks import (
    DEFAULT_MAX_OBJECTS,
    Checker,
    check_accent,
    check_api_key,
    check_bool,
    check_directory,
    check_env_name,
    check_max_objects,
    check_refresh,
    check_retries,
    check_theme,
    check_timeout,
    check_url,
    parse_refresh_flag,
)
from runloop_tui.views import View

# Same value as api.client.DEFAULT_BASE_URL (a test keeps them equal); not imported from
# there because importing the client pulls in httpx, and `--version` should be instant.
DEFAULT_BASE_URL = "https://api.runloop.ai"

ConnectionKind = Literal["demo", "local", "remote"]

# Where a setting may appear in the config file: "defaults" means [defaults] and, overriding
# it, every [profiles.NAME]; "profile" means only in a profile (it belongs to a connection).
Place = Literal["defaults", "profile"]


@dataclass(frozen=True, slots=True)
class Flag:
    """The command-line flag that sets a setting: its ``Overrides`` attribute and parser."""

    attribute: str
    text: str
    parse: Checker


@dataclass(frozen=True, slots=True)
class SettingSpec:
    name: str
    check: Checker
    place: Place
    flag: Flag | None


_SPEC = "runloop_tui.setting"


def setting(
    check: Checker,
    default: Any = None,
    place: Place = "defaults",
    *,
    flag: Flag | None = None,
    factory: Callable[[], Any] | None = None,
    show: bool = True,
) -> Any:
    """A Settings field that the config file (and maybe a flag) can set."""
    spec = {_SPEC: (check, place, flag)}
    if factory is not None:
        return field(default_factory=factory, metadata=spec)
    return field(default=default, repr=show, metadata=spec)


def contract_home(path: Path) -> str:
    """``/home/me/x`` -> ``~/x``: shorter in a header, and no user name in screenshots."""
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the app needs to start, already validated."""

    base_url: str = setting(check_url, DEFAULT_BASE_URL, "profile")
    api_key: str | None = setting(check_api_key, None, "profile", show=False)
    profile: str | None = None
    # None: run against the embedded local store (no key, or --local / --demo).
    local_data_dir: Path | None = None
    demo: bool = False
    read_only: bool = setting(check_bool, False, flag=Flag("read_only", "--read-only", check_bool))
    # None: adaptive (a few seconds for small accounts, slower for large ones).
    refresh_seconds: float | None = setting(
        check_refresh, None, flag=Flag("refresh", "--refresh", parse_refresh_flag)
    )
    # setting() returns a dataclasses.Field (a fresh Path.cwd() per instance), not a value.
    download_dir: Path = setting(check_directory, factory=Path.cwd)  # noqa: RUF009
    # A theme colour name or variable for a production profile, e.g. "error".
    accent: str | None = setting(check_accent, None, "profile")
    max_retries: int = setting(check_retries, 5)
    timeout_seconds: float = setting(check_timeout, 30.0)
    # A built-in Textual theme name, e.g. "nord"; None keeps the app's default.
    theme: str | None = setting(check_theme, None, flag=Flag("theme", "--theme", check_theme))
    # Listing stops here (a server that pages forever must not eat the machine's memory).
    max_objects: int = setting(
        check_max_objects,
        DEFAULT_MAX_OBJECTS,
        flag=Flag("max_objects", "--max-objects", check_max_objects),
    )
    # Key remapping: binding id -> keys, from the [keys] table.
    keymap: dict[str, str] = field(default_factory=dict)
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


SETTING_SPECS = tuple(
    SettingSpec(f.name, *f.metadata[_SPEC]) for f in fields(Settings) if _SPEC in f.metadata
)
# Keys allowed in [defaults] and, overriding them, in every [profiles.NAME].
SHARED_KEYS: dict[str, Checker] = {s.name: s.check for s in SETTING_SPECS if s.place == "defaults"}
PROFILE_KEYS: dict[str, Checker] = {
    **SHARED_KEYS,
    **{s.name: s.check for s in SETTING_SPECS if s.place == "profile"},
    # Not a setting of its own: it names the variable that holds api_key.
    "api_key_env": check_env_name,
}
FLAGS = tuple(s for s in SETTING_SPECS if s.flag is not None)
