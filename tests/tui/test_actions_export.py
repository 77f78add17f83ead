"""Export (visible or marked rows, JSON or CSV, no clobbering) and the cleanup presets."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import Input, OptionList, RadioButton

from runloop_tui.tui.actions.commands import CLEANUP_PRESETS, ViewCommands
from runloop_tui.tui.modals.confirm import ConfirmModal
from runloop_tui.tui.modals.export import ExportModal
from tests.tui.actions_helpers import export_form, wait_gone, wait_screen
from tests.tui.conftest import NOW_MS, AppFactory, browsing, drain


async def test_export_marked_csv_and_visible_json(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    async with export_form(data_dir, out, 40, marked=7) as (app, pilot, modal, ids):
        dest = modal.query_one("#dest", Input)
        # The clock is frozen at 2030-01-01 00:00 UTC; the name uses local time.
        assert dest.value.startswith(str(out / "objects-20"))
        assert dest.value.endswith(".json")
        assert modal.query_one("#scope-marked", RadioButton).value  # marks exist: marked
        modal.query_one("#fmt-csv", RadioButton).value = True
        await pilot.pause()
        assert dest.value.endswith(".csv")
        await pilot.press("enter")
        await wait_gone(app, pilot, ExportModal)
        await drain(app, pilot)
        files = list(out.iterdir())
        assert len(files) == 1
        rows = list(csv.DictReader(files[0].open()))
        assert [r["id"] for r in rows] == sorted(ids[:7])
        assert "upload_url" not in rows[0]

        # The visible rows as JSON, to a path of our own.
        await pilot.press("e")
        modal = await wait_screen(app, pilot, ExportModal)
        modal.query_one("#scope-visible", RadioButton).value = True
        target = out / "all.json"
        modal.query_one("#dest", Input).value = str(target)
        await pilot.press("enter")
        await wait_gone(app, pilot, ExportModal)
        await drain(app, pilot)
        data = json.loads(target.read_text())
        assert {d["id"] for d in data} == set(ids)
        assert all("upload_url" not in d for d in data)

        # Exporting over it again asks first; the default keeps the file.
        target.write_text("precious")
        await pilot.press("e")
        modal = await wait_screen(app, pilot, ExportModal)
        modal.query_one("#dest", Input).value = str(target)
        await pilot.press("enter")
        await wait_screen(app, pilot, ConfirmModal)
        await pilot.press("enter")
        await wait_gone(app, pilot, ConfirmModal)
        await drain(app, pilot)
        assert target.read_text() == "precious"


async def test_cleanup_presets_set_filter_and_sort(demo_app: AppFactory) -> None:
    app = demo_app()
    async with browsing(app) as (pilot, screen):
        by_title = {p.title: p for p in CLEANUP_PRESETS}
        provider = ViewCommands(screen)
        entries = {entry.title: entry for entry in provider.entries()}
        hits = [hit async for hit in provider.search("stale uploads")]
        assert hits and hits[0].text == "Cleanup: stale uploads (UPLOADING over 1 h)"
        # Through the real command palette, as a user would.
        await pilot.press("ctrl+p")
        palette = await wait_screen(app, pilot, CommandPalette)
        await pilot.press(*"stale uploads")
        options = palette.query_one(OptionList)
        for _ in range(100):  # the palette searches in the background
            await pilot.pause()
            if (
                options.highlighted == 0
                and "stale" in str(options.get_option_at_index(0).prompt).lower()
            ):
                break
        else:
            raise AssertionError("the preset never showed in the palette")
        await pilot.press("enter")
        await wait_gone(app, pilot, CommandPalette)
        await drain(app, pilot)
        assert screen.filter_bar.text == "state:uploading age>1h"
        assert screen.model.sort == ("created", False)
        shown = screen.visible_objects
        assert shown and all(str(o.state) == "UPLOADING" for o in shown)
        assert all(NOW_MS - o.create_time_ms > 3600_000 for o in shown)
        created = [o.create_time_ms for o in shown]
        assert created == sorted(created)

        for title, check in (
            ("Cleanup: errored", lambda o: str(o.state) == "ERROR"),
            (
                "Cleanup: expired or expiring within 24 h",
                lambda o: (
                    o.delete_after_time_ms is not None
                    and o.delete_after_time_ms - NOW_MS < 86400_000
                ),
            ),
            ("Cleanup: older than 30 days", lambda o: NOW_MS - o.create_time_ms > 30 * 86400_000),
        ):
            provider._run(entries[title])
            await drain(app, pilot)
            assert screen.filter_bar.text == by_title[title].filter
            assert screen.visible_objects, title
            assert all(check(o) for o in screen.visible_objects), title

        provider._run(entries["Cleanup: largest first"])
        await drain(app, pilot)
        sizes = [o.size_bytes or 0 for o in screen.visible_objects]
        assert sizes == sorted(sizes, reverse=True)
        assert screen.filter_bar.text == ""
