"""``runloop-tui`` as a user starts it, reporting what the process holds when its first object
row is painted (tests/terminal/test_launch_weight.py).

Usage: ``python -m tests.support.first_rows_probe REPORT.json [runloop-tui flags]``.

The object table is patched the moment the entry point imports it (importing it here first
would load the TUI before the entry point does, and measure another start-up). The report
is JSON: the modules loaded at the first painted row, whether the cyclic collector was
running while the TUI was imported, and whether it runs again when the app has exited.
"""

from __future__ import annotations

import gc
import importlib.abc
import importlib.machinery
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

TABLE_MODULE = "runloop_tui.tui.widgets.object_table"

report: dict[str, Any] = {}


def _patch_table(module: ModuleType, out: Path) -> None:
    report["gc_enabled_at_tui_import"] = gc.isenabled()
    table = module.ObjectTable
    render_line = table.render_line

    def patched(self: Any, y: int) -> Any:
        if "modules_at_first_rows" not in report and 1 <= y <= self.row_count:
            report["modules_at_first_rows"] = sorted(n for n, m in sys.modules.items() if m)
            # The first page's prefetch child (api/prefetch.py) is gone: ended and reaped.
            report["children_at_first_rows"] = _children()
            out.write_text(json.dumps(report))
        return render_line(self, y)

    table.render_line = patched


def _children() -> list[str]:
    pid = os.getpid()
    return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()


class _PatchOnImport(importlib.abc.MetaPathFinder):
    def __init__(self, out: Path) -> None:
        self.out = out

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != TABLE_MODULE:
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        assert spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader)
        loader = spec.loader
        exec_module = loader.exec_module
        out = self.out

        def exec_and_patch(module: ModuleType) -> None:
            exec_module(module)
            _patch_table(module, out)

        loader.exec_module = exec_and_patch  # type: ignore[method-assign]
        return spec


def main() -> int:
    out = Path(sys.argv[1])
    sys.meta_path.insert(0, _PatchOnImport(out))
    from runloop_tui.cli import main as runloop_tui

    status = runloop_tui(sys.argv[2:])
    report["gc_enabled_at_exit"] = gc.isenabled()
    out.write_text(json.dumps(report))
    return status


if __name__ == "__main__":
    raise SystemExit(main())
