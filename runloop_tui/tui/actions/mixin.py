"""The object actions of the browser: upload, delete, URLs and clipboard, download, preview, export.

`ObjectActions` is a Screen base class: BrowserScreen inherits its bindings, actions and
handlers, and provides the public API declared under TYPE_CHECKING below. All I/O runs in
workers; transfers are not exclusive (several may run at once) and show in the transfers panel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from textual import on, work
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.screen import Screen

from runloop_tui.api.errors import ApiError, TransferCancelled
from runloop_tui.api.models import ObjectState, ObjectView
from runloop_tui.api.retry import RetryEvent, RetryHook
from runloop_tui.tui.actions.naming import default_download_path
from runloop_tui.tui.actions.toasts import SuccessBurst
from runloop_tui.tui.clipboard import copy_and_notify
from runloop_tui.tui.formatting import count_noun, display_text, exact_bytes, human_size
from runloop_tui.tui.messages import MarkToggled, RowActivated, RowHighlighted
from runloop_tui.tui.modals.confirm import ConfirmModal
from runloop_tui.tui.modals.validation import probe

# The modals, the transfers panel, preview and export are imported when first used: the
# browser should paint as soon as it can, and importing them (and the Textual widgets they
# use) up front made start-up measurably slower.
if TYPE_CHECKING:
    from runloop_tui.api.client import CancelToken, ObjectsClient, ProgressCallback
    from runloop_tui.config import Settings
    from runloop_tui.tui.actions.bulk import BulkDeleteOutcome
    from runloop_tui.tui.modals.export import ExportRequest
    from runloop_tui.tui.modals.upload import UploadRequest
    from runloop_tui.tui.widgets.transfers import TransfersPanel

T = TypeVar("T")

# Actions that change the store: never offered in read-only mode or the public view.
WRITE_ACTIONS = frozenset({"upload", "delete", "bulk_delete"})
# Actions about the object under the cursor.
SELECTION_ACTIONS = frozenset({"presign", "copy_id", "copy_name", "download", "preview"})
READ_ONLY_REASON = {
    True: "The public view lists other accounts' objects: they cannot be changed from here.",
    False: "Read-only mode (--read-only or the profile's read_only): nothing can be changed.",
}


def _state_reason(obj: ObjectView, what: str) -> str:
    if obj.state is ObjectState.UPLOADING:
        return f"{obj.name!r} is still UPLOADING: there is no content to {what} yet."
    if obj.state is ObjectState.DELETED:
        return f"{obj.name!r} is DELETED: there is no content to {what}."
    return f"{obj.name!r} is {obj.state}: there is no content to {what}."


class ObjectActions(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u", "upload", "Upload", id="actions.upload"),
        Binding("d", "delete", "Delete", id="actions.delete"),
        Binding("D", "bulk_delete", "Delete marked", show=False, id="actions.bulk_delete"),
        Binding("w", "download", "Download", id="actions.download"),
        Binding("p", "preview", "Preview", id="actions.preview"),
        Binding("enter", "preview", "Preview", show=False, id="actions.preview_enter"),
        Binding("y", "presign", "Download URL", show=False, id="actions.presign"),
        Binding("I", "copy_id", "Copy id", show=False, id="actions.copy_id"),
        Binding("N", "copy_name", "Copy name", show=False, id="actions.copy_name"),
        Binding("e", "export", "Export", show=False, id="actions.export"),
        Binding("T", "focus_transfers", "Transfers", show=False, id="actions.transfers"),
    ]

    if TYPE_CHECKING:
        # Provided by BrowserScreen (its public API).
        @property
        def selected_object(self) -> ObjectView | None: ...
        @property
        def marked_objects(self) -> list[ObjectView]: ...
        @property
        def visible_objects(self) -> list[ObjectView]: ...
        @property
        def is_read_only(self) -> bool: ...
        @property
        def is_public_view(self) -> bool: ...
        def select_object(self, object_id: str) -> None: ...
        def refresh_now(self) -> None: ...
        def now_ms(self) -> int: ...
        def apply_local_changes(
            self, updated: Iterable[ObjectView] = (), removed_ids: Iterable[str] = ()
        ) -> None: ...

    # --- access to the app's client and settings ---
    @property
    def api(self) -> ObjectsClient:
        return cast("ObjectsClient", cast(Any, self.app).client)

    @property
    def app_settings(self) -> Settings:
        return cast("Settings", cast(Any, self.app).settings)

    @property
    def transfers_panel(self) -> TransfersPanel:
        """The panel, mounted under the object list the first time a transfer starts."""
        from runloop_tui.tui.widgets.transfers import TransfersPanel

        try:
            return self.query_one(TransfersPanel)
        except NoMatches:
            panel = TransfersPanel()
            try:
                self.mount(panel, after=self.query_one("#browser-body"))
            except NoMatches:
                self.mount(panel)
            return panel

    # --- availability ---
    # check_action runs for every binding whenever the footer refreshes (each cursor move), so
    # these use the browser model's set and index list when present: O(1), not O(rows).
    def _has_marks(self) -> bool:
        model = getattr(self, "model", None)
        marks = getattr(model, "marks", None)
        return bool(marks) if isinstance(marks, set) else bool(self.marked_objects)

    def _has_rows(self) -> bool:
        model = getattr(self, "model", None)
        rows = getattr(model, "rows", None)
        return bool(rows) if isinstance(rows, list) else bool(self.visible_objects)

    def unavailable_reason(self, action: str) -> str | None:
        """Why an action cannot run now (None: it can). Shown when it is invoked anyway."""
        if action in WRITE_ACTIONS and self.is_read_only:
            return READ_ONLY_REASON[self.is_public_view]
        if action == "bulk_delete" and not self._has_marks():
            return "Nothing is marked: mark objects with space or a first."
        if action == "delete" and self.selected_object is None and not self._has_marks():
            return "No object is selected."
        if action in SELECTION_ACTIONS and self.selected_object is None:
            return "No object is selected."
        if action == "export" and not self._has_rows() and not self._has_marks():
            return "There are no rows to export."
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS or action in SELECTION_ACTIONS or action == "export":
            try:
                return None if self.unavailable_reason(action) else True
            except NoMatches:  # before the table is mounted
                return None
        return super().check_action(action, parameters)

    def _refuse(self, action: str) -> bool:
        """Notify and return True when the action cannot run (e.g. invoked from the palette)."""
        reason = self.unavailable_reason(action)
        if reason is not None:
            self.notify(reason, severity="warning", markup=False)
            return True
        return False

    @on(RowHighlighted)
    @on(MarkToggled)
    def _selection_changed(self) -> None:
        # refresh_bindings re-checks every binding (and the key bar re-renders): only ask
        # when something check_action looks at can have changed.
        state = (self.selected_object is None, self._has_marks(), self._has_rows())
        if state != getattr(self, "_bindings_state", None):
            self._bindings_state = state
            self.refresh_bindings()

    # --- upload ---
    def action_upload(self) -> None:
        if self._refuse("upload"):
            return

        def submitted(request: UploadRequest | None) -> None:
            if request is not None:
                self.run_upload(request)

        from runloop_tui.tui.modals.upload import UploadModal

        self.app.push_screen(UploadModal(), submitted)

    # Not exclusive: several uploads may run side by side.
    @work(group="upload", exit_on_error=False, description="Upload")
    async def run_upload(self, request: UploadRequest) -> ObjectView | None:
        obj = await self._tracked_transfer(
            "upload",
            request.name,
            lambda progress, cancel: self.api.upload_path(
                request.path,
                name=request.name,
                content_type=request.content_type,
                metadata=request.metadata or None,
                ttl_ms=request.ttl_ms,
                progress=progress,
                cancel=cancel,
            ),
        )
        if obj is None:
            return None
        self.apply_local_changes(updated=[obj])
        self.select_object(obj.id)
        self.refresh_now()
        self._transfer_succeeded(
            "upload", f"Uploaded {obj.name!r} ({human_size(obj.size_bytes)}).", None
        )
        return obj

    # --- delete ---
    def action_delete(self) -> None:
        if self._refuse("delete"):
            return
        if self.marked_objects:
            self.action_bulk_delete()
            return
        obj = self.selected_object
        if obj is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_delete(obj)

        self.app.push_screen(
            ConfirmModal(
                f"Delete {display_text(obj.name)}?",
                [
                    ("Name", display_text(obj.name)),
                    ("ID", obj.id),
                    ("Size", f"{human_size(obj.size_bytes)} ({exact_bytes(obj.size_bytes)})"),
                    ("State", str(obj.state)),
                ],
                confirm_label="Yes, delete",
            ),
            answered,
        )

    @work(group="delete", exit_on_error=False, description="Delete object")
    async def run_delete(self, obj: ObjectView) -> bool:
        try:
            await self.api.delete_object(obj.id)
        except ApiError as exc:
            self.notify(str(exc), title="Delete failed", severity="error", markup=False)
            return False
        self.apply_local_changes(removed_ids=[obj.id])
        self.notify(f"Deleted {obj.name!r}.", markup=False)
        return True

    def action_bulk_delete(self) -> None:
        if self._refuse("bulk_delete"):
            return
        objects = list(self.marked_objects)  # exactly what the summary shows
        from runloop_tui.tui.modals.bulk_delete import BulkDeleteModal, BulkDeleteProgressModal

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.app.push_screen(
                    BulkDeleteProgressModal(objects, self.api.delete_object), self._bulk_done
                )

        self.app.push_screen(BulkDeleteModal(objects), confirmed)

    def _bulk_done(self, outcome: BulkDeleteOutcome | None) -> None:
        if outcome is None:
            return
        if outcome.deleted:
            self.apply_local_changes(removed_ids=[o.id for o in outcome.deleted])
        if outcome.failed or outcome.skipped:
            from runloop_tui.tui.modals.bulk_delete import BulkResultsModal

            self.app.push_screen(BulkResultsModal(outcome))
        else:
            self.notify(f"Deleted {count_noun(len(outcome.deleted), 'object')}.")

    # --- URLs and the clipboard ---
    def action_presign(self) -> None:
        obj = self.selected_object
        if self._refuse("presign") or obj is None:
            return
        if obj.state is not ObjectState.READ_ONLY:
            self.notify(_state_reason(obj, "link to"), severity="warning", markup=False)
            return

        async def fetch(seconds: int, on_retry: RetryHook) -> str:
            return await self.api.download_url(obj.id, seconds, on_retry=on_retry)

        from runloop_tui.tui.modals.presign import PresignModal

        self.app.push_screen(PresignModal(obj, fetch, self.now_ms))

    def action_copy_id(self) -> None:
        obj = self.selected_object
        if self._refuse("copy_id") or obj is None:
            return
        copy_and_notify(cast(Any, self.app), obj.id, f"id {obj.id}")

    def action_copy_name(self) -> None:
        obj = self.selected_object
        if self._refuse("copy_name") or obj is None:
            return
        copy_and_notify(cast(Any, self.app), obj.name, "name")

    # --- download ---
    def action_download(self) -> None:
        obj = self.selected_object
        if self._refuse("download") or obj is None:
            return
        if obj.state is not ObjectState.READ_ONLY:
            self.notify(_state_reason(obj, "download"), severity="warning", markup=False)
            return
        default = default_download_path(
            self.app_settings.download_dir, obj.name, str(obj.content_type), obj.id
        )

        def chosen(path: Path | None) -> None:
            if path is None:
                return
            if probe(path)[0] is not None:
                self._confirm_overwrite(path, lambda: self.run_download(obj, path, True))
            else:
                self.run_download(obj, path, False)

        from runloop_tui.tui.modals.download import DownloadModal

        self.app.push_screen(DownloadModal(obj, default), chosen)

    def _confirm_overwrite(self, path: Path, go: Any) -> None:
        try:
            size = exact_bytes(path.stat().st_size)
        except (OSError, ValueError):
            size = "?"

        def answered(yes: bool | None) -> None:
            if yes:
                go()

        self.app.push_screen(
            ConfirmModal(
                "Replace the existing file?",
                [("File", str(path)), ("Size", size)],
                confirm_label="Replace it",
                caution=True,
            ),
            answered,
        )

    @work(group="download", exit_on_error=False, description="Download")
    async def run_download(self, obj: ObjectView, path: Path, overwrite: bool) -> Path | None:
        saved = await self._tracked_transfer(
            "download",
            obj.name,
            lambda progress, cancel: self.api.download_to(
                obj.id, path, overwrite=overwrite, progress=progress, cancel=cancel
            ),
        )
        if saved is not None:
            self._transfer_succeeded("download", f"Saved {saved}", "Downloaded")
        return saved

    @property
    def _success_burst(self) -> SuccessBurst:
        burst = self.__dict__.get("_success_burst_state")
        if burst is None:
            burst = self.__dict__["_success_burst_state"] = SuccessBurst()
        return cast(SuccessBurst, burst)

    def _transfer_succeeded(self, kind: str, message: str, title: str | None) -> None:
        """Toast a success, or hold it for one summary while other `kind` transfers run."""
        self._success_burst.add(kind, message, title)
        self._flush_successes(kind)

    def _flush_successes(self, kind: str) -> None:
        if any(t.active and t.kind == kind for t in self.transfers_panel.transfers):
            return
        toast = self._success_burst.flush(kind)
        if toast is not None:
            self.notify(toast[1], title=toast[0] or "", markup=False)

    async def _tracked_transfer(
        self,
        kind: str,
        label: str,
        run: Callable[[ProgressCallback, CancelToken], Awaitable[T]],
    ) -> T | None:
        """Run a transfer behind a row of the transfers panel; None when it failed or stopped.

        A cancel or a failure is said once, in a notification and in the panel.
        """
        from runloop_tui.tui.widgets.transfers import TransferState

        panel = self.transfers_panel
        transfer = panel.start(kind, label)
        title = kind.capitalize()
        try:
            result = await run(panel.progress_callback(transfer), transfer.cancel)
        except TransferCancelled:
            panel.finish(transfer, TransferState.CANCELLED)
            self.notify(f"{title} of {label!r} cancelled.", severity="warning", markup=False)
            self._flush_successes(kind)  # this may have been the last of a burst
            return None
        except (ApiError, OSError) as exc:
            panel.finish(transfer, TransferState.FAILED, str(exc))
            self.notify(str(exc), title=f"{title} failed", severity="error", markup=False)
            self._flush_successes(kind)
            return None
        panel.finish(transfer, TransferState.DONE)
        return result

    def action_focus_transfers(self) -> None:
        panel = self.transfers_panel
        if not panel.transfers:
            self.notify("No transfers yet: u uploads, w downloads.")
            return
        panel.focus()

    # --- preview ---
    def action_preview(self) -> None:
        obj = self.selected_object
        if self._refuse("preview") or obj is None:
            return
        if obj.state is not ObjectState.READ_ONLY:
            self.notify(_state_reason(obj, "preview"), severity="warning", markup=False)
            return
        self.load_preview(obj)

    @on(RowActivated)
    def _row_activated(self, event: RowActivated) -> None:
        self.action_preview()

    @work(exclusive=True, group="preview", exit_on_error=False, description="Preview")
    async def load_preview(self, obj: ObjectView) -> None:
        from runloop_tui.preview import HEAD_BYTES, build_preview
        from runloop_tui.tui.modals.preview import PreviewModal

        def retrying(event: RetryEvent) -> None:
            self.notify(f"Cannot reach the server: {event.short}", title="Preview", timeout=2)

        try:
            head = await self.api.read_head(obj.id, HEAD_BYTES, on_retry=retrying)
        except ApiError as exc:
            self.notify(str(exc), title="Preview failed", severity="error", markup=False)
            return
        # Decompressing and highlighting 64 KiB is CPU work: keep it off the UI thread.
        preview = await asyncio.to_thread(
            build_preview, obj.name, str(obj.content_type), head, obj.size_bytes
        )
        self.app.push_screen(PreviewModal(obj, preview))

    # --- export ---
    def action_export(self) -> None:
        if self._refuse("export"):
            return
        from runloop_tui.export import ExportFormat, default_export_name
        from runloop_tui.tui.modals.export import ExportModal

        visible = list(self.visible_objects)
        marked = list(self.marked_objects)
        now = datetime.fromtimestamp(self.now_ms() / 1000)
        default = self.app_settings.download_dir.expanduser() / default_export_name(
            now, ExportFormat.JSON
        )

        def chosen(request: ExportRequest | None) -> None:
            if request is None:
                return
            rows = marked if request.marked else visible
            if probe(request.path)[0] is not None:
                self._confirm_overwrite(request.path, lambda: self.run_export(rows, request, True))
            else:
                self.run_export(rows, request, False)

        self.app.push_screen(ExportModal(len(visible), len(marked), default), chosen)

    @work(thread=True, group="export", exit_on_error=False, description="Export")
    def run_export(self, rows: list[ObjectView], request: ExportRequest, overwrite: bool) -> int:
        from runloop_tui.export import write_export

        try:
            size = write_export(rows, request.path, request.fmt, overwrite=overwrite)
        except OSError as exc:
            self.notify(f"Export failed: {exc}", severity="error", markup=False)
            return 0
        self.notify(
            f"Exported {len(rows):,} rows ({human_size(size)}) to {request.path}",
            title="Export",
            markup=False,
        )
        return len(rows)
