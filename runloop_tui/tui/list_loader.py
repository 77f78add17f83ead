"""One listing of the objects, as a state machine: begin, page, finish or fail.

Pure (no Textual): the browser's load worker feeds it what the client returns and asks what
to keep and what to say. It owns the rules a listing must keep whatever the server does:

- the cap: at most ``max_objects`` objects are taken, then paging stops and the header says
  so (a server that pages forever must not eat the machine);
- honesty about the end: a server that says ``has_more`` but gives no next page ends the
  listing early, and the header says that too; unreadable objects are counted, and so are
  ids the server sends twice (one row is shown);
- deleted rows never come back: an object deleted here after a listing began is dropped
  from that listing's pages, since the server may have answered before the delete landed;
- the failure text: with nothing loaded, "cannot reach SERVER: reason" instead of an empty
  account.
"""

from __future__ import annotations

from collections.abc import Iterable

from runloop_tui.api.errors import NetworkError
from runloop_tui.api.models import ObjectListView, ObjectView
from runloop_tui.config import DEFAULT_MAX_OBJECTS
from runloop_tui.tui.refresh_state import RefreshState


class ListLoader:
    def __init__(
        self,
        state: RefreshState | None = None,
        *,
        max_objects: int = DEFAULT_MAX_OBJECTS,
        server: str = "the server",
    ) -> None:
        self.state = state if state is not None else RefreshState()
        self.max_objects = max_objects
        self.server = server  # host[:port] for "cannot reach ..."; never holds a secret
        self.total: int | None = None  # the server's total_count, from the page that has it
        self.received = 0  # objects taken by the current (or last) listing
        self.capped = False  # the last listing stopped at max_objects
        self.cut_short = False  # the server said has_more but gave no next page
        self.skipped = 0  # unreadable objects the server sent (see ObjectListView.skipped)
        self.repeats = 0  # ids the server sent more than once in this listing (one row shown)
        self.failure = ""  # why the last listing failed, as the body shows it; "" when fine
        # The rows held are what a failed listing left (a first load streams its pages onto
        # the table): not all the objects, until a listing completes. Why, in a few words.
        self.incomplete = ""
        self._refresh = False
        self._pages = 0
        self._counted = False  # a page of the current listing carried total_count
        self._last_has_more = False
        # Every listing and every local delete gets a number from one counter: a delete with
        # a number at or after a listing's own was not yet seen by that listing's server.
        self._clock = 0
        self._listing = 0
        self._deleted: dict[str, int] = {}

    # --- the listing ---
    def begin(self, refresh: bool) -> None:
        if not refresh:  # another list (the public view): the last one's failure is not its
            self.incomplete = ""
        self._clock += 1
        self._listing = self._clock
        self._counted = False
        self.received = 0
        self._pages = 0
        self.capped = False
        self.cut_short = False
        self.skipped = 0
        self.repeats = 0
        self._last_has_more = False
        self._refresh = refresh
        if not refresh:
            self.total = None
        self.state.loading = True

    def page(self, page: ObjectListView) -> list[ObjectView]:
        """The objects to take from one page; sets ``capped`` when the cap is reached."""
        if page.total_count is not None:  # the first page, or the second after a small one
            self.total = page.total_count
            self._counted = True
        self._pages += 1
        self.skipped += page.skipped
        self._last_has_more = page.has_more
        objects = page.objects
        if self._deleted:
            gone = self._gone_during_listing()
            if gone:
                objects = [o for o in objects if o.id not in gone]
        room = self.max_objects - self.received
        if len(objects) >= room and (len(objects) > room or page.has_more):
            objects = objects[:room]
            self.capped = True
        self.received += len(objects)
        return objects

    @property
    def done(self) -> bool:
        """Stop asking for pages (the cap is reached)."""
        return self.capped

    def finish(self) -> bool:
        """The listing ended; returns True when that ends an outage."""
        self.cut_short = self._last_has_more and not self.capped
        if not self._counted:
            # One small page held everything, so the total was never asked: it is what came
            # (unless the listing stopped early, when nobody knows).
            self.total = None if self._last_has_more else self.received
        self.failure = ""
        self.incomplete = ""
        # Deletes from before this listing began are in the server's answer by now.
        self._deleted = {i: n for i, n in self._deleted.items() if n >= self._listing}
        return self.state.succeeded()

    def fail(self, error: Exception, loaded: int, now: float | None = None) -> tuple[float, bool]:
        """The listing gave up: returns (seconds until the next try, whether to notify)."""
        if isinstance(error, NetworkError):
            summary = "cannot reach server"
            reason = error.message.removeprefix("connection failed: ").rstrip(".")
            self.failure = f"cannot reach {self.server}: {reason}"
        else:
            summary = str(error)
            self.failure = f"cannot list objects: {error}"
        if not self._refresh:
            # Its pages are on the table (a failed refresh's staged rows are dropped, and
            # the rows held stay what they were: complete or not).
            self.incomplete = summary
        return self.state.failed(summary, loaded, now)

    # --- deletes ---
    def deleted(self, ids: Iterable[str]) -> None:
        """Objects deleted here: a listing already under way must not bring them back."""
        for object_id in ids:
            self._deleted[object_id] = self._clock

    def gone(self) -> set[str]:
        """Ids deleted here since the current listing began (to drop before a swap)."""
        return self._gone_during_listing()

    def _gone_during_listing(self) -> set[str]:
        return {i for i, n in self._deleted.items() if n >= self._listing}

    # --- what the header says ---
    def label(self, loaded: int = 0) -> str | None:
        """What the counts line says instead of "N objects", or None: at the cap, the cap;
        after a failed listing, that the rows held are not all (``loaded``: rows held)."""
        if self.capped:
            return f"showing the first {self.max_objects:,}; narrow the filter to search the server"
        if self.incomplete and loaded:
            of = "?" if self.total is None else f"{max(self.total, loaded):,}"
            return f"{loaded:,} of {of} loaded · listing failed: {self.incomplete}"
        return None

    def note(self, loaded: int) -> str:
        """A short remark for the header's counts line, or "" (``loaded``: rows held)."""
        parts: list[str] = []
        if self.failure and not loaded:
            parts.append(self.failure)
        if self.cut_short and not self.capped:
            parts.append("the server stopped paging early (has_more, but no next page)")
        if self.skipped:
            noun = "object" if self.skipped == 1 else "objects"
            parts.append(f"{self.skipped:,} unreadable {noun} skipped")
        if self.repeats:
            noun = "id" if self.repeats == 1 else "ids"
            parts.append(f"{self.repeats:,} duplicate {noun} skipped")
        return " · ".join(parts)
