"""Schemathesis, with the same checks and deviations, on every other backend pair."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance, status_code_conformance

from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.server.storage.select import StorageConfig
from tests.conftest import API_KEY
from tests.server.backends.conftest import PAIRS
from tests.server.conftest import conformance_settings
from tests.server.engines import PostgresCluster, S3Server
from tests.server.test_schemathesis import (
    error_bodies_are_json_errors,
    positive_data_acceptance_except_deviations,
    schema,
    status_code_conformance_except_deviations,
)

# Fewer examples than on the default pair: three pairs, and CI time is bounded.
EXAMPLES = int(os.environ.get("RUNLOOP_TUI_SCHEMATHESIS_PAIR_EXAMPLES", "12"))


@pytest.fixture(scope="module", params=PAIRS)
def live_pair(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EmbeddedServer]:
    metadata, content = str(request.param).split("+")
    metadata_url = content_url = None
    saved = dict(os.environ)
    if metadata == "postgres":
        cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
        metadata_url = cluster.new_database()
    if content == "s3":
        s3: S3Server = request.getfixturevalue("s3")
        os.environ.update(s3.env())
        content_url = s3.new_prefix()
    data_dir: Path = tmp_path_factory.mktemp("schemathesis-pair")
    storage = StorageConfig(metadata_url=metadata_url, content_url=content_url)
    try:
        with EmbeddedServer(data_dir, [API_KEY], storage=storage) as running:
            yield running
    finally:
        os.environ.clear()
        os.environ.update(saved)


@schema.parametrize()
@conformance_settings(EXAMPLES)
def test_api_conforms_on_every_pair(
    case: schemathesis.Case[Any], live_pair: EmbeddedServer
) -> None:
    case.call_and_validate(
        base_url=live_pair.base_url,
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=30,
        excluded_checks=[status_code_conformance, positive_data_acceptance],
        additional_checks=[
            status_code_conformance_except_deviations,
            positive_data_acceptance_except_deviations,
            error_bodies_are_json_errors,
        ],
    )
