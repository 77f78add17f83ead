"""Delete one object (confirmed, defaulting to No) or the marked ones (confirmed by typing
the count, run behind a progress bar, every failure listed)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from runloop_tui.api.client import ObjectsClient
from runloop_tui.api.errors import ApiError
from runloop_tui.api.models import ObjectView
from runloop_tui.tui.actions.host import ActionHost, run_io
from runloop_tui.tui.formatting import count_noun, exact_bytes, human_size
from runloop_tui.tui.modals.confirm import ConfirmModal

if TYPE_CHECKING:
    from textual.worker import Worker

    from runloop_tui.api.bulk import BulkDeleteOutcome


def size_detail(size: int | None) -> str:
    """`1.2 MB (1,234,567 bytes)`; an unknown size (an upload not complete) says so."""
    if size is None or size < 0:
        return "unknown"
    return f"{human_size(size)} ({exact_bytes(size)})"


@dataclass(eq=False)
class Deleter:
    _host: ActionHost
    _client: ObjectsClient

    def start_delete(self) -> None:
        host = self._host
        if host.refuse("delete"):
            return
        if host.marked_objects:
            self.start_bulk_delete()
            return
        obj = host.selected_object
        if obj is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_delete(obj)

        host.ui.push_modal(
            ConfirmModal(
                f"Delete {obj.name}?",  # the question makes what it shows inert
                [
                    ("Name", obj.name),
                    ("ID", obj.id),
                    ("Size", size_detail(obj.size_bytes)),
                    ("State", str(obj.state)),
                ],
                confirm_label="Yes, delete",
            ),
            answered,
        )

    def run_delete(self, obj: ObjectView) -> Worker[bool]:
        return run_io(self._host, partial(self.delete, obj), "Delete object", "delete")

    async def delete(self, obj: ObjectView) -> bool:
        try:
            await self._client.delete_object(obj.id)
        except ApiError as exc:
            self._host.notify(str(exc), title="Delete failed", severity="error", markup=False)
            return False
        self._host.apply_local_changes(removed_ids=[obj.id])
        self._host.notify(f"Deleted {obj.name!r}.", markup=False)
        return True

    def start_bulk_delete(self) -> None:
        host = self._host
        if host.refuse("bulk_delete"):
            return
        objects = host.marked_in_view_order()  # exactly what the summary shows, in its order
        hidden = host.hidden_marked_ids()
        incomplete = host.listing_incomplete()
        from runloop_tui.tui.modals.bulk_delete import BulkDeleteModal, BulkDeleteProgressModal

        def confirmed(yes: bool | None) -> None:
            if yes:
                host.ui.push_modal(
                    BulkDeleteProgressModal(objects, self._client.delete_object), self._bulk_done
                )

        host.ui.push_modal(BulkDeleteModal(objects, hidden, incomplete=incomplete), confirmed)

    def _bulk_done(self, outcome: BulkDeleteOutcome | None) -> None:
        if outcome is None:  # the run failed (the modal said why): list what is left
            self._host.refresh_now()
            return
        if outcome.deleted:
            self._host.apply_local_changes(removed_ids=[o.id for o in outcome.deleted])
        if outcome.failed or outcome.skipped:
            from runloop_tui.tui.modals.bulk_delete import BulkResultsModal

            self._host.ui.push_modal(BulkResultsModal(outcome))
        else:
            self._host.notify(f"Deleted {count_noun(len(outcome.deleted), 'object')}.")
