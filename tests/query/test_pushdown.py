"""Which parts of a filter go to the server as list-query parameters."""

from __future__ import annotations

import pytest

from runloop_tui.api.models import ContentType, ObjectState
from runloop_tui.query.filter import ServerPushdown, compile_filter


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ServerPushdown(None, None, None)),
        ("report", ServerPushdown("report", None, None)),
        ("ab report xyz", ServerPushdown("report", None, None)),  # longest word
        ("abc xyz", ServerPushdown("abc", None, None)),  # tie: the first
        ('"my file" x', ServerPushdown("my file", None, None)),
        ("-report", ServerPushdown(None, None, None)),
        ("-report ab", ServerPushdown("ab", None, None)),
        ("name:report id:obj_", ServerPushdown(None, None, None)),  # only bare words
        ("state:error", ServerPushdown(None, ObjectState.ERROR, None)),
        ("state:readonly", ServerPushdown(None, ObjectState.READ_ONLY, None)),
        ("state:error,uploading", ServerPushdown(None, None, None)),  # OR is not representable
        ("state:error,error", ServerPushdown(None, ObjectState.ERROR, None)),
        ("-state:error", ServerPushdown(None, None, None)),
        ("state:error,uploading state:error", ServerPushdown(None, ObjectState.ERROR, None)),
        ("type:tgz", ServerPushdown(None, None, ContentType.TGZ)),
        ("type:tgz,gzip", ServerPushdown(None, None, None)),
        ("-type:tgz", ServerPushdown(None, None, None)),
        ("state:foo type:zip colour:x", ServerPushdown(None, None, None)),  # errors never push
        (
            "x report state:uploading type:text age>1d meta:a=b",
            ServerPushdown("report", ObjectState.UPLOADING, ContentType.TEXT),
        ),
        ("expired", ServerPushdown(None, None, None)),  # keyword, not a search word
    ],
)
def test_pushdown(text: str, expected: ServerPushdown) -> None:
    assert compile_filter(text).pushdown == expected


def test_pushdown_values_are_real_enum_members() -> None:
    pushdown = compile_filter("state:read-only type:gzip").pushdown
    assert pushdown.state is ObjectState.READ_ONLY
    assert pushdown.content_type is ContentType.GZIP
