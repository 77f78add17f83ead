"""Every term type, positive and negated, and their combinations."""

from __future__ import annotations

import pytest

from runloop_tui.api.models import ContentType, ObjectState
from runloop_tui.query.filter import FILTER_HELP, compile_filter

from .helpers import DAY, HOUR, NOW, hits, obj

WORDS = [
    obj("Report-2024.tgz", id="obj_aaa"),
    obj("my file.txt", id="obj_bbb"),
    obj("my-file.txt", id="obj_ccc"),
    obj("tmp/scratch", id="obj_REPORT9"),
    obj("state:error", id="obj_ddd"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A plain word is searched in names only (tmp/scratch's id holds REPORT).
        ("report", ["Report-2024.tgz"]),
        ("REPORT", ["Report-2024.tgz"]),
        ("-report", ["my file.txt", "my-file.txt", "tmp/scratch", "state:error"]),
        ("obj_rep", ["tmp/scratch"]),  # a word that looks like an id matches ids too
        ("-obj_rep", ["Report-2024.tgz", "my file.txt", "my-file.txt", "state:error"]),
        ("-tmp", ["Report-2024.tgz", "my file.txt", "my-file.txt", "state:error"]),
        ("obj_bb", ["my file.txt"]),
        ('"my file"', ["my file.txt"]),
        ('"MY FILE"', ["my file.txt"]),
        ('-"my file"', ["Report-2024.tgz", "my-file.txt", "tmp/scratch", "state:error"]),
        ("my file", ["my file.txt", "my-file.txt"]),  # two words, both must be present
        ('"my fi', ["my file.txt"]),  # an unclosed quote runs to the end
        ('"state:error"', ["state:error"]),  # quotes turn off field syntax
        ("name:report", ["Report-2024.tgz"]),
        ("id:report", ["tmp/scratch"]),
        ("-name:report", ["my file.txt", "my-file.txt", "tmp/scratch", "state:error"]),
        ('name:"my file"', ["my file.txt"]),
        ("ID:OBJ_C", ["my-file.txt"]),
        ("txt my -file.txt", []),
        ("txt -my-", ["my file.txt"]),
    ],
)
def test_words(text: str, expected: list[str]) -> None:
    assert hits(text, WORDS) == expected


def test_word_does_not_span_name_and_id() -> None:
    assert hits("ab", [obj("xa", id="bx")]) == []
    assert hits("xa", [obj("xa", id="bx")]) == ["xa"]


STATES = [
    obj("up", state=ObjectState.UPLOADING, content_type=ContentType.TGZ),
    obj("ro", state=ObjectState.READ_ONLY, content_type=ContentType.GZIP),
    obj("del", state=ObjectState.DELETED, content_type=ContentType.TEXT),
    obj("err", state=ObjectState.ERROR, content_type=ContentType.UNSPECIFIED),
    obj("new", state=ObjectState("ARCHIVED"), content_type=ContentType("zstd")),  # unknown enums
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("state:uploading", ["up"]),
        ("state:UPLOADING", ["up"]),
        ("State:Error", ["err"]),
        ("state=error", ["err"]),
        ("state:read_only", ["ro"]),
        ("state:readonly", ["ro"]),
        ("state:read-only", ["ro"]),
        ("state:READ-ONLY", ["ro"]),
        ("state:error,uploading", ["up", "err"]),
        ("state:error,", ["err"]),  # an empty list item (mid-typing) is ignored
        ("-state:error", ["up", "ro", "del", "new"]),
        ("-state:error,deleted", ["up", "ro", "new"]),
        ("state:error state:uploading", []),  # AND of two states
        ("type:tgz", ["up"]),
        ("type:TGZ", ["up"]),
        ("type:gzip,tgz", ["up", "ro"]),
        ("-type:gzip,tgz", ["del", "err", "new"]),
        ("type:unspecified", ["err"]),
        ("state:read_only,uploading -type:tgz", ["ro"]),
    ],
)
def test_state_and_type(text: str, expected: list[str]) -> None:
    assert hits(text, STATES) == expected


META = [
    obj("claude", metadata={"agent": "claude", "run": "4"}),
    obj("claude2", metadata={"agent": "claude-2"}),
    obj("codex", metadata={"agent": "codex", "note": "hello world"}),
    obj("upper", metadata={"Agent": "claude"}),
    obj("empty", metadata={"agent": ""}),
    obj("none", metadata=None),
    obj("nodict", metadata={}),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("meta:agent", ["claude", "claude2", "codex", "empty"]),
        ("meta:Agent", ["upper"]),  # keys are case-sensitive
        ("meta:agent=claude", ["claude"]),  # exact, not substring
        ("meta:agent=Claude", []),  # values are case-sensitive
        ("meta:agent=", ["empty"]),  # empty value means exactly empty
        ("-meta:agent", ["upper", "none", "nodict"]),
        ("-meta:agent=claude", ["claude2", "codex", "upper", "empty", "none", "nodict"]),
        ('meta:note="hello world"', ["codex"]),
        ("meta:run=4 meta:agent=claude", ["claude"]),
        ("meta:agent=claude=x", []),  # value is everything after the first '='
    ],
)
def test_meta(text: str, expected: list[str]) -> None:
    assert hits(text, META) == expected


