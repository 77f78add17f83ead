"""`runloop-tui ls` against the real local server."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from runloop_tui.config import API_KEY_ENV, BASE_URL_ENV
from tests.conftest import API_KEY
from tests.scripting.conftest import ALL_NAMES, OBJECTS, STUCK, run, run_process, seed_store
from tests.support.fault_proxy import FaultProxy

if TYPE_CHECKING:
    from runloop_tui.server.embedded import EmbeddedServer

pytestmark = pytest.mark.usefixtures("remote_env")


def test_table_lists_every_object_of_the_account_aligned() -> None:
    result = run("ls")
    assert result.status == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].split() == ["NAME", "SIZE", "STATE", "CREATED", "ID", "TYPE", "EXPIRES"]
    assert {line.split()[0] for line in lines[1:]} == ALL_NAMES  # not the other account's
    size_end = lines[0].index("SIZE") + len("SIZE")
    checkpoint = next(line for line in lines if "run-1/checkpoint.bin" in line)
    assert checkpoint[:size_end].endswith("5.0 MB")  # right-aligned under its title


def test_table_fits_the_width_by_dropping_columns_then_shortening_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "50")
    lines = run("ls", "--sort", "name").out.splitlines()
    assert all(len(line) <= 50 for line in lines), lines
    assert lines[0].split() == ["NAME", "SIZE", "STATE", "CREATED"]
    assert any("…" in line and line.startswith("agent-") for line in lines)


def test_json_has_the_api_fields_and_the_filter_applies() -> None:
    result = run("ls", "state:uploading", "-scratch", "age>1d", "--format", "json")
    assert result.status == 0, result.err
    objects = json.loads(result.out)
    assert {o["name"] for o in objects} == STUCK
    assert set(objects[0]) == {
        "id",
        "name",
        "state",
        "content_type",
        "size_bytes",
        "create_time_ms",
        "delete_after_time_ms",
        "metadata",
    }
    assert all(o["state"] == "UPLOADING" for o in objects)


def test_csv_and_ids_agree_with_json() -> None:
    objects = json.loads(run("ls", "name:agent-runs/", "--format", "json").out)
    rows = list(csv.DictReader(io.StringIO(run("ls", "name:agent-runs/", "--format", "csv").out)))
    ids = run("ls", "name:agent-runs/", "--format", "ids").out.splitlines()
    assert [r["id"] for r in rows] == ids == [o["id"] for o in objects]
    assert len(ids) == 4
    assert [r["name"] for r in rows] == [o["name"] for o in objects]


def test_sort_descending_and_limit() -> None:
    result = run("ls", "--sort", "-size", "--limit", "2", "--format", "json")
    assert [o["size_bytes"] for o in json.loads(result.out)] == [5_000_000, 120_000]
    by_name = json.loads(run("ls", "--sort", "name", "--format", "json").out)
    assert [o["name"] for o in by_name] == sorted(ALL_NAMES)
    # Unknown sizes go last in either direction.
    ascending = json.loads(run("ls", "--sort", "size", "--format", "json").out)
    assert [o["size_bytes"] for o in ascending][-4:] == [None] * 4


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "ids"])
def test_an_empty_result_in_every_format(fmt: str) -> None:
    result = run("ls", "name:nothing-is-called-this", "--format", fmt)
    assert result.status == 0
    expected = {"table": "", "json": "[]\n", "csv": None, "ids": ""}[fmt]
    if fmt == "csv":
        assert result.out.splitlines()[0].startswith("id,name,state")
        assert len(result.out.splitlines()) == 1
    else:
        assert result.out == expected
    assert result.err == ("No objects match.\n" if fmt == "table" else "")


def test_an_invalid_filter_is_exit_2_with_the_span() -> None:
    result = run("ls", "logs/", "state:bogus", "size>lots")
    assert result.status == 2 and result.out == ""
    assert result.err.count("\n") == 1
    assert "'state:bogus' (characters 7-17): unknown state 'bogus'" in result.err
    assert "'size>lots' (characters 19-27)" in result.err


def test_the_server_side_parts_are_pushed_down(seeded: EmbeddedServer) -> None:
    with FaultProxy(seeded.base_url) as proxy:
        proxy.configure()
        result = run_process(
            "ls",
            "checkpoint",
            "state:uploading",
            "-run-3",
            "--format",
            "ids",
            env={BASE_URL_ENV: proxy.base_url, API_KEY_ENV: API_KEY},
        )
        lists = proxy.log("/v1/objects")
    assert result.status == 0, result.err
    assert len(result.out.split()) == 1
    assert lists and all("state=UPLOADING" in e["query"] for e in lists)
    assert all("search=checkpoint" in e["query"] for e in lists)


def test_an_api_error_is_one_line_with_the_status_and_no_key() -> None:
    result = run_process("ls", env={API_KEY_ENV: "rk_wrong_key_do_not_print"})
    assert result.status == 1 and result.out == ""
    assert result.err.count("\n") == 1 and "HTTP 401" in result.err
    assert "rk_wrong_key_do_not_print" not in result.err


def test_public_lists_public_objects_of_every_account() -> None:
    result = run("ls", "--public", "--format", "json")
    assert result.status == 0
    assert [o["name"] for o in json.loads(result.out)] == ["agent-runs/other-account.bin"]
    assert run("ls", "--public", "name:nothing", "--format", "json").out == "[]\n"


def test_local_starts_the_embedded_server_like_the_tui(tmp_path: Path) -> None:
    store = tmp_path / "own-store"
    store.mkdir()
    from runloop_tui.server.datadir import ensure_data_dir, load_or_create_api_key

    ensure_data_dir(store)
    seed_store(store, OBJECTS[:2], api_key=load_or_create_api_key(store))
    # Ignores the remote in the environment: --data-dir implies --local.
    result = run_process("ls", "--data-dir", str(store), "--format", "ids")
    assert result.status == 0, result.err
    assert len(result.out.split()) == 2
