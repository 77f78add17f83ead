"""One listing of the objects, run by the browser's load worker: paging, staging, the cap.

The worker is one line (``await listing.run(refresh)``). The listing pages through the
client, feeds each page to the pure ListLoader (the cap, "deleted rows never come back",
the notes) and into the rows: streamed straight onto the table on a first load, or into a
staging model on a refresh, swapped in whole at the end. What the screen must react to comes
back as typed messages (harlequin style), which the screen hands to ``page_loaded``,
``failed`` and ``finished`` from its ``@on`` handlers: so the end of a listing is applied on
the screen's own message queue, after every page it posted.

A message carries its listing's number: one from a listing that a newer one replaced
(refresh pressed while loading) is ignored.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from textual.message import Message
from textual.message_pump import MessagePump

from runloop_tui.api.client import ObjectsClient
from runloop_tui.api.errors import ApiError
from runloop_tui.tui.browser_deps import Paging
from runloop_tui.tui.browser_model import BrowserModel
from runloop_tui.tui.list_loader import ListLoader
from runloop_tui.tui.screens.browser_rows import BrowserRows
from runloop_tui.tui.screens.live_refresh import LiveRefresh

# How often the header's counts follow the pages of a listing (see Listing.page_loaded).
COUNTS_INTERVAL_S = 0.25
# The longest a listing waits for its first rows to be painted before it goes on anyway.
FIRST_PAINT_WAIT_S = 1.0
# The longest the screen holds its first frame for a prefetched first page (first_rows).
PREFETCHED_WAIT_S = 0.2


class PageLoaded(Message):
    """A page is in (on screen, or staged); ``staged``: how many a refresh holds so far."""

    def __init__(self, listing: int, staged: int | None) -> None:
        super().__init__()
        self.listing = listing
        self.staged = staged


class LoadFailed(Message):
    """The listing gave up (the client's retries are spent)."""

    def __init__(self, listing: int, error: ApiError) -> None:
        super().__init__()
        self.listing = listing
        self.error = error


class LoadFinished(Message):
    """The last page is in (or the cap was reached); ``staged``: a refresh's new rows."""

    def __init__(self, listing: int, staged: BrowserModel | None) -> None:
        super().__init__()
        self.listing = listing
        self.staged = staged


@dataclass(frozen=True, slots=True)
class ListingView:
    """What a listing tells the user with, besides the rows and the header."""

    update_counts: Callable[[int | None], None]  # loaded: a refresh's staged count, or None
    notify: Callable[[str, str], None]  # (message, title): an information toast
    after_load: Callable[[], None]  # the list is in: fetch what waited for it (completion)
    painted: Callable[[], Awaitable[None]]  # what was posted so far is on screen (next_paint)


async def next_paint(screen: MessagePump) -> None:
    """Returns once ``screen`` has painted what it was sent before this call (bounded)."""
    painted = asyncio.Event()
    if screen.call_after_refresh(painted.set):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(painted.wait(), FIRST_PAINT_WAIT_S)


class Listing:
    """Runs listings into ``rows`` and applies their messages (see the module docstring)."""

    def __init__(
        self,
        client: ObjectsClient,
        paging: Paging,
        loader: ListLoader,
        rows: BrowserRows,
        live: LiveRefresh,
        public: Callable[[], bool],
        post: Callable[[Message], object],
        view: ListingView,
    ) -> None:
        self.client = client
        self.paging = paging
        self.loader = loader
        self.rows = rows
        self.live = live
        self._public = public
        self._post = post
        self._view = view
        self.number = 0  # the current listing; messages of an older one are stale
        self._counted_at = -COUNTS_INTERVAL_S  # when page_loaded last updated the counts
        self._first_page_in = asyncio.Event()  # set at the first listing's first page (or end)
        # Read now: the load worker takes the prefetch when it starts.
        self._prefetched = client.prefetching

    async def first_rows(self) -> None:
        """Wait (bounded) for the first page, when it is already on its way (api/prefetch.py).

        The screen awaits this at the end of its mount, so its first frame has rows in it:
        otherwise that frame and the two after it are drawn empty, ~25 ms at start. Without
        a prefetch there is nothing to wait for: the screen shows "loading" at once.
        """
        if self._prefetched:
            self._prefetched = False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._first_page_in.wait(), PREFETCHED_WAIT_S)

    # --- the worker's side ---
    async def run(self, refresh: bool) -> None:
        """One listing, start to end; the screen's load worker awaits this."""
        self.number += 1
        number = self.number
        self._counted_at = -COUNTS_INTERVAL_S  # a listing's first page shows its counts
        loader, model, paging = self.loader, self.rows.model, self.paging
        staged = model.staging() if refresh else None
        target = model if staged is None else staged  # where the repeats are counted
        target.begin_listing()
        loader.begin(refresh)
        self.live.show_status()
        pages = self.client.iter_pages(
            page_size=paging.page_size,
            first_page_size=paging.first_page_size,
            public=self._public(),
            on_retry=self.live.retrying,
        )
        first_page = True
        try:
            # aclosing: stopping at the cap must also cancel the page already prefetched.
            async with contextlib.aclosing(pages):
                async for page in pages:
                    objects = loader.page(page)
                    if staged is not None:
                        # Filtered and sorted page by page, off to the side; swapped in at the end.
                        staged.ingest(objects, self.rows.now_ms())
                    else:
                        self.rows.ingest(objects, counts=False)  # page_loaded counts
                    loader.repeats = target.repeated
                    self._post(PageLoaded(number, None if staged is None else len(staged.index)))
                    self._first_page_in.set()
                    # Loaded objects live long and hold no cycles: move them out of the cyclic
                    # collector's reach, or its full passes over 100k objects freeze the UI
                    # for up to half a second (measured). Refcounting still frees them.
                    gc.freeze()
                    if loader.done:
                        break
                    if first_page and staged is None:
                        # The first rows reach the screen before the next request: that is
                        # what loads the HTTP stack when the first page was prefetched
                        # (api/prefetch.py), and the next page's parse would compete too. (A
                        # refresh's staged pages are not on screen: nothing to wait for.)
                        first_page = False
                        await self._view.painted()
                    # Let input and painting run between pages.
                    await asyncio.sleep(0)
        except ApiError as error:
            self._post(LoadFailed(number, error))
            return
        finally:
            self._first_page_in.set()
        self._take_later_copies(target, staged)
        self._post(LoadFinished(number, staged))

    def _take_later_copies(self, target: BrowserModel, staged: BrowserModel | None) -> None:
        """An id the server sent twice: its later copy is the fresher one, so it replaces
        the row the first copy made (a rebuild, once per listing, only when ids repeat)."""
        later = list(target.later_copies.values())
        target.later_copies = {}
        if not later:
            return
        if staged is None:
            self.rows.apply_changes(later, [])
            return
        model = self.rows.model
        staged.apply_changes(later, [], self.rows.now_ms())
        for obj in later:  # what flashes after the swap: a state other than the shown one
            shown = model.get(obj.id)
            if shown is not None and shown.state != obj.state:
                staged.changed.add(obj.id)
            else:
                staged.changed.discard(obj.id)

    def incomplete(self) -> str:
        """ "3 of 6 loaded · listing failed: …" while a failed listing left only some of the
        objects; "" once a listing completes."""
        if not self.loader.incomplete:
            return ""
        return self.loader.label(len(self.rows.model.index)) or ""

    def mark_all_warning(self) -> str:
        """What "mark all" must add while the list is incomplete ("" otherwise)."""
        incomplete, shown = self.incomplete(), len(self.rows.model.rows)
        if not incomplete or not shown:
            return ""
        return f"Marked the {shown:,} shown, but the list is incomplete: {incomplete.rstrip('.')}."

    # --- the screen's side (its @on handlers) ---
    def page_loaded(self, event: PageLoaded) -> None:
        if event.listing != self.number:
            return
        # The header's counts, at most every COUNTS_INTERVAL_S while pages stream in (each
        # update is a frame: at 200 pages of a million objects, a tenth of the load's CPU);
        # the first page's at once, and ``finished`` gives the final ones.
        now = time.monotonic()
        if now - self._counted_at >= COUNTS_INTERVAL_S:
            self._counted_at = now
            self._view.update_counts(event.staged)

    def failed(self, event: LoadFailed) -> None:
        if event.listing == self.number:
            self.live.failed(event.error)

    def finished(self, event: LoadFinished) -> None:
        if event.listing != self.number:
            return  # a newer listing replaced this one: its own end applies
        loader, rows = self.loader, self.rows
        gone = loader.gone()  # deleted here while this listing ran: never back on screen
        if loader.finish():
            self._view.notify("Connection restored; the list is live again.", "Reconnected")
        if event.staged is not None:
            rows.swap(event.staged)
        rows.drop_gone(gone)
        self._view.update_counts(None)
        self.live.show_status()
        self.live.schedule()
        self._view.after_load()
