"""What an app notified, recorded through Textual's public ``App.notify``.

Tests read this instead of Textual's private ``app._notifications``. Every call is kept
(a toast that has already timed out still counts), in the order the app made them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

import pytest
from textual.app import App
from textual.notifications import SeverityLevel


@dataclass(frozen=True)
class Note:
    message: str
    title: str
    severity: SeverityLevel


_NOTES: WeakKeyDictionary[App[Any], list[Note]] = WeakKeyDictionary()


def notified(app: App[Any]) -> list[Note]:
    """Every notification ``app`` made so far."""
    return _NOTES.setdefault(app, [])


def messages(app: App[Any]) -> list[str]:
    return [n.message for n in notified(app)]


def errors_notified(app: App[Any]) -> list[str]:
    return [f"{n.title}: {n.message}" for n in notified(app) if n.severity == "error"]


def all_notified(app: App[Any]) -> list[str]:
    return [f"{n.title}: {n.message}" for n in notified(app)]


def record_notifications(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wrap App.notify (the base: subclasses that override it still end up there)."""
    original = App.notify

    def notify(
        self: App[Any],
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        notified(self).append(Note(str(message), title, severity))
        original(self, message, title=title, severity=severity, timeout=timeout, markup=markup)

    monkeypatch.setattr(App, "notify", notify)
