"""The browser's two-line header: where we are connected, the view mode, the refresh status,
and the counts (loaded/total, shown, size, marks). Never the API key.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from runloop_tui.tui.formatting import count_noun, count_text, human_size

# Settings.accent names a theme colour; each gets a CSS class (see app.tcss), never a hex value.
ACCENTS = ("primary", "secondary", "accent", "warning", "error", "success")
REFRESH_KINDS = ("loading", "live", "paused", "stale", "error")


@dataclass(frozen=True, slots=True)
class Counts:
    loaded: int
    total: int | None
    shown: int
    shown_bytes: int
    marked: int
    marked_bytes: int
    loading: bool
    marked_hidden: int = 0  # marked, but hidden by the filter
    marked_elsewhere: int = 0  # marked, but not in this list (the other view, or not loaded)
    note: str = ""  # the listing's remark: cut short, unreadable objects, cannot reach
    label: str | None = None  # said instead of "N objects" (the cap: "showing the first …")


def counts_text(c: Counts) -> Content:
    total = "?" if c.total is None else count_text(max(c.total, c.loaded))
    if c.loading:
        loaded = f"loaded {count_text(c.loaded)} of {total}"
    else:
        loaded = c.label or count_noun(c.loaded, "object")
    parts: list[str | tuple[str, str]] = [
        (loaded, "$text-warning" if c.loading else ""),
        f" · {count_text(c.shown)} shown · {human_size(c.shown_bytes)}",
        "  │  ",
    ]
    if c.note and not c.loaded and not c.loading:
        parts[0] = (c.note, "$text-error")  # e.g. "cannot reach HOST: reason", not "0 objects"
    elif c.note:
        parts.insert(1, (f" · {c.note}", "$text-warning"))
    if c.marked:
        parts.append(
            (
                f"marked {count_text(c.marked)} ({human_size(c.marked_bytes)})",
                "bold $text-secondary",
            )
        )
        if c.marked_hidden:
            # Never silently acted on: D deletes these too, and its summary lists them first.
            parts.append(
                (f" · {count_text(c.marked_hidden)} hidden by filter", "bold $text-warning")
            )
        if c.marked_elsewhere:
            # Kept across `v`: never acted on here, back when their objects are listed again.
            parts.append(
                (f" · {count_text(c.marked_elsewhere)} not in this list", "bold $text-warning")
            )
    else:
        parts.append(("marked 0", "$text-muted"))
    return Content.assemble(*parts)


class BrowserHeader(Widget):
    DEFAULT_CSS = """
    BrowserHeader { height: 2; background: $panel; }
    BrowserHeader > #header-top { height: 1; }
    BrowserHeader #header-conn { width: auto; padding: 0 1; text-style: bold; }
    BrowserHeader #header-mode { width: auto; padding: 0 1; color: $text-warning; }
    BrowserHeader #header-refresh { width: 1fr; height: 1; text-align: right; padding: 0 1; }
    BrowserHeader #header-counts { height: 1; padding: 0 1; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(id="header-top"):
            yield Static("", id="header-conn", markup=False)
            yield Static("", id="header-mode", markup=False)
            yield Static("", id="header-refresh", markup=False)
        yield Static("", id="header-counts", markup=False)

    def set_connection(self, label: str, accent: str | None) -> None:
        conn = self.query_one("#header-conn", Static)
        conn.update(Content(label))
        for name in ACCENTS:
            conn.set_class(name == accent, f"accent-{name}")

    def set_mode(
        self,
        public: bool,
        read_only: bool,
        *,
        visual_rows: int | None = None,
        wide_names: bool = False,
    ) -> None:
        words = []
        if visual_rows is not None:
            # Loud on purpose: every cursor move marks or unmarks rows while it is on.
            rows = "1 row" if visual_rows == 1 else f"{visual_rows:,} rows"
            words.append(f"VISUAL {rows} (V or Esc ends)")
        if public:
            words.append("public objects")
        if read_only:
            words.append("read-only")
        if wide_names:
            words.append("wide names (W)")
        self.query_one("#header-mode", Static).update(Content(" · ".join(words)))

    def set_refresh(self, kind: str, text: str) -> None:
        widget = self.query_one("#header-refresh", Static)
        # Fixed size (1fr x 1): no layout pass, which would re-render the whole screen.
        widget.update(Content(text), layout=False)
        for name in REFRESH_KINDS:
            widget.set_class(name == kind, f"-{name}")

    def set_counts(self, counts: Counts) -> None:
        # Fixed size (one full-width line): no layout pass on every filter keystroke.
        self.query_one("#header-counts", Static).update(counts_text(counts), layout=False)

    @property
    def refresh_text(self) -> str:
        return str(self.query_one("#header-refresh", Static).content)

    @property
    def text(self) -> str:
        """Everything the header says, as plain text (for tests and screen readers)."""
        parts = [
            str(self.query_one(f"#{name}", Static).content)
            for name in ("header-conn", "header-mode", "header-refresh", "header-counts")
        ]
        return " | ".join(parts)
