"""A fault-injecting HTTP proxy for client tests: real process, real sockets, loopback only.

Run as ``python -m tests.support.faulty_server --port 0 --upstream http://127.0.0.1:N``.
It prints ``LISTENING <port>`` once ready, then proxies every request to the upstream server,
rewriting the upstream's address in response bodies to its own (so presigned URLs also come
through the proxy). Faults are configured per test through a control endpoint:

    POST /__fault__/config   JSON (see Faults below); resets the counters and the log
    GET  /__fault__/log      JSON list of every proxied request seen since the last config

A fault applies to the first N requests whose path contains ``match`` (and whose method is
``method``, if given); later requests are proxied untouched.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from tests.support.child_server import QuietHandler, serve

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "host",
    "proxy-connection",
    "te",
    "upgrade",
}
_MAX_BODY = 256 * 1024 * 1024


@dataclass
class Faults:
    match: str = ""
    method: str | None = None
    fail_first: int = 0  # answer fail_status to the first N matching requests
    fail_status: int = 503
    fail_headers: dict[str, str] = field(default_factory=dict)
    fail_body: str = '{"error": {"code": "unavailable", "message": "injected failure"}}'
    drop_first: int = 0  # close the connection without any answer
    delay_first: int = 0  # sleep delay_seconds before (or after) proxying
    delay_seconds: float = 0.0
    delay_after_upstream: bool = False  # the request lands upstream; only the answer is late
    cut_first: int = 0  # proxy, but close the connection halfway through the body
    strip_range: bool = False  # drop Range request headers (a server that ignores Range)
    tamper_signature: bool = False  # corrupt X-Signature in the query (presigned URL -> 403)
    trickle_first: int = 0  # send the answer's body slowly: trickle_bytes every 0.1 s
    trickle_bytes: int = 4096


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.faults = Faults()
        self.matched = 0
        self.log: list[dict[str, Any]] = []

    def configure(self, raw: dict[str, Any]) -> None:
        with self.lock:
            self.faults = Faults(**raw)
            self.matched = 0
            self.log = []

    def classify(self, method: str, path: str, headers: Any) -> str | None:
        """Record the request; return the fault it gets (or None)."""
        with self.lock:
            f = self.faults
            fault: str | None = None
            if f.match in path and (f.method is None or f.method == method):
                index = self.matched
                self.matched += 1
                if index < f.fail_first:
                    fault = "fail"
                elif index < f.drop_first:
                    fault = "drop"
                elif index < f.delay_first:
                    fault = "delay"
                elif index < f.cut_first:
                    fault = "cut"
                elif index < f.trickle_first:
                    fault = "trickle"
            self.log.append(
                {
                    "method": method,
                    "path": path.split("?", 1)[0],
                    "query": path.split("?", 1)[1] if "?" in path else "",
                    "request_id": headers.get("x-request-id"),
                    "authorization": headers.get("authorization") is not None,
                    "header_names": sorted({k.lower() for k in headers}),
                    "content_type": headers.get("content-type"),
                    "fault": fault,
                    "time": time.monotonic(),
                }
            )
            return fault


class _Handler(QuietHandler):
    server: _Server

    do_HEAD = do_PATCH = QuietHandler.do_GET

    def _read_body(self) -> bytes:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            parts: list[bytes] = []
            total = 0
            while total <= _MAX_BODY:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                parts.append(self.rfile.read(size))
                total += size
                self.rfile.readline()
            return b"".join(parts)
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(min(length, _MAX_BODY))

    def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self) -> None:
        state = self.server.state
        body = self._read_body()
        if self.path.startswith("/__fault__/"):
            if self.path == "/__fault__/config":
                state.configure(json.loads(body or b"{}"))
                self._reply(200, b"{}", {"Content-Type": "application/json"})
            else:
                with state.lock:
                    payload = json.dumps(state.log).encode()
                self._reply(200, payload, {"Content-Type": "application/json"})
            return
        fault = state.classify(self.command, self.path, self.headers)
        faults = state.faults
        if fault == "fail":
            headers = {"Content-Type": "application/json", **faults.fail_headers}
            self._reply(faults.fail_status, faults.fail_body.encode(), headers)
            return
        if fault == "drop":
            self._abort()
            return
        if fault == "delay" and not faults.delay_after_upstream:
            time.sleep(faults.delay_seconds)
        status, upstream_headers, payload = self._forward(body)
        if fault == "delay" and faults.delay_after_upstream:
            time.sleep(faults.delay_seconds)
        if fault == "cut":
            self.send_response(status)
            for name, value in upstream_headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self._abort()
            return
        self.send_response(status)
        for name, value in upstream_headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if fault == "trickle":
            step = max(faults.trickle_bytes, 1)
            try:
                for start in range(0, len(payload), step):
                    self.wfile.write(payload[start : start + step])
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:  # the client went away: that is what these tests do
                self.close_connection = True
            return
        self.wfile.write(payload)

    def _abort(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        upstream = self.server.upstream
        faults = self.server.state.faults
        conn = http.client.HTTPConnection(
            upstream.hostname or "127.0.0.1", upstream.port, timeout=60
        )
        path = self.path
        if faults.tamper_signature and faults.match in path:
            path = path.replace("X-Signature=", "X-Signature=00")
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            if faults.strip_range and faults.match in path:
                headers = {k: v for k, v in headers.items() if k.lower() != "range"}
            headers["Host"] = upstream.netloc
            if body or self.command in ("POST", "PUT", "PATCH"):
                headers["Content-Length"] = str(len(body))
            conn.request(self.command, path, body=body or None, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            out = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
            if "json" in (response.getheader("content-type") or ""):
                payload = payload.replace(
                    self.server.upstream_base.encode(), self.server.own_base.encode()
                )
            return response.status, out, payload
        finally:
            conn.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, upstream: str) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.state = _State()
        self.upstream = urlsplit(upstream)
        self.upstream_base = upstream.rstrip("/")
        self.own_base = f"http://127.0.0.1:{self.server_address[1]}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--faults", default="{}", help="initial Faults as JSON")
    args = parser.parse_args(argv)
    server = _Server(args.port, args.upstream)
    server.state.configure(json.loads(args.faults))
    serve(server)


if __name__ == "__main__":
    main(sys.argv[1:])


def faults_json(**overrides: Any) -> str:
    """The JSON for a Faults config (validates field names in the test process)."""
    return json.dumps(asdict(Faults(**overrides)))
