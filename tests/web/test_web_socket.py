"""Web mode without a browser: the real `runloop-tui web` process, a websocket client typing
into a tab, and a pyte screen reading what the tab drew."""

from __future__ import annotations

import asyncio
import base64
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from runloop_tui.api.client import ObjectsClient
from runloop_tui.config import API_KEY_ENV, BASE_URL_ENV
from runloop_tui.server.embedded import EmbeddedServer
from tests.conftest import API_KEY
from tests.web.conftest import WebProcess, WebTerminal, isolated_env

COLS, ROWS = 100, 30
CONTENT = b"hello from the store\n" * 100


async def _seed(client: ObjectsClient, tmp_path: Path) -> None:
    hello = tmp_path / "hello.txt"
    hello.write_bytes(CONTENT)
    other = tmp_path / "other.bin"
    other.write_bytes(b"\0" * 10)
    await client.upload_path(hello, name="web/hello.txt")
    await client.upload_path(other, name="web/other.bin")


async def test_a_tab_types_downloads_to_the_browser_and_copies(
    server: EmbeddedServer,
    client: ObjectsClient,
    tmp_path: Path,
    web_for: Callable[..., WebProcess],
) -> None:
    await _seed(client, tmp_path)
    web = await asyncio.to_thread(web_for, server)
    async with aiohttp.ClientSession() as http:
        page = await (await http.get(web.url + "/")).text()
        assert f"ws://{web.url.removeprefix('http://')}/ws" in page
        ws_url = f"{web.url}/ws?width={COLS}&height={ROWS}"
        async with http.ws_connect(ws_url, origin=web.url) as ws:
            tab = WebTerminal(ws, COLS, ROWS)
            await tab.wait_for("2 objects")
            assert "other.bin" in tab.text
            # Type a filter: the table narrows to one row.
            await tab.type("/")
            await tab.type("hello")
            # A frame may reach the socket in more than one message: wait for all of it.
            await tab.pump_until(lambda: "1 shown" in tab.text and "other.bin" not in tab.text)
            assert "web/hello.txt" in tab.text
            # Back to the table; `w` hands the file to the browser, not to the server's disk.
            await tab.type("\t")
            await tab.type("w")
            await tab.pump_until(lambda: any(e[0] == "deliver_file_start" for e in tab.events))
            key = next(e[1] for e in tab.events if e[0] == "deliver_file_start")
            async with http.get(f"{web.url}/download/{key}") as response:
                assert response.status == 200
                assert "attachment" in response.headers["Content-Disposition"]
                assert "hello.txt" in response.headers["Content-Disposition"]
                assert await response.read() == CONTENT
            await tab.wait_for("Sent hello.txt to the browser")
            staged = await asyncio.to_thread(lambda: list(tmp_path.glob("runloop-tui-web-*")))
            assert staged == []  # nothing was left on the server's disk
            # `N` copies through OSC 52, which the page hands to the browser's clipboard.
            await tab.type("N")
            await tab.wait_for("to the browser's clipboard")
            payload = base64.b64encode(b"web/hello.txt")
            assert b"\x1b]52;c;" + payload + b"\x07" in tab.raw
            # The URL dialog: copy works here (loopback page), and the URL names the local
            # server's loopback address, which the dialog points out in web mode.
            await tab.type("y")
            await tab.pump_until(lambda: "This URL is on 127.0.0.1" in tab.text, 30)
            assert "Copying does not work" not in tab.text
            assert _fg(tab, "Copy curl") == _fg(tab, "Close")
            await tab.type("\x15")  # ctrl+u
            await tab.pump_until(lambda: tab.raw.count(b"\x1b]52;c;") == 2)
            assert len(web.children()) == 1


async def test_each_tab_is_its_own_process(
    server: EmbeddedServer, web_for: Callable[..., WebProcess]
) -> None:
    web = await asyncio.to_thread(web_for, server)
    ws_url = f"{web.url}/ws?width={COLS}&height={ROWS}"
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(ws_url, origin=web.url) as first_ws,
        http.ws_connect(ws_url, origin=web.url) as second_ws,
    ):
        first, second = WebTerminal(first_ws, COLS, ROWS), WebTerminal(second_ws, COLS, ROWS)
        await first.wait_for("0 objects")
        await second.wait_for("0 objects")
        await first.type("/zzz")
        await first.wait_for("zzz")
        await second.type("/yyy")
        await second.wait_for("yyy")
        assert "zzz" not in second.text and "yyy" not in first.text
        children = web.children()
        assert len(children) == 2, children


async def test_cross_site_and_rebound_hosts_are_refused(
    server: EmbeddedServer, web_for: Callable[..., WebProcess]
) -> None:
    web = await asyncio.to_thread(web_for, server)
    async with aiohttp.ClientSession() as http:
        # Another site open in the same browser must not drive the app.
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(f"{web.url}/ws", origin="http://evil.example")
        assert refused.value.status == 403
        # DNS rebinding: a loopback-bound server answers only to loopback names.
        async with http.get(web.url + "/", headers={"Host": "evil.example:80"}) as response:
            assert response.status == 403
        async with http.get(web.url.replace("127.0.0.1", "localhost") + "/") as response:
            assert response.status == 200
    assert web.children() == []


