"""The help screen at 80x24: a description too long for its line wraps under the
description column, never back at the left edge under the keys (trial #15)."""

from __future__ import annotations

import re

from textual.widgets import Input

from runloop_tui.tui.screens.help import HelpScreen
from tests.reliability.tuihelp import screen_lines
from tests.tui.conftest import AppFactory, browsing, drain

_INNER = re.compile(r"│ (.*?)│")  # the text between the help dialog's borders


async def test_long_help_lines_wrap_under_the_description_column(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app, size=(80, 24)) as (pilot, _):
        await pilot.press("question_mark")
        await drain(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        wrapped = 0
        for search in ("cleanup", "mark", "expires"):
            app.screen.query_one("#help-search", Input).value = search
            await drain(app, pilot)
            inner = [m.group(1) for line in screen_lines(app) if (m := _INNER.search(line))]
            body = [text.rstrip() for text in inner if text.startswith("  ")]
            rows = [text for text in body if not text.startswith("   ")]
            more = [text for text in body if text.startswith("   ")]
            # Every continuation starts at one column: where the descriptions start.
            columns = {len(text) - len(text.lstrip()) for text in more}
            assert len(columns) <= 1, more
            for column in columns:
                for row in rows:
                    if len(row) > column:
                        assert row[column - 1] == " " and row[column] != " ", (row, column)
            wrapped += len(more)
            # No line runs past the dialog's border (nothing cut or folded at the edge).
            assert all(len(text) <= 68 for text in body)
        assert wrapped >= 3
