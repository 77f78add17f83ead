"""An Objects API server that speaks the contract but says odd or random things.

Run as ``python -m tests.support.odd_server --mode MODE [--seed N] [--responses N]``; it
prints ``LISTENING <port>``. A real process on loopback, so the client meets real sockets.

Modes (for the list endpoints; the other operations answer schema-valid random objects):
- ``random``: every response is a random schema-valid body (tests/support/schema_random.py);
  one in ten is instead an error status the spec's servers send (400, 404, 409, 429, 500,
  503) with a random JSON body, which may hold no message at all. After ``--responses`` of
  them, lists answer an empty last page: a fixed number of responses, so a test knows when
  the app has seen them all.
- ``endless``: ``has_more: true`` forever, each page full of fresh ids.
- ``repeat``: the same page with ``has_more: true`` again and again (a cursor that repeats).
- ``empty_more``: ``{"objects": [], "has_more": true}`` forever.
- ``huge``: one object with 5,000 metadata keys and a 1 MB value, and one with a 5,000
  character name (the detail pane must show a bounded amount).
- ``script``: the list bodies of ``--script`` (a JSON array), in order; the last repeats. An
  entry ``{"__status__": 401, "__body__": {...}}`` answers that status and body instead.

``--write-error '{"status": 404, "body": {...}}'`` answers every POST (create, complete,
delete) with that status and body, in every mode.

``GET /__odd__/stats`` answers ``{"requests": n, "lists": n, "random": n}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.child_server import QuietHandler, serve
from tests.support.schema_random import SchemaRandom

_FRESH_PAGE_MAX = 5000
_ERROR_STATUSES = (400, 404, 409, 429, 500, 503)


class _State:
    def __init__(
        self,
        mode: str,
        seed: int,
        responses: int,
        script: list[Any],
        write_error: dict[str, Any] | None = None,
    ) -> None:
        self.write_error = write_error
        self.lock = threading.Lock()
        self.mode = mode
        self.random = SchemaRandom(seed)
        self.responses = responses
        self.script = script
        self.requests = 0
        self.lists = 0
        self.random_sent = 0
        self.fresh = 0

    def random_error(self) -> tuple[int, Any] | None:
        """One random response in ten is an error with a random JSON body (random mode)."""
        with self.lock:
            rng = self.random.rng
            if self.mode != "random" or self.random_sent >= self.responses or rng.random() > 0.1:
                return None
            self.random_sent += 1
            body = rng.choice(
                (
                    {"error": {"message": self.random.value("ObjectView")["name"]}},
                    {"error": {"code": "invalid_argument"}},
                    self.random.value("ObjectView"),
                    [1, 2, 3],
                )
            )
            return rng.choice(_ERROR_STATUSES), body

    def list_body(self, query: dict[str, list[str]]) -> Any:
        with self.lock:
            self.lists += 1
            limit = int((query.get("limit") or ["1000"])[0] or 1000)
            if self.mode == "random":
                if self.random_sent >= self.responses:
                    return {"objects": [], "has_more": False, "total_count": 0}
                self.random_sent += 1
                return self.random.value("ObjectListView")
            if self.mode == "endless":
                objects = [self._fresh() for _ in range(max(1, min(limit, _FRESH_PAGE_MAX)))]
                return {"objects": objects, "has_more": True, "total_count": None}
            if self.mode == "repeat":
                return {"objects": [_plain("obj_same", "same")], "has_more": True}
            if self.mode == "empty_more":
                return {"objects": [], "has_more": True, "total_count": 10}
            if self.mode == "huge":
                metadata = {f"k{i:04d}": "v" * 100 for i in range(5000)}
                metadata["big"] = "B" * 1_000_000
                huge = {**_plain("obj_huge", "huge-meta.bin"), "metadata": metadata}
                return {"objects": [huge, _plain("obj_long", "n" * 5000)], "has_more": False}
            index = min(self.lists - 1, len(self.script) - 1)
            return self.script[index]

    def other_body(self, schema: str) -> Any:
        with self.lock:
            if self.mode == "random":
                self.random_sent += 1
            return self.random.value(schema)

    def _fresh(self) -> dict[str, Any]:
        self.fresh += 1
        return _plain(f"obj_fresh{self.fresh:09d}", f"fresh-{self.fresh}")


def _plain(object_id: str, name: str) -> dict[str, Any]:
    return {
        "id": object_id,
        "name": name,
        "state": "READ_ONLY",
        "content_type": "text",
        "create_time_ms": 1_700_000_000_000,
        "size_bytes": 10,
    }


class _Handler(QuietHandler):
    server: _Server

    def _handle(self) -> None:
        state = self.server.state
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        if path == "/__odd__/stats":
            with state.lock:
                stats = {
                    "requests": state.requests,
                    "lists": state.lists,
                    "random": state.random_sent,
                }
            self._reply(200, stats)
            return
        with state.lock:
            state.requests += 1
        error = state.random_error()
        if self.command == "POST" and state.write_error is not None:
            error = state.write_error["status"], state.write_error["body"]
        if error is not None:
            self._reply(*error)
            return
        if path in ("/v1/objects", "/v1/objects/list_public") and self.command == "GET":
            body = state.list_body(query)
            if isinstance(body, dict) and "__status__" in body:
                self._reply(body["__status__"], body.get("__body__"))
            else:
                self._reply(200, body)
        elif path == "/v1/objects/metadata/keys":
            self._reply(200, state.other_body("MetadataKeysView"))
        elif path.startswith("/v1/objects/metadata/keys/"):
            self._reply(200, state.other_body("MetadataValuesView"))
        elif path.endswith("/download"):
            self._reply(200, state.other_body("ObjectDownloadUrlView"))
        elif path.startswith("/v1/objects"):
            self._reply(200, state.other_body("ObjectView"))
        else:
            self._reply(404, {"error": {"message": "no such route"}})

    def _reply(self, status: int, body: Any) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: _State) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mode", default="random")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--responses", type=int, default=100)
    parser.add_argument("--script", default="[]")
    parser.add_argument("--write-error", default="null")
    args = parser.parse_args(argv)
    state = _State(
        args.mode, args.seed, args.responses, json.loads(args.script), json.loads(args.write_error)
    )
    server = _Server(state)
    serve(server)


if __name__ == "__main__":
    main(sys.argv[1:])
