"""The help screen: every key binding (as remapped by the keymap) and the filter syntax,
narrowed by typing in the search box.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.events import Key
from textual.geometry import Size
from textual.keys import key_to_character
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from runloop_tui.query.filter import FILTER_HELP
from runloop_tui.tui.actions.commands import CLEANUP_PRESETS, SAVE_VIEW_TITLE, ViewStore
from runloop_tui.tui.columns import COLUMN_BY_KEY, SORT_HOTKEYS


@dataclass(frozen=True, slots=True)
class HelpRow:
    section: str
    keys: str
    text: str
    binding_id: str

    def matches(self, needle: str) -> bool:
        hay = f"{self.section} {self.keys} {self.text} {self.binding_id}".lower()
        return all(word in hay for word in needle.lower().split())


_SECTIONS = {
    "BrowserScreen": "Browser",
    "ObjectTable": "Table",
    "FilterBar": "Filter bar",
}


def binding_rows(screen: Screen[object]) -> list[HelpRow]:
    """Bindings of the app, the screen and its widgets, with the keymap applied."""
    app = screen.app
    # Only our own widgets: Textual's (Input's cursor keys...) would drown the list.
    nodes: list[DOMNode] = [
        app,
        screen,
        *(w for w in screen.query("*") if type(w).__module__.startswith("runloop_tui")),
    ]
    seen_types: set[type[DOMNode]] = set()
    rows: list[HelpRow] = []
    seen_ids: set[tuple[str, str]] = set()
    keymap = app._keymap  # the remaps set by App.set_keymap (no public getter)
    for node in nodes:
        if type(node) in seen_types or node._merged_bindings is None:
            continue
        seen_types.add(type(node))
        bindings = node._merged_bindings.copy()
        if keymap:
            bindings.apply_keymap(keymap)
        keys_by_id: dict[str, list[str]] = {}
        first: dict[str, Binding] = {}
        for _key, binding in bindings:
            if binding.system or not binding.description:
                continue
            if binding.id is None and node is not app:
                continue  # Textual's built-ins (tab, copy); the app's ctrl+q joins quit
            ident = binding.action
            keys_by_id.setdefault(ident, []).append(app.get_key_display(binding))
            if ident not in first or (binding.id and not first[ident].id):
                first[ident] = binding
        section = "General" if node is app else _SECTIONS.get(type(node).__name__, "Other")
        for ident, binding in first.items():
            if (section, ident) in seen_ids:
                continue
            seen_ids.add((section, ident))
            keys = ", ".join(dict.fromkeys(keys_by_id[ident]))
            rows.append(HelpRow(section, keys, binding.description, binding.id or ""))
    return rows


def view_rows(app: object) -> list[HelpRow]:
    """The command palette and the views it offers first (cleanup presets, saved views)."""
    section = "Views and the palette"
    rows = [
        HelpRow(section, "ctrl+p", "command palette: the views first, then every action", ""),
    ]
    rows += [
        HelpRow(section, preset.filter or "(everything)", f"{preset.title}. {preset.help}", "")
        for preset in CLEANUP_PRESETS
    ]
    if isinstance(app, ViewStore):
        rows += [
            HelpRow(section, f"--view {name}", f"View: {name} ({view.describe()})", "")
            for name, view in sorted(app.saved_views.items())
        ]
    rows += [
        HelpRow(section, "ctrl+p save", f"{SAVE_VIEW_TITLE} writes [views.NAME] to the config", ""),
        HelpRow(section, "--filter --sort", "open with a filter and a sort (-KEY descends)", ""),
        HelpRow(section, "--view NAME", "open a saved view", ""),
    ]
    return rows


def sort_rows() -> list[HelpRow]:
    """The direct sort keys in one line (from the column table), and the cleanup sorts."""
    shown = {c: key_to_character(k) or k for c, k in SORT_HOTKEYS.items()}
    keys = " ".join(shown.values())
    columns = ", ".join(COLUMN_BY_KEY[c].title.lower() for c in SORT_HOTKEYS)
    return [
        HelpRow("Sorting and marking", keys, f"sort by {columns}; again reverses", ""),
        HelpRow(
            "Sorting and marking",
            f"{shown['size']}, {shown['created']}",
            "the cleanup sorts: by size (largest first), by age",
            "",
        ),
        HelpRow(
            "Sorting and marking",
            "shift+↑↓, V",
            "mark a range; V marks from the anchor to the cursor until V or Esc",
            "",
        ),
    ]


def filter_rows() -> list[HelpRow]:
    return [HelpRow("Filter syntax", term, text, "") for term, text in FILTER_HELP]


# Narrower than this, a description is not wrapped under its column (it folds as it comes).
_MIN_TEXT_WIDTH = 16


def help_lines(rows: list[HelpRow], width: int | None = None) -> list[Content]:
    """One line per row; given a ``width``, a long description wraps under the description
    column, never back under the keys."""
    if not rows:
        return [Content.assemble(("Nothing matches.", "$text-muted"))]
    key_width = min(24, max(cell_len(row.keys) for row in rows))
    lines: list[Content] = []
    section = None
    for row in rows:
        if row.section != section:
            if section is not None:
                lines.append(Content(""))
            section = row.section
            lines.append(Content.assemble((section, "bold $text-primary")))
        pad = " " * max(1, key_width - cell_len(row.keys) + 1)
        head = Content.assemble("  ", (row.keys, "bold $text-accent"), pad)
        text = Content.assemble(
            row.text, (f"  {row.binding_id}" if row.binding_id else "", "$text-muted")
        )
        room = None if width is None else width - head.cell_length
        if room is None or room < _MIN_TEXT_WIDTH or text.cell_length <= room:
            lines.append(head + text)
            continue
        parts = text.wrap(room)
        lines.append(head + parts[0])
        lines += [Content(" " * head.cell_length) + part for part in parts[1:]]
    return lines


def render_rows(rows: list[HelpRow]) -> Content:
    """The rows unwrapped, one line each."""
    return Content("\n").join(help_lines(rows))


class HelpBody(Widget):
    """The rows, laid out for the width they get (wrapped under the description column)."""

    DEFAULT_CSS = "HelpBody { height: auto; }"

    def __init__(self, rows: list[HelpRow], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown = rows

    @property
    def content(self) -> Content:
        return render_rows(self._shown)

    def show(self, rows: list[HelpRow]) -> None:
        self._shown = rows
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(help_lines(self._shown, width))

    def render(self) -> Content:
        return Content("\n").join(help_lines(self._shown, self.size.width))


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close help", id="help.close"),
        Binding("f1", "close", "Close help", show=False, id="help.close_f1"),
    ]

    def __init__(self, source: Screen[object]) -> None:
        super().__init__()
        self._rows = binding_rows(source) + sort_rows() + view_rows(source.app) + filter_rows()

    @property
    def rows(self) -> list[HelpRow]:
        return self._rows

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static(
                Content.assemble(
                    ("Keys and filter syntax", "bold"),
                    ("  — type to search, Esc closes", "$text-muted"),
                ),
                id="help-title",
            )
            yield Input(placeholder="search keys and filter terms…", id="help-search")
            with VerticalScroll(id="help-scroll"):
                yield HelpBody(self._rows, id="help-body")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#help-search", Input))

    def on_key(self, event: Key) -> None:
        """Keys typed right after `?` reach the screen before the search has focus: they
        are the search."""
        search = self.query_one("#help-search", Input)
        if event.is_printable and event.character and not search.has_focus:
            event.stop()
            self.set_focus(search)
            search.insert_text_at_cursor(event.character)

    @on(Input.Changed, "#help-search")
    def _search(self, event: Input.Changed) -> None:
        shown = [row for row in self._rows if row.matches(event.value)]
        self.query_one("#help-body", HelpBody).show(shown)

    @property
    def shown_text(self) -> str:
        return str(self.query_one("#help-body", HelpBody).content)

    def action_close(self) -> None:
        self.dismiss(None)
