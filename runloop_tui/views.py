"""Views: a filter and a sort, given at start-up (--filter, --sort, --view) or saved by name in
the config file's [views.NAME] tables. Pure: no Textual.

Saving rewrites the config with tomlkit, so the user's comments and formatting survive.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# The browser's sort columns (tui.browser_model.SORT_COLUMNS; a test keeps them equal).
SORT_KEYS = ("name", "size", "created", "expires", "state", "type", "id")
VIEW_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
VIEW_KEYS = ("filter", "sort")


class ViewError(ValueError):
    """A bad view, filter, sort or view name; ``str()`` is one line naming the culprit."""


@dataclass(frozen=True, slots=True)
class View:
    filter: str = ""
    sort: tuple[str, bool] | None = None  # (column, descending); None keeps the default

    @property
    def sort_text(self) -> str:
        """The config and flag form: `created`, or `-created` for descending."""
        if self.sort is None:
            return ""
        column, descending = self.sort
        return f"-{column}" if descending else column

    def describe(self) -> str:
        parts = [self.filter or "(no filter)"]
        if self.sort is not None:
            parts.append(f"sort {self.sort_text}")
        return ", ".join(parts)


def parse_sort(text: str, where: str) -> tuple[str, bool]:
    """`created` (ascending) or `-created` (descending)."""
    key = text.strip()
    descending = key.startswith("-")
    column = key.removeprefix("-")
    if column not in SORT_KEYS:
        choices = ", ".join(SORT_KEYS)
        raise ViewError(f"{where}: unknown sort key {text!r} (use {choices}; -KEY descends)")
    return column, descending


def check_filter(text: str, where: str) -> str:
    # Imported here: the filter parser pulls in the API models (and httpx), which --version
    # and --help must not wait for.
    from runloop_tui.query.filter import compile_filter

    if not text.isprintable():
        raise ViewError(f"{where}: the filter contains control characters")
    errors = compile_filter(text).errors
    if errors:
        first = errors[0]
        raise ViewError(f"{where}: {first.term}: {first.message}")
    return text


def check_view_name(name: str, where: str) -> str:
    if not VIEW_NAME.fullmatch(name):
        raise ViewError(
            f"{where}: view names are letters, digits, - and _ (at most 40), got {name!r}"
        )
    return name


def view_from_table(table: Mapping[str, object], where: str) -> View:
    for key in table:
        if key not in VIEW_KEYS:
            raise ViewError(f"{where}: unknown key {key!r} (a view has filter and sort)")
    text = table.get("filter", "")
    sort = table.get("sort")
    if not isinstance(text, str):
        raise ViewError(f"{where} filter must be a string")
    if sort is not None and not isinstance(sort, str):
        raise ViewError(f'{where} sort must be a string like "-created"')
    if not text and not sort:
        raise ViewError(f"{where} needs a filter or a sort")
    return View(
        check_filter(text, f"{where} filter"),
        parse_sort(sort, f"{where} sort") if sort else None,
    )


def save_view(path: Path, name: str, view: View) -> None:
    """Write [views.NAME] into the config file at `path`, keeping everything else as it was
    (comments, order, formatting). Creates the file (mode 600) when there is none."""
    import tomlkit

    check_view_name(name, "view name")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    document = tomlkit.parse(text)
    views = document.get("views")
    if views is None:
        views = tomlkit.table(is_super_table=True)
        document.add("views", views)
    elif not isinstance(views, dict):
        raise ViewError(f"{path}: views must be a table")
    body = tomlkit.table()
    body.add("filter", view.filter)
    if view.sort is not None:
        body.add("sort", view.sort_text)
    views[name] = body
    _write_atomically(path, tomlkit.dumps(document))


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o600  # a config file may come to hold an api_key
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
