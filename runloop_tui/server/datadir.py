"""The data directory: where it is, and the private files in it (API key, signing secret).

Layout::

    objects.db (+ -wal, -shm)   SQLite metadata, WAL mode
    blobs/<object id>           object content
    tmp/<pid>-<random>.part     uploads in flight (cleaned up at startup once <pid> is gone)
    signing.key                 HMAC secret for presigned URLs (mode 0600)
    api_key                     generated key when none is configured (mode 0600)
    server.log                  embedded server log
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

import platformdirs

from runloop_tui.server.ids import new_api_key

API_KEY_FILE = "api_key"
SECRET_FILE = "signing.key"


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def default_data_dir() -> Path:
    return platformdirs.user_data_path("runloop-tui", appauthor=False)


def ensure_data_dir(data_dir: Path) -> Path:
    data_dir = Path(data_dir).expanduser()
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return data_dir


def _read_or_create_private(path: Path, make: str) -> str:
    """Read ``path``; create it with ``make`` (mode 0600) if absent, safely against races."""
    for _ in range(50):
        try:
            text = path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            pass
        else:
            if text:
                return text
            # Another process is between O_EXCL create and write: look again shortly.
            with contextlib.suppress(OSError):
                os.sched_yield()
            continue
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, (make + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            # link() fails if the file appeared meanwhile: the first writer wins.
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    raise OSError(f"could not read or create {path}")


def load_or_create_api_key(data_dir: Path) -> str:
    return _read_or_create_private(ensure_data_dir(data_dir) / API_KEY_FILE, new_api_key())


def load_or_create_secret(data_dir: Path) -> bytes:
    text = _read_or_create_private(ensure_data_dir(data_dir) / SECRET_FILE, secrets.token_hex(32))
    return bytes.fromhex(text)


def read_secret_file(path: Path) -> bytes:
    """A signing key shared by replicas: any text or bytes, at least 32 of them."""
    data = Path(path).expanduser().read_bytes().strip()
    if len(data) < 32:
        raise OSError(f"{path}: a signing key needs at least 32 bytes (e.g. openssl rand -hex 32)")
    return data


def data_dir_warning(data_dir: Path) -> str | None:
    """A warning when other local users can read the data dir (it holds keys and metadata)."""
    try:
        mode = Path(data_dir).stat().st_mode
    except OSError:
        return None
    if mode & 0o077:
        return (
            f"data dir {data_dir} is readable by other users (mode {mode & 0o777:o});"
            f" run: chmod 700 {data_dir}"
        )
    return None


def read_key_file(path: Path) -> list[str]:
    """One key a line; blank lines and ``#`` comments are ignored."""
    keys = []
    for line in Path(path).expanduser().read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keys.append(line)
    return keys
