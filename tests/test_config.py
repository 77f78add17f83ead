"""Settings resolution: defaults < config file < environment < flags, profiles, validation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runloop_tui.config import (
    API_KEY_ENV,
    BASE_URL_ENV,
    BUILTIN_THEMES,
    CONFIG_ENV,
    ConfigError,
    Overrides,
    Settings,
    default_config_path,
    default_data_dir,
    load_settings,
)

FILE_KEY = "rk_file_key_0123456789"
ENV_KEY = "rk_env_key_9876543210"
PROFILE_ENV_KEY = "rk_profile_env_key_5555"


pytestmark = pytest.mark.usefixtures("isolated_environment")


def write_config(tmp_path: Path, text: str, mode: int = 0o600, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def load(
    config: Path | None = None, env: dict[str, str] | None = None, **flags: object
) -> Settings:
    overrides = Overrides(config=str(config) if config else None, **flags)  # type: ignore[arg-type]
    return load_settings(overrides, env or {})


PROFILES = """
default_profile = "staging"

[defaults]
refresh_seconds = 10
max_retries = 3
timeout_seconds = 12.5

[profiles.staging]
base_url = "https://staging.example.com/"
api_key = "rk_file_key_0123456789"
refresh_seconds = 20

[profiles.prod]
api_key_env = "PROD_KEY"
read_only = true
accent = "error"
"""


# --- defaults and the local store ---


def test_no_config_and_no_key_means_local_store() -> None:
    settings = load_settings(Overrides(), {})
    assert settings.is_local and settings.connection_kind == "local"
    assert settings.local_data_dir == default_data_dir()
    assert settings.api_key is None and settings.profile is None
    assert settings.refresh_seconds is None and settings.max_retries == 5
    assert settings.config_path is None
    assert settings.connection_label.startswith("local store ")


def test_default_paths_follow_platform_dirs(tmp_path: Path) -> None:
    assert default_config_path() == tmp_path / "xdg-config" / "runloop-tui" / "config.toml"
    assert default_data_dir() == tmp_path / "xdg-data" / "runloop-tui"


def test_default_config_file_is_read(tmp_path: Path) -> None:
    path = default_config_path()
    path.parent.mkdir(parents=True)
    path.write_text("[defaults]\nmax_retries = 1\n")
    settings = load_settings(Overrides(), {})
    assert settings.max_retries == 1 and settings.config_path == path


def test_local_data_dir_matches_the_servers_default() -> None:
    # `runloop-tui` and `runloop-tui serve` must share one store by default.
    from runloop_tui.server.datadir import default_data_dir as server_default

    assert default_data_dir() == server_default()


def test_default_base_url_matches_the_client() -> None:
    from runloop_tui.api.client import DEFAULT_BASE_URL as client_default
    from runloop_tui.config import DEFAULT_BASE_URL

    assert DEFAULT_BASE_URL == client_default == "https://api.runloop.ai"


def test_builtin_themes_match_textual() -> None:
    from textual.theme import BUILTIN_THEMES as textual_themes

    assert set(BUILTIN_THEMES) == set(textual_themes)


# --- precedence ---


def test_connection_precedence_file_env_flag(tmp_path: Path) -> None:
    path = write_config(tmp_path, PROFILES)
    from_file = load(path)
    assert (from_file.profile, from_file.base_url) == ("staging", "https://staging.example.com")
    assert from_file.api_key == FILE_KEY

    env = {API_KEY_ENV: ENV_KEY, BASE_URL_ENV: "http://127.0.0.1:9"}
    from_env = load(path, env)
    assert (from_env.profile, from_env.base_url, from_env.api_key) == (
        None,
        "http://127.0.0.1:9",
        ENV_KEY,
    )

    from_flag = load(path, env, base_url="https://flag.example.com")
    assert (from_flag.base_url, from_flag.api_key) == ("https://flag.example.com", ENV_KEY)


def test_process_environment_is_read_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(tmp_path, PROFILES)
    monkeypatch.setenv(CONFIG_ENV, str(path))
    assert load_settings().api_key == FILE_KEY  # the file's default profile
    monkeypatch.setenv(API_KEY_ENV, ENV_KEY)
    monkeypatch.setenv(BASE_URL_ENV, "https://env.example.com:8443/")
    settings = load_settings()
    assert (settings.api_key, settings.base_url) == (ENV_KEY, "https://env.example.com:8443")
    assert settings.connection_label == "env.example.com:8443"
    assert load_settings(Overrides(profile="staging")).api_key == FILE_KEY


def test_env_key_alone_uses_the_default_url(tmp_path: Path) -> None:
    settings = load(write_config(tmp_path, PROFILES), {API_KEY_ENV: ENV_KEY})
    assert settings.base_url == "https://api.runloop.ai" and settings.api_key == ENV_KEY
    assert settings.connection_label == "api.runloop.ai"


def test_base_url_env_without_key_is_not_used() -> None:
    settings = load_settings(Overrides(), {BASE_URL_ENV: "https://elsewhere.example.com"})
    assert settings.is_local


def test_profile_flag_beats_environment(tmp_path: Path) -> None:
    path = write_config(tmp_path, PROFILES)
    settings = load(path, {API_KEY_ENV: ENV_KEY}, profile="staging")
    assert settings.api_key == FILE_KEY and settings.base_url == "https://staging.example.com"


def test_value_precedence_defaults_file_profile_flag(tmp_path: Path) -> None:
    path = write_config(tmp_path, PROFILES)
    assert load(path, {API_KEY_ENV: ENV_KEY}).refresh_seconds == 10  # [defaults]
    assert load(path).refresh_seconds == 20  # the default profile overrides [defaults]
    assert load(path, refresh="3").refresh_seconds == 3  # the flag overrides both
    assert load(path, refresh="auto").refresh_seconds is None
    settings = load(path)
    assert (settings.max_retries, settings.timeout_seconds) == (3, 12.5)


def test_read_only_flag_and_profile(tmp_path: Path) -> None:
    path = write_config(tmp_path, PROFILES)
    env = {"PROD_KEY": PROFILE_ENV_KEY}
    assert load(path).read_only is False
    assert load(path, read_only=True).read_only is True
    assert load(path, env, profile="prod").read_only is True


def test_api_key_env_profile(tmp_path: Path) -> None:
    path = write_config(tmp_path, PROFILES)
    settings = load(path, {"PROD_KEY": f"  {PROFILE_ENV_KEY}\n"}, profile="prod")
    assert settings.api_key == PROFILE_ENV_KEY
    assert settings.base_url == "https://api.runloop.ai"
    assert (settings.accent, settings.connection_label, settings.connection_kind) == (
        "error",
        "prod",
        "remote",
    )


def test_config_path_from_env_and_flag(tmp_path: Path) -> None:
    env_file = write_config(tmp_path, "[defaults]\nmax_retries = 7\n", name="env.toml")
    flag_file = write_config(tmp_path, "[defaults]\nmax_retries = 8\n", name="flag.toml")
    assert load(None, {CONFIG_ENV: str(env_file)}).max_retries == 7
    assert load(flag_file, {CONFIG_ENV: str(env_file)}).max_retries == 8


def test_keymap_theme_and_download_dir(tmp_path: Path) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    path = write_config(
        tmp_path,
        f'[defaults]\ntheme = "nord"\ndownload_dir = "{downloads}"\n'
        '[keys]\n"actions.delete" = "ctrl+d,delete"\n"browser.filter" = "slash,?"\n',
    )
    settings = load(path)
    assert settings.keymap == {"actions.delete": "ctrl+d,delete", "browser.filter": "slash,?"}
    assert settings.theme == "nord" and settings.download_dir == downloads


def test_download_dir_accepts_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "dl").mkdir()
    path = write_config(tmp_path, '[defaults]\ndownload_dir = "~/dl"\n')
    assert load(path).download_dir == tmp_path / "dl"


# --- local modes ---


def test_local_flag_wins_over_a_key(tmp_path: Path) -> None:
    path = write_config(tmp_path, PROFILES)
    settings = load(path, {API_KEY_ENV: ENV_KEY}, local=True)
    assert settings.is_local and settings.api_key is None and settings.profile is None
    assert settings.accent is None
    assert settings.refresh_seconds == 10  # [defaults] still apply


def test_data_dir_implies_local(tmp_path: Path) -> None:
    store = tmp_path / "my store"
    settings = load(None, {API_KEY_ENV: ENV_KEY}, data_dir=str(store))
    assert settings.local_data_dir == store and settings.api_key is None


def test_demo(tmp_path: Path) -> None:
    settings = load(None, {API_KEY_ENV: ENV_KEY}, demo=True)
    assert settings.demo and settings.is_local and settings.connection_kind == "demo"
    assert settings.local_data_dir is None  # the CLI makes a fresh temporary directory
    assert settings.connection_label == "demo store (temporary)"


def test_local_label_contracts_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = Settings(local_data_dir=tmp_path / "a" / "store")
    assert settings.connection_label == "local store ~/a/store"


# --- secrets ---


def test_repr_never_shows_the_key(tmp_path: Path) -> None:
    settings = load(write_config(tmp_path, PROFILES))
    assert settings.api_key == FILE_KEY
    assert FILE_KEY not in repr(settings) and FILE_KEY not in str(settings)
    assert FILE_KEY not in settings.connection_label


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620])
def test_world_readable_file_with_key_is_refused(tmp_path: Path, mode: int) -> None:
    path = write_config(tmp_path, PROFILES, mode=mode)
    with pytest.raises(ConfigError) as caught:
        load(path)
    message = str(caught.value)
    assert f"run: chmod 600 {path}" in message and f"{mode:04o}" in message
    assert FILE_KEY not in message


def test_misplaced_key_in_readable_file_is_still_refused(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[defaults]\napi_key = "rk_x"\n', mode=0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load(path)


def test_private_file_with_key_and_readable_file_without_key_are_fine(tmp_path: Path) -> None:
    assert load(write_config(tmp_path, PROFILES, mode=0o600)).api_key == FILE_KEY
    no_key = PROFILES.replace('api_key = "rk_file_key_0123456789"', 'api_key_env = "STAGE"')
    path = write_config(tmp_path, no_key, mode=0o644, name="shared.toml")
    assert load(path, {"STAGE": ENV_KEY}).api_key == ENV_KEY


# --- bad input: one line naming the culprit ---

BAD_FILES = [
    ("[defaults\nrefresh_seconds = 1\n", ["invalid TOML", "line 1"]),
    ("[defaults]\nrefresh_seconds = \n", ["invalid TOML", "line 2"]),
    ("defualts = 1\n", ["unknown key 'defualts'", "did you mean 'defaults'"]),
    ("[defaults]\nrefresh = 5\n", ["[defaults]", "unknown key 'refresh'"]),
    ('[defaults]\nrefresh_seconds = "fast"\n', ["refresh_seconds", "'fast'"]),
    ("[defaults]\nrefresh_seconds = 0\n", ["refresh_seconds", "between"]),
    ("[defaults]\nrefresh_seconds = true\n", ["refresh_seconds", "boolean"]),
    ("[defaults]\nmax_retries = 2.5\n", ["max_retries", "integer"]),
    ("[defaults]\nmax_retries = -1\n", ["max_retries", "between"]),
    ('[defaults]\ntimeout_seconds = "30s"\n', ["timeout_seconds", "number"]),
    ('[defaults]\nread_only = "yes"\n', ["read_only", "true or false"]),
    ('[defaults]\ndownload_dir = "/definitely/not/here"\n', ["download_dir", "not a directory"]),
    ('[defaults]\ndownload_dir = "relative/dir"\n', ["download_dir", "absolute"]),
    ('[defaults]\ntheme = "nrod"\n', ["theme", "'nrod'", "did you mean 'nord'"]),
    ("defaults = 3\n", ["[defaults]", "table"]),
    ('default_profile = "prd"\n[profiles.prod]\napi_key_env = "K"\n', ["'prd'", "known: prod"]),
    ('[profiles.p]\napi_key_env = "K"\naccent = "#ff0000"\n', ["[profiles.p] accent", "error"]),
    ('[profiles.p]\napi_key_env = "K"\nbase_url = "ftp://x"\n', ["[profiles.p] base_url"]),
    ('[profiles.p]\napi_key_env = "K"\nbase_url = "https://"\n', ["base_url", "host"]),
    ('[profiles.p]\napi_key_env = "K"\nbase_url = "api.runloop.ai"\n', ["base_url"]),
    ('[profiles.p]\napi_key_env = "K"\nbase_url = "https://u:pw@h"\n', ["base_url", "password"]),
    ('[profiles.p]\napi_key_env = "K"\nbase_url = "https://h:99999"\n', ["base_url"]),
    ('[profiles.p]\napi_key_env = "K"\nbase_ulr = "https://h"\n', ["'base_ulr'", "'base_url'"]),
    ('[profiles.p]\napi_key_env = "my key"\n', ["api_key_env", "variable name"]),
    ('[profiles.p]\nbase_url = "https://h"\n', ["[profiles.p]", "needs api_key"]),
    ('[profiles.p]\napi_key = "a"\napi_key_env = "K"\n', ["[profiles.p]", "both"]),
    ('[profiles.p]\napi_key = "a b"\n', ["[profiles.p] api_key", "spaces"]),
    ("[profiles]\np = 1\n", ["[profiles.p]", "table"]),
    ('[keys]\n"actions.delete" = ""\n', ["[keys] actions.delete"]),
    ('[keys]\n"actions.delete" = "ctrl + d"\n', ["[keys] actions.delete"]),
    ('[keys]\n"actions.delete" = 4\n', ["[keys] actions.delete", "string"]),
    ('[keys]\n"app.hlep" = "f1"\n', ["unknown binding id 'app.hlep'", "'app.help'"]),
    ('[keys]\ndelete = "f1"\n', ["unknown binding id 'delete'", "'actions.delete'"]),
    ('[keys]\n"app.help" = "notakey!!"\n', ["[keys] app.help", "'notakey!!' is not a key"]),
    ('[keys]\n"app.help" = "f1,ctrl+?"\n', ["[keys] app.help", "'ctrl+?'"]),
    ('[keys]\n"app.help" = "ctrl+ctrl+a"\n', ["[keys] app.help", "'ctrl+ctrl+a'"]),
    ('[keys]\n"app.help" = "f99"\n', ["[keys] app.help", "'f99'"]),
]


@pytest.mark.parametrize(("text", "expected"), BAD_FILES)
def test_bad_config_file_names_file_and_key(tmp_path: Path, text: str, expected: list[str]) -> None:
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    for fragment in expected:
        assert fragment in message


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"[defaults]\ntheme = '\xff'\n")
    with pytest.raises(ConfigError, match="UTF-8"):
        load(path)


def test_explicit_config_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^--config: config file .* does not exist"):
        load(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match=rf"^{CONFIG_ENV}: config file .* does not exist"):
        load(None, {CONFIG_ENV: str(tmp_path / "missing.toml")})
    with pytest.raises(ConfigError, match="is a directory"):
        load(tmp_path)


BAD_FLAGS: list[tuple[dict[str, object], dict[str, str], list[str]]] = [
    ({"profile": "nope"}, {}, ["--profile", "'nope'", "known: prod, staging"]),
    ({"profile": "stagign"}, {}, ["did you mean 'staging'"]),
    ({"profile": "prod"}, {}, ["[profiles.prod] api_key_env", "PROD_KEY is not set"]),
    ({"profile": "prod"}, {"PROD_KEY": "a\tb"}, ["PROD_KEY", "control characters"]),
    ({"base_url": "not a url"}, {API_KEY_ENV: ENV_KEY}, ["--base-url"]),
    ({"base_url": "https://h?x=1"}, {API_KEY_ENV: ENV_KEY}, ["--base-url", "query"]),
    ({"refresh": "fast"}, {}, ["--refresh", "'fast'"]),
    ({"refresh": "0"}, {}, ["--refresh", "between"]),
    ({"refresh": "nan"}, {}, ["--refresh"]),
    ({"local": True, "profile": "prod"}, {}, ["--profile", "--local"]),
    ({"demo": True, "base_url": "https://h"}, {}, ["--base-url", "--demo"]),
    ({"demo": True, "data_dir": "/tmp"}, {}, ["--demo", "--data-dir"]),
    ({"data_dir": "/x", "profile": "prod"}, {}, ["--profile", "--data-dir"]),
    ({}, {API_KEY_ENV: "key with spaces"}, [API_KEY_ENV, "spaces"]),
    ({}, {API_KEY_ENV: ENV_KEY, BASE_URL_ENV: "api.runloop.ai"}, [BASE_URL_ENV]),
]


@pytest.mark.parametrize(("flags", "env", "expected"), BAD_FLAGS)
def test_bad_flags_and_environment(
    tmp_path: Path, flags: dict[str, object], env: dict[str, str], expected: list[str]
) -> None:
    path = write_config(tmp_path, PROFILES)
    with pytest.raises(ConfigError) as caught:
        load(path, env, **flags)
    message = str(caught.value)
    assert "\n" not in message
    for fragment in expected:
        assert fragment in message
    for secret in (FILE_KEY, ENV_KEY, "key with spaces"):
        assert secret not in message


def test_base_url_flag_without_key_is_an_error() -> None:
    with pytest.raises(ConfigError, match="--base-url needs an API key"):
        load_settings(Overrides(base_url="https://h.example.com"), {})


def test_data_dir_that_is_a_file(tmp_path: Path) -> None:
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(ConfigError, match=r"--data-dir.*not a directory"):
        load(None, {}, data_dir=str(file))


def test_loading_has_no_side_effects(tmp_path: Path) -> None:
    load_settings(Overrides(data_dir=str(tmp_path / "new")), {})
    assert not (tmp_path / "new").exists()
    assert not default_data_dir().exists()
    assert os.listdir(tmp_path) == []


def test_max_objects_from_file_and_flag(tmp_path: Path) -> None:
    assert load().max_objects == 1_000_000
    path = write_config(tmp_path, "[defaults]\nmax_objects = 5000\n")
    assert load(path).max_objects == 5000
    assert load(path, max_objects="2,500").max_objects == 2500  # the flag wins
    for bad in ("0", "many", "-3"):
        with pytest.raises(ConfigError, match="--max-objects"):
            load(max_objects=bad)
    with pytest.raises(ConfigError, match="max_objects"):
        load(write_config(tmp_path, '[defaults]\nmax_objects = "lots"\n', name="b.toml"))
