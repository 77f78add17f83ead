"""Which default keys a `[keys]` remap takes from other bindings.

Textual applies a keymap per node: a remapped key that another binding of the same node held
is taken from that binding (`BindingsMap.apply_keymap` deletes it), and Textual 8 reports
no clash when that binding has an id. The app reports these itself (RunloopApp).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.binding import Binding
from textual.dom import DOMNode


def lost_keys(node: DOMNode, keymap: Mapping[str, str]) -> list[tuple[Binding, str]]:
    """(binding, key) for each default key of `node` that a remap of another of its
    bindings takes away."""
    bindings = [b for group in node._bindings.key_to_bindings.values() for b in group]
    taken: dict[str, str] = {}  # key -> the remapped binding id that takes it
    for binding in bindings:
        if binding.id is not None and binding.id in keymap:
            for key in keymap[binding.id].split(","):
                taken.setdefault(key.strip(), binding.id)
    return [
        (binding, binding.key)
        for binding in bindings
        if binding.key in taken and (binding.id is None or binding.id not in keymap)
    ]


def clash_messages(
    nodes: Iterable[DOMNode], keymap: Mapping[str, str], told: set[str]
) -> list[str]:
    """One sentence per binding that lost a key, skipping (and then adding) those in `told`."""
    messages = []
    for node in nodes:
        for binding, key in lost_keys(node, keymap):
            name = binding.id or binding.action
            if f"{name}:{key}" in told:
                continue
            told.add(f"{name}:{key}")
            messages.append(
                f"[keys] gave {key!r} to another binding, so {name}"
                f" ({binding.description or binding.action}) lost it; remap one of them"
            )
    return messages
