"""Export object rows to JSON or CSV. Pure apart from `write_export`, which writes a file safely.

Presigned upload URLs are never exported (ObjectView.to_json leaves them out). CSV cells that a
spreadsheet would run as a formula are prefixed with a quote (OWASP's CSV-injection advice),
because object names and metadata are free text from whoever uploaded them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from runloop_tui.api.models import ObjectView, valid_time_ms


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


CSV_COLUMNS = (
    "id",
    "name",
    "state",
    "content_type",
    "size_bytes",
    "create_time_ms",
    "create_time",
    "delete_after_time_ms",
    "delete_after_time",
    "metadata",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _iso(ms: int | None) -> str:
    if ms is None or not valid_time_ms(ms):
        return ""  # the raw number sits in the column beside it
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat(timespec="seconds")


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_json(rows: Iterable[ObjectView]) -> str:
    """A JSON array of the API's object fields (no upload URL), one object per row."""
    return json.dumps([row.to_json() for row in rows], indent=2, ensure_ascii=False) + "\n"


def to_csv(rows: Iterable[ObjectView]) -> str:
    """A header row, then one row per object; metadata as a compact JSON object."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            (
                row.id,
                _cell(row.name),
                str(row.state),
                str(row.content_type),
                "" if row.size_bytes is None else row.size_bytes,
                row.create_time_ms,
                _iso(row.create_time_ms),
                "" if row.delete_after_time_ms is None else row.delete_after_time_ms,
                _iso(row.delete_after_time_ms),
                ""
                if row.metadata is None
                else _cell(json.dumps(row.metadata, ensure_ascii=False, sort_keys=True)),
            )
        )
    return out.getvalue()


def render(rows: Sequence[ObjectView], fmt: ExportFormat) -> str:
    return to_json(rows) if fmt is ExportFormat.JSON else to_csv(rows)


def format_of_suffix(path: str) -> ExportFormat | None:
    """The format a file name asks for (`.csv`, `.json`, any case); None for another."""
    suffix = Path(path.strip()).suffix.lower()
    return {".csv": ExportFormat.CSV, ".json": ExportFormat.JSON}.get(suffix)


def format_for_path(path: Path) -> ExportFormat:
    """CSV for a `.csv` name, JSON otherwise."""
    return ExportFormat.CSV if path.suffix.lower() == ".csv" else ExportFormat.JSON


def default_export_name(now: datetime, fmt: ExportFormat) -> str:
    return f"objects-{now.strftime('%Y%m%d-%H%M%S')}.{fmt.value}"


def write_export(
    rows: Sequence[ObjectView], path: Path, fmt: ExportFormat, *, overwrite: bool = False
) -> int:
    """Write the rows; returns the byte count.

    Written to a temporary file beside the target, then renamed, so a failure never leaves a
    half-written export. Without `overwrite`, an existing file raises FileExistsError (also
    when it appears while writing).
    """
    data = render(rows, fmt).encode("utf-8")
    path = path.expanduser()
    if not overwrite and path.exists():
        raise FileExistsError(f"{path} already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if overwrite:
            tmp.replace(path)
        else:
            # link() fails if the target appeared meanwhile; rename() would silently clobber.
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise
            except OSError:  # no hard links here (e.g. FAT, some network drives)
                if path.exists():
                    raise FileExistsError(f"{path} already exists") from None
                tmp.replace(path)
            tmp.unlink(missing_ok=True)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return len(data)
