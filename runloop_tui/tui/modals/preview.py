"""The preview of an object's first 64 KiB: highlighted text, a tar listing or a hex dump."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import RenderableType
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from runloop_tui.api.models import ObjectView
from runloop_tui.preview import Preview, PreviewKind, TarMember
from runloop_tui.tui.formatting import display_text, human_size, title_name
from runloop_tui.tui.modals.dialog import dialog_css


def _utc(ts: int) -> str:
    try:
        return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        return "?"


def member_table(members: tuple[TarMember, ...]) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("mode", no_wrap=True)
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("modified (UTC)", no_wrap=True)
    table.add_column("name", no_wrap=True)
    for m in members:
        name = Text(display_text(m.name))
        if m.linkname:
            name.append(f" -> {display_text(m.linkname)}", style="dim")
        table.add_row(m.mode_text, f"{m.size:,}" if m.kind == "file" else "", _utc(m.mtime), name)
    return table


def render_body(preview: Preview) -> RenderableType:
    if preview.kind is PreviewKind.TEXT:
        return Syntax(
            preview.text,
            preview.lexer,
            line_numbers=True,
            word_wrap=False,
            theme="ansi_dark",
            background_color="default",
        )
    if preview.kind is PreviewKind.TAR:
        if not preview.members:
            return Text("The archive is empty.")
        return member_table(preview.members)
    if preview.kind is PreviewKind.HEX:
        return Text("\n".join(preview.hex_lines))
    return Text("The object is empty: there is nothing to preview.")


class PreviewModal(ModalScreen[None]):
    DEFAULT_CSS = (
        dialog_css("PreviewModal", "100%", padding="0", form=False, buttons=False)
        + """
    PreviewModal > Vertical { height: 100%; }
    PreviewModal Label { padding: 0 1; }
    PreviewModal .title { text-style: bold; width: 100%; }
    PreviewModal .summary { color: $text-muted; }
    PreviewModal .notes { color: $warning; height: auto; width: 100%; }
    PreviewModal ScrollableContainer {
        height: 1fr; margin-top: 1; padding-left: 1; scrollbar-size-vertical: 1;
    }
    PreviewModal #body { width: auto; min-width: 100%; }
    PreviewModal .hint { color: $text-muted; }
    """
    )

    BINDINGS = [
        Binding("escape", "close", "Close", id="preview.close"),
        Binding("q", "close", "Close", show=False, id="preview.close_q"),
    ]

    def __init__(self, obj: ObjectView, preview: Preview) -> None:
        super().__init__()
        self.obj = obj
        self.preview = preview

    def compose(self) -> ComposeResult:
        p = self.preview
        with Vertical():
            yield Label(
                Content(
                    f"{title_name(self.obj.name)}  ·  {human_size(self.obj.size_bytes)}"
                    f"  ·  {display_text(str(self.obj.content_type))}"
                    f"  ·  {display_text(self.obj.id)}"
                ),
                classes="title",
            )
            yield Label(Content(p.summary), classes="summary")
            if p.notes:
                yield Label(Content("\n".join(p.notes)), classes="notes")
            with ScrollableContainer(id="scroll"):
                yield Static(render_body(p), id="body")
            yield Label("↑↓ PgUp PgDn ←→ scroll · Esc closes", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#scroll", ScrollableContainer).focus()

    def action_close(self) -> None:
        self.dismiss(None)
