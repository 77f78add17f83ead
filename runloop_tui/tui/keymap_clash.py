"""Which default keys a `[keys]` remap takes from other bindings.

Textual applies a keymap per node: a remapped key that another binding of the same node held
is taken from that binding (`BindingsMap.apply_keymap` deletes it), and Textual 8 reports
no clash when that binding has an id. The app reports these itself (RunloopApp).

A remap can also be shadowed: a key given to a screen's (or the app's) binding that a
focusable widget under it binds too (the table's `j`, `ctrl+f`; the filter's `escape`) goes
to that widget while it has focus, so the remapped action never runs (Textual asks the
focused widget first, unless the remapped binding has priority).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from textual.binding import Binding
from textual.dom import DOMNode
from textual.widget import Widget


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


def _keys(keymap: Mapping[str, str], binding_id: str) -> list[str]:
    return [key.strip() for key in keymap[binding_id].split(",") if key.strip()]


def _effective(node: DOMNode, keymap: Mapping[str, str]) -> dict[str, list[Binding]]:
    """key -> the node's bindings on it once the keymap applies (node._bindings holds the
    defaults; Textual applies the keymap as it looks keys up)."""
    keys: dict[str, list[Binding]] = {}
    for group in node._bindings.key_to_bindings.values():
        for binding in group:
            if binding.id is not None and binding.id in keymap:
                for key in _keys(keymap, binding.id):
                    keys.setdefault(key, []).append(binding)
            else:
                keys.setdefault(binding.key, []).append(binding)
    return keys


def shadowed_keys(
    nodes: Sequence[DOMNode], keymap: Mapping[str, str]
) -> list[tuple[Binding, str, DOMNode, Binding]]:
    """(remapped binding, key, focusable widget, its binding) for each key a remap gives to a
    binding of a node that a focusable widget under that node binds too."""
    focusable = [(n, _effective(n, keymap)) for n in nodes if isinstance(n, Widget) and n.can_focus]
    found: list[tuple[Binding, str, DOMNode, Binding]] = []
    seen: set[tuple[str, str]] = set()
    for node in nodes:
        for group in node._bindings.key_to_bindings.values():
            for binding in group:
                if binding.id is None or binding.id not in keymap or binding.priority:
                    continue
                for key in _keys(keymap, binding.id):
                    if (binding.id, key) in seen:
                        continue  # "up,k" is two bindings with one id
                    seen.add((binding.id, key))
                    for widget, keys in focusable:
                        if widget is node or node not in widget.ancestors:
                            continue
                        for theirs in keys.get(key, []):
                            if theirs.id != binding.id:
                                found.append((binding, key, widget, theirs))
    return found


def _widget_name(widget: DOMNode) -> str:
    return {"ObjectTable": "the table", "FilterInput": "the filter"}.get(
        type(widget).__name__, type(widget).__name__
    )


def clash_messages(
    nodes: Iterable[DOMNode], keymap: Mapping[str, str], told: set[str]
) -> list[str]:
    """One sentence per binding that lost a key, or whose remapped key a focusable widget
    takes first, skipping (and then adding) those in `told`."""
    nodes = list(nodes)
    messages = []
    for binding, key, widget, theirs in shadowed_keys(nodes, keymap):
        name = binding.id or binding.action
        if f"{name}:{key}:shadowed" in told:
            continue
        told.add(f"{name}:{key}:shadowed")
        messages.append(
            f"[keys] gave {key!r} to {name} ({binding.description or binding.action}), but"
            f" {_widget_name(widget)} uses {key!r} for {theirs.id or theirs.action}"
            f" ({theirs.description or theirs.action}) and gets it first while focused, so"
            f" {key!r} does not reach {name}; choose another key"
        )
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
