"""The `[keys]` table is checked (trial #6): its binding ids against the TUI's bindings, its key
names against Textual's grammar; a typo is an error at start, never a binding silently gone."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import string
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import KEY_ALIASES, Keys, _character_to_key

import runloop_tui.tui
from runloop_tui.config.keymap import BINDING_IDS, NAMED_KEYS, character_key, is_key_name
from tests.support.processes import run_cli


def tui_binding_ids() -> set[str | None]:
    found: set[str | None] = set()
    for info in pkgutil.walk_packages(runloop_tui.tui.__path__, "runloop_tui.tui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, DOMNode) or not cls.__module__.startswith("runloop_tui"):
                continue
            for binding in cls.__dict__.get("BINDINGS", []):
                assert isinstance(binding, Binding)
                found.add(binding.id)
    return found


def test_the_config_knows_every_binding_id_of_the_tui() -> None:
    ids = tui_binding_ids()
    assert None not in ids, "every Binding has an id"
    missing = {i for i in ids if i is not None} - set(BINDING_IDS)
    extra = set(BINDING_IDS) - ids
    assert not missing, f"add to runloop_tui/config/keymap.py BINDING_IDS: {sorted(missing)}"
    assert not extra, f"no such binding any more, remove from BINDING_IDS: {sorted(extra)}"
    assert len(BINDING_IDS) == len(set(BINDING_IDS))


def test_key_names_follow_textual() -> None:
    textual_names = {k.value.rpartition("+")[2] for k in Keys} | set(KEY_ALIASES)
    textual_names |= {alias for aliases in KEY_ALIASES.values() for alias in aliases}
    assert textual_names >= NAMED_KEYS
    for char in string.printable.strip():
        assert character_key(char) == _character_to_key(char), char
        assert is_key_name(char) and is_key_name(_character_to_key(char)), char
    # Every key the TUI binds by default is one the config accepts.
    for info in pkgutil.walk_packages(runloop_tui.tui.__path__, "runloop_tui.tui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            for binding in getattr(cls, "BINDINGS", []) if issubclass(cls, DOMNode) else []:
                if isinstance(binding, Binding):
                    for key in binding.key.split(","):
                        assert is_key_name(key.strip()), (binding.id, key)
    for bad in ("notakey!!", "ctrl+?", "ctrl+", "+a", "hyper+ctrl+ctrl+x", "f25", "Escape"):
        assert not is_key_name(bad), bad


def test_a_bad_keys_table_stops_the_app_and_the_commands(tmp_path: Path) -> None:
    cases = {
        '"app.hlep" = "f1"': "unknown binding id 'app.hlep' (did you mean 'app.help'?)",
        '"app.help" = "notakey!!"': "[keys] app.help: 'notakey!!' is not a key name",
    }
    for line, message in cases.items():
        config = tmp_path / "config.toml"
        config.write_text(f"[keys]\n{line}\n")
        env = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path)}
        for argv in (["--config", str(config), "--local"], ["ls", "--config", str(config)]):
            done = run_cli(*argv, env=env)
            assert done.returncode == 2, (argv, done.stderr)
            assert message in done.stderr and done.stderr.count("\n") == 1, done.stderr
