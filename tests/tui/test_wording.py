"""Small defects from the robustness pass: counts, the URL warning, export's file type."""

from __future__ import annotations

import csv
from pathlib import Path

from textual.widgets import Input, RadioButton

from runloop_tui.api.models import ContentType, ObjectState, ObjectView
from runloop_tui.tui.formatting import count_noun
from runloop_tui.tui.modals.export import ExportModal
from runloop_tui.tui.modals.presign import ttl_warning
from runloop_tui.tui.widgets.header import Counts, counts_text
from tests.tui.actions_helpers import export_form, wait_gone
from tests.tui.conftest import NOW_MS, drain


def test_one_object_is_singular() -> None:
    assert count_noun(1, "object") == "1 object"
    assert count_noun(0, "object") == "0 objects"
    assert count_noun(1200, "object") == "1,200 objects"
    text = str(counts_text(Counts(1, 1, 1, 10, 0, 0, loading=False)))
    assert text.startswith("1 object ·")


def test_the_24h_preset_is_named_as_chosen_in_the_expiry_warning() -> None:
    obj = ObjectView(
        "obj_1", "a", ObjectState.READ_ONLY, ContentType.TEXT, NOW_MS, 1, NOW_MS + 3_600_000
    )
    warning = ttl_warning(obj, 86_400, NOW_MS)
    assert warning is not None
    assert warning.endswith("not after 24h.")
    assert "1d" not in warning


async def test_export_follows_the_typed_extension(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    async with export_form(data_dir, out, 6, marked=3) as (app, pilot, modal, ids):
        assert modal.query_one("#fmt-json", RadioButton).value  # JSON is the default
        modal.query_one("#dest", Input).value = str(out / "marked.csv")
        await pilot.pause()
        assert modal.query_one("#fmt-csv", RadioButton).value  # the radio follows
        await pilot.press("enter")
        await wait_gone(app, pilot, ExportModal)
        await drain(app, pilot)
        rows = list(csv.DictReader((out / "marked.csv").open()))
        assert sorted(r["id"] for r in rows) == sorted(ids[:3])
