"""The browser's keys (k9s style), kept out of the screen's module; the sort keys derive from
the column table (tui/columns.py) in one place. `forward` declares an action that is one
call to a collaborator.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import ActiveBinding, Binding, BindingType

from runloop_tui.tui.columns import COLUMN_BY_KEY, SORT_HOTKEYS

# shift+arrows reach the program in the alternate screen (Konsole and others scroll their
# own history with them only outside it); J/K are the same for terminals that swallow them.
RANGE_BINDINGS: list[Binding] = [
    Binding("shift+down,J", "extend_marks(1)", "Mark and move down", show=False,
            id="browser.extend_marks_down"),
    Binding("shift+up,K", "extend_marks(-1)", "Mark and move up", show=False,
            id="browser.extend_marks_up"),
    Binding("V", "visual_mode", "Visual marks: mark from here to the cursor (V/Esc ends)",
            show=False, id="browser.visual"),
    Binding("W", "toggle_wide_names", "Wide names: fold other columns away", show=False,
            id="browser.wide_names"),
]  # fmt: skip

SORT_BINDINGS: list[Binding] = [
    Binding(
        key,
        f"sort_by('{column}')",
        f"Sort by {COLUMN_BY_KEY[column].title.lower()} (again reverses)",
        show=False,
        id=f"browser.sort_by_{column}",
    )
    for column, key in SORT_HOTKEYS.items()
]


# The browser screen's keys.
BROWSER_BINDINGS: list[BindingType] = [
    # The object actions first: the key bar shows keys in this order.
    Binding("u", "upload", "Upload", id="actions.upload"),
    Binding("d", "delete", "Delete", id="actions.delete"),
    Binding("D", "bulk_delete", "Delete marked", show=False, id="actions.bulk_delete"),
    Binding("w", "download", "Download", id="actions.download"),
    Binding("p", "preview", "Preview", id="actions.preview"),
    Binding("enter", "preview", "Preview", show=False, id="actions.preview_enter"),
    Binding("y", "presign", "Download URL", show=False, id="actions.presign"),
    Binding("I", "copy_id", "Copy id", show=False, id="actions.copy_id"),
    Binding("N", "copy_name", "Copy name", show=False, id="actions.copy_name"),
    Binding("e", "export", "Export", show=False, id="actions.export"),
    Binding("T", "focus_transfers", "Transfers", show=False, id="actions.transfers"),
    Binding("slash", "focus_filter", "Filter", id="browser.filter"),
    Binding("space", "toggle_mark", "Mark", id="browser.mark"),
    Binding("a", "mark_all", "Mark shown", show=False, id="browser.mark_all"),
    Binding("asterisk", "invert_marks", "Invert marks", show=False, id="browser.invert_marks"),
    Binding("c", "clear_marks", "Clear marks", show=False, id="browser.clear_marks"),
    Binding("escape", "escape", "Clear filter", show=False, id="browser.escape"),
    Binding("s", "cycle_sort", "Sort", show=False, id="browser.sort"),
    Binding("S", "reverse_sort", "Reverse sort", show=False, id="browser.reverse_sort"),
    Binding("i", "toggle_detail", "Details", show=False, id="browser.detail"),
    Binding("r", "refresh_now", "Refresh", show=False, id="browser.refresh"),
    Binding("P", "toggle_pause", "Pause live", show=False, id="browser.pause"),
    Binding("v", "toggle_public", "Public view", show=False, id="browser.public"),
    Binding("U", "usage", "Usage", show=False, id="browser.usage"),
    *RANGE_BINDINGS,  # shift+up/down, V, W
    *SORT_BINDINGS,  # one per sortable column, from tui/columns.py
]


class forward:
    """A screen method that is one call to a collaborator: ``action_upload =
    forward("transfers.start_upload")``. An action stays on the screen, where its binding,
    check_action and the palette look for it; the work is the collaborator's. (Methods that
    return nothing: the call's arguments pass through.)
    """

    def __init__(self, target: str) -> None:
        self._collaborator, _, self._method = target.partition(".")

    def __get__(self, screen: object, owner: type | None = None) -> Callable[..., None]:
        if screen is None:  # looked up on the class: an unbound method, as a def would give
            return self._unbound
        return getattr(getattr(screen, self._collaborator), self._method)  # type: ignore[no-any-return]

    def _unbound(self, screen: object, *args: object, **kwargs: object) -> None:
        getattr(getattr(screen, self._collaborator), self._method)(*args, **kwargs)


def refused_key(
    active: ActiveBinding | None, screen: object, refuse: Callable[[str], bool]
) -> bool:
    """Whether a key hit one of ``screen``'s disabled bindings, and ``refuse`` said why: a
    disabled binding would otherwise let its key fall through in silence."""
    if active is None or active.enabled or active.node is not screen:
        return False
    return refuse(active.binding.action)
