"""A list page is parsed column by column when every object is plain (api/models.py
``_plain_page``); any odd object sends the page down the per-object path. Both must give the
same objects: every guarantee of ObjectView.from_json holds for a page either way."""

from __future__ import annotations

import contextlib
import copy
from typing import Any

import pytest

from runloop_tui.api.models import (
    INVALID_SIZE_KEY,
    ContentType,
    ObjectListView,
    ObjectState,
    ObjectView,
    _plain_page,
)


def _plain(i: int) -> dict[str, Any]:
    return {
        "id": f"obj_{i:06d}",
        "name": f"logs/{i % 7}/run-{i}.txt",
        "state": ("READ_ONLY", "UPLOADING", "ERROR", "DELETED")[i % 4],
        "size_bytes": None if i % 5 == 0 else i * 10,
        "content_type": ("text", "binary", "gzip", "tar", "tgz", "unspecified", None, "")[i % 8],
        "create_time_ms": 1_700_000_000_000 - i,
        "delete_after_time_ms": None if i % 3 else 1_800_000_000_000 + i,
        "metadata": ({"batch": f"b{i % 2}"}, None, {}, ["not", "a", "dict"])[i % 4],
    }


def _page(objects: list[Any]) -> dict[str, Any]:
    return {"objects": objects, "has_more": True, "total_count": len(objects)}


def _one_by_one(items: list[Any]) -> list[ObjectView]:
    out = []
    for item in items:
        with contextlib.suppress(ValueError):  # skipped, as a page skips it
            out.append(ObjectView.from_json(item))
    return out


def _same(got: list[ObjectView], want: list[ObjectView]) -> None:
    assert got == want
    assert [o.extra for o in got] == [o.extra for o in want]  # extra is left out of ==
    assert [o.upload_headers for o in got] == [o.upload_headers for o in want]
    assert [o.upload_url for o in got] == [o.upload_url for o in want]


def test_a_plain_page_takes_the_column_path_and_gives_the_same_objects() -> None:
    items = [_plain(i) for i in range(64)]
    assert _plain_page(copy.deepcopy(items)) is not None
    page = ObjectListView.from_json(_page(items))
    assert page.skipped == 0
    _same(page.objects, _one_by_one(items))
    # Missing and empty content types read as unspecified; non-object metadata as none.
    assert page.objects[6].content_type is ContentType.UNSPECIFIED
    assert page.objects[7].content_type is ContentType.UNSPECIFIED
    assert page.objects[3].metadata is None
    assert page.objects[3].state is ObjectState.DELETED  # the model drops it, not the parser


ODD: list[tuple[str, Any]] = [
    ("size_bytes", -5),  # sanitised: size unknown, the raw value kept aside
    ("size_bytes", 3.0),  # an integral float: converted
    ("size_bytes", 2.5),  # not an integer: the object is skipped
    ("size_bytes", True),  # a bool is no size
    ("size_bytes", "12"),
    ("create_time_ms", 1.7e12),
    ("create_time_ms", None),
    ("create_time_ms", False),
    ("delete_after_time_ms", -1.0),
    ("delete_after_time_ms", "soon"),
    ("state", "ARCHIVED"),  # a state the client does not know yet: a pseudo-member
    ("state", ["READ_ONLY"]),  # unhashable
    ("state", None),
    ("content_type", "zip"),
    ("content_type", {"a": 1}),
    ("content_type", 0),
    ("id", 12345),  # not a string: converted
    ("name", None),
    ("metadata", {"k": 1, "n": None}),  # values read as strings
    ("metadata", {"k": ["v"]}),  # unhashable values
    ("upload_url", "https://example.invalid/put?sig=x"),
    ("upload_headers", {"x-amz-acl": "private", "n": 1}),
    ("upload_headers", "nope"),
    ("unknown_field", {"kept": "aside"}),  # kept in extra
]


@pytest.mark.parametrize(("field", "value"), ODD, ids=[f"{f}={v!r}" for f, v in ODD])
@pytest.mark.parametrize("where", [0, 17, 31])
def test_an_odd_object_anywhere_gives_what_the_per_object_path_gives(
    field: str, value: Any, where: int
) -> None:
    items = [_plain(i) for i in range(32)]
    items[where] = {**items[where], field: value}
    page = ObjectListView.from_json(_page(copy.deepcopy(items)))
    want = _one_by_one(copy.deepcopy(items))
    _same(page.objects, want)
    assert page.skipped == 32 - len(want)


@pytest.mark.parametrize(
    "odd",
    [
        "not an object",
        None,
        ["a", "list"],
        {"name": "no id", "state": "READ_ONLY", "create_time_ms": 1},
    ],
)
def test_a_malformed_object_is_skipped_and_counted(odd: Any) -> None:
    items: list[Any] = [_plain(i) for i in range(10)]
    items.insert(4, odd)
    page = ObjectListView.from_json(_page(items))
    assert page.skipped == 1
    _same(page.objects, _one_by_one([i for i in items if i is not odd]))


def test_a_negative_size_is_sanitised_on_a_page_too() -> None:
    items = [_plain(i) for i in range(10)]
    items[2]["size_bytes"] = -42
    page = ObjectListView.from_json(_page(items))
    assert page.objects[2].size_bytes is None
    assert page.objects[2].extra == {INVALID_SIZE_KEY: -42}
    assert page.objects[3].extra == {}
