"""Human units for durations and sizes: `30m`, `12h`, `7d`, `100MB`, `1.5GiB`.

Shared by the filter language and the modals so that every field reads units the same way.
"""

from __future__ import annotations

import re

_DURATION_UNITS = {
    "ms": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "m": 60.0,
    "min": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "d": 86400.0,
    "w": 7 * 86400.0,
    "y": 365 * 86400.0,
}
_SIZE_UNITS = {
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 1000**2,
    "mb": 1000**2,
    "g": 1000**3,
    "gb": 1000**3,
    "t": 1000**4,
    "tb": 1000**4,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}
_NUMBER_UNIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")
_COMPOUND = re.compile(r"(\d+(?:\.\d+)?)\s*([a-zA-Z]+)")


class UnitError(ValueError):
    """A value that is not a valid duration or size; the message says why."""


def parse_duration(text: str) -> float:
    """Seconds in a duration such as `90s`, `30m`, `12h`, `7d`, `2w` or `1h30m`.

    A bare number is seconds. Negative or empty values are refused.
    """
    raw = text.strip().lower()
    if not raw:
        raise UnitError("a duration is empty; use e.g. 30m, 12h or 7d")
    match = _NUMBER_UNIT.match(raw)
    if match:
        number, unit = match.groups()
        if unit and unit not in _DURATION_UNITS:
            raise UnitError(f"unknown duration unit {unit!r} in {text!r}; use s, m, h, d or w")
        return float(number) * _DURATION_UNITS[unit or "s"]
    parts = _COMPOUND.findall(raw)
    if not parts or "".join(n + u for n, u in parts) != raw.replace(" ", ""):
        raise UnitError(f"{text!r} is not a duration; use e.g. 30m, 12h, 7d or 1h30m")
    total = 0.0
    for number, unit in parts:
        if unit not in _DURATION_UNITS:
            raise UnitError(f"unknown duration unit {unit!r} in {text!r}; use s, m, h, d or w")
        total += float(number) * _DURATION_UNITS[unit]
    return total


def parse_size(text: str) -> int:
    """Bytes in a size such as `512`, `10KB`, `100MB`, `1.5GiB` (KB = 1000, KiB = 1024)."""
    raw = text.strip().lower()
    match = _NUMBER_UNIT.match(raw)
    if not match:
        raise UnitError(f"{text!r} is not a size; use e.g. 512, 10KB, 100MB or 2GiB")
    number, unit = match.groups()
    if unit and unit not in _SIZE_UNITS:
        raise UnitError(f"unknown size unit {unit!r} in {text!r}; use B, KB, MB, GB, KiB, MiB, GiB")
    return int(float(number) * _SIZE_UNITS[unit or "b"])


def format_duration(seconds: float) -> str:
    """A compact duration: `45s`, `12m`, `3h 5m`, `2d 4h`."""
    seconds = abs(seconds)
    if seconds < 60:
        return f"{int(seconds)}s"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h" if hours else f"{days}d"
