"""Uploads and downloads: the dialogs, the transfers panel's rows, cancel and the success toasts.

Transfers are not exclusive (several may run at once); each shows a row in the transfers
panel, and its cleanup on cancel or failure (a half-made object deleted, no partial file
left) is the client's. When that delete fails too (the server is away), the object is in the
client's `left_behind`: the row says so, and a worker retries with backoff until the server
is back and the row says "removed". Successes that finish together are said once
(SuccessBurst).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from runloop_tui.api.client import CancelToken, ObjectsClient, ProgressCallback
from runloop_tui.api.errors import ApiError, TransferCancelled
from runloop_tui.api.leftovers import backoff_seconds
from runloop_tui.api.models import ObjectView
from runloop_tui.config import Settings
from runloop_tui.tui.actions.host import ActionHost, run_io
from runloop_tui.tui.actions.naming import default_download_path
from runloop_tui.tui.actions.overwrite import confirm_overwrite
from runloop_tui.tui.actions.toasts import SuccessBurst
from runloop_tui.tui.formatting import display_text, human_size
from runloop_tui.tui.modals.validation import probe

# The modals and the transfers panel are imported when first used: the browser should paint
# as soon as it can, and importing them (and the widgets they use) up front made start-up
# measurably slower.
if TYPE_CHECKING:
    from textual.worker import Worker

    from runloop_tui.tui.modals.upload import UploadRequest
    from runloop_tui.tui.widgets.transfers import Transfer, TransfersPanel

T = TypeVar("T")


@dataclass(eq=False)
class TransferRunner:
    _host: ActionHost
    _client: ObjectsClient
    _settings: Settings
    _panel: Callable[[], TransfersPanel]  # mounts the panel on first use
    _burst: SuccessBurst = field(default_factory=SuccessBurst, init=False)
    _sweeper: Worker[None] | None = field(default=None, init=False)

    # --- the workers (not exclusive: several transfers may run at once) ---
    def run_upload(self, request: UploadRequest) -> Worker[ObjectView | None]:
        return run_io(self._host, partial(self.upload, request), "Upload", "upload")

    def run_download(self, obj: ObjectView, path: Path, overwrite: bool) -> Worker[Path | None]:
        work = partial(self.download, obj, path, overwrite)
        return run_io(self._host, work, "Download", "download")

    def run_web_download(self, obj: ObjectView) -> Worker[str | None]:
        work = partial(self.web_download, obj)
        return run_io(self._host, work, "Download to the browser", "download")

    # --- upload ---
    def start_upload(self) -> None:
        if self._host.refuse("upload"):
            return
        from runloop_tui.tui.modals.upload import UploadModal

        def submitted(request: UploadRequest | None) -> None:
            if request is not None:
                self.run_upload(request)

        self._host.ui.push_modal(UploadModal(), submitted)

    async def upload(self, request: UploadRequest) -> ObjectView | None:
        obj = await self._tracked(
            "upload",
            request.name,
            lambda progress, cancel, transfer: self._client.upload_path(
                request.path,
                name=request.name,
                content_type=request.content_type,
                metadata=request.metadata or None,
                ttl_ms=request.ttl_ms,
                progress=progress,
                cancel=cancel,
                on_created=lambda made: setattr(transfer, "object_id", made.id),
            ),
        )
        if obj is None:
            return None
        self._host.apply_local_changes(updated=[obj])
        self._host.select_object(obj.id)
        self._host.refresh_now()
        self._succeeded("upload", f"Uploaded {obj.name!r} ({human_size(obj.size_bytes)}).", None)
        return obj

    # --- download ---
    def start_download(self) -> None:
        obj = self._host.selected_object
        if self._host.refuse("download") or obj is None:
            return
        if self._host.ui.in_browser:  # the browser saves it, where the user's browser saves files
            self.run_web_download(obj)
            return
        default = default_download_path(
            self._settings.download_dir, obj.name, str(obj.content_type), obj.id
        )
        from runloop_tui.tui.modals.download import DownloadModal

        def chosen(path: Path | None) -> None:
            if path is None:
                return
            if probe(path)[0] is not None:
                confirm_overwrite(self._host, path, lambda: self.run_download(obj, path, True))
            else:
                self.run_download(obj, path, False)

        self._host.ui.push_modal(DownloadModal(obj, default), chosen)

    async def download(self, obj: ObjectView, path: Path, overwrite: bool) -> Path | None:
        saved = await self._tracked(
            "download",
            obj.name,
            lambda progress, cancel, _transfer: self._client.download_to(
                obj.id, path, overwrite=overwrite, progress=progress, cancel=cancel
            ),
        )
        if saved is not None:
            self._succeeded("download", f"Saved {saved}", "Downloaded")
        return saved

    async def web_download(self, obj: ObjectView) -> str | None:
        from runloop_tui.tui.web_delivery import download_for_browser

        sent = await self._tracked(
            "download",
            obj.name,
            lambda progress, cancel, _transfer: download_for_browser(
                self._host.ui.deliver, self._client, obj, progress, cancel
            ),
        )
        if sent is not None:
            self._succeeded("download", f"Sent {sent} to the browser", "Downloaded")
        return sent

    # --- the panel ---
    def focus_panel(self) -> None:
        if not self._host.refuse("focus_transfers"):
            self._panel().focus()

    def _succeeded(self, kind: str, message: str, title: str | None) -> None:
        """Toast a success, or hold it for one summary while other `kind` transfers run."""
        self._burst.add(kind, message, title)
        self._flush(kind)

    def _flush(self, kind: str) -> None:
        if any(t.active and t.kind == kind for t in self._panel().transfers):
            return
        toast = self._burst.flush(kind)
        if toast is not None:
            self._host.notify(toast[1], title=toast[0] or "", markup=False)

    async def _tracked(
        self,
        kind: str,
        label: str,
        run: Callable[[ProgressCallback, CancelToken, Transfer], Awaitable[T]],
    ) -> T | None:
        """Run a transfer behind a row of the transfers panel; None when it failed or stopped.

        A cancel or a failure is said once, in a notification and in the panel.
        """
        from runloop_tui.tui.widgets.transfers import TransferState

        panel = self._panel()
        transfer = panel.start(kind, label)
        self._host.availability_changed()  # T (focus the transfers) now has something to show
        title = kind.capitalize()
        try:
            result = await run(panel.progress_callback(transfer), transfer.cancel, transfer)
        except TransferCancelled:
            panel.finish(transfer, TransferState.CANCELLED)
            self._host.notify(f"{title} of {label!r} cancelled.", severity="warning", markup=False)
            self._check_left_behind(transfer)
            self._flush(kind)  # this may have been the last of a burst
            return None
        except (ApiError, OSError) as exc:
            panel.finish(transfer, TransferState.FAILED, str(exc))
            self._host.notify(str(exc), title=f"{title} failed", severity="error", markup=False)
            self._check_left_behind(transfer)
            self._flush(kind)
            return None
        except Exception as exc:
            # A bug: the screen's worker handler says it; the row must not stay "running".
            panel.finish(transfer, TransferState.FAILED, str(exc))
            raise
        panel.finish(transfer, TransferState.DONE)
        return result

    # --- objects a failed upload could not delete (the server was away) ---
    def _check_left_behind(self, transfer: Transfer) -> None:
        """Say so when the upload's half-made object could not be deleted, and keep trying."""
        if transfer.object_id is None or transfer.object_id not in self._client.left_behind:
            return
        transfer.left_behind = "left"
        self._panel().refresh(layout=True)
        self._host.notify(
            f"{display_text(transfer.object_id)} was left UPLOADING; it will be removed when "
            "the server is back.",
            title="Upload not cleaned up yet",
            severity="warning",
            markup=False,
        )
        if self._sweeper is None or self._sweeper.is_finished:
            self._sweeper = run_io(
                self._host, self._sweep_left_behind, "Remove objects left UPLOADING", "left-behind"
            )

    async def _sweep_left_behind(self) -> None:
        """Retry the deletes with backoff while anything is left behind (quitting tries once
        more, bounded: ObjectsClient.aclose)."""
        attempt = 0
        while self._client.left_behind:
            await asyncio.sleep(backoff_seconds(attempt))
            attempt += 1
            removed = await self._client.remove_left_behind()
            if not removed:
                continue
            panel = self._panel()
            for transfer in panel.transfers:
                if transfer.object_id in removed and transfer.left_behind == "left":
                    transfer.left_behind = "removed"
            panel.refresh(layout=True)
            self._host.apply_local_changes(removed_ids=removed)
            what = display_text(removed[0]) if len(removed) == 1 else f"{len(removed)} objects"
            self._host.notify(f"Removed {what} left UPLOADING by a failed upload.", markup=False)
