"""Sharing an object: a presigned download URL, copying its id or name; and its preview."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial

from textual.worker import Worker

from runloop_tui.api.client import ObjectsClient
from runloop_tui.api.errors import ApiError
from runloop_tui.api.models import ObjectView
from runloop_tui.api.retry import RetryEvent, RetryHook
from runloop_tui.tui.actions.host import ActionHost, run_io


@dataclass(eq=False)
class Sharer:
    _host: ActionHost
    _client: ObjectsClient

    def presign(self) -> None:
        obj = self._host.selected_object
        if self._host.refuse("presign") or obj is None:
            return

        async def fetch(seconds: int, on_retry: RetryHook) -> str:
            return await self._client.download_url(obj.id, seconds, on_retry=on_retry)

        from runloop_tui.tui.modals.presign import PresignModal

        self._host.ui.push_modal(PresignModal(obj, fetch, self._host.now_ms))

    def copy_id(self) -> None:
        obj = self._host.selected_object
        if not self._host.refuse("copy_id") and obj is not None:
            self._host.ui.copy(obj.id, f"id {obj.id}")

    def copy_name(self) -> None:
        obj = self._host.selected_object
        if not self._host.refuse("copy_name") and obj is not None:
            self._host.ui.copy(obj.name, "name")

    # --- preview ---
    def start_preview(self) -> None:
        obj = self._host.selected_object
        if not self._host.refuse("preview") and obj is not None:
            self.load_preview(obj)

    def load_preview(self, obj: ObjectView) -> None:
        work = partial(self.preview, obj)
        _: Worker[None] = run_io(self._host, work, "Preview", "preview", exclusive=True)

    async def preview(self, obj: ObjectView) -> None:
        from runloop_tui.preview import HEAD_BYTES, build_preview
        from runloop_tui.tui.modals.preview import PreviewModal

        def retrying(event: RetryEvent) -> None:
            self._host.notify(f"Cannot reach the server: {event.short}", title="Preview", timeout=2)

        try:
            head = await self._client.read_head(obj.id, HEAD_BYTES, on_retry=retrying)
        except ApiError as exc:
            self._host.notify(str(exc), title="Preview failed", severity="error", markup=False)
            return
        # Decompressing and highlighting 64 KiB is CPU work: keep it off the UI thread.
        preview = await asyncio.to_thread(
            build_preview, obj.name, str(obj.content_type), head, obj.size_bytes
        )
        self._host.ui.push_modal(PreviewModal(obj, preview))
