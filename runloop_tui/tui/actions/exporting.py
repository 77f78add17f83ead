"""Export the rows shown, or the marked ones, to JSON or CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from runloop_tui.api.models import ObjectView
from runloop_tui.config import Settings
from runloop_tui.tui.actions.host import ActionHost, run_io
from runloop_tui.tui.actions.overwrite import confirm_overwrite
from runloop_tui.tui.formatting import human_size
from runloop_tui.tui.modals.validation import probe

if TYPE_CHECKING:
    from textual.worker import Worker

    from runloop_tui.tui.modals.export import ExportRequest


@dataclass(eq=False)
class Exporter:
    _host: ActionHost
    _settings: Settings

    def start_export(self) -> None:
        host = self._host
        if host.refuse("export"):
            return
        from runloop_tui.export import ExportFormat, default_export_name
        from runloop_tui.tui.modals.export import ExportModal

        visible = list(host.visible_objects)
        marked = list(host.marked_objects)
        now = datetime.fromtimestamp(host.now_ms() / 1000)
        default = self._settings.download_dir.expanduser() / default_export_name(
            now, ExportFormat.JSON
        )

        def chosen(request: ExportRequest | None) -> None:
            if request is None:
                return
            rows = marked if request.marked else visible
            if host.ui.in_browser:
                self.run_web_export(rows, request)
            elif probe(request.path)[0] is not None:
                confirm_overwrite(host, request.path, lambda: self.run_export(rows, request, True))
            else:
                self.run_export(rows, request, False)

        host.ui.push_modal(ExportModal(len(visible), len(marked), default), chosen)

    # --- the workers: threads, the files may be large ---
    def run_export(
        self, rows: list[ObjectView], request: ExportRequest, overwrite: bool
    ) -> Worker[int]:
        work = partial(self.export, rows, request, overwrite)
        return run_io(self._host, work, "Export", "export", thread=True)

    def run_web_export(self, rows: list[ObjectView], request: ExportRequest) -> Worker[int]:
        work = partial(self.web_export, rows, request)
        return run_io(self._host, work, "Export to the browser", "export", thread=True)

    def export(self, rows: list[ObjectView], request: ExportRequest, overwrite: bool) -> int:
        """Write the file (runs in a thread worker: notify is thread-safe)."""
        from runloop_tui.export import write_export

        try:
            size = write_export(rows, request.path, request.fmt, overwrite=overwrite)
        except OSError as exc:
            self._host.notify(f"Export failed: {exc}", severity="error", markup=False)
            return 0
        self._host.notify(
            f"Exported {len(rows):,} rows ({human_size(size)}) to {request.path}",
            title="Export",
            markup=False,
        )
        return len(rows)

    def web_export(self, rows: list[ObjectView], request: ExportRequest) -> int:
        """Hand the export to the browser (runs in a thread worker)."""
        from runloop_tui.export import render
        from runloop_tui.tui.web_delivery import export_for_browser

        data = render(rows, request.fmt).encode("utf-8")
        name = export_for_browser(self._host.ui.deliver, data, request.path.name)
        self._host.notify(f"Sent {len(rows):,} rows as {name} to the browser", title="Export")
        return len(rows)
