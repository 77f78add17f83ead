"""A [keys] remap onto a key the table (or the filter) binds itself: the focused widget gets
the key first, so the remapped action would never run. The app says so at start ("Key
clash"), in a real terminal, instead of leaving `d` dead and `j` still moving the cursor."""

from __future__ import annotations

from pathlib import Path

from tests.support.terminal import DEMO_READY, Terminal, runloop_tui_argv


def _config(tmp_path: Path, keys: str) -> Path:
    config = tmp_path / "config.toml"
    config.write_text("[keys]\n" + keys)
    config.chmod(0o600)
    return config


def test_a_remap_onto_the_tables_key_is_reported_at_start(tmp_path: Path) -> None:
    config = _config(tmp_path, '"actions.delete" = "j"\n"browser.filter" = "slash,ctrl+f"\n')
    argv = runloop_tui_argv("--demo", "--config", str(config))
    with Terminal(argv, size=(160, 40), env={"RUNLOOP_TUI_CONFIG": str(config)}) as terminal:
        terminal.wait_for(DEMO_READY, timeout=60)
        text = terminal.wait_for(lambda t: t.count("Key clash") >= 2, timeout=10)
        # The toasts wrap beside the table: check what each says, line by line.
        for fragment in (
            "gave 'j' to actions.delete (Delete), but the table",
            "uses 'j' for table.cursor_down",
            "gave 'ctrl+f' to browser.filter (Filter), but the",
            "uses 'ctrl+f' for table.page_down",
        ):
            assert fragment in text, text
