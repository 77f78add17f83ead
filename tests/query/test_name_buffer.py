"""The names buffer (query/terms.py NameBuffer): loaded page by page, searched before and
after the pages are joined, it finds exactly the rows a pass over every name finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from runloop_tui.query.terms import NameBuffer

NAMES = st.lists(st.text(alphabet="abc/7", max_size=6), max_size=40)
PAGES = st.lists(NAMES, max_size=6)
NEEDLES = st.text(alphabet="abc/7", min_size=1, max_size=3)


@settings(max_examples=300, deadline=None)
@given(PAGES, st.lists(st.tuples(NEEDLES, st.none() | st.integers(0, 50)), max_size=4))
def test_hits_are_the_rows_holding_the_needle(
    pages: list[list[str]], searches: list[tuple[str, int | None]]
) -> None:
    buffer = NameBuffer()
    names: list[str] = []
    for page in pages:
        buffer.extend(page)
        names += page
        for needle, most in searches:  # between pages too: some joined, some not yet
            found = buffer.hits(needle, most)
            expected = [row for row, name in enumerate(names) if needle in name]
            if found is not None:  # None: "a pass is cheaper", never a wrong answer
                assert found == expected
                assert most is None or len(found) <= most + 1
            if not expected:
                assert found == []  # a needle on no row is never "dense"
