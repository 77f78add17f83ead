"""The settings table: the keys a config file accepts derive from Settings' fields, and the
README's full example is a valid file that documents every one of them."""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest

from runloop_tui.config import Overrides, Settings, read_config_file
from runloop_tui.config.settings import FLAGS, PROFILE_KEYS, SETTING_SPECS, SHARED_KEYS

README = Path(__file__).resolve().parent.parent / "README.md"


def _readme_example() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"It is optional\. A full example:\s*```toml\n(.*?)```", text, re.S)
    assert match, "the README's config example was not found"
    return match.group(1)


def test_readme_example_is_a_valid_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "Downloads").mkdir()
    path = tmp_path / "config.toml"
    path.write_text(_readme_example(), encoding="utf-8")
    path.chmod(0o600)  # the example holds an api_key
    config = read_config_file(path, named_by="--config")
    assert config.defaults["download_dir"] == tmp_path / "Downloads"
    assert config.profiles["prod"]["read_only"] is True


def test_readme_example_documents_every_key() -> None:
    raw = tomllib.loads(_readme_example())
    assert set(raw["defaults"]) == set(SHARED_KEYS)
    in_profiles = {key for body in raw["profiles"].values() for key in body}
    assert in_profiles - set(SHARED_KEYS) == set(PROFILE_KEYS) - set(SHARED_KEYS)


def test_every_setting_spec_is_a_settings_field_with_its_default() -> None:
    by_name = {f.name: f for f in fields(Settings)}
    defaults = Settings()
    for spec in SETTING_SPECS:
        assert spec.name in by_name
        # The default passes its own checker, or is None (unset). download_dir's checker
        # takes the file's text, and its default is already a Path (the working directory).
        value = getattr(defaults, spec.name)
        if value is not None and spec.name != "download_dir":
            assert spec.check(value, spec.name) == value
    assert {"base_url", "api_key", "accent", "read_only", "max_retries"} <= {
        spec.name for spec in SETTING_SPECS
    }


def test_every_flag_is_an_override() -> None:
    unset = Overrides()
    for spec in FLAGS:
        assert spec.flag is not None
        assert getattr(unset, spec.flag.attribute) in (None, False)
        assert spec.flag.text.startswith("--")
