"""The API key never appears in what a run produces: help and error output, logs at DEBUG
(httpx and httpcore included), exceptions (str, repr, tracebacks with locals) and Textual's
crash traceback. Screens are checked in test_tui_secrets.py.
"""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
from rich.traceback import Traceback

from runloop_tui.api import ApiError, ContentType, ObjectsClient, RetryPolicy
from runloop_tui.server.embedded import EmbeddedServer
from tests.conftest import API_KEY
from tests.support.fault_proxy import FaultProxy, closed_port_url

REPO = Path(__file__).resolve().parents[2]
FAST = RetryPolicy(max_retries=1, timeout_seconds=0.3, initial_backoff_seconds=0.01)
# A distinctive key for CLI runs, so a hit can only come from us.
CLI_SECRET = "rk_reliability_secret_7f3a9c"


def _leaks(text: str, key: str = API_KEY) -> bool:
    """The key, or a long-enough piece of it, appears in ``text``."""
    token = key.removeprefix("rk_")
    return key in text or token[:16] in text or token[-16:] in text


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        check=False,
    )


# --- help and error output of the command line ---


def test_help_and_cli_errors_never_show_the_key(tmp_path: Path) -> None:
    env = {
        "RUNLOOP_API_KEY": CLI_SECRET,
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    runs = {
        "help": _run("-m", "runloop_tui", "--help", env=env),
        "serve help": _run("-m", "runloop_tui", "serve", "--help", env=env),
        "server module help": _run("-m", "runloop_tui.server", "--help", env=env),
        "bad base url env": _run(
            "-m", "runloop_tui", env={**env, "RUNLOOP_BASE_URL": "ftp://example.invalid"}
        ),
        "bad flag value": _run("-m", "runloop_tui", "--refresh", "soon", env=env),
        "bad base url flag": _run("-m", "runloop_tui", "--base-url", "not a url", env=env),
        "serve bad port with key": _run(
            "-m", "runloop_tui", "serve", "--port", "99999", "--api-key", CLI_SECRET, env=env
        ),
        "serve unknown flag with key": _run(
            "-m", "runloop_tui", "serve", "--api-key", CLI_SECRET, "--bogus", env=env
        ),
        "serve missing key file": _run(
            "-m", "runloop_tui", "serve", "--api-key-file", str(tmp_path / "nope"), env=env
        ),
    }
    for name, result in runs.items():
        output = result.stdout + result.stderr
        assert not _leaks(output, CLI_SECRET), (name, output)
        assert "Traceback" not in output, (name, output)
        if "help" in name:
            assert result.returncode == 0 and "usage" in result.stdout.lower(), name
        else:
            assert result.returncode in (1, 2), (name, result.returncode)
            assert result.stderr.count("\n") == 1, (name, result.stderr)


# --- logs at DEBUG, errors and their tracebacks, during a session full of failures ---


def _render_everything(error: BaseException) -> str:
    """str, repr, the plain traceback, and every frame's locals as rich shows them (Textual's
    crash screen), with far looser length limits than Textual's so nothing hides in a "...".

    The first frame is this test's own (its locals hold the key on purpose): skipped.
    """
    tb = error.__traceback__.tb_next if error.__traceback__ else None
    error = error.with_traceback(tb)
    # extract() is what Traceback renders, minus the (slow) syntax highlighting of code.
    trace = Traceback.extract(
        type(error), error, tb, show_locals=True, locals_max_length=100, locals_max_string=5000
    )
    local_reprs = [
        f"{name}={node.render(max_width=200)}"
        for stack in trace.stacks
        for frame in stack.frames
        for name, node in (frame.locals or {}).items()
    ]
    assert local_reprs, "no locals captured: the check would be empty"
    plain = "".join(traceback.format_exception(error))
    return "\n".join([str(error), repr(error), plain, *local_reprs])


async def test_failing_session_logs_and_errors_never_show_the_key(
    server: EmbeddedServer, debug_log: io.StringIO, tmp_path: Path
) -> None:
    source = tmp_path / "a.txt"
    source.write_text("hello")
    errors: list[ApiError] = []
    with FaultProxy(server.base_url) as proxy:
        async with ObjectsClient(proxy.base_url, API_KEY, retry=FAST) as api:
            done = await api.upload_path(source)
            scenarios = [
                {"match": "/v1/objects", "fail_first": 9, "fail_status": 503},
                {
                    "match": "/v1/objects",
                    "fail_first": 9,
                    "fail_status": 429,
                    "fail_headers": {"Retry-After": "0.01"},
                },
                {"match": "/v1/objects", "drop_first": 9},
                {"match": "/v1/objects", "delay_first": 9, "delay_seconds": 0.5},
                # A server that echoes the Authorization header back in its error.
                {
                    "match": "/v1/objects",
                    "fail_first": 9,
                    "fail_status": 401,
                    "fail_body": f'{{"error": {{"message": "bad key Bearer {API_KEY}"}}}}',
                },
                {"match": "/_blobs/", "cut_first": 9},
                {"match": "/_blobs/", "tamper_signature": True},
            ]
            for faults in scenarios:
                proxy.configure(**faults)
                outcomes = await asyncio.gather(
                    api.list_objects(),
                    api.get_object(done.id),
                    api.create_object("x.txt", ContentType.TEXT),
                    api.download_to(done.id, tmp_path / "out.txt", overwrite=True),
                    api.upload_path(source, name="again.txt"),
                    return_exceptions=True,
                )
                for outcome in outcomes:
                    if isinstance(outcome, BaseException):
                        assert isinstance(outcome, ApiError), repr(outcome)
                        errors.append(outcome)
    async with ObjectsClient(closed_port_url(), API_KEY, retry=FAST) as dead:
        try:
            await dead.list_objects()
        except ApiError as error:
            errors.append(error)
    assert len(errors) >= 20, "the faults did not produce the failures this test needs"
    log_text = debug_log.getvalue()
    assert "httpcore" in log_text and "httpx" in log_text  # the loggers did talk
    assert not _leaks(log_text), "the API key is in the DEBUG log"
    # Rendering a traceback with locals is slow: one of each kind of failure is enough.
    kinds = {(type(e), e.status, e.method, e.path, e.message): e for e in errors}
    for kind in kinds.values():
        assert not _leaks(_render_everything(kind)), repr(kind)
    server_log = server.data_dir / "server.log"
    if server_log.exists():
        assert not _leaks(server_log.read_text(encoding="utf-8", errors="replace"))


# --- Textual's crash traceback (rich, with locals), from a real process ---


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["action", "http"])
def test_crash_traceback_never_shows_the_key(server: EmbeddedServer, mode: str) -> None:
    result = _run(
        "-m",
        "tests.reliability.crash_app",
        "--base-url",
        server.base_url,
        "--mode",
        mode,
        env={"RUNLOOP_API_KEY": API_KEY, "PYTHONPATH": str(REPO)},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-2000:]
    assert "boom" in output and "RuntimeError" in output  # the crash did happen and print
    assert "locals" in output  # ...with locals, the dangerous part
    assert not _leaks(output), "the API key is in the crash traceback"


async def test_a_bug_under_the_client_becomes_an_api_error_without_the_key(
    server: EmbeddedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import h11

    calls: list[int] = []

    def broken_send(conn: h11.Connection, event: object) -> bytes:
        calls.append(1)
        raise RuntimeError("boom (inside h11)")

    patient = RetryPolicy(max_retries=3, timeout_seconds=5, initial_backoff_seconds=0.01)
    async with ObjectsClient(server.base_url, API_KEY, retry=patient) as api:
        monkeypatch.setattr(h11.Connection, "send", broken_send)
        try:
            await api.list_objects()
        except ApiError as error:
            caught: ApiError = error
        else:
            raise AssertionError("no error")
        finally:
            monkeypatch.undo()
    assert "RuntimeError" in str(caught) and "boom" in str(caught)
    # A bug is not retried (httpcore itself touches h11 once more while closing).
    assert 1 <= len(calls) <= 2
    assert not _leaks(_render_everything(caught))
