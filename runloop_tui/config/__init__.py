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

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import platformdirs

from runloop_tui.config.checks import (
    ACCENT_COLOURS,
    BUILTIN_THEMES,
    DEFAULT_MAX_OBJECTS,
    MAX_OBJECTS_LIMIT,
    ConfigError,
    check_api_key,
    check_directory,
    check_max_objects,
    check_refresh,
    check_url,
    parse_refresh_flag,
    suggest,
)
from runloop_tui.config.file import ConfigFile, known_profiles, read_config_file
from runloop_tui.config.settings import (
    DEFAULT_BASE_URL,
    FLAGS,
    SHARED_KEYS,
    ConnectionKind,
    Overrides,
    Settings,
    contract_home,
)
from runloop_tui.views import View, ViewError, check_filter, parse_sort

__all__ = [
    "ACCENT_COLOURS",
    "API_KEY_ENV",
    "APP_NAME",
    "BASE_URL_ENV",
    "BUILTIN_THEMES",
    "CONFIG_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_OBJECTS",
    "MAX_OBJECTS_LIMIT",
    "ConfigError",
    "ConfigFile",
    "ConfigProfiles",
    "ConnectionKind",
    "Overrides",
    "Settings",
    "check_api_key",
    "check_directory",
    "check_max_objects",
    "check_refresh",
    "check_url",
    "config_path_for",
    "contract_home",
    "default_config_path",
    "default_data_dir",
    "default_state_dir",
    "load_settings",
    "parse_refresh_flag",
    "prepare_data_dir",
    "read_config_file",
]

APP_NAME = "runloop-tui"
API_KEY_ENV = "RUNLOOP_API_KEY"
BASE_URL_ENV = "RUNLOOP_BASE_URL"
CONFIG_ENV = "RUNLOOP_TUI_CONFIG"


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def default_state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))


def default_data_dir() -> Path:
    # The same default as `runloop-tui serve` (server/datadir.py), so both share one store.
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


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
                known = known_profiles(config.profiles)
                raise ConfigError(
                    f"--profile: unknown profile {profile_name!r}"
                    f"{suggest(profile_name, config.profiles)} ({known} in {path})"
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

    for spec in FLAGS:
        assert spec.flag is not None
        given = getattr(flags, spec.flag.attribute)
        if given is not None and given is not False:  # an unset flag: None, or False
            values[spec.name] = spec.flag.parse(given, spec.flag.text)
    start_view = _start_view(flags, config)

    local_dir: Path | None = None
    if api_key is None and not flags.demo:
        local_dir = (
            _check_data_dir(flags.data_dir, "--data-dir")
            if flags.data_dir is not None
            else default_data_dir()
        )
    return Settings(
        **{name: value for name, value in values.items() if name in SHARED_KEYS},
        base_url=base_url,
        api_key=api_key,
        profile=profile_name,
        local_data_dir=local_dir,
        demo=flags.demo,
        # The production marker only means something on the profile's own remote.
        accent=values.get("accent") if api_key is not None else None,
        keymap=dict(config.keys),
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
                f"--view: unknown view {flags.view!r}{suggest(flags.view, config.views)}"
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
