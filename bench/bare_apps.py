"""Two bare Textual apps, the baselines of the figures measured through a terminal.

Both show an Input above a Static of 30 rows of the bench store's names
(``python -m bench.bare_apps floor|naive COUNT``):

- floor: each key shows another screenful of names, picked with almost no work. What one
  key costs Textual and the terminal when the whole screen changes.
- naive: each key filters every name with a list comprehension, as a simple script would.
"""

from __future__ import annotations

import sys

from textual import on
from textual.app import App, ComposeResult
from textual.widgets import Input, Static

ROWS = 30


def bench_names(count: int) -> list[str]:
    """The names ``seed_bulk`` gives a store of ``count`` objects, newest first."""
    return [f"bulk/{i // 1000:04d}/object-{i:07d}.txt" for i in range(count)]


class BareApp(App[None]):
    CSS = """
    Input { dock: top; }
    #rows { height: 1fr; }
    """

    def __init__(self, mode: str, names: list[str]) -> None:
        super().__init__()
        self.mode = mode
        self.names = names

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter")
        yield Static(self._screenful(""), id="rows", markup=False)

    def _screenful(self, text: str) -> str:
        names = self.names
        if self.mode == "naive":
            needle = text.lower()
            matches = [name for name in names if needle in name.lower()]
            return "\n".join(matches[:ROWS])
        # floor: a different screenful for each text, found without looking at the names.
        start = (sum(map(ord, text)) * 7919 + len(text) * 104729) % max(1, len(names) - ROWS)
        return "\n".join(names[start : start + ROWS])

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.query_one("#rows", Static).update(self._screenful(event.value))


def main(argv: list[str]) -> int:
    mode, count = argv[0], int(argv[1])
    if mode not in ("floor", "naive"):
        raise SystemExit("usage: python -m bench.bare_apps floor|naive COUNT")
    BareApp(mode, bench_names(count)).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
