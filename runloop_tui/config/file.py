"""Reading and validating one config.toml."""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runloop_tui.config.checks import (
    Checker,
    ConfigError,
    expect_str,
    suggest,
    type_name,
)
from runloop_tui.config.keymap import check_keymap
from runloop_tui.config.settings import PROFILE_KEYS, SHARED_KEYS
from runloop_tui.views import View, ViewError, check_view_name, view_from_table

_TOP_KEYS = ("default_profile", "defaults", "profiles", "keys", "views")


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """A validated config.toml."""

    path: Path | None = None
    default_profile: str | None = None
    defaults: dict[str, Any] = field(default_factory=dict)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)


def known_profiles(profiles: Mapping[str, object]) -> str:
    return "known: " + ", ".join(sorted(profiles)) if profiles else "no profiles are defined"


def _check_known(table: Mapping[str, object], allowed: Collection[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(f"{where}unknown key {key!r}{suggest(key, allowed)}")


def _table(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table, got {type_name(value)}")
    return value


def _validate_table(
    raw: Mapping[str, object], checkers: Mapping[str, Checker], where: str
) -> dict[str, Any]:
    _check_known(raw, checkers, f"{where}: ")
    return {key: checkers[key](value, f"{where} {key}") for key, value in raw.items()}


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
    import tomllib  # here, not at the top: most starts have no config file to parse

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
        default_profile = expect_str(raw["default_profile"], f"{where} default_profile")
    defaults_raw = _table(raw.get("defaults", {}), f"{where} [defaults]")
    defaults = _validate_table(defaults_raw, SHARED_KEYS, f"{where} [defaults]")
    profiles: dict[str, dict[str, Any]] = {}
    for name, body in _table(raw.get("profiles", {}), f"{where} [profiles]").items():
        label = f"{where} [profiles.{name}]"
        profile = _validate_table(_table(body, label), PROFILE_KEYS, label)
        if "api_key" in profile and "api_key_env" in profile:
            raise ConfigError(f"{label} sets both api_key and api_key_env; keep one")
        if "api_key" not in profile and "api_key_env" not in profile:
            raise ConfigError(f"{label} needs api_key or api_key_env")
        profiles[name] = profile
    keys = check_keymap(_table(raw.get("keys", {}), f"{where} [keys]"), where)
    if default_profile is not None and default_profile not in profiles:
        raise ConfigError(
            f"{where} default_profile {default_profile!r} is not a profile"
            f" ({known_profiles(profiles)})"
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
