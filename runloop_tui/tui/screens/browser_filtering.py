"""The browser's filter: applied on every key while passes are cheap, and, while the list is
still partial (loading, or past the object cap), also asked of the server so that matches
show at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial

from textual.dom import DOMNode
from textual.worker import Worker

from runloop_tui.api.client import ListFilters, ObjectsClient
from runloop_tui.api.errors import ApiError
from runloop_tui.query.filter import compile_filter
from runloop_tui.tui.actions.host import run_io
from runloop_tui.tui.screens.browser_rows import BrowserRows
from runloop_tui.tui.widgets.filter_bar import FilterBar

PUSHDOWN_LIMIT = 500
# Filter passes expected to cost less than this (CPU) run on every keystroke; dearer ones
# are debounced. A key that waits for the debounce pays all of it on top of its pass; a key
# queued behind another key's pass pays at most that pass. Below this, running at once is the
# better bargain for single keys and for bursts of two or three (a paste is one change, not a
# burst of keys). A pass over a million rows is 30-80 ms.
FILTER_INSTANT_SECONDS = 0.08
FILTER_DEBOUNCE_SECONDS = 0.12

# (message, title): a warning toast; server text is never markup.
Warn = Callable[[str, str], None]


class BrowserFilter:
    """Applies the filter bar's text to the rows, and pushes it down to the server."""

    def __init__(
        self,
        rows: BrowserRows,
        client: ObjectsClient,
        node: DOMNode,
        apply: Callable[[str], None],
        filter_bar: Callable[[], FilterBar],
        public: Callable[[], bool],
        warn: Warn,
    ) -> None:
        self.rows = rows
        self.client = client
        self._node = node  # the screen: these workers are its own
        self._apply = apply  # the screen's _apply_filter (bench/ times it there)
        self._filter_bar = filter_bar
        self._public = public
        self._warn = warn

    def instant(self, text: str) -> bool:
        """Whether the pass for ``text`` is cheap enough to run at once. Judged before the
        pass, not by the last one: after a dear key (`7` at a million rows), the next one
        often narrows it or is remembered, and waits for no debounce."""
        return self.rows.expected_seconds(compile_filter(text)) < FILTER_INSTANT_SECONDS

    def changed(self, text: str) -> None:
        """The filter bar's text changed (a key)."""
        # A pass over 100k objects takes 10-20 ms: apply it at once, so every key repaints
        # within a frame or two. Only once passes get slow (a huge list, a slow machine) does
        # typing wait for a pause, so keys never queue up behind filter passes.
        if self.instant(text):
            self._node.workers.cancel_group(self._node, "filter")  # a pending pass is stale
            self._apply(text)
        else:
            work = partial(self._debounced, text)
            _: Worker[None] = run_io(
                self._node, work, "filter (debounced)", "filter", exclusive=True
            )

    async def _debounced(self, text: str) -> None:
        # The next keystroke cancels this worker while it sleeps: one pass per pause in typing.
        await asyncio.sleep(FILTER_DEBOUNCE_SECONDS)
        if text == self._filter_bar().text:
            self._apply(text)

    def apply_now(self, text: str) -> None:
        """Filter the rows now, and ask the server too while the list is partial."""
        if self.apply(text):
            self.start_pushdown(text)

    def start_pushdown(self, text: str) -> None:
        work = partial(self.pushdown, text)
        _: Worker[None] = run_io(self._node, work, "server-side filter", "pushdown", exclusive=True)

    def apply(self, text: str) -> bool:
        """Filter the rows now; True if the server should be asked too (see pushdown)."""
        compiled = compile_filter(text)
        self._filter_bar().show_errors(compiled.errors)
        return self.rows.apply_filter(compiled) and self.rows.wants_pushdown(compiled)

    async def pushdown(self, text: str) -> None:
        """While the list is still loading, ask the server for matches so they show at once."""
        rows = self.rows
        push = compile_filter(text).pushdown
        filters = ListFilters(search=push.search, state=push.state, content_type=push.content_type)
        try:
            page = await self.client.list_objects(
                limit=PUSHDOWN_LIMIT, filters=filters, public=self._public()
            )
        except ApiError as error:
            self._warn(str(error), "Server-side filter failed")
            return
        if text != rows.model.filter.text:
            return  # stale: the filter changed
        if not (rows.refresh_state.loading or rows.loader.capped):
            return  # the full list has arrived anyway
        gone = rows.loader.gone()
        rows.ingest([o for o in page.objects if o.id not in gone], listed=False)
