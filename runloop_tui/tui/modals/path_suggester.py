"""Filesystem completion for path fields: ghost text from the typed directory's listing."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from textual.suggester import Suggester

# A huge directory must not stall completion; the first entries (sorted) are enough.
MAX_ENTRIES = 5000


def complete_path(value: str, *, dirs_only: bool = False) -> str | None:
    """`value` extended by the first matching entry of its directory (`/` after a directory).

    The typed text is kept as typed (a leading `~` stays), only the remainder is appended.
    Hidden entries are offered only once the typed part starts with a dot.
    """
    if not value:
        return None
    head, sep, partial = value.rpartition("/")
    if value.startswith("~") and not sep:
        return None  # `~user` completion is not worth the surprise
    if "\x00" in value:
        return None
    try:
        directory = Path((head + sep) or ".").expanduser()
    except (RuntimeError, ValueError, KeyError, OSError):  # ~nosuchuser/...
        return None
    try:
        with os.scandir(directory) as entries:
            names: list[tuple[str, bool]] = []
            for entry in entries:
                if len(names) >= MAX_ENTRIES:
                    break
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if dirs_only and not is_dir:
                    continue
                names.append((entry.name, is_dir))
    except (OSError, ValueError):
        return None
    for name, is_dir in sorted(names):
        if name == partial and not is_dir:
            continue
        if not name.startswith(partial):
            continue
        if name.startswith(".") and not partial.startswith("."):
            continue
        completed = value + name[len(partial) :] + ("/" if is_dir else "")
        if completed != value:
            return completed
    return None


class PathSuggester(Suggester):
    """Suggests the next path component; accept it with → or End."""

    def __init__(self, *, dirs_only: bool = False) -> None:
        # No cache: the directory may change while the modal is open.
        super().__init__(use_cache=False, case_sensitive=True)
        self.dirs_only = dirs_only

    async def get_suggestion(self, value: str) -> str | None:
        return await asyncio.to_thread(complete_path, value, dirs_only=self.dirs_only)
