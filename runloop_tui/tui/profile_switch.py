"""Switching profile inside the app: the palette lists the config's profiles.

The app owns the switch (it holds the client); this module holds what the palette needs:
the profiles to offer, and the command provider that offers them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from runloop_tui.config import Settings


class ProfileSource(Protocol):
    """Where profiles come from (the config file, in the app)."""

    def names(self) -> list[str]: ...

    def settings_for(self, name: str) -> Settings: ...


@runtime_checkable
class ProfileSwitcher(Protocol):
    """What the palette needs of the app to offer a switch."""

    def profile_names(self) -> list[str]: ...

    @property
    def current_profile(self) -> str | None: ...

    def request_profile_switch(self, name: str) -> None: ...


class ProfileCommands(Provider):
    """'Switch profile: NAME' for every profile but the current one."""

    def _entries(self) -> list[tuple[str, Callable[[], None]]]:
        app = self.app
        if not isinstance(app, ProfileSwitcher):
            return []
        return [
            (f"Switch profile: {name}", partial(app.request_profile_switch, name))
            for name in app.profile_names()
            if name != app.current_profile
        ]

    async def discover(self) -> Hits:
        for text, run in self._entries():
            yield DiscoveryHit(text, run, help="Reconnect to this profile's account")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, run in self._entries():
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(text), run, help="Reconnect to this profile's account"
                )
