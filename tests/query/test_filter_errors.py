"""Invalid terms: reported with offsets and a helpful message, ignored for matching."""

from __future__ import annotations

import pytest

from runloop_tui.query.filter import FilterError, compile_filter

from .helpers import hits, obj


@pytest.mark.parametrize(
    ("text", "term", "fragments"),
    [
        ("colour:red", "colour:red", ["unknown field 'colour'", "state:", "double quotes"]),
        ("http://x", "http://x", ["unknown field 'http'"]),
        (
            "state:foo",
            "state:foo",
            ["unknown state 'foo'", "uploading, read_only, deleted or error"],
        ),
        ("state:error,foo", "state:error,foo", ["unknown state 'foo'"]),
        ("state:", "state:", ["needs a value", "uploading"]),
        ("state>error", "state>error", ["state uses ':'"]),
        ("type:zip", "type:zip", ["unknown type 'zip'", "gzip, tar or tgz"]),
        ("-type:", "-type:", ["needs a value"]),
        ("age>7q", "age>7q", ["unknown duration unit 'q'"]),
        ("age>", "age>", ["age> needs a duration", "age>7d"]),
        ("age:7d", "age:7d", ["needs a comparison"]),
        ("age=7d", "age=7d", ["needs a comparison"]),
        ("age>-1d", "age>-1d", ["not a duration"]),
        ("size>", "size>", ["size> needs a size", "size>100MB"]),
        ("size<12parsecs", "size<12parsecs", ["unknown size unit"]),
        ("expires<soon", "expires<soon", ["not a duration"]),
        ("expired:yes", "expired:yes", ["expired takes no value"]),
        ("meta:", "meta:", ["needs a key"]),
        ("meta:=x", "meta:=x", ["needs a key"]),
        ("meta>x", "meta>x", ["meta uses ':'"]),
        ("name:", "name:", ["name: needs a value"]),
        ("id>3", "id>3", ["id uses ':'"]),
        ("-", "-", ["'-' must be followed by a term"]),
    ],
)
def test_single_invalid_term(text: str, term: str, fragments: list[str]) -> None:
    compiled = compile_filter(text)
    assert len(compiled.errors) == 1
    error = compiled.errors[0]
    assert error.term == term
    assert text[error.start : error.end] == term
    for fragment in fragments:
        assert fragment in error.message, (fragment, error.message)
    assert compiled.is_empty  # an invalid term is ignored, so nothing filters


def test_offsets_of_several_errors_among_valid_terms() -> None:
    text = 'report  colour:red "my file" -state:nope\tage>7q size>  ok'
    compiled = compile_filter(text)
    assert [(e.start, e.end, e.term) for e in compiled.errors] == [
        (8, 18, "colour:red"),
        (29, 40, "-state:nope"),
        (41, 47, "age>7q"),
        (48, 53, "size>"),
    ]
    for error in compiled.errors:
        assert text[error.start : error.end] == error.term
    assert not compiled.is_empty


def test_invalid_terms_are_ignored_but_the_rest_applies() -> None:
    objects = [obj("report a"), obj("report b"), obj("other")]
    assert hits("report colour:red state:foo", objects) == ["report a", "report b"]
    assert hits("-other age>", objects) == ["report a", "report b"]


def test_error_is_a_frozen_value() -> None:
    error = compile_filter("state:foo").errors[0]
    assert error == FilterError(0, 9, "state:foo", error.message)
    with pytest.raises(AttributeError):
        error.start = 3  # type: ignore[misc]


def test_huge_numbers_are_reported_not_raised() -> None:
    compiled = compile_filter("age>" + "9" * 400 + "d size>" + "9" * 400 + "GB")
    # Too large for a float: reported like any other bad value, never an exception.
    assert [e.term[:5] for e in compiled.errors] == ["age>9", "size>"]
    assert all("out of range" in e.message for e in compiled.errors)
    assert hits("age>" + "9" * 40 + "d", [obj("x")]) == []  # large but finite still works


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("meta:", "meta: needs a key, e.g. meta:agent or meta:agent=claude"),
        ("-type:", "-type: needs a value"),
        ("state:bogus", "state:bogus: unknown state 'bogus'"),
        ("size>", "size> needs a size, e.g. size>100MB"),
    ],
)
def test_an_error_line_never_repeats_its_term(text: str, line: str) -> None:
    (error,) = compile_filter(text).errors
    assert error.text.startswith(line)
    assert "::" not in error.text
