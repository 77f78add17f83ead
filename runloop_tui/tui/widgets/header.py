"""The browser's two-line header: where we are connected, the view mode, the refresh status,
and the counts (loaded/total, shown, size, marks). Never the API key.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from runloop_tui.tui.formatting import count_noun, count_text, human_size
from runloop_tui.tui.widgets.cell_fit import fit

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
    incomplete: bool = False  # the label says a failed listing left only some of the objects


# Each part of the counts line has a rank: on a narrow terminal the least important go first
# (the size, then the notes, then "N shown"), so what is loaded and what is marked stay.
_KEEP_LOADED, _KEEP_MARKED, _KEEP_SHOWN, _KEEP_NOTE, _KEEP_SIZE = range(5)


def _count_parts(c: Counts) -> list[tuple[int, str, str]]:
    """(rank, text, style) of the counts line, in the order it reads."""
    total = "?" if c.total is None else count_text(max(c.total, c.loaded))
    if c.loading:
        loaded = (f"loaded {count_text(c.loaded)} of {total}", "$text-warning")
    elif c.incomplete:
        loaded = (c.label or count_noun(c.loaded, "object"), "bold $text-error")
    else:
        loaded = (c.label or count_noun(c.loaded, "object"), "")
    parts = [(_KEEP_LOADED, *loaded)]
    if c.note and not c.loaded and not c.loading:
        parts = [(_KEEP_LOADED, c.note, "$text-error")]  # "cannot reach HOST: …", not "0 objects"
    elif c.note:
        parts.append((_KEEP_NOTE, f" · {c.note}", "$text-warning"))
    parts += [
        (_KEEP_SHOWN, f" · {count_text(c.shown)} shown", ""),
        (_KEEP_SIZE, f" · {human_size(c.shown_bytes)}", ""),
        (_KEEP_MARKED, "  │  ", ""),
    ]
    if c.marked:
        marked = f"marked {count_text(c.marked)} ({human_size(c.marked_bytes)})"
        parts.append((_KEEP_MARKED, marked, "bold $text-secondary"))
        if c.marked_hidden:
            # Never silently acted on: D deletes these too, and its summary lists them first.
            hidden = f" · {count_text(c.marked_hidden)} hidden by filter"
            parts.append((_KEEP_MARKED, hidden, "bold $text-warning"))
        if c.marked_elsewhere:
            # Kept across `v`: never acted on here, back when their objects are listed again.
            elsewhere = f" · {count_text(c.marked_elsewhere)} not in this list"
            parts.append((_KEEP_MARKED, elsewhere, "bold $text-warning"))
    else:
        parts.append((_KEEP_MARKED, "marked 0", "$text-muted"))
    return parts


def counts_text(c: Counts, width: int | None = None) -> Content:
    """The counts line; with ``width``, the parts that do not fit are dropped, least
    important first, and what is left of the first part is cut to fit."""
    parts = _count_parts(c)
    if width is not None:
        for rank in (_KEEP_SIZE, _KEEP_NOTE, _KEEP_SHOWN):
            if sum(cell_len(text) for _, text, _ in parts) <= width:
                break
            parts = [p for p in parts if p[0] != rank]
        rest = sum(cell_len(text) for rank, text, _ in parts if rank != _KEEP_LOADED)
        room = width - rest
        rank, first, style = parts[0]
        if cell_len(first) > room:
            parts[0] = (rank, fit(first, max(1, room)), style)
    return Content.assemble(*((text, style) for _, text, style in parts))


class CountsLine(Widget):
    """The counts line, fitted to its width when painted (a resize re-fits it)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.counts: Counts | None = None

    @property
    def content(self) -> Content:
        """Everything it says, unfitted."""
        return Content("") if self.counts is None else counts_text(self.counts)

    def render(self) -> Content:
        if self.counts is None:
            return Content("")
        return counts_text(self.counts, self.content_region.width)


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
        yield CountsLine(id="header-counts")

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
        line = self.query_one(CountsLine)
        line.counts = counts
        line.refresh()

    @property
    def refresh_text(self) -> str:
        return str(self.query_one("#header-refresh", Static).content)

    @property
    def text(self) -> str:
        """Everything the header says, as plain text (for tests and screen readers)."""
        parts = [
            str(self.query_one(f"#{name}", Static).content)
            for name in ("header-conn", "header-mode", "header-refresh")
        ]
        parts.append(str(self.query_one(CountsLine).content))
        return " | ".join(parts)