AGES = [
    obj("fresh", create_time_ms=NOW - HOUR),
    obj("two_hours", create_time_ms=NOW - 2 * HOUR),
    obj("week", create_time_ms=NOW - 7 * DAY),
    obj("old", create_time_ms=NOW - 30 * DAY),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("age>7d", ["old"]),
        ("age>=7d", ["week", "old"]),
        ("age<2h", ["fresh"]),
        ("age<=2h", ["fresh", "two_hours"]),
        ("-age>7d", ["fresh", "two_hours", "week"]),
        ("age>1h age<8d", ["two_hours", "week"]),
        ("age>90m", ["two_hours", "week", "old"]),
        ("age>1h30m", ["two_hours", "week", "old"]),
        ("AGE>2w", ["old"]),
    ],
)
def test_age(text: str, expected: list[str]) -> None:
    assert hits(text, AGES) == expected


SIZES = [
    obj("null", size_bytes=None),
    obj("zero", size_bytes=0),
    obj("kb", size_bytes=1000),
    obj("kib", size_bytes=1024),
    obj("big", size_bytes=200_000_000),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("size>100MB", ["big"]),
        ("size<1KB", ["zero"]),  # null size never matches a comparison
        ("size<=1KB", ["zero", "kb"]),
        ("size>=1KiB", ["kib", "big"]),
        ("size>1000", ["kib", "big"]),
        ("-size>100MB", ["null", "zero", "kb", "kib"]),  # negation includes unknown sizes
        ("size>0 size<2kb", ["kb", "kib"]),
    ],
)
def test_size(text: str, expected: list[str]) -> None:
    assert hits(text, SIZES) == expected


EXPIRIES = [
    obj("never", delete_after_time_ms=None),
    obj("gone", delete_after_time_ms=NOW - DAY),
    obj("now", delete_after_time_ms=NOW),
    obj("soon", delete_after_time_ms=NOW + HOUR),
    obj("week", delete_after_time_ms=NOW + 7 * DAY),
    obj("far", delete_after_time_ms=NOW + 60 * DAY),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("expires<1d", ["gone", "now", "soon"]),  # includes already expired
        ("expires<1d -expired", ["soon"]),
        ("expires>30d", ["far"]),  # no expiry never matches
        ("expires>=7d", ["week", "far"]),
        ("-expires<1d", ["never", "week", "far"]),
        ("expired", ["gone", "now"]),  # delete_after <= now
        ("EXPIRED", ["gone", "now"]),
        ("-expired", ["never", "soon", "week", "far"]),
        ('"expired"', []),  # quoted: a bare word, not the keyword
    ],
)
def test_expires(text: str, expected: list[str]) -> None:
    assert hits(text, EXPIRIES) == expected


def test_now_moves_relative_terms() -> None:
    # The same compiled filter gives different answers as time passes.
    assert hits("expired", EXPIRIES, now_ms=NOW + 2 * HOUR) == ["gone", "now", "soon"]
    assert hits("age>1d", AGES, now_ms=NOW + DAY) == ["fresh", "two_hours", "week", "old"]


def test_combination_of_every_kind() -> None:
    target = obj(
        "run 4/report.tgz",
        state=ObjectState.READ_ONLY,
        content_type=ContentType.TGZ,
        create_time_ms=NOW - 10 * DAY,
        size_bytes=5_000_000,
        delete_after_time_ms=NOW + HOUR,
        metadata={"agent": "claude"},
    )
    text = (
        'report "run 4" -tmp state:read_only,error type:tgz meta:agent=claude '
        "age>7d size>1MB expires<1d -expired name:report id:obj_"
    )
    assert hits(text, [target]) == ["run 4/report.tgz"]
    # Flip each term in turn: the object must then be filtered out.
    for term in text.replace('"run 4"', "run").split():
        flipped = term[1:] if term.startswith("-") else "-" + term
        assert hits(text.replace(term, flipped, 1), [target]) == [], flipped


@pytest.mark.parametrize("text", ["", "   ", "\t\n", '""', '-""'])
def test_empty_filters_match_everything(text: str) -> None:
    compiled = compile_filter(text)
    assert compiled.is_empty
    assert compiled.errors == []
    assert hits(text, WORDS) == [o.name for o in WORDS]


def test_compiled_keeps_text_and_is_not_empty() -> None:
    compiled = compile_filter("report")
    assert compiled.text == "report"
    assert not compiled.is_empty


def test_help_covers_every_field() -> None:
    syntax = " ".join(s for s, _ in FILTER_HELP)
    for field in ("state:", "type:", "meta:", "age>", "size>", "expires<", "expired", "name:"):
        assert field in syntax
    assert all(meaning for _, meaning in FILTER_HELP)
