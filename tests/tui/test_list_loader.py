"""The list loader's rules, without Textual: the cap, an early end, deletes, failures."""

from __future__ import annotations

from runloop_tui.api.errors import NetworkError, ServerError
from runloop_tui.api.models import ContentType, ObjectListView, ObjectState, ObjectView
from runloop_tui.tui.list_loader import ListLoader


def _objs(start: int, count: int) -> list[ObjectView]:
    return [
        ObjectView(f"obj_{i}", f"n{i}", ObjectState.READ_ONLY, ContentType.TEXT, 0)
        for i in range(start, start + count)
    ]


def _page(start: int, count: int, more: bool, total: int | None = None) -> ObjectListView:
    return ObjectListView(_objs(start, count), more, total)


def test_the_cap_stops_paging_and_says_so() -> None:
    loader = ListLoader(max_objects=250)
    loader.begin(refresh=False)
    assert len(loader.page(_page(0, 100, True, None))) == 100 and not loader.done
    assert len(loader.page(_page(100, 100, True))) == 100 and not loader.done
    taken = loader.page(_page(200, 100, True))
    assert [o.id for o in taken] == [f"obj_{i}" for i in range(200, 250)]
    assert loader.done and loader.capped
    loader.finish()
    assert loader.label() == "showing the first 250; narrow the filter to search the server"
    assert loader.note(250) == ""


def test_exactly_the_cap_with_nothing_more_is_not_capped() -> None:
    loader = ListLoader(max_objects=100)
    loader.begin(refresh=False)
    loader.page(_page(0, 100, False, 100))
    loader.finish()
    assert not loader.capped and loader.note(100) == "" and loader.label() is None


def test_has_more_without_a_next_page_reads_as_an_early_stop() -> None:
    loader = ListLoader()
    loader.begin(refresh=False)
    loader.page(_page(0, 5, True, 10))
    loader.page(_page(0, 0, True))
    loader.finish()
    assert loader.cut_short
    assert "stopped paging early" in loader.note(5)


def test_unreadable_objects_are_counted() -> None:
    loader = ListLoader()
    loader.begin(refresh=False)
    loader.page(ObjectListView(_objs(0, 2), False, 3, skipped=1))
    loader.finish()
    assert "1 unreadable object skipped" in loader.note(2)


def test_a_delete_during_a_listing_drops_the_row_from_it_and_later_ones_are_trusted() -> None:
    loader = ListLoader()
    loader.begin(refresh=True)
    loader.page(_page(0, 3, True))  # obj_0..2 arrived before the delete
    loader.deleted(["obj_1", "obj_4"])
    taken = loader.page(_page(3, 3, False))  # obj_3..5, answered before the delete landed
    assert [o.id for o in taken] == ["obj_3", "obj_5"]
    assert loader.gone() == {"obj_1", "obj_4"}  # to drop from what arrived before
    loader.finish()
    # The next listing began after the delete: its answer is the server's truth.
    loader.begin(refresh=True)
    assert loader.gone() == set()
    assert len(loader.page(_page(0, 6, False))) == 6


def test_a_network_failure_with_nothing_loaded_names_the_server() -> None:
    loader = ListLoader(server="127.0.0.1:9")
    loader.begin(refresh=False)
    loader.fail(NetworkError("connection failed: All connection attempts failed"), 0)
    assert loader.failure == "cannot reach 127.0.0.1:9: All connection attempts failed"
    assert loader.note(0) == loader.failure
    assert loader.note(10) == ""  # rows on screen: the refresh status says it instead
    loader.begin(refresh=False)
    loader.fail(ServerError("boom", status=500), 0)
    assert loader.failure.startswith("cannot list objects: HTTP 500")


def test_the_total_comes_from_whichever_page_carries_it() -> None:
    loader = ListLoader()
    loader.begin(refresh=False)
    loader.page(_page(0, 3, True))  # a small first page, asked without the count
    assert loader.total is None
    loader.page(_page(3, 5, True, total=12))
    loader.page(_page(8, 4, False))
    assert loader.total == 12
    loader.finish()
    assert loader.total == 12


def test_one_uncounted_page_holding_everything_is_the_total() -> None:
    loader = ListLoader()
    loader.begin(refresh=False)
    loader.page(_page(0, 40, True, total=400))
    loader.finish()
    # The store shrank: the refresh's single small page is all there is, never 400.
    loader.begin(refresh=True)
    loader.page(_page(0, 3, False))
    loader.finish()
    assert loader.total == 3
    # Stopped early (has_more, no next page): the total is unknown, not what came.
    loader.begin(refresh=True)
    loader.page(_page(0, 3, True))
    loader.finish()
    assert loader.total is None


def test_another_list_does_not_inherit_the_last_ones_failure() -> None:
    """A failed first load's "listing failed" label is about that list: switching to the
    public view (a new list, not a refresh) starts without it."""
    loader = ListLoader()
    loader.begin(refresh=False)
    loader.fail(ServerError("boom", status=500), loaded=3)
    assert loader.incomplete
    loader.begin(refresh=True)  # a refresh of the same list: still incomplete until it ends
    assert loader.incomplete
    loader.begin(refresh=False)
    assert loader.incomplete == ""
