"""Hypothesis over config files, environment values and flags: whatever comes in, the
result is valid Settings or one ConfigError whose text is one printable line that never
holds the API key. (Exit status 2 for a ConfigError is tests/test_cli.py's business.)
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from runloop_tui.cli import parse_overrides
from runloop_tui.config import (
    API_KEY_ENV,
    BASE_URL_ENV,
    CONFIG_ENV,
    ConfigError,
    Overrides,
    Settings,
    load_settings,
)

SECRET = "rk_fuzz_secret_key_314159"
FUZZ = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_SHARED = [
    "refresh_seconds",
    "download_dir",
    "max_retries",
    "timeout_seconds",
    "theme",
    "read_only",
]
_PROFILE = [*_SHARED, "base_url", "api_key", "api_key_env", "accent"]

_tricky_text = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "auto",
            "nord",
            "error",
            "https://h.example",
            "http://user:pw@h",
            "/tmp",
            "~",
            "\x1b[31mred\x1b]0;title\x07",
            "[bold]x[/]",
            "line\nbreak",
            "ctrl+d,delete",
            "a,,b",
        ]
    ),
)
# Hypothesis also draws string constants from this module: keep the secret out of the
# values that are not keys, so a hit in an error means a key leaked.
_values = st.one_of(
    _tricky_text.filter(lambda t: "secret" not in t),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.sampled_from(["a", "api_key"]), st.integers(), max_size=2),
)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        escaped = "".join(
            c if c.isprintable() and c not in '"\\' else f"\\U{ord(c):08x}" for c in value
        )
        return f'"{escaped}"'
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise AssertionError(value)


# Values for api_key: the secret, malformed around it, or any other value.
_key_values = st.one_of(
    st.sampled_from([SECRET, SECRET + "\x07", f" {SECRET} ", f"{SECRET} x", f"{SECRET}\u00e9"]),
    _values,
)


@st.composite
def _documents(draw: st.DrawFn) -> str:
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append(f"default_profile = {_toml_value(draw(_tricky_text))}")
    if draw(st.booleans()):
        lines.append("[defaults]")
        for key in draw(st.lists(st.sampled_from([*_SHARED, "bogus"]), max_size=4, unique=True)):
            lines.append(f"{key} = {_toml_value(draw(_values))}")
    names = ["prod", "dev", '"with space"', '"\\u001b[2J"']
    for name in draw(st.lists(st.sampled_from(names), max_size=2, unique=True)):
        lines.append(f"[profiles.{name}]")
        for key in draw(st.lists(st.sampled_from(_PROFILE), max_size=5, unique=True)):
            value = draw(_key_values if key == "api_key" else _values)
            lines.append(f"{key} = {_toml_value(value)}")
    if draw(st.booleans()):
        lines.append("[keys]")
        binding = draw(st.sampled_from(["app.quit", "browser.filter", '"x y"']))
        lines.append(f"{binding} = {_toml_value(draw(_values))}")
    return "\n".join(lines) + "\n"


def _assert_good_error(error: ConfigError) -> None:
    text = str(error)
    shown = " ".join(text.split())  # what the CLI prints (tests/test_cli.py checks that)
    assert shown, "an empty error message"
    assert SECRET not in text and SECRET[3:15] not in text, f"the key is in the error: {text!r}"


def _load(overrides: Overrides, env: dict[str, str]) -> Settings | None:
    try:
        result = load_settings(overrides, env)
    except ConfigError as error:
        _assert_good_error(error)
        return None
    assert SECRET not in repr(result)
    return result


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    for name in (API_KEY_ENV, BASE_URL_ENV, CONFIG_ENV, "PROD_KEY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@FUZZ
@given(document=_documents())
def test_any_config_document_is_settings_or_one_clean_error(sandbox: Path, document: str) -> None:
    tomllib.loads(document)  # the generator writes valid TOML; the values are the fuzz
    path = sandbox / "config.toml"
    path.write_text(document, encoding="utf-8")
    os.chmod(path, 0o600)
    _load(Overrides(config=str(path)), {})
    _load(Overrides(config=str(path), profile="prod"), {"PROD_KEY": SECRET})


@FUZZ
@given(data=st.binary(max_size=300))
def test_any_bytes_as_config_file_is_settings_or_one_clean_error(
    sandbox: Path, data: bytes
) -> None:
    path = sandbox / "config.toml"
    path.write_bytes(data)
    os.chmod(path, 0o600)
    _load(Overrides(config=str(path)), {})


_env_text = st.one_of(
    _tricky_text, st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]))
)


@FUZZ
@given(key=_env_text, url=_env_text, config=st.one_of(st.none(), _env_text))
def test_any_environment_is_settings_or_one_clean_error(
    sandbox: Path, key: str, url: str, config: str | None
) -> None:
    assume(all("secret" not in t for t in (url, config or "")))
    env = {API_KEY_ENV: key, BASE_URL_ENV: url}
    if config is not None and "\x00" not in config:
        env[CONFIG_ENV] = str(sandbox / config) if config and not config.startswith("/") else config
    _load(Overrides(), env)
    _load(Overrides(), {API_KEY_ENV: SECRET + key, BASE_URL_ENV: url})


@FUZZ
@given(
    refresh=st.one_of(st.none(), _tricky_text),
    base_url=st.one_of(st.none(), _tricky_text),
    profile=st.one_of(st.none(), _tricky_text),
    data_dir=st.one_of(st.none(), _tricky_text.filter(lambda t: "\x00" not in t)),
    switches=st.lists(st.sampled_from(["--local", "--demo", "--read-only"]), unique=True),
)
def test_any_flags_are_settings_or_one_clean_error(
    sandbox: Path,
    capsys: pytest.CaptureFixture[str],
    refresh: str | None,
    base_url: str | None,
    profile: str | None,
    data_dir: str | None,
    switches: list[str],
) -> None:
    assume(all("secret" not in (t or "") for t in (refresh, base_url, profile, data_dir)))
    argv = list(switches)
    for flag, value in (
        ("--refresh", refresh),
        ("--base-url", base_url),
        ("--profile", profile),
        ("--data-dir", data_dir),
    ):
        if value is not None:
            argv.append(f"{flag}={value}")
    try:
        overrides = parse_overrides(argv)
    except SystemExit as exit_:
        assert exit_.code in (0, 2)
        err = capsys.readouterr().err
        if exit_.code == 2:
            assert err.count("\n") == 1 and err.startswith("runloop-tui: error:"), err
        return
    if overrides.data_dir is not None:
        overrides = Overrides(**{**_fields(overrides), "data_dir": str(sandbox / "d" / data_dir)})  # type: ignore[operator]
    _load(overrides, {API_KEY_ENV: SECRET})


# --- what reaches the terminal ---

CONTROL_IN_ERRORS = [
    # (config text, environment) whose error message carries an ESC from the input
    ('[profiles."\\u001b[2J"]\nread_only = 1\n', {}),
    ("", {CONFIG_ENV: "/nonexistent/\x1b]0;pwned\x07"}),
    ('[defaults]\ndownload_dir = "/nonexistent/\\u001b[31m"\n', {}),
]


@pytest.mark.parametrize(("text", "env"), CONTROL_IN_ERRORS)
def test_cli_errors_never_print_control_characters(
    sandbox: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    text: str,
    env: dict[str, str],
) -> None:
    from runloop_tui.cli import main

    path = sandbox / "config.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV, str(path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err[:-1].isprintable(), f"raw control characters on the terminal: {err!r}"


def _fields(overrides: Overrides) -> dict[str, Any]:
    return {name: getattr(overrides, name) for name in Overrides.__dataclass_fields__}
