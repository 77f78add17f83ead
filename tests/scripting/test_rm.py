"""`runloop-tui rm` against the real local server: refusals, confirmation, failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from runloop_tui.config import API_KEY_ENV, BASE_URL_ENV, CONFIG_ENV
from tests.conftest import API_KEY, OTHER_API_KEY
from tests.scripting.conftest import (
    ALL_NAMES,
    STUCK,
    names_in_store,
    run,
    run_process,
)
from tests.support.fault_proxy import FaultProxy
from tests.support.processes import REPO_ROOT, run_in_pty

if TYPE_CHECKING:
    from runloop_tui.server.embedded import EmbeddedServer

pytestmark = pytest.mark.usefixtures("remote_env")
STUCK_FILTER = ("state:uploading", "age>1d")
COUNT = 30


def other_account_names(server: EmbeddedServer) -> set[str]:
    response = httpx.get(
        f"{server.base_url}/v1/objects",
        headers={"Authorization": f"Bearer {OTHER_API_KEY}"},
        timeout=30,
    )
    return {o["name"] for o in response.json()["objects"]}


def test_yes_deletes_exactly_what_the_filter_matches(seeded: EmbeddedServer) -> None:
    result = run("rm", *STUCK_FILTER, "--yes")
    assert result.status == 0, result.err
    assert "Deleted 2 of 2 objects" in result.out
    assert names_in_store(seeded) == ALL_NAMES - STUCK
    assert names_in_store(seeded, "DELETED") == STUCK
    assert other_account_names(seeded) == {"agent-runs/other-account.bin"}


def test_without_a_terminal_it_shows_the_summary_deletes_nothing_and_exits_2(
    seeded: EmbeddedServer,
) -> None:
    result = run_process("rm", *STUCK_FILTER)
    assert result.status == 2 and result.out == ""
    assert "2 objects · 0 B" in result.err and "By state: UPLOADING 2" in result.err
    assert all(f"• {name}" in result.err for name in STUCK)
    assert result.err.splitlines()[-1].startswith("runloop-tui rm: not a terminal")
    assert names_in_store(seeded) == ALL_NAMES


def test_dry_run_prints_the_summary_or_the_ids_and_deletes_nothing(
    seeded: EmbeddedServer,
) -> None:
    text = run("rm", *STUCK_FILTER, "--dry-run")
    assert text.status == 0
    assert "2 objects" in text.out and "Dry run: nothing deleted." in text.out
    ids = run("rm", *STUCK_FILTER, "--dry-run", "--format", "ids")
    listed = json.loads(run("ls", *STUCK_FILTER, "--format", "json").out)
    assert ids.out.split() == [o["id"] for o in listed]
    assert "Dry run" in ids.err
    assert names_in_store(seeded) == ALL_NAMES


def test_an_empty_filter_needs_all(seeded: EmbeddedServer) -> None:
    refused = run("rm", "--yes")
    assert refused.status == 2 and "--all" in refused.err and refused.err.count("\n") == 1
    assert names_in_store(seeded) == ALL_NAMES
    everything = run("rm", "--all", "--yes")
    assert everything.status == 0, everything.err
    assert names_in_store(seeded) == set()
    assert other_account_names(seeded) == {"agent-runs/other-account.bin"}


def test_read_only_refuses_but_allows_a_dry_run(seeded: EmbeddedServer) -> None:
    refused = run("rm", *STUCK_FILTER, "--yes", "--read-only")
    assert refused.status == 2 and "read-only" in refused.err
    assert run("rm", *STUCK_FILTER, "--dry-run", "--read-only").status == 0
    assert names_in_store(seeded) == ALL_NAMES


def test_an_invalid_filter_deletes_nothing(seeded: EmbeddedServer) -> None:
    result = run("rm", "state:uploadng", "--yes")
    assert result.status == 2
    assert "'state:uploadng' (characters 1-14): unknown state" in result.err
    assert names_in_store(seeded) == ALL_NAMES


def test_no_match_is_not_an_error() -> None:
    result = run("rm", "name:nothing-here", "--yes")
    assert (result.status, result.out) == (0, "No objects match; nothing to delete.\n")


def test_a_server_failing_midway_lists_the_failures_and_touches_nothing_else(
    seeded: EmbeddedServer, tmp_path: Path
) -> None:
    listed = json.loads(run("ls", "name:agent-runs/", "--format", "json").out)
    doomed = listed[1]  # in the middle of the delete order
    config = tmp_path / "config.toml"
    config.write_text("[defaults]\nmax_retries = 1\n", encoding="utf-8")
    config.chmod(0o600)
    with FaultProxy(seeded.base_url) as proxy:
        proxy.configure(match=f"/v1/objects/{doomed['id']}", fail_first=100, fail_status=503)
        result = run_process(
            "rm",
            "name:agent-runs/",
            "--yes",
            env={BASE_URL_ENV: proxy.base_url, API_KEY_ENV: API_KEY, CONFIG_ENV: str(config)},
        )
    assert result.status == 1
    assert "Deleted 3 of 4 objects" in result.out
    assert f"Failed to delete 1:\n  {doomed['name']} ({doomed['id']}): HTTP 503" in result.out
    assert result.err == "runloop-tui rm: 1 of 4 objects not deleted\n"
    expected = {n for n in ALL_NAMES if not n.startswith("agent-runs/")} | {doomed["name"]}
    assert names_in_store(seeded) == expected
    assert other_account_names(seeded) == {"agent-runs/other-account.bin"}


def test_an_object_that_changes_after_the_listing_is_reported_not_deleted(
    seeded: EmbeddedServer,
) -> None:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    with httpx.Client(base_url=seeded.base_url, headers=headers, timeout=30) as api:
        fresh = api.post(
            "/v1/objects", json={"name": "fresh/upload.bin", "content_type": "binary"}
        ).json()
        assert httpx.put(fresh["upload_url"], content=b"data", timeout=30).status_code == 200
        with FaultProxy(seeded.base_url) as proxy:
            # The listing reaches the server, then its answer is held back while the upload
            # completes: the command lists the object as UPLOADING, and it is not any more.
            proxy.hold_answer("/v1/objects?", "GET", 1.5)
            command = subprocess.Popen(
                [sys.executable, "-m", "runloop_tui", "rm", "state:uploading", "fresh/", "--yes"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=REPO_ROOT,
                env={**os.environ, BASE_URL_ENV: proxy.base_url},
            )
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if any(e["path"] == "/v1/objects" for e in proxy.log()):
                    break
                time.sleep(0.05)
            time.sleep(0.3)  # the listing is logged before it is forwarded; 1.2 s of hold left
            assert api.post(f"/v1/objects/{fresh['id']}/complete").status_code == 200
            out, err = command.communicate(timeout=60)
        after = api.get(f"/v1/objects/{fresh['id']}").json()
    assert command.returncode == 0, err
    assert "Deleted 0 of 1 object" in out
    assert "1 object was left alone (changed since the listing, or could not be confirmed):" in out
    assert f"fresh/upload.bin ({fresh['id']}): UPLOADING → READ_ONLY since the listing" in out
    assert after["state"] == "READ_ONLY"


def _prompted(seen: str) -> bool:
    return "anything else cancels): " in seen


def test_on_a_terminal_typing_the_count_deletes(seeded: EmbeddedServer) -> None:
    env = {BASE_URL_ENV: seeded.base_url, API_KEY_ENV: API_KEY}
    status, screen = run_in_pty(["rm", *STUCK_FILTER], env, "2\r", _prompted)
    assert status == 0, screen
    assert "Delete 2 objects? This cannot be undone." in screen
    assert "Type 2 to delete them" in screen
    assert "Deleted 2 of 2 objects" in screen
    assert "██████████████████████████████ 2/2" in screen  # the progress bar, on a terminal
    assert names_in_store(seeded) == ALL_NAMES - STUCK


@pytest.mark.parametrize("answer", ["1\r", "\r", "y\r", "22\r"])
def test_on_a_terminal_anything_but_the_count_deletes_nothing(
    seeded: EmbeddedServer, answer: str
) -> None:
    env = {BASE_URL_ENV: seeded.base_url, API_KEY_ENV: API_KEY}
    status, screen = run_in_pty(["rm", *STUCK_FILTER], env, answer, _prompted)
    assert status == 2, screen
    assert "Nothing deleted." in screen
    assert names_in_store(seeded) == ALL_NAMES


def test_ctrl_c_starts_no_new_delete_and_reports_what_is_left(seeded: EmbeddedServer) -> None:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    with httpx.Client(base_url=seeded.base_url, headers=headers, timeout=30) as api:
        for i in range(COUNT):
            body = {"name": f"batch/{i:02d}.bin", "content_type": "binary"}
            assert api.post("/v1/objects", json=body).status_code == 200
    with FaultProxy(seeded.base_url) as proxy:
        # Every delete takes a second: Ctrl+C lands while the first ones are in flight.
        proxy.configure(match="/delete", delay_first=100, delay_seconds=1.0)
        env = {BASE_URL_ENV: proxy.base_url, API_KEY_ENV: API_KEY}
        status, screen = run_in_pty(
            ["rm", "name:batch/", "--yes"], env, "\x03", lambda _: bool(proxy.log("/delete"))
        )
        started = len(proxy.log("/delete"))
    assert status == 1, screen
    assert 0 < started < COUNT
    assert f"Deleted {started} of {COUNT} objects" in screen
    assert f"Stopped: {COUNT - started} were not attempted." in screen
    left = {n for n in names_in_store(seeded) if n.startswith("batch/")}
    assert len(left) == COUNT - started
    assert names_in_store(seeded) >= ALL_NAMES  # nothing else touched
