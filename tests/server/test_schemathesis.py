"""Property-based conformance with Schemathesis against the live server and the shipped spec."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance, status_code_conformance

from runloop_tui.server.embedded import EmbeddedServer
from tests.conftest import API_KEY
from tests.server.conftest import SPEC_PATH, validate

schema = schemathesis.openapi.from_path(SPEC_PATH)

# Excluded because the spec cannot express what the service requires:
# - status_code_conformance: the spec omits 400 on list/list_public (bad limit, unknown
#   cursor), 401 on the metadata endpoints (auth is global), 405/413/415. We check our
#   own stronger rule instead (`error_bodies_are_json_errors`).
# - positive_data_acceptance: schema-valid but documented-invalid input is rightly
#   rejected: an empty name, limit outside 0..5000 ("Max is 5000"), ttl_ms <= 0,
#   duration_seconds outside 1 s..7 days, an unknown starting_after id.
EXCLUDED = [status_code_conformance, positive_data_acceptance]


def error_bodies_are_json_errors(ctx: Any, response: Any, case: Any) -> None:
    """Every non-2xx answer is a 4xx with the documented {"error": {code, message}} body."""
    if response.status_code < 400:
        return
    assert response.status_code < 500, response.text
    validate("Error", json.loads(response.content))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    data_dir: Path = tmp_path_factory.mktemp("schemathesis")
    with EmbeddedServer(data_dir, [API_KEY]) as running:
        yield running


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms(case: schemathesis.Case[Any], live: EmbeddedServer) -> None:
    case.call_and_validate(
        base_url=live.base_url,
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=30,
        excluded_checks=EXCLUDED,
        additional_checks=[error_bodies_are_json_errors],
    )
