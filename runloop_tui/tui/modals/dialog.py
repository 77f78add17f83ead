"""The look every dialog shares: centred, one bordered panel (the modal's `> Vertical`), a
bold title, muted field labels and the buttons on the right.

Each modal keeps its own scoped DEFAULT_CSS (the modal snapshots run without app.tcss), built
here, so a change to the dialogs' look is one change. A function, not a base class: each
modal says only what differs (width, border, padding, which parts), and the class tree, by
whose depth Textual ranks inherited DEFAULT_CSS, stays as it was.
"""

from __future__ import annotations


def dialog_css(
    name: str,
    width: int | str,
    *,
    border: str = "$primary",
    padding: str = "0 1",
    form: bool = True,
    buttons: bool = True,
) -> str:
    """The DEFAULT_CSS rules of the dialog ``name``; its own rules follow (and win ties).

    ``form``: the title and the field labels; ``buttons``: the button row on the right.
    """
    rules = [
        f"{name} {{ align: center middle; }}",
        f"{name} > Vertical {{ width: {width}; max-width: 100%; height: auto; max-height: 100%;"
        f" border: thick {border}; background: $surface; padding: {padding}; }}",
    ]
    if form:
        rules += [
            f"{name} .title {{ text-style: bold; width: 100%; }}",
            f"{name} .label {{ color: $text-muted; margin-top: 1; }}",
        ]
    if buttons:
        rules += [
            f"{name} .buttons {{ height: auto; align-horizontal: right; margin-top: 1; }}",
            f"{name} .buttons Button {{ margin-left: 2; }}",
        ]
    return "\n".join(rules) + "\n"
