"""What the browser can do right now, and why not: the one rule, free of Textual.

`check_action` (greying keys in the key bar and the palette), the key handlers, a click on a
dimmed key and the palette all ask `unavailable_reason`, so no view can forget a check
(k9s once missed its read-only check in one view). Adding an action with a rule is one entry
in `_RULES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from runloop_tui.api.models import ObjectState, ObjectView


@dataclass(frozen=True, slots=True)
class Availability:
    """A snapshot of everything the rule looks at."""

    selection: ObjectView | None = None
    marks: int = 0
    hidden_marks: int = 0  # marked, but hidden by the filter or kept from the other view
    rows: int = 0  # shown by the current filter
    read_only: bool = False  # --read-only or the profile's read_only
    public_view: bool = False  # other accounts' objects: never writable
    transfers: int = 0  # listed in the transfers panel, running or finished
    transfers_running: int = 0
    # Web mode, in a tab whose page may not write the clipboard (not https, not localhost).
    clipboard_refusal: str | None = None
    visual: bool = False  # the visual range mode (V) is on

    @property
    def writable(self) -> bool:
        return not (self.read_only or self.public_view)


PUBLIC_VIEW_REASON = (
    "The public view lists other accounts' objects: they cannot be changed from here (v leaves it)."
)
READ_ONLY_REASON = (
    "Read-only mode (--read-only or the profile's read_only): nothing can be changed."
)
NO_SELECTION = "No object is selected."
NO_MARKS = "Nothing is marked: mark objects with space, or all shown with a."


def content_reason(obj: ObjectView, what: str) -> str | None:
    """Why ``obj`` has no content to ``what`` (None: it has)."""
    if obj.state is ObjectState.READ_ONLY:
        return None
    if obj.state is ObjectState.UPLOADING:
        return f"{obj.name!r} is still UPLOADING: there is no content to {what} yet."
    if obj.state is ObjectState.DELETED:
        return f"{obj.name!r} is DELETED: there is no content to {what}."
    return f"{obj.name!r} is {obj.state}: there is no content to {what}."


def _write(a: Availability) -> str | None:
    if a.public_view:
        return PUBLIC_VIEW_REASON
    return READ_ONLY_REASON if a.read_only else None


def _selected(a: Availability) -> str | None:
    return None if a.selection is not None else NO_SELECTION


def _content(what: str) -> Callable[[Availability], str | None]:
    def rule(a: Availability) -> str | None:
        return NO_SELECTION if a.selection is None else content_reason(a.selection, what)

    return rule


def _delete(a: Availability) -> str | None:
    # d deletes the marked objects when there are any, else the one under the cursor.
    if a.marks == 0 and a.selection is None:
        return NO_SELECTION
    return None


def _bulk_delete(a: Availability) -> str | None:
    return NO_MARKS if a.marks == 0 else None


def _export(a: Availability) -> str | None:
    return "There are no rows to export." if a.rows == 0 and a.marks == 0 else None


def _transfers(a: Availability) -> str | None:
    return "No transfers yet: u uploads, w downloads." if a.transfers == 0 else None


def _clipboard(a: Availability) -> str | None:
    if a.clipboard_refusal is None:
        return None
    return f"Copying does not work in this tab: {a.clipboard_refusal}."


def _has_marks(a: Availability) -> str | None:
    return "Nothing is marked." if a.marks == 0 and a.hidden_marks == 0 else None


def _range(a: Availability) -> str | None:
    # Leaving the visual mode is always possible; starting a range needs a row.
    if a.visual:
        return None
    return "There are no rows to mark." if a.rows == 0 or a.selection is None else None


# action -> the checks that must all pass, first reason wins.
_RULES: dict[str, tuple[Callable[[Availability], str | None], ...]] = {
    "upload": (_write,),
    "delete": (_write, _delete),
    "bulk_delete": (_write, _bulk_delete),
    "presign": (_content("link to"),),
    "download": (_content("download"),),
    "preview": (_content("preview"),),
    "copy_id": (_clipboard, _selected),
    "copy_name": (_clipboard, _selected),
    "copy_url": (_clipboard,),  # in the URL dialog
    "copy_curl": (_clipboard,),
    "export": (_export,),
    "focus_transfers": (_transfers,),
    "clear_marks": (_has_marks,),
    "extend_marks": (_range,),
    "visual_mode": (_range,),
}
# Actions the rule knows: check_action asks only about these.
RULED_ACTIONS = frozenset(_RULES)


def unavailable_reason(action: str, availability: Availability) -> str | None:
    """Why ``action`` cannot run now, as a sentence for a toast; None when it can.

    ``action`` may carry its binding's parameters (`extend_marks(1)`): the rule is per name.
    """
    for check in _RULES.get(action.partition("(")[0], ()):
        reason = check(availability)
        if reason is not None:
            return reason
    return None


class AvailabilityGate:
    """The rule, asked on behalf of one screen: greying, refusing with a reason, re-checking.

    ``snapshot`` builds the screen's Availability; ``say`` shows a reason (a toast);
    ``changed`` re-checks the screen's bindings, called only when an answer changed
    (refresh_bindings re-checks every binding and re-renders the key bar).
    """

    def __init__(
        self,
        snapshot: Callable[[], Availability],
        say: Callable[[str], None],
        changed: Callable[[], None],
    ) -> None:
        self._snapshot = snapshot
        self._say = say
        self._changed = changed
        self._answers: tuple[bool, ...] | None = None

    def reason(self, action: str) -> str | None:
        return unavailable_reason(action, self._snapshot())

    def check(self, action: str) -> bool | None:
        """For check_action: True when available, None (shown greyed) when not."""
        return None if self.reason(action) else True

    def refuse(self, action: str) -> bool:
        """Say why and return True when ``action`` cannot run now."""
        reason = self.reason(action)
        if reason is not None:
            self._say(reason)
        return reason is not None

    def recheck(self) -> None:
        availability = self._snapshot()
        answers = tuple(unavailable_reason(a, availability) is None for a in _ORDERED)
        if answers != self._answers:
            self._answers = answers
            self._changed()


_ORDERED = tuple(sorted(RULED_ACTIONS))
