"""EmbeddedServer: the in-process server the TUI (--local/--demo) and the tests use."""

from __future__ import annotations

import http.client
import socket
import stat
import time
from pathlib import Path

import httpx
import pytest

from runloop_tui.server.embedded import EmbeddedServer
from tests.conftest import API_KEY


def test_generates_and_reuses_a_private_key(data_dir: Path) -> None:
    first = EmbeddedServer(data_dir)
    key_file = data_dir / "api_key"
    assert key_file.read_text().strip() == first.api_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert EmbeddedServer(data_dir).api_key == first.api_key
    assert first.api_key not in repr(first)
    with pytest.raises(RuntimeError):
        _ = first.base_url  # not started yet


def test_start_stop_restart_keeps_data(data_dir: Path) -> None:
    server = EmbeddedServer(data_dir, ["k"])
    server.start()
    try:
        headers = {"Authorization": "Bearer k"}
        created = httpx.post(
            f"{server.base_url}/v1/objects",
            json={"name": "kept", "content_type": "text"},
            headers=headers,
        ).json()
        with pytest.raises(RuntimeError):
            server.start()
    finally:
        server.stop()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{server.base_url}/openapi.yml", timeout=2)
    server.stop()  # stopping twice is harmless
    with EmbeddedServer(data_dir, ["k"]) as again:
        got = httpx.get(f"{again.base_url}/v1/objects/{created['id']}", headers=headers)
        assert got.json()["name"] == "kept"


def test_fixed_port_in_use_raises(data_dir: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(OSError):
            EmbeddedServer(data_dir, ["k"], port=port).start()


def test_two_servers_share_one_store(data_dir: Path) -> None:
    headers = {"Authorization": "Bearer k"}
    with EmbeddedServer(data_dir, ["k"]) as a, EmbeddedServer(data_dir, ["k"]) as b:
        made = httpx.post(
            f"{a.base_url}/v1/objects", json={"name": "x", "content_type": "text"}, headers=headers
        ).json()
        assert httpx.put(made["upload_url"], content=b"abc").status_code == 200
        done = httpx.post(f"{b.base_url}/v1/objects/{made['id']}/complete", headers=headers)
        assert done.json()["size_bytes"] == 3


def test_an_idle_connection_outlives_the_clients_own_idle_limit(server: EmbeddedServer) -> None:
    """httpx drops idle connections after 5 s; uvicorn's default also closes them after 5 s,
    so a client on a 5 s refresh could reuse a connection just as the server closed it."""
    assert httpx.Limits().keepalive_expiry == 5.0  # what the server must outlast
    url = httpx.URL(server.base_url)
    conn = http.client.HTTPConnection(url.host, url.port, timeout=10)
    try:
        headers = {"Authorization": f"Bearer {API_KEY}"}
        conn.request("GET", "/v1/objects?limit=1", headers=headers)
        first = conn.getresponse()
        first.read()
        assert first.status == 200
        sock = conn.sock
        time.sleep(5.5)  # the point of the test: idle past the client's limit
        conn.request("GET", "/v1/objects?limit=1", headers=headers)
        second = conn.getresponse()
        second.read()
        assert second.status == 200
        assert conn.sock is sock  # same connection: the server kept it open
    finally:
        conn.close()
