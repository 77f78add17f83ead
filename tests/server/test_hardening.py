"""Hardening on every backend: presigned-URL hosts, private files, zombie processes."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx

from runloop_tui.server.embedded import EmbeddedServer
from runloop_tui.server.procs import process_alive
from tests.conftest import API_KEY
from tests.server.conftest import client_for, complete, expect_error, upload

BODY = {"name": "a.txt", "content_type": "text"}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_arbitrary_host_header_never_reaches_a_presigned_url(
    server: EmbeddedServer, api: httpx.Client
) -> None:
    evil = api.post("/v1/objects", json=BODY, headers={"Host": "evil.example:1"})
    expect_error(evil, 400, "Host", "--public-url")
    assert api.get("/v1/objects").json()["objects"] == []  # refused before any write
    port = server.base_url.rsplit(":", 1)[1]
    wrong_port = api.post("/v1/objects", json=BODY, headers={"Host": f"127.0.0.1:{int(port) + 1}"})
    expect_error(wrong_port, 400, "--public-url")
    # A name that resolves to the address the connection arrived on is trusted.
    view = api.post("/v1/objects", json=BODY, headers={"Host": f"localhost:{port}"}).json()
    assert view["upload_url"].startswith(f"http://localhost:{port}/_blobs/")
    upload(view, b"x")
    complete(api, view["id"])
    download = api.get(f"/v1/objects/{view['id']}/download", headers={"Host": "evil.example"})
    expect_error(download, 400, "--public-url")


def test_public_url_is_used_and_host_ignored(data_dir: Path) -> None:
    public = "https://objects.example.com/store"
    with (
        EmbeddedServer(data_dir, [API_KEY], public_url=public) as server,
        client_for(server, API_KEY) as api,
    ):
        answer = api.post("/v1/objects", json=BODY, headers={"Host": "evil.example:1"})
        assert answer.status_code == 200
        assert answer.json()["upload_url"].startswith(f"{public}/_blobs/")


def test_data_dir_and_every_file_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh"
    with EmbeddedServer(data_dir, [API_KEY]) as server, client_for(server, API_KEY) as api:
        view = api.post("/v1/objects", json=BODY).json()
        upload(view, b"secret")
        complete(api, view["id"])
        assert _mode(data_dir) == 0o700
        for name in ("objects.db", "objects.db-wal", "objects.db-shm", "signing.key"):
            assert _mode(data_dir / name) == 0o600, name
        assert _mode(data_dir / "blobs" / view["id"]) == 0o600
        assert _mode(data_dir / "server.log") == 0o600


def test_serve_warns_about_a_readable_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "open"
    data_dir.mkdir()
    data_dir.chmod(0o755)
    proc = subprocess.Popen(
        [sys.executable, "-m", "runloop_tui.server", "--port", "0", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        banner = ""
        while "Ctrl+C" not in banner:
            line = proc.stdout.readline()
            assert line, banner
            banner += line
        assert re.search(r"warning: data dir .* readable by other users \(mode 755\)", banner)
        assert f"chmod 700 {data_dir}" in banner
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)


def test_a_zombie_process_counts_as_dead() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    # Not reaped (no wait()): once it exits it is a zombie, and kill(pid, 0) still succeeds.
    while Path(f"/proc/{child.pid}/stat").read_bytes().split(b") ")[1][:1] != b"Z":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.kill(child.pid, 0)
    assert not process_alive(child.pid)
    child.wait()
    assert not process_alive(child.pid)
    assert process_alive(os.getpid())


def test_recovery_removes_temp_files_of_a_zombie_server(data_dir: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    while Path(f"/proc/{child.pid}/stat").read_bytes().split(b") ")[1][:1] != b"Z":
        time.sleep(0.01)
    (data_dir / "tmp").mkdir(mode=0o700)
    leftover = data_dir / "tmp" / f"{child.pid}-0123456789abcdef.part"
    leftover.write_bytes(b"x" * 1024)
    try:
        with EmbeddedServer(data_dir, [API_KEY]):
            assert not leftover.exists()
    finally:
        child.wait()
