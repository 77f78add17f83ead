"""Start-up views: --filter, --sort, [views.NAME], --view; and saving a view with tomlkit."""

from __future__ import annotations

from pathlib import Path

import pytest

from runloop_tui.cli import parse_overrides
from runloop_tui.config import ConfigError, Settings, load_settings
from runloop_tui.tui.browser_model import SORT_COLUMNS
from runloop_tui.views import SORT_KEYS, View, ViewError, save_view

CONFIG = """\
# my runloop-tui config
[defaults]
refresh_seconds = 10   # keep it calm

[views.stale]
filter = "state:uploading age>1h"
sort = "-created"

[views.big]
sort = "-size"        # biggest first
"""


def settings_for(tmp_path: Path, *flags: str, text: str = CONFIG) -> Settings:
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    return load_settings(parse_overrides(["--config", str(config), *flags]), {})


def test_sort_keys_match_the_browser() -> None:
    assert set(SORT_KEYS) == set(SORT_COLUMNS)


def test_views_from_the_config_and_flags(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    assert settings.views == {
        "stale": View("state:uploading age>1h", ("created", True)),
        "big": View("", ("size", True)),
    }
    assert settings.start_view == View()
    opened = settings_for(tmp_path, "--view", "stale")
    assert opened.start_view == View("state:uploading age>1h", ("created", True))
    # --filter and --sort replace the view's parts; `--sort -KEY` needs no `=`.
    mixed = settings_for(tmp_path, "--view", "stale", "--sort", "-size")
    assert mixed.start_view == View("state:uploading age>1h", ("size", True))
    plain = settings_for(tmp_path, "--filter", "type:tgz", "--sort", "name")
    assert plain.start_view == View("type:tgz", ("name", False))


@pytest.mark.parametrize(
    ("flags", "text", "message"),
    [
        (["--view", "stail"], CONFIG, r"unknown view 'stail' \(did you mean 'stale'\?\)"),
        (["--sort", "bigness"], CONFIG, r"--sort: unknown sort key 'bigness'"),
        (["--filter", "state:bogus"], CONFIG, r"--filter: state:bogus"),
        ([], '[views.x]\nfilter = "age>"\n', r"\[views.x\] filter: age>"),
        ([], '[views.x]\nsort = "-nope"\n', r"\[views.x\] sort: unknown sort key"),
        ([], '[views.x]\nfiltre = "a"\n', r"unknown key 'filtre'"),
        ([], "[views.x]\n", r"needs a filter or a sort"),
        ([], '[views."a b"]\nfilter = "a"\n', r"view names are letters"),
    ],
)
def test_bad_views_are_one_line(tmp_path: Path, flags: list[str], text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        settings_for(tmp_path, *flags, text=text)
    assert "\n" not in str(raised.value)


def test_saving_a_view_keeps_comments_and_formatting(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    config.chmod(0o640)
    save_view(config, "tgz", View("type:tgz size>1MB", ("size", True)))
    save_view(config, "stale", View("state:uploading", None))  # replaces the old one
    text = config.read_text(encoding="utf-8")
    assert text.startswith(CONFIG.split("[views.stale]")[0])  # untouched up to the views
    assert "# my runloop-tui config" in text and "# biggest first" in text
    assert "refresh_seconds = 10   # keep it calm" in text
    assert config.stat().st_mode & 0o777 == 0o640
    settings = settings_for(tmp_path, "--view", "tgz", text=text)
    assert settings.start_view == View("type:tgz size>1MB", ("size", True))
    assert settings.views["stale"] == View("state:uploading", None)


def test_saving_creates_a_private_config(tmp_path: Path) -> None:
    config = tmp_path / "new" / "config.toml"
    save_view(config, "mine", View("age>7d", ("created", False)))
    assert config.stat().st_mode & 0o777 == 0o600
    assert settings_for(tmp_path, "--view", "mine", text=config.read_text()).start_view == View(
        "age>7d", ("created", False)
    )
    with pytest.raises(ViewError):
        save_view(config, "../evil", View("a"))
