"""Raw HTTP on loopback: exact paths and bytes, no client-side normalisation or encoding."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass
class RawResponse:
    status: int
    content_type: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def raw_request(
    base_url: str,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    api_key: str | None = None,
    timeout: float = 15.0,
) -> RawResponse:
    """Send ``path`` byte for byte (``..`` and ``%2F`` are not touched)."""
    parts = urlsplit(base_url)
    assert parts.hostname == "127.0.0.1", "loopback only"
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        if api_key is not None:
            conn.putheader("Authorization", f"Bearer {api_key}")
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        if body is not None:
            conn.send(body)
        response = conn.getresponse()
        data = response.read()
        return RawResponse(response.status, response.getheader("content-type") or "", data)
    finally:
        conn.close()


def assert_json_4xx(response: RawResponse, *statuses: int) -> dict[str, Any]:
    """A client error (one of ``statuses`` if given) with the spec's JSON error body."""
    context = (response.status, response.body[:300])
    assert 400 <= response.status < 500, context
    if statuses:
        assert response.status in statuses, context
    assert response.content_type.startswith("application/json"), context
    error = response.json()["error"]
    assert isinstance(error["code"], str) and error["code"], context
    assert isinstance(error["message"], str) and error["message"], context
    return dict(error)
