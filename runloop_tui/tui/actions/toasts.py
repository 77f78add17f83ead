"""Coalescing of transfer success toasts.

Dozens of uploads or downloads finishing together each raised a toast: they piled up and
stalled the UI. While other transfers of the same kind still run, successes are collected
and said once, in one summary, when the last one ends. Failures are never collected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# kind -> (title, summary template) for a burst of more than one success.
_SUMMARY = {
    "upload": ("Uploaded", "Uploaded {n:,} objects."),
    "download": ("Downloaded", "Saved {n:,} files."),
}


@dataclass
class SuccessBurst:
    """Success messages held back per transfer kind until no transfer of that kind runs."""

    _pending: dict[str, list[tuple[str | None, str]]] = field(default_factory=dict)

    def add(self, kind: str, message: str, title: str | None = None) -> None:
        self._pending.setdefault(kind, []).append((title, message))

    def pending(self, kind: str) -> int:
        return len(self._pending.get(kind, []))

    def flush(self, kind: str) -> tuple[str | None, str] | None:
        """The (title, message) to show for `kind` now (None: nothing held); clears it."""
        held = self._pending.pop(kind, [])
        if not held:
            return None
        if len(held) == 1:
            return held[0]
        title, template = _SUMMARY.get(kind, (kind.capitalize(), "{n:,} transfers done."))
        return title, template.format(n=len(held))
