"""The command line: flags, one-line errors with exit status 2, and the local store session."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

import runloop_tui
from runloop_tui.cli import main
from runloop_tui.config import API_KEY_ENV, BASE_URL_ENV, CONFIG_ENV, Overrides, load_settings
from runloop_tui.session import DEMO_PREFIX, local_session, remove_abandoned_demo_stores
from tests.conftest import API_KEY
from tests.rawapi import list_objects
from tests.support.processes import run_cli, run_in_pty

if TYPE_CHECKING:
    from runloop_tui.server.embedded import EmbeddedServer

SECRET = "rk_secret_do_not_print_4242"
SERVE_MODULE = Path(runloop_tui.__file__).parent / "server" / "serve.py"


pytestmark = pytest.mark.usefixtures("isolated_environment")


def write_config(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def assert_one_line_error(stderr: str, *fragments: str) -> None:
    assert "Traceback" not in stderr
    assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr
    assert stderr.startswith("runloop-tui: ")
    for fragment in fragments:
        assert fragment in stderr
    assert SECRET not in stderr


# --- the real process ---


def test_version() -> None:
    result = run_cli("--version")
    assert (result.returncode, result.stdout, result.stderr) == (0, "runloop-tui 0.1.0\n", "")


def test_help_never_shows_the_key() -> None:
    result = run_cli("--help", env={API_KEY_ENV: SECRET, "PROD_KEY": SECRET})
    assert result.returncode == 0
    assert "--profile" in result.stdout and "serve" in result.stdout
    assert SECRET not in result.stdout + result.stderr


def test_bad_toml_in_a_real_process(tmp_path: Path) -> None:
    path = write_config(tmp_path, "[defaults]\nmax_retries = 3\nrefresh_seconds = = 2\n")
    result = run_cli("--config", str(path))
    assert result.returncode == 2 and result.stdout == ""
    assert_one_line_error(result.stderr, str(path), "line 3")


def test_readable_key_file_refused_in_a_real_process(tmp_path: Path) -> None:
    path = write_config(tmp_path, f'[profiles.p]\napi_key = "{SECRET}"\n', mode=0o644)
    result = run_cli(env={CONFIG_ENV: str(path)})
    assert result.returncode == 2
    assert_one_line_error(result.stderr, "readable by others", f"run: chmod 600 {path}")


def test_unknown_flag_in_a_real_process() -> None:
    result = run_cli("--profil", "x")
    assert result.returncode == 2
    assert_one_line_error(result.stderr, "--profil", "see --help")


@pytest.mark.skipif(
    not SERVE_MODULE.exists(), reason="runloop_tui/server/serve.py is not written yet"
)
def test_serve_help_is_dispatched_to_the_server() -> None:
    result = run_cli("serve", "--help", env={API_KEY_ENV: SECRET})
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout
    assert "--profile" not in result.stdout  # the server's own options, not the TUI's
    assert SECRET not in result.stdout


# --- main() in this process ---


def test_version_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == "runloop-tui 0.1.0\n"


PROFILE = '[profiles.prod]\napi_key_env = "PROD_KEY"\n[profiles.staging]\napi_key_env = "STAGE"\n'

# "FILE" in the expected fragments stands for the config file's path.
BAD_INVOCATIONS: list[tuple[list[str], str, dict[str, str], list[str]]] = [
    (["--bogus"], "", {}, ["unrecognized arguments: --bogus"]),
    (["--read"], "", {}, ["--read"]),  # no abbreviations
    (["--refresh"], "", {}, ["--refresh", "expected one argument"]),
    (["--refresh", "soon"], "", {}, ["--refresh", "'soon'"]),
    (["--profile", "dev"], PROFILE, {}, ["--profile", "'dev'", "known: prod, staging"]),
    (["--profile", "prod"], PROFILE, {}, ["FILE", "PROD_KEY is not set"]),
    (["--base-url", "localhost:8000"], "", {API_KEY_ENV: SECRET}, ["--base-url"]),
    (["--base-url", "https://h"], "", {}, ["--base-url needs an API key"]),
    ([], "", {API_KEY_ENV: SECRET, BASE_URL_ENV: "ftp://h"}, [BASE_URL_ENV]),
    ([], "", {API_KEY_ENV: f"{SECRET}\x07"}, [API_KEY_ENV]),
    (["--local", "--profile", "prod"], PROFILE, {}, ["--profile", "--local"]),
    (["--demo", "--data-dir", "d"], "", {}, ["--demo", "--data-dir"]),
    ([], "[defaults]\nrefresh_seconds = 'fast'\n", {}, ["FILE", "refresh_seconds", "'fast'"]),
    ([], "[defaults]\ndownload_dir = '/no/such/dir'\n", {}, ["FILE", "download_dir"]),
    ([], "[defaults]\ntimeout = 3\n", {}, ["FILE", "unknown key 'timeout'"]),
    ([], "[profiles.p]\napi_key_env = 'K'\naccent = 'red'\n", {}, ["FILE", "accent", "'red'"]),
]


@pytest.mark.parametrize(("argv", "config", "env", "expected"), BAD_INVOCATIONS)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    config: str,
    env: dict[str, str],
    expected: list[str],
) -> None:
    path = write_config(tmp_path, config)
    monkeypatch.setenv(CONFIG_ENV, str(path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert_one_line_error(captured.err, *[str(path) if f == "FILE" else f for f in expected])


def test_missing_config_named_by_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(tmp_path / "nope.toml")]) == 2
    assert_one_line_error(capsys.readouterr().err, "--config", "nope.toml", "does not exist")


def test_data_dir_that_cannot_be_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["--data-dir", str(blocker / "store")]) == 2
    assert_one_line_error(capsys.readouterr().err, "cannot create", str(blocker / "store"))


def test_data_dir_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["--data-dir", str(blocker)]) == 2
    assert_one_line_error(capsys.readouterr().err, "--data-dir", "not a directory")


# --- the local store session, against the real embedded server ---


def test_local_session_runs_a_server_on_the_store(tmp_path: Path) -> None:
    store = tmp_path / "new" / "store"
    settings = load_settings(Overrides(data_dir=str(store)), {API_KEY_ENV: SECRET})
    with local_session(settings) as connected:
        assert connected.base_url.startswith("http://127.0.0.1:")
        assert connected.api_key and connected.api_key != SECRET
        assert connected.local_data_dir == store and connected.connection_kind == "local"
        assert list_objects(connected.base_url, api_key=connected.api_key) == []
        first_key, base_url = connected.api_key, connected.base_url
    assert store.is_dir() and (store.stat().st_mode & 0o077) == 0
    with pytest.raises(httpx.TransportError):  # stopped on the way out
        list_objects(base_url, api_key=first_key)
    with local_session(settings) as again:  # the same store keeps its key
        assert again.api_key == first_key


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where tempfile puts demo stores during the test (not the machine's /tmp)."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def test_demo_session_is_seeded_and_removed(temp_root: Path) -> None:
    settings = load_settings(Overrides(demo=True), {})
    with local_session(settings) as connected:
        assert connected.demo and connected.api_key
        data_dir = connected.local_data_dir
        assert data_dir is not None and data_dir.is_dir()
        objects = list_objects(connected.base_url, api_key=connected.api_key)
        assert len(objects) >= 20
        assert {obj["state"] for obj in objects} >= {"READ_ONLY"}
        assert data_dir.parent == temp_root
    assert not data_dir.exists()
    assert list(temp_root.iterdir()) == []


def test_demo_store_is_removed_even_when_the_app_fails(temp_root: Path) -> None:
    settings = load_settings(Overrides(demo=True), {})
    data_dir: Path | None = None
    with pytest.raises(ValueError, match="app crashed"), local_session(settings) as connected:
        data_dir = connected.local_data_dir
        raise ValueError("app crashed")
    assert data_dir is not None and not data_dir.exists()
    assert list(temp_root.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX process ids and owners")
def test_abandoned_demo_stores_are_removed(tmp_path: Path) -> None:
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()  # reaped, so its pid names no process
    abandoned = tmp_path / f"{DEMO_PREFIX}{finished.pid}-abc123"
    in_use = tmp_path / f"{DEMO_PREFIX}{os.getpid()}-def456"
    unrelated = tmp_path / f"{DEMO_PREFIX}notapid"
    for path in (abandoned, in_use, unrelated):
        (path / "blobs").mkdir(parents=True)
    assert remove_abandoned_demo_stores(tmp_path) == [abandoned]
    assert not abandoned.exists() and in_use.is_dir() and unrelated.is_dir()


# --- end to end: the real program in a real terminal (a pty), quit with ctrl+q ---


def _start_and_quit(args: list[str], env: dict[str, str], until: str) -> tuple[int, str]:
    """runloop-tui on an 80x24 pty; once the screen shows ``until``, ctrl+q."""
    return run_in_pty(args, env, "\x11", lambda seen: until in seen)


needs_pty = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


@needs_pty
def test_demo_end_to_end(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    status, screen = _start_and_quit(["--demo"], {"TMPDIR": str(temp)}, until="READ_ONLY")
    assert status == 0, screen[-2000:]
    assert "Traceback" not in screen
    assert list(temp.iterdir()) == []  # the temporary store is gone


@needs_pty
def test_remote_end_to_end_from_environment(server: EmbeddedServer) -> None:
    """RUNLOOP_API_KEY + RUNLOOP_BASE_URL reach the app; the header names the host, not the key."""
    host = server.base_url.removeprefix("http://")
    env = {API_KEY_ENV: API_KEY, BASE_URL_ENV: server.base_url}
    status, screen = _start_and_quit([], env, until=host)
    assert status == 0, screen[-2000:]
    assert API_KEY not in screen and "Traceback" not in screen


def test_bad_max_objects_flag_in_a_real_process() -> None:
    result = run_cli("--max-objects", "0")
    assert result.returncode != 0
    assert "--max-objects" in result.stderr and "between 1 and" in result.stderr
    assert "Traceback" not in result.stderr
