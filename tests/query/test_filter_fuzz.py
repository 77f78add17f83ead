"""Property tests: compile_filter never raises, errors point into the text, paths agree."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from runloop_tui.api.models import ContentType, ObjectState
from runloop_tui.query.completion import complete_term, needed_metadata_key
from runloop_tui.query.filter import ObjectIndex, _tokens, compile_filter

from .helpers import DAY, HOUR, NOW, obj

OBJECTS = [
    obj("report.tgz", state=ObjectState.READ_ONLY, content_type=ContentType.TGZ, size_bytes=10**6),
    obj("tmp file", state=ObjectState.UPLOADING, size_bytes=None, metadata={"agent": "claude"}),
    obj("err", state=ObjectState.ERROR, delete_after_time_ms=NOW - HOUR, metadata={"k": ""}),
    obj("old", create_time_ms=NOW - 40 * DAY, delete_after_time_ms=NOW + 40 * DAY, size_bytes=0),
    obj("Ünïcode ß", state=ObjectState("FUTURE"), content_type=ContentType("zstd")),
]
INDEX = ObjectIndex(OBJECTS)

# Fragments of the grammar glued together reach far more parser paths than random text alone.
FRAGMENTS = st.sampled_from(
    [
        "state:",
        "type:",
        "meta:",
        "name:",
        "id:",
        "age",
        "size",
        "expires",
        "expired",
        ">",
        "<",
        ">=",
        "<=",
        "=",
        ":",
        ",",
        "-",
        '"',
        " ",
        "\t",
        "7d",
        "2h",
        "100MB",
        "1KB",
        "7q",
        "error",
        "uploading",
        "read-only",
        "tgz",
        "gzip",
        "agent",
        "claude",
        "report",
        "tmp",
        "ü",
        "\x00",
        "9" * 30,
    ]
)
GRAMMARISH = st.lists(FRAGMENTS, max_size=12).map("".join)
ANY_TEXT = st.text(max_size=60)


def _check(text: str) -> None:
    compiled = compile_filter(text)
    assert compiled.text == text
    for error in compiled.errors:
        assert 0 <= error.start < error.end <= len(text)
        assert text[error.start : error.end] == error.term
        assert error.message
    fast = compiled.filter_indices(INDEX, NOW)
    slow = [i for i, o in enumerate(OBJECTS) if compiled.matches(o, NOW)]
    assert fast == slow
    if compiled.is_empty:
        assert fast == list(range(len(OBJECTS)))


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_arbitrary_text_never_raises(text: str) -> None:
    _check(text)


@settings(max_examples=300, deadline=None)
@given(GRAMMARISH)
def test_grammar_like_text_never_raises(text: str) -> None:
    _check(text)


@settings(max_examples=200, deadline=None)
@given(st.one_of(GRAMMARISH, ANY_TEXT))
def test_completion_never_raises_and_extends_the_term(text: str) -> None:
    keys = ["agent", "Task id", "k"]
    completed = complete_term(text, keys, {"agent": ["claude", "my bot"]})
    if completed is not None:
        assert len(completed) > len(text)
        # Only the last term changes: everything before it is kept exactly.
        last_start = _tokens(text)[-1][0]
        assert completed.startswith(text[:last_start])
    needed_metadata_key(text)
