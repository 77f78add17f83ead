"""The conformance suite again, on every backend pair beside the default SQLite + directory.

``server`` is overridden here: every test in this folder that uses it runs once per pair.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.server.storage.select import StorageConfig
from tests.conftest import API_KEY, OTHER_API_KEY

PAIRS = ["postgres+directory", "sqlite+s3", "postgres+s3"]


def storage_for(request: pytest.FixtureRequest, pair: str) -> StorageConfig:
    metadata, content = pair.split("+")
    metadata_url = content_url = None
    if metadata == "postgres":
        metadata_url = request.getfixturevalue("pg_cluster").new_database()
    if content == "s3":
        content_url = request.getfixturevalue("s3_env").new_prefix()
    return StorageConfig(metadata_url=metadata_url, content_url=content_url)


@pytest.fixture(params=PAIRS)
def server(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[EmbeddedServer]:
    storage = storage_for(request, request.param)
    with EmbeddedServer(
        data_dir, [API_KEY, OTHER_API_KEY], storage=storage, reaper_interval_s=0.2
    ) as running:
        yield running
