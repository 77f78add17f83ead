"""The browser's data, free of widgets: loaded objects, the filtered+sorted view, the marks
(their rules in browser_marks.py).

The view is a list of positions into an ObjectIndex. Filtering and sorting rebuild that list
only; loading a page appends to the index and filters just the new objects.

A keystroke in the filter must repaint within a frame or two at 100k objects, so a filter
pass avoids both the full scan and the sort where it can: a filter that only narrows the
previous one (typing `rep` -> `repo`) searches the current rows, which are already sorted;
any other filter scans the whole list in sort order (cached per sort column); and results
are remembered per filter text until the data or the sort changes (backspacing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import ge, le
from typing import Any

from runloop_tui.api.models import ObjectState, ObjectView
from runloop_tui.query.filter import CompiledFilter, ObjectIndex, compile_filter
from runloop_tui.query.terms import SPARSE_SHARE
from runloop_tui.tui.browser_marks import MarksMixin
from runloop_tui.tui.columns import DEFAULT_SORT, SORT_COLUMNS, sort_key_of

__all__ = ["DEFAULT_SORT", "SORT_COLUMNS", "BrowserModel", "keep_object"]

# Remembered filter results hold at most this many positions in all (8 bytes each).
RESULT_CACHE_POSITIONS = 2_000_000


def keep_object(obj: ObjectView, now_ms: int) -> bool:
    """Deleted objects leave the list. Expired ones stay, shown as expired, for as long as the
    server lists them (the service does until it sweeps them): `expired` finds them."""
    return obj.state is not ObjectState.DELETED


def _size_or_zero(obj: ObjectView) -> int:
    return obj.size_bytes or 0


def _key_of(column: str) -> Callable[[ObjectView], Any]:
    """The sort key of a column (tui/columns.py), or "bytes": sizes to add up, unknown as 0."""
    return _size_or_zero if column == "bytes" else sort_key_of(column)


def _column_keys(column: str, objects: list[ObjectView]) -> list[Any]:
    """``_key_of(column)`` for each object; map() keeps the per-object work in C for the
    columns every load needs (attrgetter, a plain function)."""
    if column == "bytes":
        return [o.size_bytes or 0 for o in objects]
    return list(map(_key_of(column), objects))


class BrowserModel(MarksMixin):
    def __init__(self) -> None:
        self.index = ObjectIndex()
        self.pos_by_id: dict[str, int] = {}
        self.rows: list[int] = []
        self.filter: CompiledFilter = compile_filter("")
        self.sort: tuple[str, bool] = DEFAULT_SORT
        self.marks: set[str] = set()
        # Marks kept across a switch between the own and the public view (`v`), so that a
        # missed shift on `V` loses nothing: the other view's marks, and this view's marks
        # until their objects load again. Never acted on; `c` clears them with the rest.
        self._away_marks: set[str] = set()
        self._pending_marks: set[str] = set()
        self._kept_sizes: dict[str, int] = {}  # their sizes, for the header's marked bytes
        # Sort keys per column, in load order; extended as pages arrive, reset on a swap.
        self._keys: dict[str, list[Any]] = {}
        # The total size of the rows shown, kept up to date as rows come and go.
        self._shown_total = 0
        # Valid until the objects or the sort change (_forget_views): every position in sort
        # order, per sort; and earlier filter results by filter text, oldest first.
        self._orders: dict[tuple[str, bool], list[int]] = {}
        self._results: dict[str, tuple[CompiledFilter, list[int], int]] = {}
        # Rows the last filter pass looked at (0: none, a remembered or equal result).
        self.last_scanned = 0
        # scan_estimate's names-buffer search, for the set_filter that follows it.
        self._probe: tuple[str, list[int] | None] | None = None
        # A staging model compares each page with the model it will replace, so the swap
        # need not walk 100k objects at once; `changed` collects ids whose state differs.
        self._previous: BrowserModel | None = None
        self.changed: set[str] = set()
        # Ids the server sent twice in one listing (the second is skipped, and counted).
        # Rows put in by the filter's server query are not repeats when the listing sends
        # them later, nor are rows a failed listing left behind.
        self.repeated = 0
        self._listing_start = 0
        self._pushed: set[str] = set()
        # The last copy of each repeated id: the fresher one, put in when the listing ends.
        self.later_copies: dict[str, ObjectView] = {}

    # --- loading ---
    def clear(self) -> None:
        self.index = ObjectIndex()
        self.pos_by_id = {}
        self.rows = []
        self.marks = set()
        self._keys = {}
        self._shown_total = 0
        self._forget_views()

    def begin_listing(self) -> None:
        """A listing streams into this model from now on (see ``repeated``)."""
        self.repeated = 0
        self._listing_start = len(self.index)
        self._pushed = set()
        self.later_copies = {}

    def _forget_views(self) -> None:
        self._orders = {}
        self._results = {}
        self._probe = None

    def ingest(self, objects: Iterable[ObjectView], now_ms: int, listed: bool = True) -> int:
        """Append objects not loaded yet (by id); returns how many were new.

        ``listed``: the objects come from the listing (not the filter's server query), so
        an id it already sent is a repeat.
        """
        # One pass per page of 5,000 on the UI thread: keep the per-object work minimal.
        pos_by_id = self.pos_by_id
        objects = objects if isinstance(objects, list) else list(objects)
        # The position ints, made once: the rows, the sort orders and pos_by_id share them
        # (above 256 each int is an object of its own, 28 bytes; at 1M rows that adds up).
        start = len(self.index)
        numbers = list(range(start, start + len(objects)))
        fresh_ids = self._all_fresh(objects)
        if fresh_ids is not None:
            fresh = objects
            pos_by_id.update(zip(fresh_ids, numbers, strict=True))
        else:
            fresh = self._fresh(objects, listed, numbers)
        if not listed:
            self._pushed.update(obj.id for obj in fresh)
        if not fresh:
            return 0
        self._forget_views()
        self.index.extend(fresh)
        if self.filter.is_empty:
            added = numbers[: len(fresh)]
        else:
            matches = self.filter.matches
            added = [n for n, obj in zip(numbers, fresh, strict=False) if matches(obj, now_ms)]
        self._shown_total += self._bytes_of(added)
        self._append_rows(added)
        return len(fresh)

    def _all_fresh(self, objects: list[ObjectView]) -> list[str] | None:
        """The ids of ``objects`` when every one is new and kept (the usual page: checked a
        column at a time, in C), else None: then ``_fresh`` looks at each."""
        if self._previous is not None:
            return None
        ids = [o.id for o in objects]
        if len(set(ids)) != len(ids) or not self.pos_by_id.keys().isdisjoint(ids):
            return None  # a repeat, in the page or before it
        if ObjectState.DELETED in [o.state for o in objects]:
            return None
        return ids

    def _fresh(
        self, objects: list[ObjectView], listed: bool, numbers: list[int]
    ) -> list[ObjectView]:
        """The objects to add, one at a time: repeats counted, deleted ones left out."""
        pos_by_id = self.pos_by_id
        fresh: list[ObjectView] = []
        deleted = ObjectState.DELETED
        previous = self._previous
        for obj in objects:
            # keep_object(), inlined: this loop runs for every object loaded.
            if obj.id in pos_by_id:
                if self._seen_again(obj.id, listed):
                    self.later_copies[obj.id] = obj
                continue
            if obj.state is deleted:
                continue
            if previous is not None:
                obj = self._against_previous(previous, obj)
            pos_by_id[obj.id] = numbers[len(fresh)]
            fresh.append(obj)
        return fresh

    def _against_previous(self, previous: BrowserModel, obj: ObjectView) -> ObjectView:
        """A refresh's object beside the model it will replace: note a changed state, and
        where nothing changed return the object already in memory (its id string too, as
        the key of pos_by_id), so that the page's new copy is freed at once (a refresh of a
        million objects would otherwise hold two of each until the swap)."""
        pos = previous.pos_by_id.get(obj.id)
        if pos is None:
            return obj
        old = previous.index.objects[pos]
        if old.state != obj.state:
            self.changed.add(obj.id)
        elif old == obj and old.extra == obj.extra:
            return old
        return obj

    def _seen_again(self, object_id: str, listed: bool) -> bool:
        """True when this is a repeat of the listing's own (see ``repeated``)."""
        if not listed:
            return False
        if object_id in self._pushed:
            self._pushed.discard(object_id)  # the listing's own copy of a pushed-down row
        elif self.pos_by_id[object_id] >= self._listing_start:
            self.repeated += 1
            return True
        return False

    def _append_rows(self, added: list[int]) -> None:
        """Add rows that come after every current row in load order, keeping the sort."""
        column, descending = self.sort
        key = self._sort_keys(column).__getitem__
        rows = self.rows
        new_keys = list(map(key, added))
        if rows:
            new_keys.insert(0, key(rows[-1]))
        # Each key against the next, compared in C (map over two lists, no generator).
        in_order = all(map(ge if descending else le, new_keys, new_keys[1:]))
        rows.extend(added)
        if not in_order:
            # The old rows are sorted (ties in load order) and the new ones come after them
            # in load order, so one stable sort keeps every tie in load order.
            rows.sort(key=key, reverse=descending)

    def staging(self) -> BrowserModel:
        """An empty model with this one's filter and sort, for a refresh to stream into."""
        staged = BrowserModel()
        staged.filter = self.filter
        staged.sort = self.sort
        staged._previous = self
        return staged

    def adopt(self, staged: BrowserModel, now_ms: int, complete: bool = True) -> set[str]:
        """Swap in a fully loaded staging model; returns the ids whose state changed.

        ``complete``: the staged model is a whole listing, so kept marks of this view whose
        objects are not in it are gone for good.

        The staging model was filtered and sorted page by page while it loaded, so the swap
        itself is cheap (no re-filtering of 100k objects at once on the UI thread).
        """
        changed = staged.changed
        staged._previous = None
        self.index = staged.index
        self.pos_by_id = staged.pos_by_id
        self.rows = staged.rows
        self._keys = staged._keys
        self._shown_total = staged._shown_total
        self._forget_views()
        self.marks &= self.pos_by_id.keys()
        self.take_back_marks()
        if complete:
            self._pending_marks = set()
        if staged.filter is not self.filter:
            self.recompute(now_ms)  # the filter changed while the refresh was loading
        elif staged.sort != self.sort:
            self._sort_rows()
        return changed

    def apply_changes(
        self, updated: Iterable[ObjectView], removed_ids: Iterable[str], now_ms: int
    ) -> set[str]:
        """Replace/insert ``updated`` and drop ``removed_ids``; returns the ids shown changed."""
        updated = list(updated)
        removed = set(removed_ids)
        by_id = {obj.id: obj for obj in updated}
        objects = [by_id.pop(obj.id, obj) for obj in self.index.objects if obj.id not in removed]
        # Objects we did not have (e.g. just uploaded) go first: newest-first load order.
        objects = list(by_id.values()) + objects
        staged = self.staging()
        staged.ingest(objects, now_ms)
        self.adopt(staged, now_ms, complete=False)
        self.marks -= removed
        self._pending_marks -= removed
        return {obj.id for obj in updated} - removed

    # --- view ---
    def set_filter(self, compiled: CompiledFilter, now_ms: int) -> None:
        previous = self.filter
        # Rows never repeat: as many rows as objects is every object, and then the total
        # shown is every object's, which a filter every row matches can keep (`l`, `.log`:
        # adding up a million sizes is 20 ms a key).
        every_bytes = self._shown_total if len(self.rows) == len(self.pos_by_id) else None
        if previous.is_empty and self.sort not in self._orders:
            # Unfiltered, the rows are every position in sort order, ties in load order
            # (_append_rows, _sort_rows): the cached order as it is, not a sort (55 ms at a
            # million rows). Nothing sorts or extends a rows list in place while it is cached.
            self._orders[self.sort] = self.rows
        self.filter = compiled
        self.last_scanned = 0
        if compiled.is_empty or compiled.time_dependent:
            self.recompute(now_ms, every_bytes)
            return
        cached = self._results.get(compiled.text)
        if cached is not None:
            self._results[compiled.text] = self._results.pop(compiled.text)  # most recent
            _, self.rows, self._shown_total = cached
            return
        base = self._narrowest(compiled, previous)
        if base is not None and base[2]:
            # The same terms in other words (`7/obj -71 `, `7/obj -`: a trailing space, a
            # half-typed term), now or earlier: the same rows, no pass (one over 1M rows is
            # 100+ ms).
            self.rows, self._shown_total, _ = base
            self._remember(compiled)
            return
        rows = self._search(compiled, now_ms, None if base is None else base[0])
        self.rows = rows
        self._shown_total = self._total_of(rows, every_bytes)
        self._remember(compiled)

    def _narrowest(
        self, compiled: CompiledFilter, previous: CompiledFilter
    ) -> tuple[list[int], int, bool] | None:
        """The fewest rows known to hold every match of ``compiled`` (the current rows or a
        remembered result of a filter it narrows: `7/obj -71` searches `7/obj`'s rows), their
        total size, and whether they are exactly its matches (the same terms in other words).
        None: no filter it narrows is known."""
        known = [(previous, self.rows, self._shown_total)]
        known += [entry for entry in reversed(self._results.values()) if entry[0] is not previous]
        best: tuple[list[int], int, bool] | None = None
        for earlier, rows, total in known:
            if not compiled.narrows(earlier):
                continue
            if earlier.narrows(compiled):
                return rows, total, True
            if best is None or len(rows) < len(best[0]):
                best = (rows, total, False)
        return best

    def _search(self, compiled: CompiledFilter, now_ms: int, base: list[int] | None) -> list[int]:
        """``compiled``'s matches in sort order; ``base``: sorted rows that hold them all."""
        found = self._sparse(compiled, now_ms, base)
        if found is not None:
            self.last_scanned = len(found)
            column, descending = self.sort
            return sorted(found, key=self._sort_keys(column).__getitem__, reverse=descending)
        # The base rows are a filter's matches in sort order: search only them.
        candidates = self._order() if base is None else base
        self.last_scanned = len(candidates)
        return compiled.filter_indices(self.index, now_ms, candidates)

    def _sparse(
        self, compiled: CompiledFilter, now_ms: int, base: list[int] | None
    ) -> list[int] | None:
        """``compiled``'s matches in load order if they are few, found without a pass over
        the rows (query/terms.py name_hits); a stable sort then puts them in sort order.
        The names buffer gives up early when a pass over ``base`` is the cheaper way
        (`l` -> `lo` at a million rows: no hit, 3 ms, against a 75 ms pass)."""
        probe, self._probe = self._probe, None
        if probe is not None and probe[0] == compiled.text:
            # scan_estimate just looked (hits are all of the filter's matches, whatever the
            # base; the data has not changed since, or _forget_views would have dropped it).
            return probe[1]
        scope = len(self.index) if base is None else len(base)
        # The buffer's scan costs about half a pass over every row (1 ns a byte, ~30 bytes a
        # name): worth it only when the pass would cover most rows.
        if scope * 2 < len(self.index):
            return None
        return compiled.sparse_indices(self.index, now_ms, scope // SPARSE_SHARE)

    def scan_estimate(self, compiled: CompiledFilter, now_ms: int) -> int:
        """At most how many rows ``set_filter(compiled)`` will look at (0: a remembered or
        equal result), so that the caller can tell a cheap key from a dear one before it."""
        if compiled.text == self.filter.text or compiled.text in self._results:
            return 0
        if compiled.is_empty:
            return 0 if self.sort in self._orders else len(self.index)
        if compiled.time_dependent:
            return len(self.index)
        base = self._narrowest(compiled, self.filter)
        if base is not None and base[2]:
            return 0
        rows = None if base is None else base[0]
        found = self._sparse(compiled, now_ms, rows)
        # Kept for set_filter (the next call), unless the data changes first.
        self._probe = (compiled.text, found)
        if found is not None:
            return len(found)
        return len(self.index) if rows is None else len(rows)

    def set_sort(self, column: str, descending: bool) -> None:
        sort_key_of(column)  # raises ValueError for a column that cannot sort
        self.sort = (column, descending)
        self._results = {}  # remembered results are in the old order
        self._sort_rows()

    def recompute(self, now_ms: int, every_bytes: int | None = None) -> None:
        """``every_bytes``: every object's total, when the caller knows it (see set_filter)."""
        if self.filter.is_empty:
            # The cached order itself: nothing changes a rows list in place while it is
            # cached (see _sort_rows), so no copy of a million positions per key.
            self.rows = self._order()
        else:
            self.rows = self.filter.filter_indices(self.index, now_ms, self._order())
            self.last_scanned = len(self.index)
        self._shown_total = self._total_of(self.rows, every_bytes)

    def _order(self) -> list[int]:
        """Every position in the current sort order (do not modify: it is cached)."""
        order = self._orders.get(self.sort)
        if order is None:
            # Load order first, so ties keep the server's newest-first order (sorted() is
            # stable, also with reverse=True).
            column, descending = self.sort
            keys = self._sort_keys(column)
            # pos_by_id's values are every position in load order (shared ints, see ingest).
            order = sorted(self.pos_by_id.values(), key=keys.__getitem__, reverse=descending)
            self._orders[self.sort] = order
        return order

    def _remember(self, compiled: CompiledFilter) -> None:
        self._results[compiled.text] = (compiled, self.rows, self._shown_total)
        held = sum(len(rows) for _, rows, _ in self._results.values())
        while held > RESULT_CACHE_POSITIONS and len(self._results) > 1:
            oldest = next(iter(self._results))
            held -= len(self._results.pop(oldest)[1])

    def _total_of(self, rows: list[int], every_bytes: int | None) -> int:
        if len(rows) == len(self.pos_by_id):
            # Every object (rows never repeat): add up the sizes as they are, not through
            # a million positions (7 ms against 20-40 ms at a million).
            return sum(self._sort_keys("bytes")) if every_bytes is None else every_bytes
        return self._bytes_of(rows)

    def _bytes_of(self, positions: list[int]) -> int:
        return sum(map(self._sort_keys("bytes").__getitem__, positions))

    def _sort_rows(self) -> None:
        # Load order first, so ties keep the server's newest-first order (sorts are stable,
        # also with reverse=True). A new list: the old one may be a cached sort order.
        rows = sorted(self.rows)
        column, descending = self.sort
        rows.sort(key=self._sort_keys(column).__getitem__, reverse=descending)
        self.rows = rows

    def _sort_keys(self, column: str) -> list[Any]:
        keys = self._keys.setdefault(column, [])
        if len(keys) < len(self.index):
            keys.extend(_column_keys(column, self.index.objects[len(keys) :]))
        return keys

    # --- queries ---
    def get(self, object_id: str) -> ObjectView | None:
        pos = self.pos_by_id.get(object_id)
        return None if pos is None else self.index[pos]

    def may_show(self, object_id: str, now_ms: int) -> bool:
        """False when ``object_id`` is certainly not among the rows (not loaded, or not a
        match), so that nobody looks for it through a million rows."""
        pos = self.pos_by_id.get(object_id)
        if pos is None:
            return False
        compiled = self.filter
        # The rows are exactly the matches, but a time-dependent filter's as of its pass.
        return (
            compiled.is_empty
            or compiled.time_dependent
            or compiled.matches(self.index[pos], now_ms)
        )

    @property
    def visible_objects(self) -> list[ObjectView]:
        objects = self.index.objects
        return [objects[pos] for pos in self.rows]

    @property
    def marked_objects(self) -> list[ObjectView]:
        objects = self.index.objects
        return [objects[self.pos_by_id[i]] for i in sorted(self.marks) if i in self.pos_by_id]

    @property
    def shown_bytes(self) -> int:
        return self._shown_total
