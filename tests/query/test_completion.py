"""Ghost-text completion of the last term."""

from __future__ import annotations

import pytest

from runloop_tui.query.completion import FIELD_NAMES, complete_term, needed_metadata_key
from runloop_tui.query.filter import compile_filter

KEYS = ["agent", "agent_version", "Task id", "run"]
VALUES = {"agent": ["claude", "codex", "my bot"], "run": ["4", "42"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("st", "state:"),
        ("ST", "state:"),
        ("-st", "-state:"),
        ("report st", "report state:"),
        ("ty", "type:"),
        ("me", "meta:"),
        ("ag", "age>"),
        ("si", "size>"),
        ("exp", "expires<"),
        ("expired", None),  # already complete
        ("na", "name:"),
        ("i", "id:"),
        ("state:up", "state:uploading"),
        ("state:UP", "state:uploading"),
        ("state:read-", "state:read_only"),
        ("state:", "state:uploading"),
        ("state:error,", "state:error,uploading"),
        ("state:error,de", "state:error,deleted"),
        ("-state:e", "-state:error"),
        ("state:error", None),
        ("state:zz", None),
        ("type:t", "type:text"),
        ("type:tg", "type:tgz"),
        ("type:gzip,tg", "type:gzip,tgz"),
        ("meta:ag", "meta:agent"),
        ("meta:AG", "meta:agent"),  # canonical case of the key
        ("meta:agent", None),  # complete: don't push agent_version on the user
        ("meta:agent_", "meta:agent_version"),
        ("meta:ta", 'meta:"Task id"'),  # quoted because of the space
        ("meta:zz", None),
        ("meta:agent=cl", "meta:agent=claude"),
        ("meta:agent=CL", "meta:agent=claude"),
        ("meta:agent=", "meta:agent=claude"),
        ("meta:agent=my", 'meta:agent="my bot"'),
        ("meta:run=4", None),
        ("meta:unknown=x", None),
        ("-meta:agent=co", "-meta:agent=codex"),
        ("report ", None),  # after whitespace there is no term to complete
        ("", None),
        ("-", None),
        ('"st', None),  # quoted phrases are plain words
        ("zzz", None),
        ("age>7", None),
        ("colour:r", None),
    ],
)
def test_complete_term(text: str, expected: str | None) -> None:
    assert complete_term(text, KEYS, VALUES) == expected


def test_defaults_without_metadata() -> None:
    assert complete_term("meta:ag") is None
    assert complete_term("meta:agent=c") is None
    assert complete_term("sta") == "state:"


def test_completions_compile_cleanly() -> None:
    # Accepting any suggestion for a field/value must give a valid filter term.
    for text in ["state:up", "type:g", "meta:ta", "meta:agent=my", "x -state:read-"]:
        completed = complete_term(text, KEYS, VALUES)
        assert completed is not None
        assert compile_filter(completed).errors == [], completed


def test_field_names_compile_once_given_a_value() -> None:
    samples = {":": "x", ">": "1d", "<": "1d"}
    for name in FIELD_NAMES:
        value = samples.get(name[-1], "")
        if name.startswith("state"):
            value = "error"
        elif name.startswith("type"):
            value = "tgz"
        elif name.startswith("size"):
            value = "1KB"
        assert compile_filter(name + value).errors == [], name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("meta:agent=", "agent"),
        ("meta:agent=cl", "agent"),
        ("report -meta:agent=", "agent"),
        ('meta:"Task id"=x', "Task id"),
        ("meta:agent", None),
        ("meta:agent=x ", None),  # the term is finished
        ("meta:=x", None),
        ("state:error", None),
        ("", None),
    ],
)
def test_needed_metadata_key(text: str, expected: str | None) -> None:
    assert needed_metadata_key(text) == expected
