"""The filter bar's history: filters the user submitted, newest last, kept across sessions in
the platform state directory (`~/.local/state/runloop-tui/filter-history.json` on Linux).

The file is ours but still untrusted on read: anything that is not a list of printable
strings is dropped, and a broken file never stops the app (history is a convenience).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

HISTORY_FILE = "filter-history.json"
MAX_ENTRIES = 100
MAX_FILTER_LENGTH = 1000


class FilterHistory:
    def __init__(self, state_dir: Path | None, cap: int = MAX_ENTRIES) -> None:
        self.path = None if state_dir is None else state_dir / HISTORY_FILE
        self.cap = cap
        self.entries: list[str] = self._load()

    def _load(self) -> list[str]:
        if self.path is None:
            return []
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        if not isinstance(raw, list):
            return []
        entries = [
            item
            for item in raw
            if isinstance(item, str)
            and item.strip()
            and item.isprintable()
            and len(item) <= MAX_FILTER_LENGTH
        ]
        return entries[-self.cap :]

    def add(self, text: str) -> None:
        """Remember `text` as the newest entry (moving it if it was there); saves at once."""
        text = text.strip()
        if not text or not text.isprintable() or len(text) > MAX_FILTER_LENGTH:
            return
        if self.entries and self.entries[-1] == text:
            return
        self.entries = [entry for entry in self.entries if entry != text]
        self.entries.append(text)
        del self.entries[: -self.cap]
        self._save()

    def _save(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".history.")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    json.dump(self.entries, out, ensure_ascii=False, indent=0)
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            pass  # a read-only home must not break filtering; the history stays in memory


class HistoryCursor:
    """Walking the history with ↑/↓ from the text being typed (the draft), shell-style."""

    def __init__(self, history: FilterHistory) -> None:
        self.history = history
        self.position: int | None = None  # None: at the draft
        self.draft = ""

    def reset(self) -> None:
        self.position = None

    def older(self, current: str) -> str | None:
        entries = self.history.entries
        if not entries:
            return None
        if self.position is None:
            self.draft = current
            self.position = len(entries)
        if self.position == 0:
            return None
        self.position -= 1
        return entries[self.position]

    def newer(self) -> str | None:
        if self.position is None:
            return None
        self.position += 1
        if self.position >= len(self.history.entries):
            self.position = None
            return self.draft
        return self.history.entries[self.position]