async def test_a_proxy_named_by_public_url_may_forward_its_host(
    server: EmbeddedServer, web_for: Callable[..., WebProcess]
) -> None:
    web = await asyncio.to_thread(web_for, server, "--public-url", "https://devbox.example")
    async with aiohttp.ClientSession() as http:
        headers = {"Host": "devbox.example"}
        async with http.get(web.url + "/", headers=headers) as response:
            assert response.status == 200
            assert "wss://devbox.example/ws" in await response.text()
        async with http.get(web.url + "/", headers={"Host": "other.example"}) as response:
            assert response.status == 403


def test_binding_elsewhere_warns_about_authentication(tmp_path: Path) -> None:
    with WebProcess(["--host", "0.0.0.0", "--demo"], isolated_env(tmp_path)) as web:
        assert web.url.startswith("http://0.0.0.0:")
    assert web.stop() == 0
    stderr = web.stderr_text()
    assert "NO authentication" in stderr
    # --port 0: the warning names the port the socket got, never 0.
    port = web.url.rsplit(":", 1)[1]
    assert f"serving on 0.0.0.0:{port}," in stderr
    assert f"`ssh -L {port}:127.0.0.1:{port} HOST`" in stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "99999"], "must be 0 to 65535"),
        (["--profile", "nope"], "unknown profile 'nope'"),
        (["--theme", "nope"], "unknown theme 'nope'"),
        (["--public-url", "devbox:8000"], "must be http(s)://host[:port]"),
    ],
)
def test_bad_flags_are_one_line_before_serving(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "runloop_tui", "web", *args],
        capture_output=True,
        text=True,
        env={**isolated_env(tmp_path), "PATH": "/usr/bin:/bin"},
        timeout=30,
    )
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert done.stdout == ""


async def test_copy_is_greyed_out_where_the_browser_gives_no_clipboard(
    server: EmbeddedServer, client: ObjectsClient, tmp_path: Path
) -> None:
    """A plain-http page on another host is not a secure context: no clipboard for it. The
    tab is told so, and its copy actions say why instead of claiming success."""
    await _seed(client, tmp_path)
    env = isolated_env(tmp_path) | {API_KEY_ENV: API_KEY, BASE_URL_ENV: server.base_url}
    web = await asyncio.to_thread(WebProcess, ["--host", "0.0.0.0"], env)
    try:
        port = web.url.rsplit(":", 1)[1]
        page = f"http://devbox.example:{port}"
        ws_url = f"http://127.0.0.1:{port}/ws?width={COLS}&height={ROWS}"
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(ws_url, origin=page, headers={"Host": page[7:]}) as ws,
        ):
            tab = WebTerminal(ws, COLS, ROWS)
            await tab.wait_for("2 objects")
            await tab.type("N")  # greyed out: nothing happens, nothing claims a copy
            await tab.type("\x10")  # ctrl+p: the palette lists it greyed, and says why
            await tab.wait_for("Search for commands")
            await tab.type("Copy name")
            await tab.wait_for("Copying does not work in this tab")
            await tab.type("\r")
            await tab.wait_for("Copying does not work in this tab")
            assert "Copied" not in tab.text
            # The URL dialog: its copy buttons are greyed by the same rule and say why; the
            # URL names the devbox's loopback (the local server), and the dialog says so.
            await tab.type("\x1b")
            await tab.pump_until(lambda: "Search for commands" not in tab.text)
            await tab.type("y")
            await tab.pump_until(lambda: "This URL is on 127.0.0.1" in tab.text, 30)
            assert "ssh -L" in tab.text and "Copying does not work in this tab" in tab.text
            assert _fg(tab, "Copy URL") != _fg(tab, "Close"), "the copy button is not greyed"
            await tab.type("\x15")  # ctrl+u: says why, copies nothing
            await tab.pump_until(lambda: tab.text.count("Copying does not work") >= 2)
            assert "Copied" not in tab.text
            assert b"\x1b]52;c;" not in tab.raw
    finally:
        await asyncio.to_thread(web.stop)


def _fg(tab: WebTerminal, label: str) -> str:
    """The foreground colour of the first cell of ``label`` on the tab's screen."""
    for row, line in enumerate(tab.screen.display):
        column = line.find(label)
        if column >= 0:
            return str(tab.screen.buffer[row][column].fg)
    raise AssertionError(f"{label!r} is not on the screen:\n{tab.text}")


def test_the_tab_and_the_server_agree_on_the_clipboard_variable() -> None:
    from runloop_tui.tui.web_rules import NO_CLIPBOARD_ENV
    from runloop_tui.web.server import CLIPBOARD_ENV, clipboard_env

    assert NO_CLIPBOARD_ENV == CLIPBOARD_ENV
    assert clipboard_env("http://127.0.0.1:8000") == ""
    assert clipboard_env("http://localhost:9000") == ""
    assert clipboard_env("https://devbox.example") == ""
    assert clipboard_env(None) == ""
    assert "https or localhost" in clipboard_env("http://devbox.example:8000")
