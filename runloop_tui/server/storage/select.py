"""Choosing the backends from ``--metadata-url`` and ``--content-url``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from runloop_tui.server.datadir import load_or_create_secret, read_secret_file
from runloop_tui.server.signing import UrlSigner
from runloop_tui.server.storage.base import ContentStore, MetadataStore
from runloop_tui.server.storage.directory import DirectoryContent
from runloop_tui.server.storage.pagecache import DEFAULT_CACHE_BYTES
from runloop_tui.server.storage.sqlite import SqliteMetadata

POSTGRES_SCHEMES = ("postgresql", "postgres")
# An S3 upload abandoned this long ago is garbage-collected (the directory store keeps them).
DEFAULT_STALE_UPLOAD_S = 24 * 3600


_NEEDS_SCALE = "{what} needs the scale extra: pip install 'runloop-tui[scale]'"


@dataclass(frozen=True, slots=True)
class StorageConfig:
    metadata_url: str | None = None
    content_url: str | None = None
    signing_key_file: Path | None = None
    # UPLOADING objects older than this are collected; None: 24 h with S3, never otherwise.
    stale_upload_s: float | None = None
    # The S3 endpoint presigned URLs are signed for, when clients reach S3 by another name.
    s3_public_endpoint: str | None = None
    # Each replica's cache of list pages on PostgreSQL (storage/pagecache.py); 0: none.
    list_cache_bytes: int = DEFAULT_CACHE_BYTES


class BackendError(ValueError):
    """A --metadata-url / --content-url that cannot be used; the message says why."""


def is_postgres(url: str | None) -> bool:
    return bool(url) and urlsplit(url or "").scheme in POSTGRES_SCHEMES


def is_s3(url: str | None) -> bool:
    return bool(url) and urlsplit(url or "").scheme == "s3"


def open_content(config: StorageConfig, data_dir: Path) -> ContentStore:
    if is_s3(config.content_url):
        try:
            from runloop_tui.server.storage.s3 import S3Content
        except ImportError:
            raise BackendError(_NEEDS_SCALE.format(what="S3 content")) from None
        return S3Content.from_url(config.content_url or "", config.s3_public_endpoint)
    if config.content_url and "://" in config.content_url:
        raise BackendError(
            f"--content-url {config.content_url.split('://')[0]}://...: expected a directory"
            " or s3://BUCKET/PREFIX"
        )
    if config.signing_key_file is not None:
        secret = read_secret_file(config.signing_key_file)
    else:
        secret = load_or_create_secret(data_dir)
    root = Path(config.content_url) if config.content_url else data_dir
    return DirectoryContent(root, UrlSigner(secret))


def open_metadata(config: StorageConfig, data_dir: Path, content: ContentStore) -> MetadataStore:
    url = config.metadata_url
    queue = not content.served_here
    if is_postgres(url):
        try:
            from runloop_tui.server.storage.postgres import PostgresMetadata
        except ImportError:
            raise BackendError(_NEEDS_SCALE.format(what="PostgreSQL metadata")) from None
        return PostgresMetadata(url or "", cache_bytes=config.list_cache_bytes)
    if url and "://" in url and not url.startswith("sqlite:///"):
        raise BackendError(
            f"--metadata-url {url.split('://')[0]}://...: expected a SQLite file path"
            " or postgresql://..."
        )
    db_path = Path(url.removeprefix("sqlite://")) if url else None
    return SqliteMetadata(data_dir, db_path, queue_purges=queue)


def stale_upload_ms(config: StorageConfig, content: ContentStore) -> int | None:
    if config.stale_upload_s is not None:
        return int(config.stale_upload_s * 1000) if config.stale_upload_s > 0 else None
    return None if content.served_here else DEFAULT_STALE_UPLOAD_S * 1000
