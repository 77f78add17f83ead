"""Content type and default name for an upload, inferred like Runloop's official SDK."""

from __future__ import annotations

from pathlib import Path

from runloop_tui.api.models import ContentType

_TEXT_SUFFIXES = frozenset(
    {".txt", ".html", ".css", ".js", ".json", ".xml", ".yaml", ".yml", ".md", ".csv"}
)


def infer_content_type(path: Path) -> ContentType:
    """tgz for .tar.gz/.tgz and directories, gzip for .gz, tar for .tar, text for text files."""
    if path.is_dir():
        return ContentType.TGZ
    name = path.name.lower()
    if name.endswith((".tar.gz", ".tgz")):
        return ContentType.TGZ
    if name.endswith(".gz"):
        return ContentType.GZIP
    if name.endswith(".tar"):
        return ContentType.TAR
    if Path(name).suffix in _TEXT_SUFFIXES:
        return ContentType.TEXT
    return ContentType.UNSPECIFIED


def default_object_name(path: Path) -> str:
    """The file's name; a directory uploads as ``<dir>.tar.gz``."""
    resolved = path.resolve() if path.name in ("", ".", "..") else path
    if path.is_dir():
        return f"{resolved.name or 'root'}.tar.gz"
    return resolved.name
