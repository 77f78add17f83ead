"""`runloop-tui serve` / `python -m runloop_tui.server` as real processes."""

from __future__ import annotations

import signal
import socket
import stat
import subprocess
from pathlib import Path

import httpx
import pytest

from runloop_tui.server.serve import main
from tests.server.conftest import spawn_server


@pytest.mark.parametrize(
    "argv",
    [["--bogus"], ["--port", "abc"], ["--port", "70000"], ["--log-level", "loud"], ["extra"]],
)
def test_bad_flags_one_line_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("runloop-tui serve: error:")
    assert "Traceback" not in err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "--data-dir" in capsys.readouterr().out


def test_empty_key_file_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keys = tmp_path / "keys"
    keys.write_text("# nothing here\n\n")
    assert main(["--data-dir", str(tmp_path / "d"), "--api-key-file", str(keys)]) == 2
    assert "no keys" in capsys.readouterr().err


def test_missing_key_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(tmp_path / "d"), "--api-key-file", str(tmp_path / "no")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"--api-key-file {tmp_path / 'no'} does not exist" in err and "[Errno" not in err


def _bad_flag_values(tmp: Path) -> list[tuple[list[str], str]]:
    (tmp / "file").write_text("x")
    (tmp / "short-key").write_text("too short")
    return [
        (["--port", "99999"], "--port: must be 0 to 65535"),
        (["--data-dir", str(tmp / "file")], f"--data-dir {tmp / 'file'} is a file"),
        (["--data-dir", str(tmp / "file" / "sub")], f"--data-dir {tmp / 'file' / 'sub'} is a"),
        (["--api-key-file", str(tmp)], f"--api-key-file {tmp} is a directory"),
        (["--stale-upload-hours", "-1"], "--stale-upload-hours: must be 0 to"),
        (["--stale-upload-hours", "nan"], "--stale-upload-hours: must be 0 to"),
        (["--sweep-seconds", "0"], "--sweep-seconds: must be 0.05 to 3600"),
        (["--public-url", "devbox:8000"], "--public-url: must be an http(s)://"),
        (["--s3-public-endpoint", "ftp://x"], "--s3-public-endpoint: must be an http(s)://"),
        (["--signing-key-file", str(tmp / "short-key")], "needs at least 32 bytes"),
        (["--host", "nohost.invalid"], "--host nohost.invalid: "),
    ]


def test_every_bad_flag_value_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for args, words in _bad_flag_values(tmp_path):
        status = main(["--data-dir", str(tmp_path / "d"), "--port", "0", *args])
        err = capsys.readouterr().err
        assert status == 2, (args, err)
        assert err.count("\n") == 1 and err.startswith("runloop-tui serve: error: "), err
        assert words in err, (words, err)
        assert "[Errno" not in err and "Traceback" not in err


def test_port_in_use_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["--data-dir", str(tmp_path / "d"), "--port", str(port), "--api-key", "k"])
    assert code == 1
    assert "cannot listen" in capsys.readouterr().err


def _interrupt(proc: subprocess.Popen[str], sig: int = signal.SIGINT) -> str:
    proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate(timeout=10)
        raise
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    return out


def test_serve_generates_a_private_key_and_never_prints_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "store"
    proc, base_url, banner = spawn_server(["--data-dir", str(data_dir)], banner_lines=4)
    try:
        key_file = data_dir / "api_key"
        key = key_file.read_text().strip()
        assert key and key not in banner
        assert str(key_file) in banner
        for private in (key_file, data_dir / "signing.key"):
            assert stat.S_IMODE(private.stat().st_mode) == 0o600
        headers = {"Authorization": f"Bearer {key}"}
        assert httpx.get(f"{base_url}/v1/objects", headers=headers).status_code == 200
        assert httpx.get(f"{base_url}/v1/objects").status_code == 401
    finally:
        out = _interrupt(proc)
    assert "Stopped." in out and key not in out


def test_serve_with_key_file_and_flags(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text("# team keys\nkey-one\n\nkey-two\n")
    data_dir = tmp_path / "store"
    proc, base_url, banner = spawn_server(
        ["--data-dir", str(data_dir), "--api-key-file", str(keys), "--api-key", "key-three"],
        banner_lines=4,
    )
    try:
        assert "key-one" not in banner and "3 key(s)" in banner
        assert not (data_dir / "api_key").exists()
        for key in ("key-one", "key-two", "key-three"):
            response = httpx.get(
                f"{base_url}/v1/objects", headers={"Authorization": f"Bearer {key}"}
            )
            assert response.status_code == 200
            created = httpx.post(
                f"{base_url}/v1/objects",
                json={"name": f"by-{key}", "content_type": "text"},
                headers={"Authorization": f"Bearer {key}"},
            )
            assert created.status_code == 200
    finally:
        out = _interrupt(proc, signal.SIGTERM)
    assert "Stopped." in out
    # Accounts are stored as key hashes only.
    stored = b"".join(p.read_bytes() for p in data_dir.glob("objects.db*"))
    assert b"by-key-one" in stored
    assert stored.count(b"key-one") == stored.count(b"by-key-one")
