"""Helpers for the server tests: httpx clients per account and spec validation."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, settings

from runloop_tui.server.embedded import EmbeddedServer
from tests.conftest import API_KEY, OTHER_API_KEY
from tests.server.engines import PostgresCluster, S3Server, postgres_cluster, s3_server

SPEC_PATH = Path(__file__).resolve().parents[2] / "runloop_tui" / "server" / "openapi.yml"

ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "additionalProperties": False,
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "minLength": 1},
                "message": {"type": "string", "minLength": 1},
            },
        }
    },
}


def _to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: rewrite $refs and `nullable`."""
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        # In OpenAPI 3.0, siblings of $ref (descriptions here) are ignored.
        return {"$ref": node["$ref"].replace("#/components/schemas/", "#/$defs/")}
    out = {k: _to_json_schema(v) for k, v in node.items() if k not in ("nullable", "format")}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


@cache
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


def validate(name: str, body: Any) -> None:
    """Validate ``body`` against the spec's component schema ``name`` (or "Error")."""
    if name == "Error":
        jsonschema.validate(body, ERROR_SCHEMA)
        return
    defs = {k: _to_json_schema(v) for k, v in spec()["components"]["schemas"].items()}
    jsonschema.Draft202012Validator({"$ref": f"#/$defs/{name}", "$defs": defs}).validate(body)


def expect_error(response: httpx.Response, status: int, *words: str) -> dict[str, Any]:
    """Assert a JSON error with ``status`` whose message mentions every word."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    validate("Error", body)
    message = body["error"]["message"]
    for word in words:
        assert word.lower() in message.lower(), (word, message)
    error: dict[str, Any] = body["error"]
    return error


def client_for(server: EmbeddedServer, key: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=server.base_url, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    """One server per module, for tests whose requests leave nothing that others could see."""
    with EmbeddedServer(tmp_path_factory.mktemp("shared"), [API_KEY, OTHER_API_KEY]) as running:
        yield running


@pytest.fixture(scope="module")
def shared_api(shared_server: EmbeddedServer) -> Iterator[httpx.Client]:
    with client_for(shared_server, API_KEY) as client:
        yield client


def _client_fixture(key: str | None) -> Any:
    """A fixture: a raw httpx client on the ``server`` fixture, sending ``key``. (``server``
    is named in the signature, so a conftest that parametrizes it over the backends runs
    every test that uses these clients once per backend.)"""

    @pytest.fixture
    def client(server: EmbeddedServer) -> Iterator[httpx.Client]:
        with client_for(server, key) as made:
            yield made

    return client


api = _client_fixture(API_KEY)
other_api = _client_fixture(OTHER_API_KEY)
anon = _client_fixture(None)  # no Authorization header at all


def create(api: httpx.Client, name: str = "a.txt", **fields: Any) -> dict[str, Any]:
    body = {"name": name, "content_type": "text", **fields}
    response = api.post("/v1/objects", json=body)
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    validate("ObjectView", view)
    return view


def upload(view: dict[str, Any], content: bytes) -> None:
    response = httpx.put(view["upload_url"], content=content, timeout=30)
    assert response.status_code == 200, response.text


def complete(api: httpx.Client, object_id: str) -> dict[str, Any]:
    response = api.post(f"/v1/objects/{object_id}/complete")
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    validate("ObjectView", view)
    return view


def make_object(
    api: httpx.Client, name: str = "a.txt", content: bytes = b"hello", **fields: Any
) -> dict[str, Any]:
    """A READ_ONLY object with ``content``."""
    view = create(api, name, **fields)
    upload(view, content)
    return complete(api, view["id"])


def download_url(api: httpx.Client, object_id: str, **params: Any) -> str:
    response = api.get(f"/v1/objects/{object_id}/download", params=params)
    assert response.status_code == 200, response.text
    validate("ObjectDownloadUrlView", response.json())
    url: str = response.json()["download_url"]
    return url


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL cluster per test session (per xdist worker)."""
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def s3() -> Iterator[S3Server]:
    """moto's S3 server on a loopback port, with one bucket."""
    with s3_server() as server:
        yield server


@pytest.fixture
def s3_env(s3: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Server:
    for name, value in s3.env().items():
        monkeypatch.setenv(name, value)
    return s3


def conformance_settings(examples: int) -> settings:
    """Hypothesis settings for the schemathesis runs: reproducible, no deadline."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )


def spawn_server(
    args: list[str], *, banner_lines: int = 1, stderr: int = subprocess.PIPE
) -> tuple[subprocess.Popen[str], str, str]:
    """``python -m runloop_tui.server --port 0 --log-level warning ARGS``, once it answers:
    (the process, its base URL, the first ``banner_lines`` lines it printed)."""
    command = [sys.executable, "-m", "runloop_tui.server", "--port", "0", "--log-level", "warning"]
    proc = subprocess.Popen(
        [*command, *args],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    assert proc.stdout is not None
    banner = "".join(proc.stdout.readline() for _ in range(banner_lines))
    match = re.search(r"http://127\.0\.0\.1:\d+", banner)
    assert match, banner
    base_url = match.group(0)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/openapi.yml", timeout=2).status_code == 200:
                return proc, base_url, banner
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"the server did not come up: {banner}")
