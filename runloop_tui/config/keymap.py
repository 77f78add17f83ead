"""The `[keys]` table: which binding ids exist, and which key names Textual can bind.

Config must not import textual (slow, and the TUI's business), so the binding ids are listed
here, the one list the config reads; tests/test_keymap_config.py checks it against every
Binding in runloop_tui.tui, so adding a binding without its id here fails the tests. The key
grammar follows Textual's (textual.keys): a test checks the named keys against it too.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from runloop_tui.config.checks import ConfigError, check_keys, suggest

# Every Binding id of the TUI, by the screen or widget that holds it.
# fmt: off
BINDING_IDS = (
    "app.help", "app.quit",
    "actions.bulk_delete", "actions.copy_id", "actions.copy_name", "actions.delete",
    "actions.download", "actions.export", "actions.presign", "actions.preview",
    "actions.preview_enter", "actions.transfers", "actions.upload",
    "browser.clear_marks", "browser.detail", "browser.escape", "browser.extend_marks_down",
    "browser.extend_marks_up", "browser.filter", "browser.invert_marks", "browser.mark",
    "browser.mark_all", "browser.pause", "browser.public", "browser.refresh",
    "browser.reverse_sort", "browser.sort", "browser.sort_by_created", "browser.sort_by_expires",
    "browser.sort_by_id", "browser.sort_by_name", "browser.sort_by_size",
    "browser.sort_by_state", "browser.sort_by_type", "browser.usage", "browser.visual",
    "browser.wide_names",
    "table.cursor_down", "table.cursor_up", "table.first", "table.last", "table.page_down",
    "table.page_up",
    "filter.clear", "filter.complete", "filter.history_newer", "filter.history_older",
    "transfers.cancel", "transfers.clear", "transfers.down", "transfers.leave", "transfers.up",
    "usage.bulk_delete", "usage.close", "usage.mark", "usage.open", "usage.show_in_table",
    "usage.sort", "usage.up",
    "usage_table.cursor_down", "usage_table.cursor_up", "usage_table.first", "usage_table.last",
    "usage_table.page_down", "usage_table.page_up",
    "help.close", "help.close_f1",
    "confirm.cancel", "confirm.left", "confirm.no", "confirm.right", "confirm.yes",
    "bulk_delete.cancel", "bulk_progress.stop", "bulk_results.close", "bulk_results.close_enter",
    "download.cancel", "export.cancel", "save_view.cancel",
    "presign.close", "presign.copy_curl", "presign.copy_url", "presign.longer",
    "presign.shorter",
    "preview.close", "preview.close_q",
    "upload.add_metadata", "upload.cancel", "upload.submit",
)
# fmt: on

MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
# Textual's names for keys that are not characters (textual.keys.Keys and its aliases).
NAMED_KEYS = frozenset(
    (
        "up", "down", "left", "right", "home", "end", "pageup", "pagedown", "insert", "delete",
        "backspace", "tab", "enter", "escape", "space", "newline",
        *(f"f{n}" for n in range(1, 25)),
    )
)  # fmt: skip
# Textual calls a symbol key by its Unicode name, with these shorter.
_SHORTER = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}
_EXAMPLES = 'e.g. "f1", "ctrl+d", "question_mark", "slash" or one character like "?"'


def character_key(char: str) -> str:
    """The name Textual gives the key that types `char` (`?` is `question_mark`)."""
    if char.isalnum():
        return char
    name = unicodedata.name(char, char).lower().replace("-", "_").replace(" ", "_")
    return _SHORTER.get(name, name)


@cache
def _symbol_names() -> frozenset[str]:
    """The names of the symbol keys of Latin keyboards (ASCII and Latin-1)."""
    chars = [chr(c) for c in [*range(0x21, 0x7F), *range(0xA1, 0x100)]]
    return frozenset(character_key(ch) for ch in chars if not ch.isalnum())


def is_key_name(key: str) -> bool:
    """Whether Textual can bind `key`: one character, or modifiers and a key name."""
    if len(key) == 1:
        return key.isprintable() and not key.isspace()
    *mods, base = key.split("+")
    if len(set(mods)) != len(mods) or any(m not in MODIFIERS for m in mods):
        return False
    if len(base) == 1:
        return bool(mods) and base.isalnum()
    return base in NAMED_KEYS or base in _symbol_names()


def check_keymap(table: dict[str, object], where: str) -> dict[str, str]:
    """The `[keys]` table: every id a binding's, every key one Textual can bind."""
    keymap: dict[str, str] = {}
    for binding, value in table.items():
        if binding not in BINDING_IDS:
            raise ConfigError(
                f"{where} [keys]: unknown binding id {binding!r}{suggest(binding, BINDING_IDS)};"
                ' the ids are in the README\'s "Keys" section and on the help screen (?)'
            )
        label = f"{where} [keys] {binding}"
        keys = check_keys(value, label)
        for key in keys.split(","):
            if not is_key_name(key):
                raise ConfigError(
                    f"{label}: {key!r} is not a key name{suggest(key, _all_names())} ({_EXAMPLES})"
                )
        keymap[binding] = keys
    return keymap


def _all_names() -> list[str]:
    return sorted(NAMED_KEYS | _symbol_names())
