"""Data from a server that is not ours: every schema-valid oddity parses and displays safely."""

from __future__ import annotations

from typing import Any

import pytest

from runloop_tui.api.client import ObjectsClient
from runloop_tui.api.models import INVALID_SIZE_KEY, ObjectListView, ObjectView
from runloop_tui.export import ExportFormat, render
from runloop_tui.tui.formatting import (
    INVALID_TIME,
    NO_NAME,
    display_name,
    display_text,
    exact_bytes,
    expires_text,
    human_size,
    lifetime_fraction,
    local_time,
    relative_time,
    short_relative_time,
)

NOW_MS = 1_893_456_000_000
# The values the issue reports, and the int64 edges the spec's format allows.
BAD_TIMES = [2_068_204_447_951_289, -(2**63), 2**63 - 1, -1, -8_061_443_039_730_297]


def _obj(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "obj_1",
        "name": "a.txt",
        "state": "READ_ONLY",
        "content_type": "text",
        "create_time_ms": NOW_MS - 1000,
    }
    return {**base, **fields}


@pytest.mark.parametrize("value", BAD_TIMES)
def test_timestamps_no_clock_can_show_read_as_invalid(value: int) -> None:
    assert local_time(value).startswith(INVALID_TIME)
    assert relative_time(value, NOW_MS) == INVALID_TIME
    assert short_relative_time(value, NOW_MS) == "invalid"
    assert expires_text(value, NOW_MS) == INVALID_TIME
    assert lifetime_fraction(NOW_MS, value, NOW_MS) is None
    obj = ObjectView.from_json(_obj(create_time_ms=value, delete_after_time_ms=value))
    assert obj.create_time_ms == value  # kept as sent: export and sort see the real number


def test_a_valid_timestamp_still_reads_as_a_date() -> None:
    assert local_time(NOW_MS).startswith(("2029-", "2030-"))
    assert short_relative_time(NOW_MS - 300_000, NOW_MS) == "5m ago"


def test_export_of_invalid_times_keeps_the_number_and_leaves_the_date_empty() -> None:
    obj = ObjectView.from_json(_obj(create_time_ms=BAD_TIMES[0]))
    text = render([obj], ExportFormat.CSV)
    assert str(BAD_TIMES[0]) in text


def test_negative_size_becomes_unknown_and_the_raw_value_stays_visible() -> None:
    obj = ObjectView.from_json(_obj(size_bytes=-8_061_443_039_730_297))
    assert obj.size_bytes is None
    assert obj.extra[INVALID_SIZE_KEY] == -8_061_443_039_730_297
    assert human_size(-5) == "invalid size"
    assert exact_bytes(-5) == "invalid: -5"


def test_a_malformed_object_is_skipped_not_the_whole_page() -> None:
    page = ObjectListView.from_json(
        {
            "objects": [
                _obj(id="good"),
                _obj(id="nan", size_bytes=float("inf")),
                {"id": "no-name"},
                _obj(id="frac", create_time_ms=1.5),
            ],
            "has_more": False,
            "total_count": -3,
        }
    )
    assert [o.id for o in page.objects] == ["good"]
    assert page.skipped == 3
    assert page.total_count is None  # a negative count is no count


def test_odd_enum_values_and_metadata_are_tolerated() -> None:
    obj = ObjectView.from_json(
        _obj(state="FROZEN", content_type="video", metadata=["not", "a", "map"])
    )
    assert str(obj.state) == "FROZEN" and str(obj.content_type) == "video"
    assert obj.metadata is None


@pytest.mark.parametrize(
    "text", ["exe.\u202etxt", "zero\u200bwidth", "a\u2066b\u2069", "bom\ufeff", "line\u2028x"]
)
def test_bidi_and_zero_width_characters_are_escaped_like_control_characters(text: str) -> None:
    shown = display_text(text)
    assert "\N{REPLACEMENT CHARACTER}" in shown
    assert not any(ch in shown for ch in "\u202e\u200b\u2066\u2069\ufeff\u2028")


def test_an_empty_name_reads_as_no_name() -> None:
    assert display_name("") == NO_NAME
    assert display_name("   ") == NO_NAME
    assert display_name("x\x1b") == "x\N{REPLACEMENT CHARACTER}"


async def test_metadata_answers_without_their_optional_arrays_read_as_empty() -> None:
    """The spec makes `keys` and `values` optional; `{}` is a valid answer, not an error."""
    from runloop_tui.api.client import ObjectsClient
    from tests.support.odd_proc import OddServer

    with OddServer("script", script=[]) as odd:
        async with ObjectsClient(odd.base_url, "rk_test_key") as api:
            # The odd server answers metadata with random valid bodies; ask until one omits.
            for _ in range(40):
                keys = await api.metadata_keys()
                assert all(isinstance(k, str) for k in keys)
                values = await api.metadata_values("k")
                assert all(isinstance(v, str) for v in values.values)


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        (
            '{"error": {"code": "invalid_argument", "message": "name must be a string"}}',
            "name must be a string",
        ),
        ('{"error": {"code": "invalid_argument"}}', "invalid argument"),
        (
            '{"detail": [{"loc": ["body", "name"], "msg": "field required"}]}',
            "name: field required",
        ),
        ('{"detail": "Not allowed"}', "Not allowed"),
        ('{"errors": ["bad ttl", {"message": "bad name"}]}', "bad ttl; bad name"),
        ('{"weird": {"nested": [1, 2]}}', "Bad Request"),
        ("[1, 2, 3]", "Bad Request"),
    ],
)
def test_a_400_body_reads_as_a_sentence_never_raw_json(body: str, sentence: str) -> None:
    import httpx

    from runloop_tui.api.errors import error_for_status
    from runloop_tui.api.wire import server_message

    response = httpx.Response(
        400, content=body.encode(), headers={"content-type": "application/json"}
    )
    message = server_message(response)
    assert message == sentence
    error = error_for_status(400)(message, status=400, method="POST", path="/v1/objects")
    assert "{" not in str(error) and "[" not in str(error)
    assert str(error).endswith(".")


async def test_the_local_servers_400_reaches_the_user_as_a_sentence(client: ObjectsClient) -> None:
    from runloop_tui.api.errors import BadRequestError
    from runloop_tui.api.models import ContentType

    with pytest.raises(BadRequestError) as caught:
        await client.create_object("x", ContentType("hologram"))
    text = str(caught.value)
    assert text.startswith("HTTP 400 Bad request (POST /v1/objects): content_type must be one of")
    assert "{" not in text and '"' not in text


@pytest.mark.parametrize(
    "body",
    [
        '{"error": {"message": "\\u001b]52;c;aGk=\\u0007 gotcha"}}',
        '{"detail": "evil\\u202etxt.exe \\u001b[2J"}',
    ],
)
def test_a_server_message_reaches_the_screen_inert(body: str) -> None:
    """Found by the 10-minute fuzz run: an error message holding ESC ] 52 (a clipboard write)
    reached the header and the body raw."""
    import httpx

    from runloop_tui.api.wire import server_message

    message = server_message(httpx.Response(404, content=body.encode()))
    assert "\x1b" not in message and "\x07" not in message and "\u202e" not in message
    assert "\N{REPLACEMENT CHARACTER}" in message
