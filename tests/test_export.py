"""Export to JSON and CSV: content, no upload URL, formula-safe CSV, no clobbering."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest

from runloop_tui.api.models import ContentType, ObjectState, ObjectView
from runloop_tui.export import (
    CSV_COLUMNS,
    ExportFormat,
    default_export_name,
    format_for_path,
    to_csv,
    to_json,
    write_export,
)

ROWS = [
    ObjectView(
        id="obj_1",
        name="report.csv",
        state=ObjectState.READ_ONLY,
        content_type=ContentType.TEXT,
        create_time_ms=1_700_000_000_000,
        size_bytes=1234,
        delete_after_time_ms=1_700_086_400_000,
        metadata={"team": "ml", "run": "7"},
        upload_url="https://secret.example/upload?sig=abc",
    ),
    ObjectView(
        id="obj_2",
        name='=HYPERLINK("http://evil")',
        state=ObjectState.UPLOADING,
        content_type=ContentType.UNSPECIFIED,
        create_time_ms=1_700_000_001_000,
        upload_url="https://secret.example/upload?sig=def",
    ),
]


def test_json_has_the_fields_and_no_upload_url() -> None:
    text = to_json(ROWS)
    assert "secret.example" not in text
    data = json.loads(text)
    assert [d["id"] for d in data] == ["obj_1", "obj_2"]
    assert data[0] == {
        "id": "obj_1",
        "name": "report.csv",
        "state": "READ_ONLY",
        "content_type": "text",
        "size_bytes": 1234,
        "create_time_ms": 1_700_000_000_000,
        "delete_after_time_ms": 1_700_086_400_000,
        "metadata": {"team": "ml", "run": "7"},
    }
    assert data[1]["size_bytes"] is None
    assert data[1]["name"] == '=HYPERLINK("http://evil")'  # JSON is data, not a spreadsheet


def test_csv_rows_and_formula_guard() -> None:
    text = to_csv(ROWS)
    assert "secret.example" not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    first = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert first["name"] == "report.csv"
    assert first["size_bytes"] == "1234"
    assert first["create_time"] == "2023-11-14T22:13:20+00:00"
    assert json.loads(first["metadata"]) == {"run": "7", "team": "ml"}
    second = dict(zip(CSV_COLUMNS, rows[2], strict=True))
    assert second["name"] == '\'=HYPERLINK("http://evil")'
    assert second["size_bytes"] == "" and second["delete_after_time"] == ""
    assert len(rows) == 3


def test_write_refuses_to_overwrite_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out" / "objects.json"
    n = write_export(ROWS, target, ExportFormat.JSON)
    assert n == target.stat().st_size
    assert json.loads(target.read_text())[0]["id"] == "obj_1"
    with pytest.raises(FileExistsError):
        write_export(ROWS[:1], target, ExportFormat.JSON)
    assert len(json.loads(target.read_text())) == 2
    write_export(ROWS[:1], target, ExportFormat.JSON, overwrite=True)
    assert len(json.loads(target.read_text())) == 1
    assert sorted(p.name for p in target.parent.iterdir()) == ["objects.json"]


def test_format_and_default_name() -> None:
    assert format_for_path(Path("a.CSV")) is ExportFormat.CSV
    assert format_for_path(Path("a.json")) is ExportFormat.JSON
    assert format_for_path(Path("a")) is ExportFormat.JSON
    name = default_export_name(datetime(2026, 11, 28, 19, 5, 7), ExportFormat.JSON)
    assert name == "objects-20261128-190507.json"
