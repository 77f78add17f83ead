import pytest

from runloop_tui.query.units import UnitError, format_duration, parse_duration, parse_size


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30", 30), ("90s", 90), ("30m", 1800), ("12h", 43200), ("7d", 604800), ("1h30m", 5400)],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "5 parsecs", "-3h", "1h30x"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(UnitError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "size"),
    [("512", 512), ("10KB", 10_000), ("100mb", 100_000_000), ("1.5GiB", 1610612736)],
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "MB", "10 bananas", "-5MB"])
def test_parse_size_rejects(text: str) -> None:
    with pytest.raises(UnitError):
        parse_size(text)


def test_format_duration() -> None:
    assert format_duration(45) == "45s"
    assert format_duration(3600 * 3 + 300) == "3h 5m"
    assert format_duration(86400 * 2 + 3600 * 4) == "2d 4h"
