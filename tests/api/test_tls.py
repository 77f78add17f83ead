"""The clients' TLS context: certificates load at the first handshake, and verify as httpx's."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import certifi
import pytest

from runloop_tui.api.client import ObjectsClient, RetryPolicy
from runloop_tui.api.errors import ApiError
from runloop_tui.api.tls import lazy_tls_context

NO_RETRY = RetryPolicy(max_retries=0, timeout_seconds=5, connect_timeout_seconds=2)


def ca_count(context: ssl.SSLContext) -> int:
    return context.cert_store_stats()["x509_ca"]


def test_verifies_like_httpx_but_loads_nothing_up_front() -> None:
    context = lazy_tls_context(environ={})
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
    assert ca_count(context) == 0
    context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="api.runloop.ai")
    reference = ssl.create_default_context(cafile=certifi.where())
    assert ca_count(context) == ca_count(reference) > 0


def test_ssl_cert_file_replaces_the_bundle(tmp_path: Path) -> None:
    bundle = Path(certifi.where()).read_text()
    end = "-----END CERTIFICATE-----"
    one = tmp_path / "one.pem"
    one.write_text(bundle[: bundle.index(end) + len(end)] + "\n")
    context = lazy_tls_context(environ={"SSL_CERT_FILE": str(one)})
    context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="example.com")
    assert ca_count(context) == 1


async def test_a_plain_http_client_never_loads_certificates(server: object) -> None:
    client = ObjectsClient(server.base_url, "k", retry=NO_RETRY)  # type: ignore[attr-defined]
    try:
        with pytest.raises(ApiError):
            await client.metadata_keys()  # 401: the request went through, over plain http
        assert ca_count(client._http._transport._pool._ssl_context) == 0  # type: ignore[attr-defined]
    finally:
        await client.aclose()


@pytest.fixture
def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


class KeysHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"keys": ["agent"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def tls_server(self_signed: tuple[Path, Path]) -> Iterator[str]:
    cert, key = self_signed
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), KeysHandler)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    httpd.socket = server_context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


async def test_an_untrusted_certificate_is_refused(tls_server: str) -> None:
    client = ObjectsClient(tls_server, "k", retry=NO_RETRY)
    try:
        with pytest.raises(ApiError, match=r"(?i)certificate"):
            await client.metadata_keys()
    finally:
        await client.aclose()


async def test_a_certificate_trusted_through_ssl_cert_file_is_accepted(
    tls_server: str, self_signed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(self_signed[0]))
    client = ObjectsClient(tls_server, "k", retry=NO_RETRY)
    try:
        assert await client.metadata_keys() == ["agent"]
    finally:
        await client.aclose()
