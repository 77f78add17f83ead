"""Command palette provider: every action bound on the current screen, with its keys.

Actions the screen disables through check_action are left out (hidden) or listed as
unavailable (greyed), exactly as the footer shows them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.dom import DOMNode


@runtime_checkable
class ExplainsUnavailable(Protocol):
    """A screen that says why an action is unavailable (the browser: tui/availability.py)."""

    def unavailable_reason(self, action: str) -> str | None: ...


@dataclass(frozen=True, slots=True)
class PaletteAction:
    namespace: DOMNode
    action: str
    description: str
    keys: str
    enabled: bool
    tooltip: str


def palette_actions(provider: Provider) -> Iterator[PaletteAction]:
    """The screen's active bindings, one entry per action (keys joined)."""
    app = provider.app
    seen: dict[tuple[int, str], PaletteAction] = {}
    for key, active in provider.screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.system:
            continue
        ident = (id(active.node), binding.action)
        keys = app.get_key_display(binding)
        if ident in seen:
            prev = seen[ident]
            seen[ident] = PaletteAction(
                prev.namespace,
                prev.action,
                prev.description,
                f"{prev.keys}, {keys}",
                prev.enabled,
                prev.tooltip,
            )
            continue
        del key
        seen[ident] = PaletteAction(
            active.node,
            binding.action,
            binding.description,
            keys,
            active.enabled,
            binding.tooltip,
        )
    yield from seen.values()


class BrowserCommands(Provider):
    """Offers the screen's actions (their bindings' descriptions) in the palette."""

    def _display(self, item: PaletteAction) -> Content:
        style = "" if item.enabled else "$text-disabled"
        return Content.assemble((item.description, style), (f"  {item.keys}", "$text-muted"))

    def _help(self, item: PaletteAction) -> str | None:
        """The binding's tooltip; for an unavailable action, why (the screen's own rule)."""
        if item.tooltip or item.enabled:
            return item.tooltip or None
        namespace = item.namespace
        if isinstance(namespace, ExplainsUnavailable):
            return namespace.unavailable_reason(item.action) or "not available now"
        return "not available now"

    def _run(self, item: PaletteAction) -> None:
        if item.enabled:
            self.app.call_later(self.app.run_action, item.action, item.namespace)
        else:
            # Screens may say why (e.g. read-only mode): the same rule as their keys.
            namespace = item.namespace
            reason = (
                namespace.unavailable_reason(item.action)
                if isinstance(namespace, ExplainsUnavailable)
                else None
            )
            self.app.notify(
                reason or f"{item.description} is not available here.",
                severity="warning",
                markup=False,
            )

    async def discover(self) -> Hits:
        for item in palette_actions(self):
            yield DiscoveryHit(
                self._display(item),
                partial(self._run, item),
                text=item.description,
                help=self._help(item),
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for item in palette_actions(self):
            score = matcher.match(f"{item.description} {item.keys}")
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(item.description),
                    partial(self._run, item),
                    text=item.description,
                    help=self._help(item),
                )
