"""Local file names for objects: a safe basename plus an extension from the content type."""

from __future__ import annotations

import re
from pathlib import Path

# Control characters (C0, DEL, C1) and characters Windows refuses in file names.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"|?*]')
_EXTENSIONS = {"tgz": ".tar.gz", "gzip": ".gz", "tar": ".tar", "text": ".txt"}
MAX_FILE_NAME = 255


def safe_basename(object_name: str, fallback: str) -> str:
    """The last path component of an object name, made safe to create locally.

    No directory part (so `../../etc/passwd` becomes `passwd`), no control characters, never
    `.`, `..`, empty or hidden-by-accident; at most 255 bytes.
    """
    base = object_name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip().lstrip(".") or ""
    if base in ("", ".", ".."):
        base = fallback
    while len(base.encode("utf-8")) > MAX_FILE_NAME:
        base = base[:-1]
    return base


def has_extension(name: str) -> bool:
    stem, dot, ext = name.rpartition(".")
    return bool(dot and stem and ext and len(ext) <= 10)


def download_file_name(object_name: str, content_type: str, fallback: str) -> str:
    """What `w` proposes: the safe basename, plus `.tar.gz`/`.gz`/`.tar`/`.txt` when it has none."""
    base = safe_basename(object_name, fallback)
    if not has_extension(base):
        base += _EXTENSIONS.get(content_type, "")
    return base


def default_download_path(
    directory: Path, object_name: str, content_type: str, fallback: str
) -> Path:
    return directory.expanduser() / download_file_name(object_name, content_type, fallback)
