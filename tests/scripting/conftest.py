"""A real local server with a known store, and the commands run against it.

`run` calls the command in this process (fast; its streams are not terminals);
`run_process` runs the real entry point in a child process.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from runloop_tui.config import API_KEY_ENV, BASE_URL_ENV, CONFIG_ENV
from runloop_tui.scripting.common import Streams, run_command
from tests.conftest import API_KEY, OTHER_API_KEY
from tests.support.processes import run_cli

if TYPE_CHECKING:
    from runloop_tui.server.embedded import EmbeddedServer

DAY_MS = 86_400_000
NOW_MS = int(time.time() * 1000)

# name, state, size, age in days, content type
OBJECTS: list[tuple[str, str, int | None, float, str]] = [
    ("agent-runs/2026-11-29/run-1/result.json", "READ_ONLY", 57, 0.1, "text"),
    ("agent-runs/2026-11-29/run-1/checkpoint.bin", "READ_ONLY", 5_000_000, 0.1, "binary"),
    ("agent-runs/2026-11-29/run-2/checkpoint.bin", "UPLOADING", None, 2.0, "binary"),
    ("agent-runs/2026-11-28/run-3/checkpoint.bin", "UPLOADING", None, 3.0, "binary"),
    ("logs/sandbox-a/out.log.gz", "READ_ONLY", 120_000, 5.0, "gzip"),
    ("logs/sandbox-b/out.log.gz", "ERROR", None, 4.0, "gzip"),
    ("scratch/old.txt", "UPLOADING", None, 0.01, "text"),
    ("README.txt", "READ_ONLY", 900, 10.0, "text"),
]


ALL_NAMES = {name for name, *_ in OBJECTS}
# UPLOADING for more than a day.
STUCK = {
    "agent-runs/2026-11-29/run-2/checkpoint.bin",
    "agent-runs/2026-11-28/run-3/checkpoint.bin",
}


@dataclass(frozen=True)
class Result:
    status: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read the developer's real config, data dir or keys; a fixed table width."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("COLUMNS", raising=False)
    for name in (API_KEY_ENV, BASE_URL_ENV, CONFIG_ENV):
        monkeypatch.delenv(name, raising=False)


def seed_store(
    data_dir: Path,
    objects: Sequence[tuple[str, str, int | None, float, str]],
    api_key: str = API_KEY,
) -> None:
    """Rows straight into the store (creation times in the past need that), for `api_key`'s
    account, plus one object of another account that nothing here may touch."""
    from runloop_tui.server.ids import account_of, new_object_id
    from runloop_tui.server.records import NewObject
    from runloop_tui.server.store import Store

    store = Store(data_dir)
    try:
        rows = [
            NewObject(
                id=new_object_id(),
                account=account_of(api_key),
                name=name,
                content_type=ctype,
                create_time_ms=NOW_MS - int(days * DAY_MS) - i,
                state=state,
                size_bytes=size,
            )
            for i, (name, state, size, days, ctype) in enumerate(objects)
        ]
        for row in rows:  # a READ_ONLY object without its content would read as ERROR
            if row.state == "READ_ONLY":
                store.write_content(row.id, b"x" * (row.size_bytes or 0), row.size_bytes)
        rows.append(
            NewObject(
                account=account_of(OTHER_API_KEY),
                name="agent-runs/other-account.bin",
                content_type="binary",
                create_time_ms=NOW_MS - 9 * DAY_MS,
                state="UPLOADING",
                is_public=True,
            )
        )
        store.insert_objects(rows)
    finally:
        store.close()


@pytest.fixture
def seeded(data_dir: Path) -> Iterator[EmbeddedServer]:
    """A real server on loopback over a store holding OBJECTS."""
    from runloop_tui.server.embedded import EmbeddedServer

    seed_store(data_dir, OBJECTS)
    with EmbeddedServer(data_dir, api_keys=[API_KEY, OTHER_API_KEY]) as running:
        yield running


@pytest.fixture
def remote_env(seeded: EmbeddedServer, monkeypatch: pytest.MonkeyPatch) -> EmbeddedServer:
    """The commands see the server as a remote API (key and base URL in the environment)."""
    monkeypatch.setenv(API_KEY_ENV, API_KEY)
    monkeypatch.setenv(BASE_URL_ENV, seeded.base_url)
    return seeded


class _Input(io.StringIO):
    def __init__(self, text: str, tty: bool) -> None:
        super().__init__(text)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def run(command: str, *args: str) -> Result:
    """The command in this process, stdin not a terminal."""
    out, err = io.StringIO(), io.StringIO()
    status = run_command(command, list(args), Streams(out, err, _Input("", tty=False)))
    return Result(status, out.getvalue(), err.getvalue())


def run_process(*args: str, env: dict[str, str] | None = None) -> Result:
    done = run_cli(*args, env=env)
    return Result(done.returncode, done.stdout, done.stderr)


def names_in_store(server: EmbeddedServer, state: str | None = None) -> set[str]:
    """Live (not DELETED) names of API_KEY's account, through the API."""
    import httpx

    params = {"limit": "1000", **({"state": state} if state else {})}
    response = httpx.get(
        f"{server.base_url}/v1/objects",
        params=params,
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=30,
    )
    response.raise_for_status()
    return {o["name"] for o in response.json()["objects"]}
